//! Unit tests of endpoint resolution (botocore itself is the oracle in
//! `tests/tests/endpoint_oracle.rs`).

use super::*;
use alloc::format;
use alloc::string::ToString;

fn url(config: &EndpointConfig) -> String {
    match resolve(config) {
        Ok(e) => e.url,
        Err(e) => panic!("{config:?}: {e}"),
    }
}

fn err(config: &EndpointConfig) -> EndpointError {
    match resolve(config) {
        Ok(e) => panic!("{config:?} resolved to {e:?}"),
        Err(e) => e,
    }
}

#[test]
fn standard_endpoints() {
    let cases = [
        ("us-east-1", "https://ssm.us-east-1.amazonaws.com"),
        ("eu-west-3", "https://ssm.eu-west-3.amazonaws.com"),
        ("cn-north-1", "https://ssm.cn-north-1.amazonaws.com.cn"),
        ("us-gov-west-1", "https://ssm.us-gov-west-1.amazonaws.com"),
        ("us-iso-east-1", "https://ssm.us-iso-east-1.c2s.ic.gov"),
        ("us-isob-east-1", "https://ssm.us-isob-east-1.sc2s.sgov.gov"),
        (
            "eu-isoe-west-1",
            "https://ssm.eu-isoe-west-1.cloud.adc-e.uk",
        ),
        (
            "us-isof-south-1",
            "https://ssm.us-isof-south-1.csp.hci.ic.gov",
        ),
        ("eusc-de-east-1", "https://ssm.eusc-de-east-1.amazonaws.eu"),
        // Not listed, but matching a partition's regionRegex.
        ("cn-south-9", "https://ssm.cn-south-9.amazonaws.com.cn"),
        (
            "us-isob-north-2",
            "https://ssm.us-isob-north-2.sc2s.sgov.gov",
        ),
        // Matching nothing: the default partition, aws.
        ("mars-base-1", "https://ssm.mars-base-1.amazonaws.com"),
        ("local", "https://ssm.local.amazonaws.com"),
    ];
    for (region, expected) in cases {
        let e = resolve(&EndpointConfig::new(region)).unwrap();
        assert_eq!(e.url, expected);
        assert_eq!(e.signing_region, region);
        assert_eq!(e.signing_name, "ssm");
    }
}

#[test]
fn fips_and_dual_stack() {
    let c = |r: &str, fips, ds| url(&EndpointConfig::new(r).with_fips(fips).with_dual_stack(ds));
    assert_eq!(
        c("us-east-1", true, false),
        "https://ssm-fips.us-east-1.amazonaws.com"
    );
    assert_eq!(c("us-east-1", false, true), "https://ssm.us-east-1.api.aws");
    assert_eq!(
        c("us-east-1", true, true),
        "https://ssm-fips.us-east-1.api.aws"
    );
    // aws-us-gov's FIPS endpoint is the standard host name.
    assert_eq!(
        c("us-gov-west-1", true, false),
        "https://ssm.us-gov-west-1.amazonaws.com"
    );
    assert_eq!(
        c("us-gov-east-1", true, true),
        "https://ssm-fips.us-gov-east-1.api.aws"
    );
    assert_eq!(
        c("cn-northwest-1", false, true),
        "https://ssm.cn-northwest-1.api.amazonwebservices.com.cn"
    );
    assert_eq!(
        c("cn-north-1", true, false),
        "https://ssm-fips.cn-north-1.amazonaws.com.cn"
    );
    assert_eq!(
        c("us-iso-west-1", true, true),
        "https://ssm-fips.us-iso-west-1.api.aws.ic.gov"
    );
    // `us-gov-1` matches aws's regex (`us` + `-gov` + `-1`), not aws-us-gov's.
    assert_eq!(
        c("us-gov-1", true, false),
        "https://ssm-fips.us-gov-1.amazonaws.com"
    );
    assert_eq!(partition_of("us-gov-1"), Some("aws"));
}

#[test]
fn partitions() {
    assert_eq!(partition_of("us-east-1"), Some("aws"));
    assert_eq!(partition_of("aws-global"), Some("aws"));
    assert_eq!(partition_of("aws-cn-global"), Some("aws-cn"));
    assert_eq!(partition_of("us-gov-central-7"), Some("aws-us-gov"));
    assert_eq!(partition_of("eusc-de-north-2"), Some("aws-eusc"));
    assert_eq!(partition_of("eusc-fr-east-1"), Some("aws"));
    assert_eq!(partition_of("US-EAST-1"), Some("aws"));
    assert_eq!(partition_of("cn-north-1a"), Some("aws"));
    assert_eq!(partition_of("cn-north-"), None);
    assert_eq!(partition_of(""), None);
}

#[test]
fn invalid_regions() {
    let long = "a".repeat(64);
    for region in [
        "",
        "-",
        "us-east-1-",
        "-us-east-1",
        "us_east_1",
        "us east 1",
        "us-east-1\n",
        "123",
        "0",
        "us.east.1",
        "us-east-1/",
        "ü-east-1",
        &long,
    ] {
        let config = EndpointConfig::new(region);
        assert_eq!(
            err(&config),
            EndpointError::InvalidRegion {
                region: region.into()
            }
        );
        // Before anything else, custom endpoints included.
        let custom = config
            .with_fips(true)
            .with_endpoint_url("https://example.com");
        assert!(matches!(err(&custom), EndpointError::InvalidRegion { .. }));
    }
    assert_eq!(
        url(&EndpointConfig::new("a".repeat(63))),
        format!("https://ssm.{}.amazonaws.com", "a".repeat(63))
    );
    assert_eq!(
        url(&EndpointConfig::new("1a")),
        "https://ssm.1a.amazonaws.com"
    );
}

#[test]
fn custom_endpoints() {
    let c = |u: &str| EndpointConfig::new("us-west-2").with_endpoint_url(u);
    let ok = [
        ("https://example.com", "https://example.com"),
        ("https://example.com/", "https://example.com"),
        ("http://127.0.0.1:5000", "http://127.0.0.1:5000"),
        ("http://localhost:5000/", "http://localhost:5000"),
        (
            "https://vpce-1.ssm.us-west-2.vpce.amazonaws.com/a/b/",
            "https://vpce-1.ssm.us-west-2.vpce.amazonaws.com/a/b",
        ),
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("https://[2001:db8::1]/", "https://[2001:db8::1]"),
        ("HTTPS://Example.COM", "https://Example.COM"),
        ("https://example.com./x%20y", "https://example.com./x%20y"),
    ];
    for (given, expected) in ok {
        let e = resolve(&c(given)).unwrap();
        assert_eq!(e.url, expected);
        assert_eq!(e.signing_region, "us-west-2");
    }
    let bad = [
        ("example.com", UrlProblem::Scheme),
        ("ftp://example.com", UrlProblem::Scheme),
        ("https:/example.com", UrlProblem::Scheme),
        ("", UrlProblem::Scheme),
        ("https://", UrlProblem::MissingHost),
        ("https:///path", UrlProblem::MissingHost),
        ("https://:443", UrlProblem::MissingHost),
        ("https://exa_mple.com", UrlProblem::InvalidHost),
        ("https://-example.com", UrlProblem::InvalidHost),
        ("https://example..com", UrlProblem::InvalidHost),
        ("https://[::g]", UrlProblem::InvalidHost),
        ("https://[::1", UrlProblem::InvalidHost),
        ("https://[::1]x", UrlProblem::InvalidHost),
        ("https://example.com:", UrlProblem::InvalidPort),
        ("https://example.com:0", UrlProblem::InvalidPort),
        ("https://example.com:65536", UrlProblem::InvalidPort),
        ("https://example.com:+80", UrlProblem::InvalidPort),
        ("https://example.com:80:80", UrlProblem::InvalidPort),
        ("https://user:pw@example.com", UrlProblem::UserInfo),
        ("https://example.com?a=b", UrlProblem::Query),
        ("https://example.com/#top", UrlProblem::Fragment),
        ("https://example.com/a b", UrlProblem::InvalidCharacter),
        ("https://example.com\n", UrlProblem::InvalidCharacter),
        ("https://exämple.com", UrlProblem::InvalidCharacter),
    ];
    for (given, problem) in bad {
        assert_eq!(
            err(&c(given)),
            EndpointError::InvalidEndpointUrl(problem),
            "{given:?}"
        );
    }
    let label = "a".repeat(63);
    let long_host = format!("https://{label}.{label}.{label}.{label}.com");
    assert_eq!(
        err(&c(&long_host)),
        EndpointError::InvalidEndpointUrl(UrlProblem::InvalidHost)
    );
}

#[test]
fn custom_endpoint_with_fips_or_dual_stack() {
    let c = EndpointConfig::new("us-east-1").with_endpoint_url("not a url");
    assert_eq!(
        err(&c.clone().with_fips(true)),
        EndpointError::FipsWithCustomEndpoint
    );
    assert_eq!(
        err(&c.clone().with_fips(true).with_dual_stack(true)),
        EndpointError::FipsWithCustomEndpoint
    );
    assert_eq!(
        err(&c.clone().with_dual_stack(true)),
        EndpointError::DualStackWithCustomEndpoint
    );
    assert_eq!(
        err(&c),
        EndpointError::InvalidEndpointUrl(UrlProblem::InvalidCharacter)
    );
}

#[test]
fn unsupported_variants_follow_the_rules() {
    let bare = |host| ServiceUrls {
        standard: Url(host, ".example"),
        fips: None,
        dual_stack: None,
        fips_dual_stack: None,
        overrides: &[],
    };
    let none = [Partition {
        name: "test",
        region_prefixes: "",
        regions: "",
        ssm: bare("https://ssm."),
        logs: bare("https://logs."),
    }];
    let c = |fips, ds| {
        resolve_in(
            Service::Ssm,
            &EndpointConfig::new("xx-1")
                .with_fips(fips)
                .with_dual_stack(ds),
            &none,
        )
    };
    assert_eq!(
        c(true, true),
        Err(EndpointError::FipsAndDualStackNotSupported { partition: "test" })
    );
    assert_eq!(
        c(true, false),
        Err(EndpointError::FipsNotSupported { partition: "test" })
    );
    assert_eq!(
        c(false, true),
        Err(EndpointError::DualStackNotSupported { partition: "test" })
    );
    assert_eq!(c(false, false).unwrap().url, "https://ssm.xx-1.example");
}

#[test]
fn each_service_has_its_own_hosts_and_signing_name() {
    let config = EndpointConfig::new("us-gov-west-1").with_fips(true);
    let ssm = resolve_service(Service::Ssm, &config).unwrap();
    let logs = resolve_service(Service::Logs, &config).unwrap();
    // SSM's FIPS host in aws-us-gov is its standard one for every region; Logs' is
    // too for the two regions its rule set names, and `logs-fips` for the others.
    assert_eq!(ssm.url, "https://ssm.us-gov-west-1.amazonaws.com");
    assert_eq!(logs.url, "https://logs.us-gov-west-1.amazonaws.com");
    let generic = EndpointConfig::new("us-gov-north-7").with_fips(true);
    let logs = resolve_service(Service::Logs, &generic).unwrap();
    assert_eq!(logs.url, "https://logs-fips.us-gov-north-7.amazonaws.com");
    assert_eq!((ssm.signing_name, logs.signing_name), ("ssm", "logs"));
    let custom = EndpointConfig::new("eu-west-1").with_endpoint_url("http://127.0.0.1:5000/");
    let both = Endpoints::resolve(&custom).unwrap();
    assert_eq!(both.of(Service::Ssm).url, both.of(Service::Logs).url);
    assert_eq!(both.of(Service::Logs).signing_name, "logs");
}

#[test]
fn errors_name_the_field_and_the_rule() {
    let e = EndpointError::FipsWithCustomEndpoint.to_string();
    assert_eq!(
        e,
        "use_fips cannot be combined with endpoint_url (endpoint rule: Invalid Configuration: FIPS and custom endpoint are not supported)"
    );
    let e = EndpointError::InvalidRegion {
        region: "a b".into(),
    }
    .to_string();
    assert!(e.starts_with("region \"a b\" is invalid"), "{e}");
    let e = EndpointError::InvalidEndpointUrl(UrlProblem::Query).to_string();
    assert_eq!(
        e,
        "endpoint_url is invalid: it must not have a query (?...)"
    );
    assert!(EndpointError::DualStackNotSupported { partition: "p" }
        .to_string()
        .contains("partition p (endpoint rule: DualStack is enabled"));
}

#[test]
fn errors_are_codes_and_arguments() {
    let region = EndpointError::InvalidRegion {
        region: "a b".into(),
    };
    assert_eq!(
        (region.code(), region.region(), region.partition()),
        ("invalidRegion", Some("a b"), None)
    );
    let url = EndpointError::InvalidEndpointUrl(UrlProblem::MissingHost);
    assert_eq!(
        (url.code(), url.url_problem().map(UrlProblem::code)),
        ("invalidEndpointUrl", Some("missingHost"))
    );
    let partition = "aws-test";
    let all = [
        (
            EndpointError::FipsWithCustomEndpoint,
            "fipsWithCustomEndpoint",
        ),
        (
            EndpointError::DualStackWithCustomEndpoint,
            "dualStackWithCustomEndpoint",
        ),
        (
            EndpointError::FipsAndDualStackNotSupported { partition },
            "fipsAndDualStackNotSupported",
        ),
        (
            EndpointError::FipsNotSupported { partition },
            "fipsNotSupported",
        ),
        (
            EndpointError::DualStackNotSupported { partition },
            "dualStackNotSupported",
        ),
    ];
    for (e, code) in &all {
        assert_eq!(e.code(), *code);
        assert_eq!(e.region(), None);
        assert_eq!(e.url_problem(), None);
        let expected = e.code().ends_with("NotSupported").then_some(partition);
        assert_eq!(e.partition(), expected);
    }
    let problems = [
        (UrlProblem::Scheme, "scheme"),
        (UrlProblem::MissingHost, "missingHost"),
        (UrlProblem::InvalidHost, "invalidHost"),
        (UrlProblem::InvalidPort, "invalidPort"),
        (UrlProblem::UserInfo, "userInfo"),
        (UrlProblem::Query, "query"),
        (UrlProblem::Fragment, "fragment"),
        (UrlProblem::InvalidCharacter, "invalidCharacter"),
    ];
    for (problem, code) in problems {
        assert_eq!(problem.code(), code);
    }
}

#[test]
fn the_table_needs_few_listed_regions() {
    // The generator keeps only the listed regions that no regex gives their partition
    // (the `*-global` pseudo-regions); `aws-global` goes to aws as the default.
    for p in &PARTITIONS {
        for listed in p.regions.split(' ').filter(|r| !r.is_empty()) {
            assert!(listed.ends_with("-global"), "{}: {listed}", p.name);
            assert_eq!(partition_of(listed), Some(p.name));
        }
    }
    assert_eq!(partition_of("aws-global"), Some("aws"));
}

/// `custom_url::is_ipv6` against `core::net::Ipv6Addr`'s parser: hand-picked cases, then
/// addresses assembled from random pieces (groups, `::`, dotted IPv4 with odd octets),
/// then random strings over the characters that matter.
#[test]
fn ipv6_check_agrees_with_core_net() {
    use alloc::vec::Vec;
    use core::net::Ipv6Addr;
    let agree = |s: &str| {
        assert_eq!(
            custom_url::is_ipv6(s),
            s.parse::<Ipv6Addr>().is_ok(),
            "{s:?}"
        );
    };
    for s in [
        "",
        ":",
        "::",
        ":::",
        "::1",
        "1::",
        "1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7::",
        "1:2:3:4:5:6:7:8::",
        "::1:2:3:4:5:6:7",
        "::1:2:3:4:5:6:7:8",
        "1::2::3",
        "1:::2",
        "12345::",
        "abcd:EF01::",
        "g::",
        "::ffff:1.2.3.4",
        "::1.2.3.4",
        "1:2:3:4:5:6:1.2.3.4",
        "1:2:3:4:5:1.2.3.4",
        "1:2:3:4:5:6::1.2.3.4",
        "1.2.3.4::",
        "::1.2.3.4:5",
        "::01.2.3.4",
        "::1.2.3.256",
        "::1.2.3",
        "::1.2.3.4.5",
        "::0.0.0.0",
        "::1.2.3.0400",
        "2001:db8::1",
        "fe80::1%25eth0",
        "::%",
        " ::1",
        "[::1]",
    ] {
        agree(s);
    }
    let mut seed = 0x5eed_u64;
    let mut next = |n: u64| {
        seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n) as usize
    };
    const HEX: &[u8] = b"0123456789abcdefABCDEF";
    let octets = [
        "0", "1", "9", "10", "99", "255", "256", "01", "00", "999", "1000", "",
    ];
    let mut assembled = 0;
    for _ in 0..200_000 {
        let mut pieces: Vec<String> = (0..next(10))
            .map(|_| (0..next(6)).map(|_| char::from(HEX[next(22)])).collect())
            .collect();
        if next(3) == 0 {
            let v4: Vec<&str> = (0..3 + next(3)).map(|_| octets[next(12)]).collect();
            pieces.push(v4.join("."));
        }
        let mut s = pieces.join(":");
        if next(2) == 0 {
            let at = next(s.len() as u64 + 1);
            if s.is_char_boundary(at) {
                s.insert_str(at, "::");
            }
        }
        assembled += usize::from(custom_url::is_ipv6(&s));
        agree(&s);
    }
    assert!(
        assembled > 10_000,
        "too few valid addresses generated: {assembled}"
    );
    const CHARS: &[u8] = b"0123456789aAfFgG:.%";
    for _ in 0..100_000 {
        let s: String = (0..next(24)).map(|_| char::from(CHARS[next(19)])).collect();
        agree(&s);
    }
}

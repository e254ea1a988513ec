//! Cross-implementation oracle for `ssm_edge_core::endpoint`: botocore's own endpoint
//! rule engine (`EndpointProvider` over each service's `endpoint-rule-set-1.json`, SSM
//! and CloudWatch Logs, and `partitions.json`), botocore's region and URL checks, and
//! a real botocore client's request URL must all agree with `endpoint::resolve_service`,
//! service by service and case by case:
//! every region of partitions.json plus regions that only match a partition's regex,
//! match none, or are invalid; × FIPS × dual-stack; plus custom endpoint URLs.

use std::collections::BTreeSet;
use std::io::Write;
use std::process::Stdio;

use serde::Deserialize;
use serde_json::Value;
use ssm_edge_core::endpoint::{
    partition_of, resolve_service, EndpointConfig, EndpointError, Service, UrlProblem,
};

/// Regions beyond partitions.json's lists: regex-only matches, no match (default
/// partition `aws`), odd but valid host labels, and invalid ones.
const EXTRA_REGIONS: &[&str] = &[
    "us-east-9",
    "eu-central-7",
    "ap-southeast-12",
    "mx-north-1",
    "cn-south-7",
    "us-gov-central-3",
    "us-iso-north-2",
    "us-isob-south-5",
    "eu-isoe-north-9",
    "us-isof-west-4",
    "eusc-de-west-2",
    "eusc-fr-east-1",
    "us-gov-1",
    "us-isob-1",
    "cn-north-1a",
    "xx-foo-1",
    "US-EAST-1",
    "Us-East-1",
    "local",
    "a",
    "1a",
    "a1",
    "us-east",
    "us--east-1",
    "us-east-1-",
    "-us-east-1",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "",
    "123",
    "0",
    "us_east_1",
    "us east 1",
    "us-east-1\n",
    "us-east-1 ",
    "us.east.1",
    "us-east-1/",
    "us-east-1?",
    "ü-east-1",
    "us-east-١",
];

/// Custom endpoints: `None` when ours must agree with botocore, or the problem for which
/// we refuse a URL that botocore takes (we are stricter on purpose: a base URL here is
/// `http(s)://host[:port][/path]`).
const CUSTOM_ENDPOINTS: &[(&str, Option<UrlProblem>)] = &[
    ("https://example.com", None),
    ("https://example.com/", None),
    ("http://127.0.0.1:5000", None),
    ("http://localhost:5000/", None),
    (
        "https://vpce-0abc-1234.ssm.us-east-1.vpce.amazonaws.com",
        None,
    ),
    ("https://proxy.example.com/ssm/", None),
    ("https://proxy.example.com/a/b", None),
    ("http://[::1]:8080", None),
    ("https://[2001:db8::1]/x", None),
    ("HTTPS://EXAMPLE.COM/ssm", None),
    ("https://example.com./", None),
    ("https://example.com:443/%7Euser/", None),
    // botocore takes these; we refuse them.
    ("https://example.com?x=1", Some(UrlProblem::Query)),
    ("https://example.com/#frag", Some(UrlProblem::Fragment)),
    ("ftp://example.com", Some(UrlProblem::Scheme)),
    ("https://user:pw@example.com", Some(UrlProblem::UserInfo)),
    ("https://example.com:0", Some(UrlProblem::InvalidPort)),
    ("https://example.com:99999", Some(UrlProblem::InvalidPort)),
    ("https://example.com:", Some(UrlProblem::InvalidPort)),
    (
        "https://example.com/a b",
        Some(UrlProblem::InvalidCharacter),
    ),
    // botocore refuses these too.
    ("example.com", None),
    ("https://", None),
    ("https:///path", None),
    ("https://exa_mple.com", None),
    ("https://example..com", None),
    ("https://-bad.example.com", None),
    ("https://example.com\n", None),
    ("https://exa\tmple.com", None),
];

#[derive(Deserialize)]
struct Partitions {
    partitions: Vec<PartitionInfo>,
}

#[derive(Deserialize)]
struct PartitionInfo {
    name: String,
    regions: Vec<String>,
}

#[derive(Deserialize, Debug)]
struct Answer {
    region_ok: bool,
    partition: Option<String>,
    rules: Option<Outcome>,
    endpoint_url_ok: Option<bool>,
    client: Outcome,
}

#[derive(Deserialize, Debug)]
struct Outcome {
    url: Option<String>,
    error: Option<String>,
}

fn botocore_partitions() -> Partitions {
    let out = ssm_edge_tests::python_output("endpoint_oracle.py", &["partitions"]);
    serde_json::from_slice(&out).expect("partitions JSON")
}

fn botocore_resolve(service: Service, cases: &[EndpointConfig]) -> Vec<Answer> {
    let request: Vec<Value> = cases
        .iter()
        .map(|c| {
            serde_json::json!({
                "region": c.region,
                "use_fips": c.use_fips,
                "use_dual_stack": c.use_dual_stack,
                "endpoint_url": c.endpoint_url,
            })
        })
        .collect();
    let mut child = ssm_edge_tests::python_script("endpoint_oracle.py")
        .arg("resolve")
        .arg(service.signing_name())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tests/python/endpoint_oracle.py");
    let body = serde_json::to_vec(&request).expect("encode cases");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(&body));
    let out = child.wait_with_output().expect("wait for python");
    writer.join().expect("writer").expect("write cases");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<Answer> = serde_json::from_slice(&out.stdout).expect("answers JSON");
    assert_eq!(answers.len(), cases.len());
    answers
}

/// Checks one case; returns a description of the disagreement, if any.
fn check(
    service: Service,
    config: &EndpointConfig,
    b: &Answer,
    stricter: Option<UrlProblem>,
) -> Result<(), String> {
    let ours = resolve_service(service, config);
    if !b.region_ok {
        return match &ours {
            Err(EndpointError::InvalidRegion { region }) if *region == config.region => Ok(()),
            _ => Err(format!("botocore refuses the region; ours: {ours:?}")),
        };
    }
    let partition = b.partition.as_deref().expect("partition");
    if partition_of(&config.region) != Some(partition) {
        return Err(format!(
            "partition: botocore {partition}, ours {:?}",
            partition_of(&config.region)
        ));
    }
    let rules = b.rules.as_ref().expect("rules outcome");
    if let Some(message) = &rules.error {
        return match &ours {
            Err(e) if e.rule_message() == Some(message.as_str()) => {
                if e.to_string().contains(message.as_str()) {
                    Ok(())
                } else {
                    Err(format!(
                        "error text {e} does not quote the rule {message:?}"
                    ))
                }
            }
            _ => Err(format!("rules: error {message:?}; ours: {ours:?}")),
        };
    }
    let rules_url = rules.url.as_deref().expect("rules url");
    let expected_url = match (&config.endpoint_url, b.endpoint_url_ok) {
        (Some(_), Some(false)) => {
            return match &ours {
                Err(EndpointError::InvalidEndpointUrl(_)) => Ok(()),
                _ => Err(format!("botocore refuses the endpoint URL; ours: {ours:?}")),
            };
        }
        (Some(_), _) if stricter.is_some() => {
            return match &ours {
                Err(EndpointError::InvalidEndpointUrl(p)) if Some(*p) == stricter => Ok(()),
                _ => Err(format!("expected our refusal {stricter:?}; ours: {ours:?}")),
            };
        }
        // The rule set returns the custom URL verbatim; ours drops trailing slashes
        // and lower-cases the scheme (as botocore's request URL does, checked below).
        (Some(_), _) => {
            let (scheme, rest) = rules_url.split_once("://").expect("scheme");
            format!(
                "{}://{}",
                scheme.to_ascii_lowercase(),
                rest.trim_end_matches('/')
            )
        }
        (None, _) => rules_url.to_string(),
    };
    let ours = ours.map_err(|e| format!("rules: {rules_url}; ours: error {e}"))?;
    if ours.url != expected_url {
        return Err(format!("rules: {rules_url}; ours: {}", ours.url));
    }
    if ours.signing_region != config.region || ours.signing_name != service.signing_name() {
        return Err(format!("signing: {ours:?}"));
    }
    // The rule engine is what a real client uses: its request URL is ours plus `/`.
    // Except one botocore quirk: before the rule set runs, its client asks the legacy
    // endpoints.json whether the partition has dual-stack variants, and aws-iso-e and
    // aws-iso-f have none there, though the rule set (which every other SDK follows)
    // gives them dual-stack endpoints. We follow the rule set.
    match (&b.client.url, &b.client.error) {
        (Some(sent), _) if sent.trim_end_matches('/') == ours.url => Ok(()),
        (None, Some(e))
            if config.use_dual_stack
                && e.starts_with("EndpointVariantError")
                && ["aws-iso-e", "aws-iso-f"].contains(&partition) =>
        {
            Ok(())
        }
        _ => Err(format!(
            "botocore client sent {:?}; ours: {}",
            b.client, ours.url
        )),
    }
}

#[test]
fn endpoints_agree_with_botocore() {
    let partitions = botocore_partitions();
    let mut regions: Vec<String> = Vec::new();
    for p in &partitions.partitions {
        for r in &p.regions {
            regions.push(r.clone());
            assert_eq!(
                partition_of(r),
                Some(p.name.as_str()),
                "listed region {r} of partition {}",
                p.name
            );
        }
    }
    let listed = regions.len();
    let names: BTreeSet<&str> = partitions
        .partitions
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    for needed in ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b"] {
        assert!(names.contains(needed), "partitions.json lost {needed}");
    }
    regions.extend(EXTRA_REGIONS.iter().map(|r| (*r).to_string()));

    let mut cases: Vec<(EndpointConfig, Option<UrlProblem>)> = Vec::new();
    let flags = [(false, false), (true, false), (false, true), (true, true)];
    for region in &regions {
        for (fips, ds) in flags {
            let config = EndpointConfig::new(region.as_str())
                .with_fips(fips)
                .with_dual_stack(ds);
            cases.push((config, None));
        }
    }
    for (url, stricter) in CUSTOM_ENDPOINTS {
        for region in ["us-east-1", "cn-north-1", "us-gov-west-1", "us_east_1", ""] {
            for (fips, ds) in flags {
                let config = EndpointConfig::new(region)
                    .with_fips(fips)
                    .with_dual_stack(ds)
                    .with_endpoint_url(*url);
                cases.push((config, *stricter));
            }
        }
    }

    let configs: Vec<EndpointConfig> = cases.iter().map(|(c, _)| c.clone()).collect();
    let mut failures = Vec::new();
    let (mut resolved, mut refused) = (0, 0);
    let services = [Service::Ssm, Service::Logs];
    for service in services {
        let answers = botocore_resolve(service, &configs);
        for ((config, stricter), answer) in cases.iter().zip(&answers) {
            match check(service, config, answer, *stricter) {
                Ok(()) => {}
                Err(why) => failures.push(format!(
                    "{service:?} {config:?}: {why} (botocore: {answer:?})"
                )),
            }
            if resolve_service(service, config).is_ok() {
                resolved += 1;
            } else {
                refused += 1;
            }
        }
    }
    println!(
        "compared {} endpoint cases × {} services with botocore ({listed} listed regions + {} \
         others, × FIPS × dual-stack, + {} custom URLs × 5 regions × 4): {resolved} resolved, \
         {refused} refused",
        cases.len(),
        services.len(),
        EXTRA_REGIONS.len(),
        CUSTOM_ENDPOINTS.len(),
    );
    assert!(
        failures.is_empty(),
        "{} disagreements with botocore:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The partition table in `core/src/endpoint/partitions.rs` is what its generator makes
/// of this botocore (so a botocore upgrade without `make regen` fails here, not in use).
#[test]
fn partition_table_is_generated_from_this_botocore() {
    let root = ssm_edge_tests::workspace_root();
    let out = std::process::Command::new(ssm_edge_tests::python())
        .arg(root.join("core/codegen/gen_partitions.py"))
        .arg("--check")
        .output()
        .expect("run core/codegen/gen_partitions.py");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

//! Tests of [`verify`]: it accepts what our signer and aws-sigv4 produce, and refuses
//! every tampering with its specific reason.

extern crate std;

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use proptest::prelude::*;

use super::*;
use crate::sign::tests::gen::{aws_sigv4_sign, scenario};
use crate::sign::tests::ssm_request;
use crate::sign::{sign, Credentials, SigningParams};

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLETOKEN//////////wEaCXVzLWVhc3QtMSJHMEUCIQ";
const NOW: u64 = 1_795_678_693; // 20261126T073813Z

fn lookup(akid: &str) -> Option<(SecretAccessKey, &'static str)> {
    (akid == AKID).then(|| (SecretAccessKey::new(SECRET), "principal-1"))
}

fn config() -> VerifyConfig<'static> {
    VerifyConfig::new("us-east-1", "ssm")
}

/// A SendCommand request signed at `time` (with a session token and, optionally,
/// `X-Amz-Content-Sha256`).
fn signed_at(time: u64, content_sha256: bool) -> HttpRequest {
    let creds = Credentials::new(AKID, SECRET, Some(TOKEN.to_string()));
    let mut req = ssm_request(
        "AmazonSSM.SendCommand",
        "{\"DocumentName\":\"AWS-RunShellScript\",\"Parameters\":{\"commands\":[\"echo h\u{e9}llo \u{2603}\"]}}",
    );
    let mut params = SigningParams::new(&creds, "us-east-1", "ssm", time);
    params.settings.content_sha256_header = content_sha256;
    let _ = sign(&mut req, &params, None).unwrap();
    req
}

fn signed() -> HttpRequest {
    signed_at(NOW, false)
}

fn check(req: &HttpRequest) -> Result<Verified<&'static str>, Refusal> {
    verify(req, &config(), NOW, &lookup, None)
}

fn set_auth(req: &mut HttpRequest, edit: impl FnOnce(&str) -> String) {
    let new = edit(req.header("authorization").unwrap());
    req.set_header("Authorization", new);
}

#[test]
fn accepts_what_sign_produces() {
    for content_sha256 in [false, true] {
        let req = signed_at(NOW, content_sha256);
        let ok = check(&req).unwrap();
        assert_eq!(ok.access_key_id, AKID);
        assert_eq!(ok.principal, "principal-1");
        assert_eq!(ok.signed_at.unix(), NOW);
    }
    // At the edges of the skew window.
    for t in [NOW - 300, NOW + 300] {
        assert!(check(&signed_at(t, false)).is_ok(), "{t}");
    }
    // Wider window.
    let old = signed_at(NOW - 3600, false);
    assert!(verify(&old, &config().with_max_skew_secs(3600), NOW, &lookup, None).is_ok());
}

#[test]
fn cached_and_uncached_agree() {
    let mut cache = SigningKeyCache::with_capacity(4);
    let req = signed();
    for _ in 0..3 {
        assert_eq!(
            verify(&req, &config(), NOW, &lookup, Some(&mut cache)),
            check(&req)
        );
    }
    let mut bad = req.clone();
    bad.body.push(b' ');
    assert_eq!(
        verify(&bad, &config(), NOW, &lookup, Some(&mut cache)),
        Err(Refusal::SignatureMismatch)
    );
}

#[test]
fn refuses_each_changed_signed_header() {
    let req = signed();
    let names: Vec<String> = req
        .headers
        .iter()
        .map(|(n, _)| n.clone())
        .filter(|n| !n.eq_ignore_ascii_case("authorization"))
        .collect();
    assert_eq!(names.len(), 5, "{names:?}");
    for name in names {
        let mut t = req.clone();
        let old = t.header(&name).unwrap().to_string();
        let new = if name.eq_ignore_ascii_case("x-amz-date") {
            // One second later: same day, inside the skew window.
            crate::time::format_amz_date(NOW + 1).unwrap()
        } else {
            format!("{old}x")
        };
        t.set_header(&name, new);
        assert_eq!(
            check(&t).map(|_| ()),
            Err(Refusal::SignatureMismatch),
            "{name}"
        );
        // Trimmed/collapsed spaces are the same canonical value.
        let mut spaced = req.clone();
        spaced.set_header(&name, format!("  {old} "));
        assert!(check(&spaced).is_ok(), "{name} with spaces");
    }
    // A changed x-amz-content-sha256 is caught before the signature.
    let mut t = signed_at(NOW, true);
    t.set_header("X-Amz-Content-Sha256", "0".repeat(64));
    assert_eq!(check(&t).map(|_| ()), Err(Refusal::ContentSha256Mismatch));
    // The method, path and query are signed too.
    for edit in [
        |r: &mut HttpRequest| r.method = "PUT".to_string(),
        |r: &mut HttpRequest| r.url.push('x'),
        |r: &mut HttpRequest| r.url.push_str("?a=b"),
    ] {
        let mut t = req.clone();
        edit(&mut t);
        assert_eq!(check(&t).map(|_| ()), Err(Refusal::SignatureMismatch));
    }
}

#[test]
fn refuses_a_body_one_byte_off() {
    for content_sha256 in [false, true] {
        let req = signed_at(NOW, content_sha256);
        let expected = if content_sha256 {
            Refusal::ContentSha256Mismatch
        } else {
            Refusal::SignatureMismatch
        };
        for i in [0, req.body.len() / 2, req.body.len() - 1] {
            let mut t = req.clone();
            t.body[i] ^= 1;
            assert_eq!(check(&t).map(|_| ()), Err(expected.clone()), "byte {i}");
        }
        let mut longer = req.clone();
        longer.body.push(b'\n');
        assert_eq!(check(&longer).map(|_| ()), Err(expected.clone()));
        let mut shorter = req.clone();
        shorter.body.pop();
        assert_eq!(check(&shorter).map(|_| ()), Err(expected));
    }
}

#[test]
fn refuses_swapped_scope_parts() {
    let req = signed();
    let cases: Vec<(&str, &str, Refusal)> = vec![
        (
            "/20261126/",
            "/20261125/",
            Refusal::ScopeDateMismatch {
                scope_date: "20261125".to_string(),
                amz_date: AmzDate::from_unix(NOW).unwrap(),
            },
        ),
        (
            "/us-east-1/",
            "/us-west-2/",
            Refusal::WrongRegion {
                expected: "us-east-1".to_string(),
                found: "us-west-2".to_string(),
            },
        ),
        (
            "/ssm/",
            "/ec2/",
            Refusal::WrongService {
                expected: "ssm".to_string(),
                found: "ec2".to_string(),
            },
        ),
        (
            "/aws4_request,",
            "/aws4_requests,",
            Refusal::WrongTerminator("aws4_requests".to_string()),
        ),
    ];
    for (from, to, expected) in cases {
        let mut t = req.clone();
        set_auth(&mut t, |a| a.replacen(from, to, 1));
        assert_eq!(check(&t).map(|_| ()), Err(expected), "{from} -> {to}");
    }
    // Signed for another region/service: refused by the verifier's expectations.
    assert!(matches!(
        verify(
            &req,
            &VerifyConfig::new("cn-north-1", "ssm"),
            NOW,
            &lookup,
            None
        ),
        Err(Refusal::WrongRegion { .. })
    ));
    assert!(matches!(
        verify(
            &req,
            &VerifyConfig::new("us-east-1", "ec2"),
            NOW,
            &lookup,
            None
        ),
        Err(Refusal::WrongService { .. })
    ));
}

#[test]
fn refuses_dates_outside_the_skew_window() {
    let old = signed_at(NOW - 360, false);
    assert_eq!(
        check(&old).map(|_| ()),
        Err(Refusal::SignatureExpired {
            signed_at: AmzDate::from_unix(NOW - 360).unwrap(),
            now: NOW,
            max_skew_secs: 300
        })
    );
    let future = signed_at(NOW + 360, false);
    assert_eq!(
        check(&future).map(|_| ()),
        Err(Refusal::SignatureNotYetCurrent {
            signed_at: AmzDate::from_unix(NOW + 360).unwrap(),
            now: NOW,
            max_skew_secs: 300
        })
    );
    assert!(matches!(
        check(&signed_at(NOW - 301, false)),
        Err(Refusal::SignatureExpired { .. })
    ));
    assert!(matches!(
        check(&signed_at(NOW + 301, false)),
        Err(Refusal::SignatureNotYetCurrent { .. })
    ));
    // Extreme clocks do not overflow.
    assert!(matches!(
        verify(&signed(), &config(), u64::MAX, &lookup, None),
        Err(Refusal::SignatureExpired { .. })
    ));
    assert!(verify(
        &signed(),
        &config().with_max_skew_secs(u64::MAX),
        0,
        &lookup,
        None
    )
    .is_ok());
}

#[test]
fn refuses_bad_signed_headers_lists() {
    let req = signed();
    let list = "content-type;host;x-amz-date;x-amz-security-token;x-amz-target";
    assert!(req.header("authorization").unwrap().contains(list));
    for (replacement, expected) in [
        (
            "host;content-type;x-amz-date;x-amz-security-token;x-amz-target",
            Refusal::SignedHeadersNotCanonical(SignedHeadersDefect::Unsorted),
        ),
        (
            "content-type;host;host;x-amz-date;x-amz-security-token;x-amz-target",
            Refusal::SignedHeadersNotCanonical(SignedHeadersDefect::Duplicate),
        ),
        (
            "content-type;Host;x-amz-date;x-amz-security-token;x-amz-target",
            Refusal::SignedHeadersNotCanonical(SignedHeadersDefect::NotLowercase),
        ),
        (
            "content-type;x-amz-date;x-amz-security-token;x-amz-target",
            Refusal::HostNotSigned,
        ),
        (
            "content-type;host;x-amz-security-token;x-amz-target",
            Refusal::DateNotSigned,
        ),
        (
            "content-type;host;x-amz-date;x-amz-security-token",
            Refusal::HeaderNotSigned("x-amz-target".to_string()),
        ),
        (
            "host;x-amz-date;x-amz-security-token;x-amz-target",
            Refusal::HeaderNotSigned("content-type".to_string()),
        ),
        (
            "content-type;host;x-amz-date;x-amz-target",
            Refusal::HeaderNotSigned("x-amz-security-token".to_string()),
        ),
        (
            "content-type;host;x-amz-date;x-amz-security-token;x-amz-target;x-extra",
            Refusal::SignedHeaderMissing("x-extra".to_string()),
        ),
    ] {
        let mut t = req.clone();
        set_auth(&mut t, |a| a.replace(list, replacement));
        assert_eq!(check(&t).map(|_| ()), Err(expected), "{replacement}");
    }
}

#[test]
fn refuses_bad_signatures() {
    let req = signed();
    let sig = req
        .header("authorization")
        .unwrap()
        .rsplit('=')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(sig.len(), 64);
    let mut flipped = sig.clone().into_bytes();
    flipped[10] = if flipped[10] == b'0' { b'1' } else { b'0' };
    let flipped = String::from_utf8(flipped).unwrap();
    for (replacement, expected) in [
        (sig[..63].to_string(), Refusal::MalformedSignature),
        (sig[..32].to_string(), Refusal::MalformedSignature),
        (sig.to_ascii_uppercase(), Refusal::MalformedSignature),
        (format!("{sig}0"), Refusal::MalformedSignature),
        (flipped, Refusal::SignatureMismatch),
    ] {
        let mut t = req.clone();
        set_auth(&mut t, |a| a.replace(&sig, &replacement));
        assert_eq!(check(&t).map(|_| ()), Err(expected), "{replacement}");
    }
}

#[test]
fn refuses_unknown_keys_and_header_anomalies() {
    let req = signed();
    let mut t = req.clone();
    set_auth(&mut t, |a| a.replace(AKID, "AKIDUNKNOWN"));
    assert_eq!(check(&t).map(|_| ()), Err(Refusal::UnknownAccessKey));

    // The key is known but the secret differs.
    let wrong = |akid: &str| (akid == AKID).then(|| (SecretAccessKey::new("other"), ()));
    assert_eq!(
        verify(&req, &config(), NOW, &wrong, None).map(|_| ()),
        Err(Refusal::SignatureMismatch)
    );

    let mut t = req.clone();
    let auth = t.header("authorization").unwrap().to_string();
    t.headers.push(("authorization".to_string(), auth));
    assert_eq!(check(&t).map(|_| ()), Err(Refusal::MultipleAuthorization));

    let mut t = req.clone();
    t.headers.retain(|(n, _)| n != "Authorization");
    assert_eq!(check(&t).map(|_| ()), Err(Refusal::MissingAuthorization));

    let mut t = req.clone();
    t.headers.retain(|(n, _)| n != "X-Amz-Date");
    assert_eq!(check(&t).map(|_| ()), Err(Refusal::MissingDate));

    for bad in [
        "20261126T073813",
        "2026-11-26T07:38:13Z",
        "",
        "20261126T073860Z",
    ] {
        let mut t = req.clone();
        t.set_header("X-Amz-Date", bad.to_string());
        assert_eq!(check(&t).map(|_| ()), Err(Refusal::MalformedDate), "{bad}");
    }

    for name in [
        "x-amz-date",
        "X-Amz-Target",
        "Host",
        "Content-Type",
        "X-Amz-Security-Token",
    ] {
        let mut t = req.clone();
        let value = t.header(name).unwrap().to_string();
        t.headers.push((name.to_ascii_lowercase(), value));
        assert_eq!(
            check(&t).map(|_| ()),
            Err(Refusal::DuplicateHeader(
                SINGLE_VALUED
                    .iter()
                    .find(|s| s.eq_ignore_ascii_case(name))
                    .unwrap()
            )),
            "{name}"
        );
    }

    let mut t = req.clone();
    t.headers.retain(|(n, _)| n != "X-Amz-Target");
    assert_eq!(
        check(&t).map(|_| ()),
        Err(Refusal::SignedHeaderMissing("x-amz-target".to_string()))
    );

    // An x-amz-* header added after signing.
    let mut t = req.clone();
    t.headers
        .push(("X-Amz-Meta-Extra".to_string(), "1".to_string()));
    assert_eq!(
        check(&t).map(|_| ()),
        Err(Refusal::HeaderNotSigned("x-amz-meta-extra".to_string()))
    );
    // Other unsigned headers are fine (User-Agent, proxies' headers).
    let mut t = req.clone();
    t.headers
        .push(("User-Agent".to_string(), "curl".to_string()));
    t.headers
        .push(("X-Forwarded-For".to_string(), "10.0.0.1".to_string()));
    assert!(check(&t).is_ok());

    // A header value that cannot be canonicalized.
    let mut t = req.clone();
    t.set_header("X-Amz-Target", "a\nb".to_string());
    assert_eq!(check(&t).map(|_| ()), Err(Refusal::InvalidRequest));
    let mut t = req.clone();
    t.url = "not a url".to_string();
    assert_eq!(check(&t).map(|_| ()), Err(Refusal::InvalidRequest));

    let mut t = req.clone();
    set_auth(&mut t, |a| {
        a.replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256")
    });
    assert_eq!(check(&t).map(|_| ()), Err(Refusal::UnsupportedAlgorithm));
}

#[test]
fn maps_refusals_to_aws_errors() {
    use ErrorDialect::{AwsJson, AwsQuery};
    let expired = Refusal::SignatureExpired {
        signed_at: AmzDate::parse("20261126T073813Z").unwrap(),
        now: NOW + 360,
        max_skew_secs: 300,
    };
    let e = expired.aws_error(AwsJson);
    assert_eq!((e.code, e.status), ("InvalidSignatureException", 400));
    assert_eq!(
        e.message,
        "Signature expired: 20261126T073813Z is now earlier than 20261126T073913Z (20261126T074413Z - 5 min.)"
    );
    assert_eq!(
        e.json_body(),
        "{\"__type\":\"InvalidSignatureException\",\"message\":\"Signature expired: 20261126T073813Z is now earlier than 20261126T073913Z (20261126T074413Z - 5 min.)\"}"
    );
    assert_eq!(
        expired.request_expired_error().unwrap().code,
        "RequestExpired"
    );
    let future = Refusal::SignatureNotYetCurrent {
        signed_at: AmzDate::parse("20261126T074500Z").unwrap(),
        now: NOW,
        max_skew_secs: 90,
    };
    assert_eq!(
        future.aws_error(AwsJson).message,
        "Signature not yet current: 20261126T074500Z is still later than 20261126T073943Z (20261126T073813Z + 90 sec.)"
    );
    assert_eq!(Refusal::SignatureMismatch.request_expired_error(), None);

    for (refusal, json, query) in [
        (
            Refusal::MissingAuthorization,
            ("MissingAuthenticationTokenException", 400),
            ("MissingAuthenticationToken", 403),
        ),
        (
            Refusal::MalformedAuthorization,
            ("IncompleteSignatureException", 400),
            ("IncompleteSignature", 400),
        ),
        (
            Refusal::MissingComponent(Component::Signature),
            ("IncompleteSignatureException", 400),
            ("IncompleteSignature", 400),
        ),
        (
            Refusal::HostNotSigned,
            ("IncompleteSignatureException", 400),
            ("IncompleteSignature", 400),
        ),
        (
            Refusal::UnknownAccessKey,
            ("UnrecognizedClientException", 400),
            ("InvalidClientTokenId", 403),
        ),
        (
            Refusal::SignatureMismatch,
            ("InvalidSignatureException", 400),
            ("SignatureDoesNotMatch", 403),
        ),
        (
            Refusal::MalformedSignature,
            ("InvalidSignatureException", 400),
            ("SignatureDoesNotMatch", 403),
        ),
        (
            expired.clone(),
            ("InvalidSignatureException", 400),
            ("SignatureDoesNotMatch", 403),
        ),
    ] {
        let j = refusal.aws_error(AwsJson);
        let q = refusal.aws_error(AwsQuery);
        assert_eq!((j.code, j.status), json, "{refusal:?}");
        assert_eq!((q.code, q.status), query, "{refusal:?}");
        assert_eq!(j.message, q.message);
    }
    assert_eq!(
        Refusal::MissingComponent(Component::Signature).message(),
        "Authorization header requires 'Signature' parameter."
    );
    assert_eq!(
        Refusal::SignatureMismatch.to_string(),
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
    );
    assert_eq!(
        Refusal::UnknownAccessKey.message(),
        "The security token included in the request is invalid."
    );
    // Echoed client values are bounded and visible ASCII only.
    let long = Refusal::WrongRegion {
        expected: "us-east-1".to_string(),
        found: format!("\"{}\n", "r".repeat(200)),
    };
    let m = long.message();
    assert!(m.len() < 150 && !m.contains('\n'), "{m}");
}

#[test]
fn refusal_messages_never_leak_secrets() {
    // Every refusal produced from tampered requests carrying a secret and a token.
    let req = signed();
    let mut refusals = Vec::new();
    for i in 0..req.headers.len() {
        for edit in 0..4u8 {
            let mut t = req.clone();
            let v = &mut t.headers[i].1;
            match edit {
                0 => v.push('x'),
                1 => v.truncate(v.len() / 2),
                2 => *v = v.replace('/', "//"),
                _ => *v = v.replace(", ", ","),
            }
            if let Err(r) = check(&t) {
                refusals.push(r);
            }
        }
    }
    assert!(refusals.len() > 10);
    for r in refusals {
        for dialect in [ErrorDialect::AwsJson, ErrorDialect::AwsQuery] {
            let e = r.aws_error(dialect);
            let all = format!("{} {} {:?} {}", e.message, e.json_body(), r, r);
            assert!(!all.contains(SECRET) && !all.contains("wJalr"), "{all}");
            assert!(!all.contains(TOKEN) && !all.contains("IQoJb3"), "{all}");
        }
    }
}

fn verify_config_for<'a>(region: &'a str, service: &'a str) -> VerifyConfig<'a> {
    VerifyConfig::new(region, service)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 1000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Both signers' output verifies (default path encoding, as the verifier uses).
    #[test]
    fn accepts_sign_and_aws_sigv4_output(mut s in scenario()) {
        s.normalize = true;
        s.double = true;
        let found = |akid: &str| (akid == s.akid).then(|| (SecretAccessKey::new(s.secret.clone()), 7u8));
        let config = verify_config_for(&s.region, &s.service);

        let (theirs, _) = aws_sigv4_sign(&s);
        let ok = verify(&theirs, &config, s.time, &found, None);
        prop_assert!(ok.is_ok(), "aws-sigv4 output refused: {:?}", ok);

        let creds = s.credentials();
        let mut ours = s.request.clone();
        let _ = sign(&mut ours, &s.params(&creds), None).unwrap();
        let ok = verify(&ours, &config, s.time + 299, &found, None);
        prop_assert!(ok.is_ok(), "our output refused: {:?}", ok);
        prop_assert_eq!(ok.unwrap().principal, 7u8);

        // Any single-byte change to the body is refused.
        if !ours.body.is_empty() {
            let mut t = ours.clone();
            let i = t.body.len() / 3;
            t.body[i] = t.body[i].wrapping_add(1);
            prop_assert!(verify(&t, &config, s.time, &found, None).is_err());
        }
    }

    /// Verify never panics, whatever is done to a signed request.
    #[test]
    fn never_panics(
        header_index in 0usize..8,
        pos in 0usize..400,
        byte in any::<u8>(),
        insert in any::<bool>(),
        junk in "\\PC{0,40}",
        now in any::<u64>(),
        skew in prop_oneof![Just(300u64), any::<u64>()],
    ) {
        let mut req = signed();
        let i = header_index % (req.headers.len() + 2);
        if i < req.headers.len() {
            let mut bytes = req.headers[i].1.clone().into_bytes();
            let p = pos % (bytes.len() + 1);
            if insert { bytes.insert(p, byte) } else if p < bytes.len() { bytes[p] = byte }
            req.headers[i].1 = String::from_utf8_lossy(&bytes).into_owned();
        } else if i == req.headers.len() {
            req.set_header("Authorization", junk.clone());
        } else {
            req.url = junk.clone();
        }
        let _ = verify(&req, &config().with_max_skew_secs(skew), now, &lookup, None);
        let _ = Authorization::parse(&junk);
    }
}

#[test]
fn a_region_set_takes_any_of_its_regions_and_says_which() {
    let req = signed();
    let regions = ["eu-west-1".to_string(), "us-east-1".to_string()];
    let ok = verify(&req, &config().with_regions(&regions), NOW, &lookup, None).unwrap();
    assert_eq!(ok.region, "us-east-1");
    assert_eq!(check(&req).unwrap().region, "us-east-1");
    let others = ["eu-west-1".to_string(), "ap-south-1".to_string()];
    assert_eq!(
        verify(&req, &config().with_regions(&others), NOW, &lookup, None).map(|_| ()),
        Err(Refusal::WrongRegion {
            expected: "eu-west-1, ap-south-1".to_string(),
            found: "us-east-1".to_string(),
        })
    );
}

#[test]
fn a_header_that_must_be_signed_is_refused_unsigned_and_taken_signed() {
    const ACCOUNT: &[&str] = &["x-ssm-edge-account"];
    let strict = config().with_signed_if_present(ACCOUNT);
    let mut unsigned = signed();
    unsigned
        .headers
        .push(("X-Ssm-Edge-Account".into(), "prod".into()));
    assert_eq!(
        verify(&unsigned, &strict, NOW, &lookup, None).map(|_| ()),
        Err(Refusal::HeaderNotSigned("x-ssm-edge-account".into()))
    );
    // Without the rule, an unsigned custom header is ignored as before.
    assert!(check(&unsigned).is_ok());

    let creds = Credentials::new(AKID, SECRET, None);
    let mut req = ssm_request("AmazonSSM.ListCommands", "{}");
    req.headers
        .push(("X-Ssm-Edge-Account".into(), "prod".into()));
    let _ = sign(
        &mut req,
        &SigningParams::new(&creds, "us-east-1", "ssm", NOW),
        None,
    )
    .unwrap();
    assert!(verify(&req, &strict, NOW, &lookup, None).is_ok());
}

//! Tests of [`sign`](super::sign). The oracles live in submodules: the official SigV4
//! suite (`suite`) and aws-sigv4 (`aws_sigv4_oracle`); `gen` holds the random-request
//! strategies shared with the verifier's tests.

mod aws_sigv4_oracle;
pub(crate) mod gen;
mod suite;

use super::*;
use crate::request::HttpRequest;
use alloc::string::ToString;
use alloc::vec;

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const NOW: u64 = 1_795_678_693; // 20261126T073813Z

pub(crate) fn ssm_request(target: &str, body: &str) -> HttpRequest {
    HttpRequest {
        method: "POST".to_string(),
        url: "https://ssm.us-east-1.amazonaws.com/".to_string(),
        headers: vec![
            (
                "Content-Type".to_string(),
                "application/x-amz-json-1.1".to_string(),
            ),
            ("X-Amz-Target".to_string(), target.to_string()),
        ],
        body: body.as_bytes().to_vec(),
    }
}

/// A host SHA-256 (here the core's own, counting its calls) hashes the body and the
/// canonical request, and the signature is the same.
#[test]
fn sign_with_sha256_hashes_through_the_host() {
    struct Counting(core::cell::Cell<u32>);
    impl Sha256Hex for Counting {
        fn sha256_hex(&self, data: &[u8]) -> [u8; 64] {
            self.0.set(self.0.get() + 1);
            hex32(&key::sha256(data))
        }
    }
    let creds = Credentials::new(AKID, SECRET, Some("TOKEN/+=".to_string()));
    let params = SigningParams::new(&creds, "us-east-1", "ssm", NOW);
    let mut plain = ssm_request("AmazonSSM.SendCommand", "{\"DocumentName\":\"x\"}");
    let mut hosted = plain.clone();
    let host = Counting(core::cell::Cell::new(0));
    let a = sign(&mut plain, &params, None).unwrap();
    let b = sign_with_sha256(
        &mut hosted,
        &params,
        Some(&mut SigningKeyCache::new()),
        Some(&host),
    )
    .unwrap();
    assert_eq!(host.0.get(), 2);
    assert_eq!(a, b);
    assert_eq!(plain.headers, hosted.headers);
    // Without a host SHA-256, it is `sign`.
    let mut own = ssm_request("AmazonSSM.SendCommand", "{\"DocumentName\":\"x\"}");
    let c = sign_with_sha256(&mut own, &params, None, None).unwrap();
    assert_eq!(a, c);
    assert_eq!(plain.headers, own.headers);
}

#[test]
fn adds_the_signing_headers() {
    let creds = Credentials::new(AKID, SECRET, Some("TOKEN/+=".to_string()));
    let mut req = ssm_request(
        "AmazonSSM.SendCommand",
        "{\"DocumentName\":\"AWS-RunShellScript\"}",
    );
    req.headers
        .push(("User-Agent".to_string(), "ssm-edge/0.1".to_string()));
    let mut params = SigningParams::new(&creds, "us-east-1", SSM_SERVICE, NOW);
    params.settings.content_sha256_header = true;
    let out = sign(&mut req, &params, None).unwrap();
    assert_eq!(out.amz_date.as_str(), "20261126T073813Z");
    assert_eq!(
        out.signed_headers,
        "content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target"
    );
    assert_eq!(req.header("host"), Some("ssm.us-east-1.amazonaws.com"));
    assert_eq!(req.header("x-amz-date"), Some("20261126T073813Z"));
    assert_eq!(req.header("x-amz-security-token"), Some("TOKEN/+="));
    assert_eq!(
        req.header("x-amz-content-sha256"),
        Some(payload_hash(&req.body).as_str())
    );
    assert_eq!(
        req.header("authorization").unwrap(),
        alloc::format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-east-1/ssm/aws4_request, \
             SignedHeaders={}, Signature={}",
            out.signed_headers,
            out.signature
        )
    );
    assert_eq!(out.signature.len(), 64);
    // User-Agent travels but is not signed.
    assert_eq!(req.header("user-agent"), Some("ssm-edge/0.1"));
}

#[test]
fn resigning_replaces_instead_of_duplicating() {
    let creds = Credentials::new(AKID, SECRET, Some("T1".to_string()));
    let mut req = ssm_request("AmazonSSM.ListCommands", "{}");
    let first = sign(
        &mut req,
        &SigningParams::new(&creds, "us-east-1", "ssm", NOW),
        None,
    )
    .unwrap();
    let len = req.headers.len();
    let creds2 = Credentials::new(AKID, SECRET, None);
    let second = sign(
        &mut req,
        &SigningParams::new(&creds2, "us-east-1", "ssm", NOW + 60),
        None,
    )
    .unwrap();
    assert_ne!(first.signature, second.signature);
    assert_eq!(
        req.headers.len(),
        len - 1,
        "stale token removed, nothing duplicated"
    );
    assert_eq!(req.header("x-amz-security-token"), None);
    assert_eq!(
        req.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("authorization"))
            .count(),
        1
    );
    // Same request signed fresh gives the same result.
    let mut fresh = ssm_request("AmazonSSM.ListCommands", "{}");
    let third = sign(
        &mut fresh,
        &SigningParams::new(&creds2, "us-east-1", "ssm", NOW + 60),
        None,
    )
    .unwrap();
    assert_eq!(third.signature, second.signature);
}

/// `sign_ref` over a request as `sign` would see it: the headers it hands out, or the
/// error (and then it must have handed out none).
fn signed_by_ref(
    req: &HttpRequest,
    params: &SigningParams<'_>,
) -> Result<(SigningOutput, Vec<(String, String)>), SignError> {
    let view = canonical::header_strs(req);
    let borrowed = RequestRef::of(req, &view);
    let mut handed = Vec::new();
    let out = sign_ref(borrowed, params, None, None, &mut |n, v| {
        handed.push((n.to_string(), v.to_string()));
    });
    match out {
        Ok(out) => Ok((out, handed)),
        Err(e) => {
            assert!(handed.is_empty(), "{e:?}: headers handed out on error");
            Err(e)
        }
    }
}

/// Signing borrowed hands out, in order, exactly the headers `sign` leaves on the
/// request: kept ones where they were, stale signing headers replaced, an explicit
/// `Host` kept, `X-Amz-Content-Sha256` only when asked for.
#[test]
fn sign_ref_hands_out_the_headers_sign_leaves() {
    let with_token = Credentials::new(AKID, SECRET, Some("T1".to_string()));
    let without = Credentials::new(AKID, SECRET, None);
    let mut stale = ssm_request("AmazonSSM.ListCommands", "{}");
    let _ = sign(
        &mut stale,
        &SigningParams::new(&with_token, "us-east-1", "ssm", NOW),
        None,
    )
    .unwrap();
    stale
        .headers
        .push(("x-amz-content-sha256".to_string(), "stale".to_string()));
    stale
        .headers
        .push(("X-Later".to_string(), "kept".to_string()));
    let mut explicit_host = ssm_request("AmazonSSM.SendCommand", "{\"a\":1}");
    explicit_host
        .headers
        .insert(0, ("host".to_string(), "gateway.example".to_string()));
    for req in [
        ssm_request("AmazonSSM.SendCommand", "{}"),
        stale,
        explicit_host,
    ] {
        for creds in [&with_token, &without] {
            for content_sha256 in [false, true] {
                let mut params = SigningParams::new(creds, "us-east-1", "ssm", NOW + 60);
                params.settings.content_sha256_header = content_sha256;
                let mut owned = req.clone();
                let out = sign(&mut owned, &params, None).unwrap();
                let (by_ref, handed) = signed_by_ref(&req, &params).unwrap();
                assert_eq!(by_ref, out);
                assert_eq!(handed, owned.headers, "{:?}", req.headers);
            }
        }
    }
}

#[test]
fn cache_gives_identical_signatures() {
    let creds = Credentials::new(AKID, SECRET, None);
    let mut cache = SigningKeyCache::new();
    for (i, t) in [NOW, NOW + 1, NOW + 86_400, NOW + 2 * 86_400 + 5]
        .iter()
        .enumerate()
    {
        for region in ["us-east-1", "cn-north-1", "us-gov-west-1"] {
            let mut a = ssm_request("AmazonSSM.ListCommands", "{}");
            let mut b = a.clone();
            let p = SigningParams::new(&creds, region, "ssm", *t);
            let with = sign(&mut a, &p, Some(&mut cache)).unwrap();
            let without = sign(&mut b, &p, None).unwrap();
            assert_eq!(with, without, "{i} {region}");
            assert_eq!(a, b);
        }
    }
}

#[test]
fn keeps_an_explicit_host_and_drops_default_ports() {
    let creds = Credentials::new(AKID, SECRET, None);
    let p = SigningParams::new(&creds, "us-east-1", "ssm", NOW);
    for (url, host) in [
        (
            "https://ssm.us-east-1.amazonaws.com:443/",
            "ssm.us-east-1.amazonaws.com",
        ),
        ("http://localhost:80/", "localhost"),
        ("http://127.0.0.1:5000/", "127.0.0.1:5000"),
        (
            "https://ssm.us-east-1.amazonaws.com:8443/",
            "ssm.us-east-1.amazonaws.com:8443",
        ),
    ] {
        let mut req = ssm_request("AmazonSSM.ListCommands", "{}");
        req.url = url.to_string();
        let _ = sign(&mut req, &p, None).unwrap();
        assert_eq!(req.header("Host"), Some(host), "{url}");
    }
    let mut req = ssm_request("AmazonSSM.ListCommands", "{}");
    req.headers
        .push(("host".to_string(), "gateway.example".to_string()));
    let _ = sign(&mut req, &p, None).unwrap();
    assert_eq!(req.header("Host"), Some("gateway.example"));
    assert_eq!(
        req.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("host"))
            .count(),
        1
    );
}

#[test]
fn errors_leave_the_request_unchanged() {
    let creds = Credentials::new(AKID, SECRET, None);
    let ok = SigningParams::new(&creds, "us-east-1", "ssm", NOW);
    let cases: Vec<(HttpRequest, SigningParams<'_>, SignError)> = {
        let base = ssm_request("AmazonSSM.ListCommands", "{}");
        let mut relative = base.clone();
        relative.url = "/".to_string();
        let mut injected = base.clone();
        injected
            .headers
            .push(("X-Thing".to_string(), "a\r\nInjected: yes".to_string()));
        let mut bad_name = base.clone();
        bad_name
            .headers
            .push(("X Thing".to_string(), "a".to_string()));
        let mut two_hosts = base.clone();
        two_hosts
            .headers
            .push(("Host".to_string(), "a".to_string()));
        two_hosts
            .headers
            .push(("host".to_string(), "b".to_string()));
        let mut bad_method = base.clone();
        bad_method.method = String::new();
        vec![
            (relative, ok, SignError::InvalidUrl(UrlError::NotAbsolute)),
            (
                injected,
                ok,
                SignError::InvalidHeaderValue("X-Thing".to_string()),
            ),
            (
                bad_name,
                ok,
                SignError::InvalidHeaderName("X Thing".to_string()),
            ),
            (two_hosts, ok, SignError::DuplicateHost),
            (bad_method, ok, SignError::InvalidMethod),
            (
                base.clone(),
                SigningParams::new(&creds, "us east", "ssm", NOW),
                SignError::InvalidRegion,
            ),
            (
                base.clone(),
                SigningParams::new(&creds, "us-east-1", "", NOW),
                SignError::InvalidService,
            ),
            (
                base.clone(),
                SigningParams::new(&creds, "us-east-1", "s/s", NOW),
                SignError::InvalidService,
            ),
            (
                base.clone(),
                SigningParams::new(
                    &creds,
                    "us-east-1",
                    "ssm",
                    crate::time::MAX_UNIX_SECONDS + 1,
                ),
                SignError::TimeOutOfRange,
            ),
        ]
    };
    for (req, params, expected) in cases {
        let mut copy = req.clone();
        assert_eq!(sign(&mut copy, &params, None), Err(expected.clone()));
        assert_eq!(copy, req, "{expected:?} changed the request");
        assert_eq!(signed_by_ref(&req, &params), Err(expected.clone()));
        // Errors print no secrets.
        let text = alloc::format!("{expected} {expected:?}");
        assert!(!text.contains("wJalr"));
    }
    for (akid, token, expected) in [
        ("", None, SignError::InvalidAccessKeyId),
        ("AK ID", None, SignError::InvalidAccessKeyId),
        ("AK/ID", None, SignError::InvalidAccessKeyId),
        ("AKID", Some(""), SignError::InvalidSessionToken),
        ("AKID", Some("a\nb"), SignError::InvalidSessionToken),
    ] {
        let c = Credentials::new(akid, SECRET, token.map(String::from));
        let mut req = ssm_request("AmazonSSM.ListCommands", "{}");
        let before = req.clone();
        assert_eq!(
            sign(
                &mut req,
                &SigningParams::new(&c, "us-east-1", "ssm", NOW),
                None
            ),
            Err(expected)
        );
        assert_eq!(req, before);
    }
}

#[test]
fn unsigned_headers_are_not_signed_but_kept() {
    let creds = Credentials::new(AKID, SECRET, None);
    let mut req = ssm_request("AmazonSSM.ListCommands", "{}");
    for name in UNSIGNED_HEADERS.iter().filter(|n| **n != "authorization") {
        req.headers
            .push((name.to_ascii_uppercase(), "x".to_string()));
    }
    let n = req.headers.len();
    let out = sign(
        &mut req,
        &SigningParams::new(&creds, "us-east-1", "ssm", NOW),
        None,
    )
    .unwrap();
    assert_eq!(
        out.signed_headers,
        "content-type;host;x-amz-date;x-amz-target"
    );
    assert_eq!(req.headers.len(), n + 3);
}

#[test]
fn debug_output_matches_a_recomputation() {
    let creds = Credentials::new(AKID, SECRET, Some("tok".to_string()));
    let mut req = ssm_request("AmazonSSM.ListCommands", "{}");
    let params = SigningParams::new(&creds, "eu-west-1", "ssm", NOW);
    let (out, debug) = sign_with_debug(&mut req, &params, None).unwrap();
    let hash = payload_hash(&req.body);
    let creq = CanonicalRequest::for_signing(&req, &params.settings, &hash).unwrap();
    assert_eq!(debug.canonical_request, creq.to_string());
    assert_eq!(creq.signed_headers(), out.signed_headers);
    let scope = CredentialScope {
        date_stamp: "20261126",
        region: "eu-west-1",
        service: "ssm",
    };
    assert_eq!(
        debug.string_to_sign,
        string_to_sign(&out.amz_date, &scope, &creq)
    );
    assert!(debug
        .string_to_sign
        .starts_with("AWS4-HMAC-SHA256\n20261126T073813Z\n20261126/eu-west-1/ssm/aws4_request\n"));
    assert!(!alloc::format!("{debug:?}").contains("tok\n"));
}

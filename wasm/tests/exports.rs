//! The Rust API of `ssm-edge-wasm` (what `src/abi.rs` exports to the package's
//! JavaScript), run natively: text in, text out, the answers read as the JavaScript reads
//! them (JSON). The ABI itself is exercised through the package: `wasm/test/` under Node,
//! workerd and headless Chromium.
//!
//! Every expected signature here was computed independently with botocore 1.44.8
//! (`tests/python/botocore_sign.py`, the venv's `SigV4Auth` with a frozen clock) and
//! hardcoded; the core never produced them. The input was:
//!
//! ```text
//! [{"id":"plain","method":"POST","url":"https://ssm.us-east-1.amazonaws.com/",
//!   "headers":[["Content-Type","application/x-amz-json-1.1"],["X-Amz-Target","AmazonSSM.ListCommands"]],
//!   "body_hex":"7b7d","access_key_id":"AKIDEXAMPLE",
//!   "secret_access_key":"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY","session_token":null,
//!   "region":"us-east-1","service":"ssm","time":1440938160},
//!  {"id":"token","method":"POST","url":"https://ssm.eu-west-1.amazonaws.com/",
//!   "headers":[["Content-Type","application/x-amz-json-1.1"],["X-Amz-Target","AmazonSSM.SendCommand"]],
//!   "body_hex":"<{\"DocumentName\":\"AWS-RunShellScript\"} as hex>","access_key_id":"AKIDEXAMPLE",
//!   "secret_access_key":"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
//!   "session_token":"FQoGZXIvYXdzEXAMPLETOKEN","region":"eu-west-1","service":"ssm","time":1767225600}]
//! ```
//! piped into `.venv/bin/python tests/python/botocore_sign.py`; "next-day" and
//! "other-secret" are "plain" with `"time":1441024560` and with
//! `"secret_access_key":"another-secret"`.

use serde_json::Value;

use ssm_edge_wasm as raw;
use ssm_edge_wasm::Call;

/// The wasm's JSON text (results and thrown errors) as a value, as the package's
/// JavaScript reads it.
fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}

fn validate(operation: &str, input: &str) -> Result<Vec<Value>, Value> {
    raw::validate(operation, input.as_bytes())
        .map(|ok| list(&json(ok.as_deref().unwrap_or("[]"))))
        .map_err(|e| json(&e))
}

fn resolve_endpoint(
    region: &str,
    fips: bool,
    dual: bool,
    endpoint: Option<String>,
) -> Result<String, Value> {
    raw::resolve_endpoint(region, fips, dual, endpoint).map_err(|e| json(&e))
}

/// The engine as the package's JavaScript sees it: text parsed into values.
struct Engine(raw::Engine);

impl Engine {
    fn new(
        region: &str,
        fips: bool,
        dual: bool,
        endpoint: Option<String>,
        max_attempts: u32,
    ) -> Result<Engine, Value> {
        raw::Engine::new(region, fips, dual, endpoint, max_attempts, None, false)
            .map(Engine)
            .map_err(|e| json(&e))
    }

    fn url(&self) -> String {
        self.0.url()
    }

    fn set_credentials(&mut self, akid: String, secret: String, token: Option<String>) {
        self.0.set_credentials(akid, secret, token);
    }

    fn start(&self, operation: &str, input: String) -> Result<Call, Value> {
        self.0.start(operation, input).map_err(|e| json(&e))
    }

    /// `{ url, method, headers: [[name, value]…] }` from the engine's `url\nname\nvalue…`.
    fn request(&mut self, call: &mut Call, now_ms: f64) -> Result<Value, Value> {
        let flat = self.0.request(call, now_ms).map_err(|e| json(&e))?;
        let mut lines = flat.split('\n');
        let url = lines.next().unwrap_or_default();
        let mut headers = Vec::new();
        while let (Some(n), Some(v)) = (lines.next(), lines.next()) {
            headers.push(serde_json::json!([n, v]));
        }
        Ok(serde_json::json!({ "url": url, "method": "POST", "headers": headers }))
    }

    fn response(
        &mut self,
        call: &mut Call,
        status: u16,
        headers: &str,
        body: &[u8],
        now_ms: f64,
        random: f64,
    ) -> Value {
        json(&self.0.response(call, status, headers, body, now_ms, random))
    }

    fn transport_failure(
        &mut self,
        call: &mut Call,
        sent: bool,
        now_ms: f64,
        random: f64,
    ) -> Value {
        json(&self.0.transport_failure(call, sent, now_ms, random))
    }

    fn clock_offset_seconds(&self) -> f64 {
        self.0.clock_offset_seconds()
    }
}

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// 2015-08-30T12:36:00Z in milliseconds.
const T_2015: f64 = 1_440_938_160_000.0;
/// 2026-01-01T00:00:00Z in milliseconds.
const T_2026: f64 = 1_767_225_600_000.0;

/// botocore 1.44.8, request "plain" above.
const BOTOCORE_PLAIN: &str =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ssm/aws4_request, \
SignedHeaders=content-type;host;x-amz-date;x-amz-target, \
Signature=515da5d1138a52d8f9bc5d0a77229062e383da85b743eb396f13864a03df82c7";
/// botocore 1.44.8, request "token" above.
const BOTOCORE_TOKEN: &str =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-1/ssm/aws4_request, \
SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, \
Signature=9d1aaeb6005ea40d26c1a86fd3567989e25b5a68318aae9a8d791bf65fd6b998";

/// botocore 1.44.8, "plain" one day later.
const BOTOCORE_NEXT_DAY: &str =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150831/us-east-1/ssm/aws4_request, \
SignedHeaders=content-type;host;x-amz-date;x-amz-target, \
Signature=b7d8124af2ea2b218d7619966cc38217935603e017ecc3304ad166fbb5831b26";
/// botocore 1.44.8, "plain" with another secret key.
const BOTOCORE_OTHER_SECRET: &str =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ssm/aws4_request, \
SignedHeaders=content-type;host;x-amz-date;x-amz-target, \
Signature=37201c693411835f6c41ffc9b6c3d4a7fd1b43862b6669eef144a9fae29a6911";

/// `value[key]`, `Null` where JavaScript would read `undefined`.
fn get(value: &Value, key: &str) -> Value {
    value.get(key).cloned().unwrap_or(Value::Null)
}

/// An array's items.
fn list(value: &Value) -> Vec<Value> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("{value:?} is not an array"))
        .clone()
}

fn string(value: &Value, key: &str) -> String {
    get(value, key)
        .as_str()
        .unwrap_or_else(|| panic!(".{key} of {value:?} is not a string"))
        .to_owned()
}

fn number(value: &Value, key: &str) -> f64 {
    get(value, key)
        .as_f64()
        .unwrap_or_else(|| panic!(".{key} of {value:?} is not a number"))
}

fn boolean(value: &Value, key: &str) -> bool {
    get(value, key)
        .as_bool()
        .unwrap_or_else(|| panic!(".{key} of {value:?} is not a boolean"))
}

/// `[[name, value], ...]` of a request object as Rust pairs.
fn headers(request: &Value) -> Vec<(String, String)> {
    list(&get(request, "headers"))
        .iter()
        .map(|pair| {
            (
                pair[0].as_str().unwrap().into(),
                pair[1].as_str().unwrap().into(),
            )
        })
        .collect()
}

fn header(request: &Value, name: &str) -> Option<String> {
    headers(request)
        .into_iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// `signRequest`: its fields joined as the package's JavaScript joins them, one shared signer.
#[allow(clippy::too_many_arguments)]
fn sign_request(
    method: &str,
    url: &str,
    headers: &str,
    body: &str,
    access_key_id: &str,
    secret_access_key: &str,
    session_token: Option<String>,
    region: &str,
    service: &str,
    now_ms: f64,
) -> Result<String, Value> {
    let token = session_token.unwrap_or_default();
    let mut fields = [
        method,
        url,
        region,
        service,
        access_key_id,
        secret_access_key,
        &token,
    ]
    .join("\n");
    let header_count = if headers.is_empty() {
        0
    } else {
        fields.push('\n');
        fields.push_str(headers);
        headers.split('\n').count() as u32 / 2
    };
    SIGNER
        .with(|signer| {
            signer
                .borrow_mut()
                .sign(fields.as_bytes(), header_count, body.as_bytes(), now_ms)
        })
        .map_err(|e| json(&e))
}

thread_local! {
    /// One signer for every `sign_request`, as the package's JavaScript keeps one.
    static SIGNER: core::cell::RefCell<ssm_edge_wasm::Signer> =
        core::cell::RefCell::new(ssm_edge_wasm::Signer::new(None));
}

/// A host SHA-256 as the Node entry hands one over, hashing with the core's `sha2` and
/// counting its calls.
struct CountingHost(std::sync::atomic::AtomicU32);

impl ssm_edge_core::sign::Sha256Hex for CountingHost {
    fn sha256_hex(&self, data: &[u8]) -> [u8; 64] {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut out = [0u8; 64];
        out.copy_from_slice(ssm_edge_core::sign::payload_hash(data).as_bytes());
        out
    }
}

/// One header of `signRequest`'s flat `name\nvalue…` answer.
fn flat_header(flat: &str, name: &str) -> Option<String> {
    let parts: Vec<&str> = flat.split('\n').collect();
    parts
        .chunks(2)
        .find(|pair| pair[0].eq_ignore_ascii_case(name))
        .map(|pair| pair[1].to_string())
}

/// `{ path, rule }` of every problem, in order.
fn problem_list(problems: &[Value]) -> Vec<(String, String)> {
    problems
        .iter()
        .map(|p| (string(p, "path"), string(p, "rule")))
        .collect()
}

fn engine() -> Engine {
    let mut engine = Engine::new("us-east-1", false, false, None, 3).expect("engine");
    engine.set_credentials(AKID.into(), SECRET.into(), None);
    engine
}

/// Headers as the package's JavaScript passes them: name, value, ... joined by `\n`.
fn flat(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .flat_map(|(n, v)| [*n, *v])
        .collect::<Vec<_>>()
        .join("\n")
}

const SEND: &str = r#"{"DocumentName":"AWS-RunShellScript","InstanceIds":["i-0123456789abcdef0"],"Parameters":{"commands":["uptime"]}}"#;

#[test]
fn validate_returns_every_problem_with_its_path() {
    let problems = validate(
        "SendCommand",
        r#"{"InstanceIds":["bad"],"Targets":[{"Key":"tag:Env"}],"TimeoutSeconds":5}"#,
    )
    .expect("a known operation");
    let list = problem_list(&problems);
    for expected in [
        ("InstanceIds[0]", "pattern"),
        ("DocumentName", "required"),
        ("Targets[0].Values", "required"),
        ("TimeoutSeconds", "range"),
    ] {
        assert!(
            list.iter()
                .any(|(p, r)| (p.as_str(), r.as_str()) == expected),
            "no problem {expected:?} in {list:?}"
        );
    }
    // Codes and arguments cross, not sentences (the JavaScript words them).
    let range = problems
        .iter()
        .find(|p| string(p, "rule") == "range")
        .expect("the range problem");
    assert_eq!((number(range, "min"), number(range, "actual")), (30.0, 5.0));
}

#[test]
fn validate_accepts_a_valid_input_and_names_json_problems() {
    assert_eq!(validate("SendCommand", SEND).unwrap().len(), 0);
    assert_eq!(validate("ListCommands", "{}").unwrap().len(), 0);
    let list = problem_list(&validate("ListCommands", r#"{"MaxResults":"ten"}"#).unwrap());
    assert_eq!(list, [("MaxResults".to_string(), "type".to_string())]);
    let list = problem_list(&validate("ListCommands", "{not json").unwrap());
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0].1, "json");
}

#[test]
fn validate_rejects_an_unknown_operation_as_config() {
    let e = validate("DeleteEverything", "{}").expect_err("unknown operation");
    assert_eq!(string(&e, "kind"), "config");
    assert_eq!(string(&e, "field"), "operation");
}

#[test]
fn resolve_endpoint_for_partitions_and_options() {
    let r = |region, fips, dual, ep: Option<&str>| {
        resolve_endpoint(region, fips, dual, ep.map(String::from))
    };
    assert_eq!(
        r("eu-west-1", false, false, None).unwrap(),
        "https://ssm.eu-west-1.amazonaws.com"
    );
    assert_eq!(
        r("us-east-1", true, false, None).unwrap(),
        "https://ssm-fips.us-east-1.amazonaws.com"
    );
    assert_eq!(
        r("us-east-1", false, true, None).unwrap(),
        "https://ssm.us-east-1.api.aws"
    );
    assert_eq!(
        r("cn-north-1", false, false, None).unwrap(),
        "https://ssm.cn-north-1.amazonaws.com.cn"
    );
    assert_eq!(
        r("us-east-1", false, false, Some("http://127.0.0.1:5000")).unwrap(),
        "http://127.0.0.1:5000"
    );
    let e = r("not a region!", false, false, None).expect_err("bad region");
    assert_eq!(string(&e, "kind"), "config");
    assert_eq!(string(&e, "field"), "region");
}

#[test]
fn engine_rejects_a_bad_region() {
    let e = Engine::new("-bad-", false, false, None, 3)
        .err()
        .expect("bad region");
    assert_eq!(string(&e, "kind"), "config");
    assert_eq!(string(&e, "field"), "region");
}

#[test]
fn engine_request_is_signed_like_botocore() {
    let mut engine = engine();
    assert_eq!(engine.url(), "https://ssm.us-east-1.amazonaws.com");
    let mut call = engine.start("ListCommands", "{}".into()).expect("valid");
    assert_eq!(call.attempts(), 0);
    let request = engine.request(&mut call, T_2015).expect("signed");
    assert_eq!(call.attempts(), 1);
    assert_eq!(string(&request, "method"), "POST");
    assert_eq!(
        string(&request, "url"),
        "https://ssm.us-east-1.amazonaws.com/"
    );
    let h = |n| header(&request, n);
    assert_eq!(
        h("Content-Type").as_deref(),
        Some("application/x-amz-json-1.1")
    );
    assert_eq!(h("X-Amz-Target").as_deref(), Some("AmazonSSM.ListCommands"));
    assert_eq!(h("Host").as_deref(), Some("ssm.us-east-1.amazonaws.com"));
    assert_eq!(h("X-Amz-Date").as_deref(), Some("20150830T123600Z"));
    assert_eq!(h("X-Amz-Security-Token"), None);
    assert_eq!(h("Authorization").as_deref(), Some(BOTOCORE_PLAIN));
}

#[test]
fn engine_request_carries_the_session_token_and_new_credentials() {
    let mut engine = Engine::new("eu-west-1", false, false, None, 3).unwrap();
    engine.set_credentials(
        AKID.into(),
        SECRET.into(),
        Some("FQoGZXIvYXdzEXAMPLETOKEN".into()),
    );
    let mut call = engine.start("ListCommands", "{}".into()).unwrap();
    let request = engine.request(&mut call, T_2026).unwrap();
    assert_eq!(
        header(&request, "X-Amz-Security-Token").as_deref(),
        Some("FQoGZXIvYXdzEXAMPLETOKEN")
    );
    let auth = header(&request, "Authorization").unwrap();
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-1/ssm/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature="),
        "{auth}"
    );

    let mut engine = self::engine();
    engine.set_credentials(AKID.into(), "another-secret".into(), None);
    let mut call = engine.start("ListCommands", "{}".into()).unwrap();
    let request = engine.request(&mut call, T_2015).unwrap();
    assert_eq!(
        header(&request, "Authorization").as_deref(),
        Some(BOTOCORE_OTHER_SECRET),
        "the engine's cached signing key must follow new credentials"
    );
    engine.set_credentials(AKID.into(), SECRET.into(), None);
    let mut call = engine.start("ListCommands", "{}".into()).unwrap();
    let request = engine.request(&mut call, T_2015).unwrap();
    assert_eq!(
        header(&request, "Authorization").as_deref(),
        Some(BOTOCORE_PLAIN)
    );

    engine.set_credentials("AKIDOTHER".into(), "other".into(), None);
    let mut call = engine.start("ListCommands", "{}".into()).unwrap();
    let request = engine.request(&mut call, T_2026).unwrap();
    assert_eq!(header(&request, "X-Amz-Security-Token"), None);
    let auth = header(&request, "Authorization").unwrap();
    assert!(auth.contains("Credential=AKIDOTHER/20260101/"), "{auth}");
}

#[test]
fn sign_request_matches_botocore() {
    let signed = sign_request(
        "POST",
        "https://ssm.us-east-1.amazonaws.com/",
        &flat(&[
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", "AmazonSSM.ListCommands"),
        ]),
        "{}",
        AKID,
        SECRET,
        None,
        "us-east-1",
        "ssm",
        T_2015,
    )
    .expect("signed");
    assert_eq!(
        flat_header(&signed, "X-Amz-Date").as_deref(),
        Some("20150830T123600Z")
    );
    assert_eq!(
        flat_header(&signed, "Authorization").as_deref(),
        Some(BOTOCORE_PLAIN)
    );

    let signed = sign_request(
        "POST",
        "https://ssm.eu-west-1.amazonaws.com/",
        &flat(&[
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", "AmazonSSM.SendCommand"),
        ]),
        r#"{"DocumentName":"AWS-RunShellScript"}"#,
        AKID,
        SECRET,
        Some("FQoGZXIvYXdzEXAMPLETOKEN".into()),
        "eu-west-1",
        "ssm",
        T_2026,
    )
    .expect("signed");
    assert_eq!(
        flat_header(&signed, "X-Amz-Security-Token").as_deref(),
        Some("FQoGZXIvYXdzEXAMPLETOKEN")
    );
    assert_eq!(
        flat_header(&signed, "Host").as_deref(),
        Some("ssm.eu-west-1.amazonaws.com")
    );
    assert_eq!(
        flat_header(&signed, "Authorization").as_deref(),
        Some(BOTOCORE_TOKEN)
    );
}

/// With a host SHA-256 (Node's `node:crypto`), the body and the canonical request are
/// hashed by it, one call each, and the signature is the same.
#[test]
fn sign_request_with_a_host_sha256_signs_the_same() {
    static HOST: CountingHost = CountingHost(std::sync::atomic::AtomicU32::new(0));
    let mut hosted = raw::Signer::new(Some(&HOST));
    let fields = [
        "POST",
        "https://ssm.eu-west-1.amazonaws.com/",
        "eu-west-1",
        "ssm",
        AKID,
        SECRET,
        "FQoGZXIvYXdzEXAMPLETOKEN",
        "Content-Type\napplication/x-amz-json-1.1\nX-Amz-Target\nAmazonSSM.SendCommand",
    ]
    .join("\n");
    let body = r#"{"DocumentName":"AWS-RunShellScript"}"#;
    let signed = hosted
        .sign(fields.as_bytes(), 2, body.as_bytes(), T_2026)
        .expect("signed");
    assert_eq!(
        HOST.0.load(std::sync::atomic::Ordering::Relaxed),
        2,
        "one digest of the body, one of the canonical request"
    );
    let plain = raw::Signer::new(None)
        .sign(fields.as_bytes(), 2, body.as_bytes(), T_2026)
        .expect("signed");
    assert_eq!(signed, plain);
    assert_eq!(
        flat_header(&signed, "Authorization").as_deref(),
        Some(BOTOCORE_TOKEN)
    );
}

/// A line break inside a field would shift every field after it: the signer signs
/// nothing and answers `""`, on which the JavaScript names the field.
#[test]
fn sign_request_refuses_fields_that_split_otherwise() {
    let mut signer = raw::Signer::new(None);
    let good = "POST\nhttps://ssm.us-east-1.amazonaws.com/\nus-east-1\nssm\nAKID\nsecret\n\nX-A\nb";
    assert_ne!(
        signer
            .sign(good.as_bytes(), 1, b"{}", T_2015)
            .expect("signed"),
        ""
    );
    for bad in [
        good.replace("X-A\nb", "X-A\nb\nc"),
        good.replace("secret", "se\ncret"),
        good.replace("secret", "se\rcret"),
        good.replace("X-A\nb", "X-A\nb\r"),
    ] {
        assert_eq!(
            signer.sign(bad.as_bytes(), 1, b"{}", T_2015),
            Ok(String::new()),
            "{bad:?}"
        );
    }
    assert_eq!(
        signer.sign(good.as_bytes(), 2, b"{}", T_2015),
        Ok(String::new())
    );
}

/// A refusal names the `signRequest` field it is about; a time no signature carries (an
/// invalid `Date` is NaN, one before 1970 negative) is refused, never signed as 1970.
#[test]
fn sign_request_refusals_name_their_field() {
    let mut signer = raw::Signer::new(None);
    let fields = |url: &str, region: &str, header: &str| {
        format!("POST\n{url}\n{region}\nssm\nAKID\nsecret\n\n{header}\nb")
    };
    let good = fields("https://ssm.us-east-1.amazonaws.com/", "us-east-1", "X-A");
    let refusal = |signer: &mut raw::Signer, fields: &str, now_ms: f64| {
        let e = signer
            .sign(fields.as_bytes(), 1, b"{}", now_ms)
            .expect_err("refused");
        let e = json(&e);
        (string(&e, "field"), string(&e, "code"))
    };
    for now_ms in [f64::NAN, -1.0, f64::NEG_INFINITY, f64::INFINITY, 8.64e15] {
        assert_eq!(
            refusal(&mut signer, &good, now_ms),
            ("date".into(), "timeOutOfRange".into()),
            "{now_ms}"
        );
    }
    for (fields, field, code) in [
        (
            fields("/relative", "us-east-1", "X-A"),
            "url",
            "urlNotAbsolute",
        ),
        (
            fields("https://h/", "us east", "X-A"),
            "region",
            "invalidSigningRegion",
        ),
        (
            fields("https://h/", "us-east-1", "X A"),
            "headers",
            "invalidHeaderName",
        ),
    ] {
        assert_eq!(
            refusal(&mut signer, &fields, T_2015),
            (field.into(), code.into())
        );
    }
    assert!(
        signer.sign(good.as_bytes(), 1, b"{}", 0.0).is_ok(),
        "1970 itself signs"
    );
}

/// `signRequest` caches signing keys: a cached key must never serve another secret or day.
#[test]
fn sign_request_never_reuses_a_signing_key_across_secrets_or_days() {
    let sign = |secret: &str, now_ms: f64| {
        let signed = sign_request(
            "POST",
            "https://ssm.us-east-1.amazonaws.com/",
            &flat(&[
                ("Content-Type", "application/x-amz-json-1.1"),
                ("X-Amz-Target", "AmazonSSM.ListCommands"),
            ]),
            "{}",
            AKID,
            secret,
            None,
            "us-east-1",
            "ssm",
            now_ms,
        )
        .expect("signed");
        flat_header(&signed, "Authorization").unwrap()
    };
    const DAY_MS: f64 = 86_400_000.0;
    assert_eq!(sign(SECRET, T_2015), BOTOCORE_PLAIN);
    assert_eq!(sign("another-secret", T_2015), BOTOCORE_OTHER_SECRET);
    assert_eq!(sign(SECRET, T_2015 + DAY_MS), BOTOCORE_NEXT_DAY);
    assert_eq!(sign(SECRET, T_2015), BOTOCORE_PLAIN);
    assert_eq!(sign("another-secret", T_2015), BOTOCORE_OTHER_SECRET);
}

#[test]
fn start_refuses_an_invalid_input_with_problems() {
    let engine = engine();
    let e = engine
        .start(
            "SendCommand",
            r#"{"InstanceIds":["i-0123456789abcdef0"]}"#.into(),
        )
        .err()
        .expect("DocumentName is required");
    assert_eq!(string(&e, "kind"), "validation");
    let problems = list(&get(&e, "problems"));
    assert_eq!(
        problem_list(&problems),
        [("DocumentName".to_string(), "required".to_string())]
    );
}

#[test]
fn response_decodes_an_aws_error() {
    let mut engine = engine();
    let mut call = engine.start("SendCommand", SEND.into()).unwrap();
    engine.request(&mut call, T_2026).unwrap();
    let body = br#"{"__type":"com.amazonaws.ssm#InvalidInstanceId:http://internal.amazon.com/","Message":"Instances [[i-0123456789abcdef0]] not in a valid state"}"#;
    let outcome = engine.response(
        &mut call,
        400,
        &flat(&[
            ("x-amzn-RequestId", "3c7c4a2e-0b6f-4f1e-9a55-1d2b3c4d5e6f"),
            ("Content-Type", "application/x-amz-json-1.1"),
        ]),
        body,
        T_2026,
        0.5,
    );
    assert!(get(&outcome, "done").is_null(), "{outcome:?}");
    assert!(get(&outcome, "retry").is_null(), "{outcome:?}");
    let e = get(&outcome, "error");
    assert_eq!(string(&e, "kind"), "service");
    assert_eq!(string(&e, "code"), "InvalidInstanceId");
    assert_eq!(
        string(&e, "message"),
        "Instances [[i-0123456789abcdef0]] not in a valid state"
    );
    assert_eq!(number(&e, "status"), 400.0);
    assert_eq!(
        string(&e, "requestId"),
        "3c7c4a2e-0b6f-4f1e-9a55-1d2b3c4d5e6f"
    );
    assert_eq!(string(&e, "fault"), "client");
    assert!(!boolean(&e, "retryable"));
    assert!(!boolean(&e, "throttling"));
    assert_eq!(number(&e, "attempts"), 1.0);
    assert_eq!(string(&e, "stop"), "notRetryable");
}

#[test]
fn response_done_on_success() {
    let mut engine = engine();
    let mut call = engine.start("ListCommands", "{}".into()).unwrap();
    engine.request(&mut call, T_2026).unwrap();
    let outcome = engine.response(&mut call, 200, "", br#"{"Commands":[]}"#, T_2026, 0.5);
    assert!(boolean(&outcome, "done"), "{outcome:?}");
}

#[test]
fn a_500_on_list_commands_is_retried_until_attempts_run_out() {
    let mut engine = engine();
    let mut call = engine.start("ListCommands", "{}".into()).unwrap();
    for attempt in 1..=2 {
        engine.request(&mut call, T_2026).unwrap();
        let outcome = engine.response(&mut call, 500, "", b"<html>oops</html>", T_2026, 0.5);
        let delay = get(&outcome, "retry")
            .as_f64()
            .unwrap_or_else(|| panic!("attempt {attempt}: no retry in {outcome:?}"));
        assert!((0.0..=20_000.0).contains(&delay), "delay {delay}");
    }
    engine.request(&mut call, T_2026).unwrap();
    assert_eq!(call.attempts(), 3);
    let outcome = engine.response(&mut call, 500, "", b"<html>oops</html>", T_2026, 0.5);
    let e = get(&outcome, "error");
    assert_eq!(string(&e, "kind"), "service", "{outcome:?}");
    assert_eq!(number(&e, "status"), 500.0);
    assert_eq!(string(&e, "fault"), "server");
    assert_eq!(number(&e, "attempts"), 3.0);
    assert_eq!(string(&e, "stop"), "attemptsExhausted");
}

#[test]
fn a_500_on_send_command_is_final() {
    let mut engine = engine();
    let mut call = engine.start("SendCommand", SEND.into()).unwrap();
    engine.request(&mut call, T_2026).unwrap();
    let outcome = engine.response(
        &mut call,
        500,
        &flat(&[("x-amzn-RequestId", "req-1")]),
        br#"{"__type":"InternalServerError","message":"boom"}"#,
        T_2026,
        0.5,
    );
    assert!(get(&outcome, "retry").is_null(), "{outcome:?}");
    let e = get(&outcome, "error");
    assert_eq!(string(&e, "kind"), "service");
    assert_eq!(string(&e, "code"), "InternalServerError");
    assert_eq!(string(&e, "fault"), "server");
    assert_eq!(number(&e, "attempts"), 1.0);
    assert_eq!(string(&e, "stop"), "mayHaveExecuted");
}

#[test]
fn transport_failure_retries_reads_but_not_send_command() {
    let mut engine = engine();
    let mut call = engine.start("ListCommands", "{}".into()).unwrap();
    engine.request(&mut call, T_2026).unwrap();
    let outcome = engine.transport_failure(&mut call, true, T_2026, 0.5);
    assert!(get(&outcome, "retry").as_f64().is_some(), "{outcome:?}");

    let mut call = engine.start("SendCommand", SEND.into()).unwrap();
    engine.request(&mut call, T_2026).unwrap();
    let outcome = engine.transport_failure(&mut call, true, T_2026, 0.5);
    let e = get(&outcome, "error");
    assert_eq!(string(&e, "kind"), "transport", "{outcome:?}");
    assert!(boolean(&e, "sent"));
    assert_eq!(string(&e, "stop"), "mayHaveExecuted");
}

#[test]
fn a_clock_skew_refusal_corrects_the_next_signature() {
    let mut engine = engine();
    let mut call = engine.start("ListCommands", "{}".into()).unwrap();
    let first = engine.request(&mut call, T_2015).unwrap();
    assert_eq!(
        header(&first, "X-Amz-Date").as_deref(),
        Some("20150830T123600Z")
    );
    let outcome = engine.response(
        &mut call,
        400,
        &flat(&[("Date", "Sun, 30 Aug 2015 13:36:00 GMT")]),
        br#"{"__type":"InvalidSignatureException","message":"Signature expired: 20150830T123600Z is now earlier than 20150830T133100Z (20150830T133600Z - 5 min.)"}"#,
        T_2015,
        0.5,
    );
    assert!(get(&outcome, "retry").as_f64().is_some(), "{outcome:?}");
    assert_eq!(engine.clock_offset_seconds(), 3600.0);
    let second = engine.request(&mut call, T_2015).unwrap();
    assert_eq!(
        header(&second, "X-Amz-Date").as_deref(),
        Some("20150830T133600Z")
    );
    assert_ne!(
        header(&second, "Authorization"),
        header(&first, "Authorization")
    );
}

#[test]
fn an_account_that_is_not_an_alias_is_a_config_error_naming_account() {
    let refused = raw::Engine::new(
        "us-east-1",
        false,
        false,
        None,
        3,
        Some("Prod".into()),
        false,
    )
    .map(|_| ())
    .map_err(|e| json(&e));
    let Err(report) = refused else {
        panic!("accepted");
    };
    assert_eq!(report["field"], "account");
    assert_eq!(report["code"], "invalidAccount");
    assert!(raw::Engine::new(
        "us-east-1",
        false,
        false,
        None,
        3,
        Some("prod".into()),
        true
    )
    .is_ok());
}

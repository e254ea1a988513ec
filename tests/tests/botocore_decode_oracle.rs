//! botocore's JSON protocol parser is the oracle for error decoding: every status ×
//! body form below is parsed by both, and code, message and request id must agree.
//!
//! Left out on purpose (documented in `core/src/decode.rs`): AWS XML error documents,
//! whose `<Code>` we read where botocore reports the status; and JSON bodies that are
//! not objects, on which botocore raises. One known difference is asserted instead of
//! skipped: on a generic 5xx (empty or `<html>` body) botocore drops the
//! `x-amzn-RequestId` header, and we keep it.

use std::io::Write;
use std::process::Stdio;

use serde::Deserialize;
use ssm_edge_core::decode::{decode_error, HttpResponse};
use ssm_edge_core::model::OperationName;

#[derive(Deserialize, Debug)]
struct Parsed {
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
}

fn bodies() -> Vec<String> {
    let mut bodies = vec![
        String::new(),
        "   ".into(),
        " \t\r\n\u{b}\u{c}".into(),
        // Not white space to botocore, whose `bytes.strip()` strips ASCII only.
        "\u{a0}".into(),
        "\u{3000} \u{2003}".into(),
        "\u{85}<html>".into(),
        "<html><body><b>Http/1.1 Service Unavailable</b></body></html>".into(),
        "  <html>".into(),
        "<HTML>upper</HTML>".into(),
        "plain text".into(),
        "{not json".into(),
        "{}".into(),
        r#"{"message":"only a message"}"#.into(),
        r#"{"__type":"X","message":null,"Message":"upper"}"#.into(),
    ];
    let codes = [
        "InvalidInstanceId",
        "com.amazonaws.ssm#InvalidDocument",
        "InvalidParameters:http://internal.amazon.com/coral/com.amazon.ssm/",
        "com.amazon.coral.service#UnrecognizedClientException",
        "ns#ThrottlingException:suffix:more",
        "a:b#c",
        "",
        "BrandNewError",
    ];
    let messages = [
        ("message", "lower ünïcödé"),
        ("Message", "Upper \"quoted\""),
        ("other", "ignored"),
    ];
    for code in codes {
        for (key, msg) in messages {
            bodies.push(serde_json::json!({ "__type": code, key: msg }).to_string());
        }
        bodies.push(
            serde_json::json!({ "__type": code, "message": "m", "Message": "M" }).to_string(),
        );
        bodies.push(serde_json::json!({ "__type": code }).to_string());
    }
    bodies
}

#[test]
fn error_decoding_matches_botocore() {
    let statuses = [400u16, 403, 404, 408, 413, 429, 500, 502, 503, 504];
    let header_sets: [&[(&str, &str)]; 3] = [
        &[
            ("x-amzn-RequestId", "req-1"),
            ("Content-Type", "application/x-amz-json-1.1"),
        ],
        &[("X-AMZN-REQUESTID", "req-2")],
        &[],
    ];
    let mut cases = Vec::new();
    let mut json_cases = Vec::new();
    let ops = OperationName::SSM;
    for (i, status) in statuses.iter().enumerate() {
        for (j, body) in bodies().into_iter().enumerate() {
            let headers = header_sets[(i + j) % header_sets.len()];
            let op = ops[(i + j) % ops.len()];
            json_cases.push(serde_json::json!({
                "operation": op.as_str(),
                "status": status,
                "headers": headers,
                "body": body,
            }));
            cases.push(HttpResponse {
                status: *status,
                headers: headers
                    .iter()
                    .map(|(n, v)| ((*n).into(), (*v).into()))
                    .collect(),
                body: body.into_bytes(),
            });
        }
    }
    let mut child = ssm_edge_tests::python_script("botocore_decode.py")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run botocore_decode.py");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&json_cases).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "botocore_decode.py failed");
    let expected: Vec<Parsed> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(expected.len(), cases.len());
    let mut mismatches = Vec::new();
    for ((case, want), json) in cases.iter().zip(&expected).zip(&json_cases) {
        let got = decode_error(case);
        let want_message = want.message.clone().unwrap_or_default();
        // botocore's `bytes.strip()`: ASCII white space, `\x0b` included.
        let trimmed = String::from_utf8_lossy(&case.body)
            .trim_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c'])
            .to_owned();
        let generic_5xx =
            case.status >= 500 && (trimmed.is_empty() || trimmed.starts_with("<html>"));
        let want_request_id = if generic_5xx {
            assert_eq!(
                want.request_id, None,
                "botocore changed: it now keeps the request id"
            );
            case.request_id().map(String::from)
        } else {
            want.request_id.clone()
        };
        if Some(got.code.as_str()) != want.code.as_deref()
            || got.message != want_message
            || got.request_id != want_request_id
        {
            mismatches.push(format!("{json}\n   ours: {got:?}\n   botocore: {want:?}"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} differ:\n{}",
        mismatches.len(),
        cases.len(),
        mismatches.join("\n")
    );
    println!(
        "{} error responses decoded identically to botocore",
        cases.len()
    );
}

//! Decode tests on AWS-shaped recorded responses: one per typed error the model
//! declares, each `__type` form, and the odd bodies botocore tolerates.

use super::*;
use crate::model::{CommandStatus, GetCommandInvocation, ListCommands, OperationName, SendCommand};
use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

fn response(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![
            (
                "x-amzn-RequestId".into(),
                "4f5b3c2a-1111-2222-3333-444455556666".into(),
            ),
            ("Content-Type".into(), "application/x-amz-json-1.1".into()),
            ("Date".into(), "Thu, 26 Nov 2026 07:38:13 GMT".into()),
        ],
        body: body.as_bytes().to_vec(),
    }
}

/// Every error code the model declares for the operations, with the message
/// the service sends for it (shape as recorded from SSM: `__type` + `Message`).
const DECLARED: &[(&str, &str)] = &[
    ("DuplicateInstanceId", "Instance IDs must be unique."),
    (
        "InternalServerError",
        "An error occurred on the server side.",
    ),
    ("InvalidCommandId", "Command ID 5c1e… is not valid."),
    (
        "InvalidDocument",
        "Document with name AWS-Nope does not exist.",
    ),
    (
        "InvalidDocumentVersion",
        "Document version 99 is not valid.",
    ),
    ("InvalidFilterKey", "The specified key is not valid."),
    (
        "InvalidInstanceId",
        "Instances [[i-0123456789abcdef0]] not in a valid state for account 123456789012",
    ),
    (
        "InvalidInstanceInformationFilterValue",
        "The filter value is not valid.",
    ),
    ("InvalidNextToken", "The specified token is not valid."),
    (
        "InvalidNotificationConfig",
        "Notification ARN is not valid.",
    ),
    ("InvalidOutputFolder", "The S3 bucket does not exist."),
    (
        "InvalidParameters",
        "Parameter \"servce\" is not defined in the document.",
    ),
    ("InvalidPluginName", "The plugin name is not valid."),
    (
        "InvalidResourceId",
        "The resource ID \"i-0123456789abcdef0\" is not valid. Verify the ID and try again.",
    ),
    (
        "InvalidResourceType",
        "The resource type \"Instance\" is not valid.",
    ),
    (
        "InvalidRole",
        "The role name can't contain invalid characters.",
    ),
    ("InvocationDoesNotExist", ""),
    (
        "InvalidParameterException",
        "1 validation error detected: Value 'a:b' at 'logStreamName' failed to satisfy constraint",
    ),
    (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    ),
    (
        "ServiceUnavailableException",
        "The service cannot complete the request.",
    ),
    (
        "ApprovalRequiredException",
        "SendCommand needs someone else's approval: it waits as approval 5f0c7e59-2a7e-4d0e-9a51-3c1b1c1f0a11",
    ),
    (
        "ApprovalRejectedException",
        "approval 5f0c7e59-2a7e-4d0e-9a51-3c1b1c1f0a11 was rejected by root",
    ),
    ("ApprovalNotFoundException", "no approval 5f0c7e59-2a7e-4d0e-9a51-3c1b1c1f0a11 that you may see"),
    ("ApprovalNotPendingException", "approval 5f0c7e59-2a7e-4d0e-9a51-3c1b1c1f0a11 is Done, not pending"),
    ("TooManyPendingApprovalsException", "you have 20 requests waiting for approval already"),
    (
        "MaxDocumentSizeExceeded",
        "The size limit of a document is 64 KB.",
    ),
    (
        "UnsupportedPlatformType",
        "The document does not support the platform type of the given instance ID(s).",
    ),
];

#[test]
fn every_declared_error_has_a_typed_code() {
    for op in OperationName::ALL {
        for code in op.declared_errors() {
            assert!(
                !matches!(ErrorCode::from(*code), ErrorCode::Unknown(_)),
                "{code} (declared for {}) has no ErrorCode variant",
                op.as_str()
            );
            assert!(
                DECLARED.iter().any(|(c, _)| c == code),
                "{code} has no recorded response here"
            );
        }
    }
}

#[test]
fn decodes_every_declared_error() {
    for (code, message) in DECLARED {
        let body = format!(r#"{{"__type":"{code}","Message":{message:?}}}"#);
        let e = decode_error(&response(400, &body));
        assert_eq!(e.code.as_str(), *code);
        assert!(!matches!(e.code, ErrorCode::Unknown(_)));
        assert_eq!(e.message, *message);
        assert_eq!(e.status, 400);
        assert_eq!(
            e.request_id.as_deref(),
            Some("4f5b3c2a-1111-2222-3333-444455556666")
        );
        assert_eq!(e.server_time, Some(1_795_678_693));
        assert_eq!(e.fault(), Fault::Client);
        assert!(!e.is_retryable(), "{code}");
    }
}

#[test]
fn type_forms_and_message_keys() {
    for (ty, code) in [
        ("InvalidInstanceId", "InvalidInstanceId"),
        ("com.amazonaws.ssm#InvalidInstanceId", "InvalidInstanceId"),
        (
            "InvalidInstanceId:http://internal.amazon.com/coral/com.amazon.ssm/",
            "InvalidInstanceId",
        ),
        (
            "com.amazon.coral.service#UnrecognizedClientException",
            "UnrecognizedClientException",
        ),
        ("aws.protocoltests#Weird:suffix", "Weird"),
    ] {
        let e = decode_error(&response(
            400,
            &format!(r#"{{"__type":"{ty}","message":"m"}}"#),
        ));
        assert_eq!(e.code.as_str(), code, "{ty}");
        assert_eq!(e.message, "m");
    }
    // `message` wins over `Message`, as in botocore.
    let e = decode_error(&response(
        400,
        r#"{"__type":"X","message":"lower","Message":"upper"}"#,
    ));
    assert_eq!(e.message, "lower");
    let e = decode_error(&response(400, r#"{"__type":"X","Message":"upper"}"#));
    assert_eq!(e.message, "upper");
}

#[test]
fn unknown_codes_are_kept_verbatim() {
    let e = decode_error(&response(
        400,
        r#"{"__type":"BrandNewException","message":"x"}"#,
    ));
    assert_eq!(e.code, ErrorCode::Unknown("BrandNewException".into()));
    assert_eq!(e.code.as_str(), "BrandNewException");
}

#[test]
fn only_expired_or_unknown_credentials_are_refusals_of_the_credentials() {
    let refused = |code: &str| {
        let body = format!(r#"{{"__type":"{code}","message":"m"}}"#);
        decode_error(&response(400, &body)).is_credentials_refused()
    };
    for code in [
        "ExpiredTokenException",
        "ExpiredToken",
        "UnrecognizedClientException",
        "com.amazon.coral.service#InvalidClientTokenId",
    ] {
        assert!(refused(code), "{code}");
    }
    for code in [
        "SignatureDoesNotMatch",
        "InvalidSignatureException",
        "AccessDeniedException",
        "RequestExpired",
        "ThrottlingException",
        "InvalidInstanceId",
    ] {
        assert!(!refused(code), "{code}");
    }
}

#[test]
fn auth_throttling_and_skew_errors() {
    let e = decode_error(&response(
        400,
        r#"{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}"#,
    ));
    assert_eq!(e.code, ErrorCode::UnrecognizedClientException);
    assert!(e.is_auth() && !e.is_retryable());

    let e = decode_error(&response(
        400,
        r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
    ));
    assert_eq!(e.code, ErrorCode::ThrottlingException);
    assert!(e.is_throttling() && e.is_retryable());

    let e = decode_error(&response(
        400,
        r#"{"__type":"InvalidSignatureException","message":"Signature expired: 20261126T070000Z is now earlier than 20261126T073313Z (20261126T073813Z - 5 min.)"}"#,
    ));
    assert!(e.is_clock_skew());
    assert_eq!(e.clock_skew(1_795_678_693 - 3600), Some(3600));
    assert_eq!(e.clock_skew(1_795_678_693 - 30), None);
}

#[test]
fn generic_5xx_bodies_take_the_status_as_code() {
    for body in [
        "",
        "   ",
        "<html><body>502 Bad Gateway</body></html>",
        "  <html>oops",
    ] {
        let e = decode_error(&response(502, body));
        assert_eq!(e.code.as_str(), "502", "{body:?}");
        assert_eq!(e.message, "Bad Gateway");
        assert_eq!(e.fault(), Fault::Server);
        assert!(e.is_retryable());
    }
    // Only a literal `<html>` prefix is generic (botocore); other markup is the message.
    let e = decode_error(&response(502, "<HTML>oops</HTML>"));
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("502", "<HTML>oops</HTML>")
    );
    let e = decode_error(&response(
        503,
        r#"{"__type":"ServiceUnavailable","message":"busy"}"#,
    ));
    assert_eq!(e.code, ErrorCode::ServiceUnavailable);
    assert!(e.is_retryable());
}

#[test]
fn non_json_bodies_are_kept_as_the_message() {
    let e = decode_error(&response(400, "Bad Request: nope"));
    assert_eq!(e.code.as_str(), "400");
    assert_eq!(e.message, "Bad Request: nope");
    let e = decode_error(&response(404, ""));
    assert_eq!(e.code.as_str(), "404");
}

#[test]
fn xml_auth_errors_decode_to_their_code() {
    // What moto (and AWS query front ends) answer for a bad signature.
    let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<ErrorResponse>
  <Error>
    <Code>SignatureDoesNotMatch</Code>
    <Message>The request signature we calculated does not match the signature you provided.</Message>
  </Error>
  <RequestId>abc</RequestId>
</ErrorResponse>"#;
    let e = decode_error(&response(403, body));
    assert_eq!(e.code, ErrorCode::SignatureDoesNotMatch);
    assert!(e.message.starts_with("The request signature we calculated"));
    assert!(e.is_auth() && e.is_clock_skew());
}

#[test]
fn retry_after_and_bad_dates_are_tolerated() {
    let mut r = response(400, r#"{"__type":"ThrottlingException"}"#);
    r.headers.push(("x-amz-retry-after".into(), "1500".into()));
    r.headers[2].1 = "not a date".into();
    let e = decode_error(&r);
    assert_eq!(e.retry_after_ms, Some(1500));
    assert_eq!(e.server_time, None);
    assert_eq!(e.message, "");
}

#[test]
fn decodes_success_bodies() {
    let body = r#"{"Command":{"CommandId":"0b2a9e8c-3c11-4b33-9d0a-1a2b3c4d5e6f","DocumentName":"AWS-RunShellScript","Status":"Pending","RequestedDateTime":1.764140293123E9,"Parameters":{"commands":["uptime"]},"InstanceIds":["i-0123456789abcdef0"],"TargetCount":1,"SomethingNew":true}}"#;
    let out = decode::<SendCommand>(&response(200, body)).unwrap();
    let cmd = out.command.unwrap();
    assert_eq!(cmd.status, Some(CommandStatus::Pending));
    assert_eq!(cmd.requested_date_time.unwrap().0, 1_764_140_293.123);
    assert_eq!(cmd.parameters.unwrap().0["commands"], ["uptime"]);

    let body = r#"{"CommandId":"0b2a9e8c-3c11-4b33-9d0a-1a2b3c4d5e6f","InstanceId":"i-0123456789abcdef0","Status":"Success","StatusDetails":"Success","ResponseCode":0,"ExecutionStartDateTime":"2026-11-26T07:38:13.123Z","StandardOutputContent":"up 3 days\n"}"#;
    let out = decode::<GetCommandInvocation>(&response(200, body)).unwrap();
    assert_eq!(
        out.execution_start_date_time.as_deref(),
        Some("2026-11-26T07:38:13.123Z")
    );
    assert_eq!(out.standard_output_content.as_deref(), Some("up 3 days\n"));

    let out = decode::<ListCommands>(&response(200, "")).unwrap();
    assert!(out.commands.is_none());
    let out =
        decode::<ListCommands>(&response(200, r#"{"Commands":[{"Status":"Brand-New"}]}"#)).unwrap();
    assert_eq!(
        out.commands.unwrap()[0].status,
        Some(CommandStatus::Unknown("Brand-New".into()))
    );
}

#[test]
fn malformed_success_bodies_are_typed() {
    let err = decode::<ListCommands>(&response(200, r#"{"Commands":["#)).unwrap_err();
    assert!(
        matches!(
            err,
            ResponseError::MalformedBody {
                kind: MalformedKind::Truncated,
                ..
            }
        ),
        "{err:?}"
    );
    let err = decode::<ListCommands>(&response(200, "<html>")).unwrap_err();
    assert!(
        matches!(
            err,
            ResponseError::MalformedBody {
                kind: MalformedKind::Syntax,
                ..
            }
        ),
        "{err:?}"
    );
    let err = decode::<ListCommands>(&response(200, r#"{"Commands":"nope"}"#)).unwrap_err();
    assert!(
        matches!(
            err,
            ResponseError::MalformedBody {
                kind: MalformedKind::Shape,
                ..
            }
        ),
        "{err:?}"
    );
    let err =
        decode::<ListCommands>(&response(400, r#"{"__type":"InvalidNextToken"}"#)).unwrap_err();
    assert!(matches!(
        err,
        ResponseError::Service(ServiceError {
            code: ErrorCode::InvalidNextToken,
            ..
        })
    ));
}

#[test]
fn sensitive_values_stay_out_of_debug() {
    let body = r#"{"Command":{"Parameters":{"password":["PARAM-SENTINEL"]}}}"#;
    let out = decode::<SendCommand>(&response(200, body)).unwrap();
    assert!(!format!("{out:?}").contains("PARAM-SENTINEL"));
}

/// The `str`-pattern forms `normalize_code` and `find_tag` had before they became byte
/// scans (for size): the oracles of the test below.
fn normalize_code_by_split(raw: &str) -> String {
    let code = raw.split(':').next().unwrap_or(raw);
    let code = code.rsplit('#').next().unwrap_or(code);
    String::from(code)
}

fn find_tag_by_match_indices(text: &str, opener: &str, name: &str) -> Option<(usize, usize)> {
    text.match_indices(opener).find_map(|(at, _)| {
        let rest = text[at + opener.len()..]
            .strip_prefix(name)?
            .strip_prefix('>')?;
        Some((at, text.len() - rest.len()))
    })
}

#[test]
fn byte_scans_match_the_str_pattern_forms() {
    let texts = [
        "",
        ":",
        "#",
        "#:",
        ":#",
        "a#b#C:d:e",
        "#X",
        "X#",
        ":x#y",
        "é#Cödé:ü#v",
        "<Code>X</Code>",
        "<<Code>>X<</Code></Code>",
        "<Code >x</Code><Code>y</Code >z</Code>",
        "<CodeX>1</CodeX><Code>2</Code>",
        "<é<Code>ü</Code",
        "</Code><Code></Code>",
        "<Message>m</Message><Code>c</Code>",
    ];
    for text in texts {
        assert_eq!(
            super::normalize_code(text),
            normalize_code_by_split(text),
            "{text:?}"
        );
        for (opener, name) in [
            ("<", "Code"),
            ("</", "Code"),
            ("<", "Message"),
            ("</", "Message"),
        ] {
            assert_eq!(
                super::find_tag(text, opener, name),
                find_tag_by_match_indices(text, opener, name),
                "{text:?} {opener}{name}"
            );
        }
    }
}

/// `as_str` and `From<&str>` go through `VALUES` by position (for size): every listed
/// value must come back as itself, from a variant of its own, in declaration order.
#[test]
fn string_enums_map_each_listed_value_to_its_own_variant() {
    fn check<E: for<'a> From<&'a str> + Ord + core::fmt::Debug>(
        values: &[&str],
        as_str: impl Fn(&E) -> &str,
        first: E,
        last: E,
    ) {
        let all: Vec<E> = values.iter().map(|v| E::from(v)).collect();
        for (value, e) in values.iter().zip(&all) {
            assert_eq!(as_str(e), *value);
        }
        // Derived `Ord` follows declaration order, `Unknown` last: strictly increasing
        // means every value has a distinct, listed variant.
        assert!(all.windows(2).all(|w| w[0] < w[1]), "{all:?}");
        assert!(all.last() < Some(&E::from("NotAListedValue")));
        assert_eq!(all.first(), Some(&first));
        assert_eq!(all.last(), Some(&last));
    }
    check(
        ErrorCode::VALUES,
        ErrorCode::as_str,
        ErrorCode::DuplicateInstanceId,
        ErrorCode::SerializationException,
    );
    check(
        CommandStatus::VALUES,
        CommandStatus::as_str,
        CommandStatus::Pending,
        CommandStatus::Cancelling,
    );
    assert_eq!(ErrorCode::from("").as_str(), "");
    assert_eq!(
        ErrorCode::from("throttling"),
        ErrorCode::Unknown("throttling".into())
    );
}

#[test]
fn parse_u64_reads_as_from_str_does() {
    let mut texts: Vec<String> = [
        "",
        "+",
        "-",
        "++1",
        "+-1",
        "-1",
        "-0",
        "+0",
        "0",
        "007",
        "1500",
        " 1",
        "1 ",
        "1.5",
        "1e3",
        "١",
        "18446744073709551615",
        "18446744073709551616",
        "+18446744073709551615",
        "99999999999999999999",
        "0x10",
        "12a",
    ]
    .iter()
    .map(|t| String::from(*t))
    .collect();
    let mut seed = 0x9e37_79b9_u32;
    for _ in 0..2000 {
        let mut t = String::new();
        for _ in 0..(seed % 22) {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            t.push(b"0123456789+-9 "[(seed % 14) as usize] as char);
        }
        texts.push(t);
    }
    for t in &texts {
        assert_eq!(super::parse_u64(t), t.parse::<u64>().ok(), "{t:?}");
    }
}

/// Error bodies are read keeping every member and looking up the last of a name (for
/// size): the same as reading them with `parse_keeping_last`, as botocore does.
#[test]
fn repeated_members_count_last() {
    let body = r#"{"__type":"InvalidRole","message":"first","__type":"ThrottlingException","message":"second","d":{"a":1,"a":2}}"#;
    let e = decode_error(&response(400, body));
    assert_eq!(e.code, ErrorCode::ThrottlingException);
    assert_eq!(e.message, "second");
    // A repeated `message` whose last value is not a string: no message, and
    // `Message` is not consulted (the member is there).
    let e = decode_error(&response(
        400,
        r#"{"message":"x","message":null,"Message":"y"}"#,
    ));
    assert_eq!((e.code.as_str(), e.message.as_str()), ("400", ""));
    let e = decode_error(&response(400, r#"{"__type":"X","__type":7}"#));
    assert_eq!(e.code.as_str(), "400");
    for body in [
        r#"{"__type":"A","message":"m","__type":"B"}"#,
        r#"{"message":"x","message":null,"Message":"y"}"#,
        r#"{"Message":"a","__type":"ns#C:d","Message":"b","message":"c","message":"e"}"#,
    ] {
        let by_merging = json::parse_keeping_last(body.as_bytes()).unwrap();
        let e = decode_error(&response(400, body));
        let code = by_merging
            .get("__type")
            .and_then(Value::as_str)
            .map_or("400", |t| {
                let t = t.split(':').next().unwrap();
                t.rsplit('#').next().unwrap()
            });
        assert_eq!(e.code.as_str(), code, "{body}");
    }
}

#[test]
fn trim_cuts_the_ascii_white_space_python_strips() {
    let python_space = [b' ', b'\t', b'\n', b'\r', 0x0b, 0x0c];
    for c in (0..=0x3100u32)
        .chain([0xfeff, 0x1_0000])
        .filter_map(char::from_u32)
    {
        let p = String::from(c);
        let kept = !(c.is_ascii() && python_space.contains(&(c as u8)));
        let cases = [
            (p.clone(), if kept { p.clone() } else { String::new() }),
            (
                format!("{p}a{p}"),
                if kept { format!("{p}a{p}") } else { "a".into() },
            ),
            (
                format!(" \t{p}é\x0b\n"),
                if kept { format!("{p}é") } else { "é".into() },
            ),
        ];
        for (text, want) in cases {
            assert_eq!(super::trim(&text), want, "{text:?}");
        }
    }
}

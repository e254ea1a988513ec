//! Decoding `AssumeRole` answers: AWS-shaped successes and errors, malformed bodies.

use super::super::*;
use crate::decode::{Fault, HttpResponse};
use crate::time::TimeError;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

fn response(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: Vec::new(),
        body: body.as_bytes().to_vec(),
    }
}

/// The shape of AWS's answer (the API reference's example, one token line).
const SUCCESS: &str = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <SourceIdentity>Alice</SourceIdentity>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>
      <AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>
       AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==
      </SessionToken>
      <Expiration>2019-11-09T13:34:41Z</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>"#;

#[test]
fn decodes_aws_answer() {
    let role = decode_assume_role(&response(200, SUCCESS)).unwrap();
    assert_eq!(role.credentials.access_key_id, "ASIAIOSFODNN7EXAMPLE");
    assert_eq!(
        role.credentials.secret_access_key,
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
    );
    let token = role.credentials.session_token.as_deref().unwrap();
    assert!(token.starts_with("AQoDYXdzEPT//"), "{token}");
    assert!(token.ends_with("oLxBA=="), "{token}");
    assert_eq!(role.expires_at, 1_573_306_481); // 2019-11-09T13:34:41Z
    assert_eq!(
        role.assumed_role_arn,
        "arn:aws:sts::123456789012:assumed-role/demo/TestAR"
    );
    // Debug shows neither the secret nor the token.
    for shown in [format!("{role:?}"), format!("{role:#?}")] {
        assert!(shown.contains("ASIAIOSFODNN7EXAMPLE"), "{shown}");
        assert!(shown.contains("assumed-role/demo/TestAR"), "{shown}");
        assert!(!shown.contains("wJalr"), "{shown}");
        assert!(!shown.contains("AQoDYXdz"), "{shown}");
        assert!(shown.contains("redacted"), "{shown}");
    }
}

#[test]
fn entities_cdata_fractions_and_no_namespace() {
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<AssumeRoleResponse><AssumeRoleResult>\
        <Credentials><AccessKeyId>ASIA&#x41;BC</AccessKeyId>\
        <SecretAccessKey>s&amp;e&lt;c&gt;r&quot;e&apos;t&#47;</SecretAccessKey>\
        <SessionToken><![CDATA[tok<en>]]>&amp;more</SessionToken>\
        <Expiration>2026-12-04T04:11:51.123+00:00</Expiration></Credentials>\
        <AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/r/s</Arn></AssumedRoleUser>\
        </AssumeRoleResult></AssumeRoleResponse>";
    let role = decode_assume_role(&response(200, body)).unwrap();
    assert_eq!(role.credentials.access_key_id, "ASIAABC");
    assert_eq!(role.credentials.secret_access_key, "s&e<c>r\"e't/");
    assert_eq!(
        role.credentials.session_token.as_deref(),
        Some("tok<en>&more")
    );
    assert_eq!(role.expires_at, 1_796_357_511);
}

fn malformed(status: u16, body: &[u8]) -> Malformed {
    let r = HttpResponse {
        status,
        headers: Vec::new(),
        body: body.to_vec(),
    };
    match decode_assume_role(&r) {
        Err(StsError::Malformed(m)) => m,
        other => panic!("{other:?}"),
    }
}

#[test]
fn missing_fields_are_named() {
    let cases = [
        (
            "<AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>",
            "",
            "AssumeRoleResult/Credentials/AccessKeyId",
        ),
        (
            "<AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>",
            "<AccessKeyId> </AccessKeyId>",
            "AssumeRoleResult/Credentials/AccessKeyId",
        ),
        (
            "<SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>",
            "<SecretAccessKey/>",
            "AssumeRoleResult/Credentials/SecretAccessKey",
        ),
        (
            "<Expiration>2019-11-09T13:34:41Z</Expiration>",
            "",
            "AssumeRoleResult/Credentials/Expiration",
        ),
        (
            "<Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>",
            "",
            "AssumeRoleResult/AssumedRoleUser/Arn",
        ),
        ("<AssumeRoleResult>", "<Other>", "AssumeRoleResult"),
    ];
    for (from, to, path) in cases {
        let mut body = String::from(SUCCESS);
        if from == "<AssumeRoleResult>" {
            body = body
                .replace("<AssumeRoleResult>", "<Other>")
                .replace("</AssumeRoleResult>", "</Other>");
        } else {
            body = body.replace(from, to);
        }
        assert_eq!(
            malformed(200, body.as_bytes()),
            Malformed::Missing(path),
            "{path}"
        );
    }
    // The token element absent entirely.
    let start = SUCCESS.find("<SessionToken>").unwrap();
    let end = SUCCESS.find("</SessionToken>").unwrap() + "</SessionToken>".len();
    let body = [&SUCCESS[..start], &SUCCESS[end..]].concat();
    assert_eq!(
        malformed(200, body.as_bytes()),
        Malformed::Missing("AssumeRoleResult/Credentials/SessionToken")
    );
    let no_credentials = "<AssumeRoleResponse><AssumeRoleResult/></AssumeRoleResponse>";
    assert_eq!(
        malformed(200, no_credentials.as_bytes()),
        Malformed::Missing("AssumeRoleResult/Credentials")
    );
    let e = StsError::Malformed(Malformed::Missing("AssumeRoleResult/Credentials"));
    assert_eq!(
        e.to_string(),
        "the STS AssumeRole answer lacks AssumeRoleResult/Credentials"
    );
    assert!(!e.is_retryable());
    assert_eq!((e.code(), e.status()), (None, None));
}

#[test]
fn bad_bodies_are_typed() {
    let bad_date = SUCCESS.replace("2019-11-09T13:34:41Z", "2019-11-09 13:34:41");
    assert_eq!(
        malformed(200, bad_date.as_bytes()),
        Malformed::Expiration(TimeError::Syntax)
    );
    assert_eq!(malformed(200, b""), Malformed::Xml { line: 1, column: 1 });
    assert!(matches!(
        malformed(200, b"{\"Credentials\":{}}"),
        Malformed::Xml { .. }
    ));
    assert!(matches!(
        malformed(200, b"<AssumeRoleResponse><AssumeRoleResult>"),
        Malformed::Xml { .. }
    ));
    assert!(matches!(
        malformed(200, b"<a>&unknown;</a>"),
        Malformed::Xml { .. }
    ));
    assert_eq!(malformed(200, b"<a>\xff</a>"), Malformed::NotUtf8);
    assert_eq!(
        malformed(200, b"<GetCallerIdentityResponse/>"),
        Malformed::Root
    );
    // A node bomb is cut off.
    let many = [
        "<AssumeRoleResponse>",
        &"<x/>".repeat(2000),
        "</AssumeRoleResponse>",
    ]
    .concat();
    assert!(matches!(
        malformed(200, many.as_bytes()),
        Malformed::Xml { .. }
    ));
}

#[test]
fn dtds_are_refused() {
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE AssumeRoleResponse [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<AssumeRoleResponse><AssumeRoleResult><Credentials>
<AccessKeyId>&lol2;</AccessKeyId></Credentials></AssumeRoleResult></AssumeRoleResponse>"#;
    assert_eq!(malformed(200, laughs.as_bytes()), Malformed::Dtd);
    let external = "<!DOCTYPE a SYSTEM \"http://example.invalid/a.dtd\"><AssumeRoleResponse/>";
    assert_eq!(malformed(200, external.as_bytes()), Malformed::Dtd);
    assert_eq!(
        StsError::Malformed(Malformed::Dtd).to_string(),
        "the STS AssumeRole answer has a DTD, which is refused"
    );
}

const ACCESS_DENIED: &str = "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
<Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/x \
is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::210987654321:role/ops</Message>\
</Error><RequestId>4d3b5f2c-0e61-4a0d-9a64-3f1e0f0a7c11</RequestId></ErrorResponse>";

fn service(r: &HttpResponse) -> StsError {
    let e = decode_assume_role(r).unwrap_err();
    assert!(matches!(e, StsError::Service { .. }), "{e:?}");
    e
}

#[test]
fn access_denied() {
    let e = service(&response(403, ACCESS_DENIED));
    assert_eq!(
        e,
        StsError::Service {
            status: 403,
            code: String::from("AccessDenied"),
            message: String::from(
                "User: arn:aws:iam::123456789012:user/x is not authorized to perform: \
                 sts:AssumeRole on resource: arn:aws:iam::210987654321:role/ops"
            ),
            fault: Fault::Client,
            request_id: Some(String::from("4d3b5f2c-0e61-4a0d-9a64-3f1e0f0a7c11")),
        }
    );
    assert!(e.is_access_denied());
    assert!(!e.is_expired_token() && !e.is_throttling() && !e.is_retryable());
    assert_eq!((e.code(), e.status()), (Some("AccessDenied"), Some(403)));
    assert_eq!(
        e.to_string(),
        "STS AssumeRole failed: AccessDenied (HTTP 403): User: arn:aws:iam::123456789012:user/x \
         is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::210987654321:role/ops \
         [request id 4d3b5f2c-0e61-4a0d-9a64-3f1e0f0a7c11]"
    );
    // The header's request id wins over the document's.
    let mut r = response(403, ACCESS_DENIED);
    r.headers.push((
        String::from("x-amzn-RequestId"),
        String::from("from-header"),
    ));
    let StsError::Service { request_id, .. } = service(&r) else {
        unreachable!()
    };
    assert_eq!(request_id.as_deref(), Some("from-header"));
}

#[test]
fn other_service_errors() {
    let error = |status: u16, kind: &str, code: &str, message: &str| {
        let body = format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>{kind}</Type>\
             <Code>{code}</Code><Message>{message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"
        );
        service(&response(status, &body))
    };
    let e = error(
        400,
        "Sender",
        "ExpiredToken",
        "The security token included in the request is expired",
    );
    assert!(e.is_expired_token() && !e.is_access_denied());
    let e = error(400, "Sender", "Throttling", "Rate exceeded");
    assert!(e.is_throttling() && e.is_retryable());
    let e = error(
        403,
        "Sender",
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
    );
    assert!(e.is_invalid_client_token());
    let e = error(
        403,
        "Sender",
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match",
    );
    assert!(e.is_signature_mismatch() && e.is_clock_skew() && !e.is_retryable());
    let e = error(
        403,
        "Sender",
        "RegionDisabledException",
        "STS is not activated in this region",
    );
    assert!(e.is_region_disabled());
    let e = error(
        400,
        "Sender",
        "ValidationError",
        "1 validation error detected: Value 'a' at 'roleSessionName'",
    );
    assert!(e.is_invalid_input());
    let e = error(500, "Receiver", "InternalFailure", "x &amp; y");
    assert!(e.is_transient() && e.is_retryable());
    let StsError::Service { fault, message, .. } = &e else {
        unreachable!()
    };
    assert_eq!((*fault, message.as_str()), (Fault::Server, "x & y"));
    // No Type: the status decides the fault.
    let e = service(&response(
        500,
        "<ErrorResponse><Error><Code>Oops</Code></Error></ErrorResponse>",
    ));
    let StsError::Service {
        fault,
        message,
        request_id,
        ..
    } = &e
    else {
        unreachable!()
    };
    assert_eq!(
        (*fault, message.as_str(), request_id.as_deref()),
        (Fault::Server, "", None)
    );
    // EC2-style and bare `Error` documents.
    let e = service(&response(
        400,
        "<Response><Errors><Error><Code>Throttling</Code><Message>slow</Message></Error></Errors>\
         <RequestID>x</RequestID></Response>",
    ));
    assert_eq!(e.code(), Some("Throttling"));
    let e = service(&response(
        403,
        "<Error><Code>AccessDenied</Code><Message>no</Message></Error>",
    ));
    assert!(e.is_access_denied());
    // moto's shape.
    let e = service(&response(
        403,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ErrorResponse><Errors><Error>\
         <Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does \
         not match</Message><Type>Sender</Type></Error></Errors></ErrorResponse>",
    ));
    assert!(e.is_signature_mismatch());
}

#[test]
fn error_statuses_without_an_error_document() {
    for (status, body) in [
        (503, "<html><body>Service Unavailable</body></html>"),
        (502, ""),
        (500, "not xml"),
        (
            403,
            "<ErrorResponse><Error><Message>no code</Message></Error></ErrorResponse>",
        ),
        (429, "{\"message\":\"slow down\"}"),
    ] {
        let e = service(&response(status, body));
        let StsError::Service {
            code,
            message,
            fault,
            ..
        } = &e
        else {
            unreachable!()
        };
        assert_eq!(code, &status.to_string(), "{body}");
        assert_eq!(message, "");
        assert_eq!(
            *fault,
            if status >= 500 {
                Fault::Server
            } else {
                Fault::Client
            }
        );
        assert_eq!(e.is_retryable(), status != 403, "{status}");
    }
    // A DTD in an error body is not parsed either: the status stands.
    let e = service(&response(
        400,
        "<!DOCTYPE x [<!ENTITY a \"b\">]><ErrorResponse><Error><Code>&a;</Code></Error></ErrorResponse>",
    ));
    assert_eq!(e.code(), Some("400"));
}

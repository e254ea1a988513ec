//! The signed `AssumeRole` request, byte for byte, and the STS endpoints.

use super::super::*;
use crate::endpoint::{EndpointError, UrlProblem};
use crate::sign::{Credentials, SignError};
use alloc::string::String;
use alloc::vec;

/// 2026-11-26T07:38:13Z.
const NOW: u64 = 1_795_678_693;

fn call() -> AssumeRole {
    AssumeRole::new(
        RoleArn::parse("arn:aws:iam::123456789012:role/ops/ssm-edge-ops").unwrap(),
        "gate.way@edge",
    )
    .with_duration_secs(900)
    .with_external_id("ext:id/1+=,.@-_")
}

#[test]
fn the_request_botocore_sends() {
    let endpoint = sts_endpoint("us-east-1", None).unwrap();
    let credentials = Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Some(String::from("SESSIONTOKEN==")),
    );
    let request = call().request(&endpoint, &credentials, NOW).unwrap();
    // Recorded from botocore 1.44.8's own STS client (`assume_role` with the same
    // parameters, credentials and a frozen clock): URL, body and every signed header.
    assert_eq!(request.method, "POST");
    assert_eq!(request.url, "https://sts.us-east-1.amazonaws.com/");
    assert_eq!(
        core::str::from_utf8(&request.body).unwrap(),
        "Action=AssumeRole&Version=2011-06-15\
         &RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fops%2Fssm-edge-ops\
         &RoleSessionName=gate.way%40edge&DurationSeconds=900\
         &ExternalId=ext%3Aid%2F1%2B%3D%2C.%40-_"
    );
    let headers: vec::Vec<(&str, &str)> = request
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        headers,
        [
            (
                "Content-Type",
                "application/x-www-form-urlencoded; charset=utf-8"
            ),
            ("Host", "sts.us-east-1.amazonaws.com"),
            ("X-Amz-Date", "20261126T073813Z"),
            ("X-Amz-Security-Token", "SESSIONTOKEN=="),
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-east-1/sts/aws4_request, \
                 SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, \
                 Signature=039321ee42fec76e0ea06e3fe17d22133c66857158c6057be9cd3179647fadb9"
            ),
        ]
    );
}

#[test]
fn without_token_or_external_id_and_on_a_custom_endpoint() {
    let endpoint = sts_endpoint("eu-west-1", Some("http://127.0.0.1:5000/")).unwrap();
    assert_eq!(endpoint.url, "http://127.0.0.1:5000");
    assert_eq!(endpoint.signing_region, "eu-west-1");
    assert_eq!(endpoint.signing_name, "sts");
    let credentials = Credentials::new("AKID", "secret", None);
    let role = RoleArn::parse("arn:aws:iam::123456789012:role/r~x").unwrap_err();
    assert_eq!(role, StsInputError::RoleArn(RoleArnProblem::RoleName));
    let c = AssumeRole::new(
        RoleArn::parse("arn:aws:iam::123456789012:role/ssm-edge").unwrap(),
        "s1",
    );
    let request = c.request(&endpoint, &credentials, NOW).unwrap();
    assert_eq!(request.url, "http://127.0.0.1:5000/");
    assert_eq!(
        request.body,
        b"Action=AssumeRole&Version=2011-06-15\
          &RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fssm-edge\
          &RoleSessionName=s1&DurationSeconds=3600"
    );
    assert_eq!(request.header("host"), Some("127.0.0.1:5000"));
    assert_eq!(request.header("x-amz-security-token"), None);
    let auth = request.header("authorization").unwrap();
    assert!(
        auth.starts_with(
            "AWS4-HMAC-SHA256 Credential=AKID/20261126/eu-west-1/sts/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, Signature="
        ),
        "{auth}"
    );
    // The service is `sts` even on an endpoint resolved for SSM.
    let ssm = crate::endpoint::resolve(&crate::endpoint::EndpointConfig::new("eu-west-1")).unwrap();
    let request = c.request(&ssm, &credentials, NOW).unwrap();
    assert!(request
        .header("authorization")
        .unwrap()
        .contains("/eu-west-1/sts/aws4_request"));
}

#[test]
fn invalid_input_or_credentials_build_nothing() {
    let endpoint = sts_endpoint("us-east-1", None).unwrap();
    let credentials = Credentials::new("AKID", "secret", None);
    let bad = call().with_duration_secs(10);
    assert_eq!(
        bad.request(&endpoint, &credentials, NOW),
        Err(StsRequestError::Invalid(StsInputError::DurationSeconds {
            value: 10
        }))
    );
    let bad_key = Credentials::new("AK ID", "secret", None);
    assert_eq!(
        call().request(&endpoint, &bad_key, NOW),
        Err(StsRequestError::Sign(SignError::InvalidAccessKeyId))
    );
    let bad_token = Credentials::new("AKID", "secret", Some(String::from("a\nb")));
    assert_eq!(
        call().request(&endpoint, &bad_token, NOW),
        Err(StsRequestError::Sign(SignError::InvalidSessionToken))
    );
}

#[test]
fn regional_endpoints_in_every_partition() {
    for (region, url) in [
        ("us-east-1", "https://sts.us-east-1.amazonaws.com"),
        ("eu-central-2", "https://sts.eu-central-2.amazonaws.com"),
        ("cn-north-1", "https://sts.cn-north-1.amazonaws.com.cn"),
        ("us-gov-west-1", "https://sts.us-gov-west-1.amazonaws.com"),
        ("us-iso-east-1", "https://sts.us-iso-east-1.c2s.ic.gov"),
        ("us-isob-east-1", "https://sts.us-isob-east-1.sc2s.sgov.gov"),
        ("eusc-de-east-1", "https://sts.eusc-de-east-1.amazonaws.eu"),
        // Unknown regions fall in `aws`, as in botocore.
        ("xx-nowhere-9", "https://sts.xx-nowhere-9.amazonaws.com"),
    ] {
        let e = sts_endpoint(region, None).unwrap();
        assert_eq!(e.url, url);
        assert_eq!(e.signing_region, region);
        assert_eq!(e.signing_name, SIGNING_NAME);
    }
    assert_eq!(
        sts_endpoint("us east 1", None),
        Err(EndpointError::InvalidRegion {
            region: String::from("us east 1")
        })
    );
    assert_eq!(
        sts_endpoint("us-east-1", Some("ftp://x")),
        Err(EndpointError::InvalidEndpointUrl(UrlProblem::Scheme))
    );
    assert_eq!(
        sts_endpoint("us-east-1", Some("https://u:p@sts.example")),
        Err(EndpointError::InvalidEndpointUrl(UrlProblem::UserInfo))
    );
}

//! SigV4 benchmarks: sign a typical SendCommand request (cached signing key), verify
//! it, and sign the same request with aws-sigv4 for comparison.
//!
//! `cargo bench -p ssm-edge-core --bench sign_verify -- --warm-up-time 1 --measurement-time 3`
//!
//! To add a step (e.g. building + validating the request), write a `fn bench_x(c: &mut
//! Criterion)` using the fixtures below and list it in `criterion_group!`.

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use ssm_edge_core::request::HttpRequest;
use ssm_edge_core::sign::{sign, Credentials, SecretAccessKey, SigningKeyCache, SigningParams};
use ssm_edge_core::verify::{verify, VerifyConfig};

mod fixtures {
    use super::*;

    pub const NOW: u64 = 1_795_678_693; // 2026-11-26T07:38:13Z
    pub const REGION: &str = "us-east-1";
    pub const AKID: &str = "ASIAEXAMPLEEXAMPLE12";
    pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    /// An STS session token of a typical size (~900 bytes).
    pub fn token() -> String {
        "IQoJb3JpZ2luX2VjEXAMPLE/+=".repeat(35)
    }

    pub fn credentials(with_token: bool) -> Credentials {
        Credentials::new(AKID, SECRET, with_token.then(token))
    }

    /// An unsigned SendCommand request as the request builder produces it (~700-byte body).
    pub fn send_command() -> HttpRequest {
        let body = serde_json::json!({
            "DocumentName": "AWS-RunShellScript",
            "DocumentVersion": "$DEFAULT",
            "InstanceIds": ["i-0123456789abcdef0", "i-0fedcba9876543210"],
            "Parameters": {
                "commands": [
                    "#!/bin/bash",
                    "set -euo pipefail",
                    "systemctl restart nginx && systemctl is-active nginx",
                    "journalctl -u nginx --since '5 minutes ago' --no-pager | tail -n 50"
                ],
                "workingDirectory": ["/opt/app"],
                "executionTimeout": ["600"]
            },
            "Comment": "restart nginx on the web tier (ticket OPS-1234) — déploiement ✓",
            "TimeoutSeconds": 600,
            "MaxConcurrency": "50%",
            "MaxErrors": "1",
            "CloudWatchOutputConfig": {
                "CloudWatchLogGroupName": "/ssm/run-command/web",
                "CloudWatchOutputEnabled": true
            },
            "OutputS3BucketName": "example-ssm-output-bucket",
            "OutputS3KeyPrefix": "run-command/web/"
        })
        .to_string();
        HttpRequest {
            method: "POST".into(),
            url: format!("https://ssm.{REGION}.amazonaws.com/"),
            headers: vec![
                ("Content-Type".into(), "application/x-amz-json-1.1".into()),
                ("X-Amz-Target".into(), "AmazonSSM.SendCommand".into()),
            ],
            body: body.into_bytes(),
        }
    }

    pub fn signed(with_token: bool) -> HttpRequest {
        let creds = credentials(with_token);
        let mut req = send_command();
        let _ = sign(
            &mut req,
            &SigningParams::new(&creds, REGION, "ssm", NOW),
            None,
        )
        .unwrap();
        req
    }

    pub fn lookup(akid: &str) -> Option<(SecretAccessKey, ())> {
        (akid == AKID).then(|| (SecretAccessKey::new(SECRET), ()))
    }
}

use fixtures::*;

fn bench_sign(c: &mut Criterion) {
    let unsigned = send_command();
    eprintln!("SendCommand body: {} bytes", unsigned.body.len());
    for with_token in [false, true] {
        let creds = credentials(with_token);
        let mut cache = SigningKeyCache::new();
        let params = SigningParams::new(&creds, REGION, "ssm", NOW);
        let name = if with_token {
            "sign/ssm-edge/send_command+session_token"
        } else {
            "sign/ssm-edge/send_command"
        };
        c.bench_function(name, |b| {
            b.iter_batched(
                || unsigned.clone(),
                |mut req| {
                    let out = sign(&mut req, black_box(&params), Some(&mut cache)).unwrap();
                    black_box((req, out))
                },
                BatchSize::SmallInput,
            )
        });
    }
    let creds = credentials(true);
    let params = SigningParams::new(&creds, REGION, "ssm", NOW);
    c.bench_function("sign/ssm-edge/send_command+session_token/no_cache", |b| {
        b.iter_batched(
            || unsigned.clone(),
            |mut req| {
                let out = sign(&mut req, black_box(&params), None).unwrap();
                black_box((req, out))
            },
            BatchSize::SmallInput,
        )
    });
}

fn bench_verify(c: &mut Criterion) {
    let config = VerifyConfig::new(REGION, "ssm");
    for with_token in [false, true] {
        let req = signed(with_token);
        let mut cache = SigningKeyCache::new();
        let name = if with_token {
            "verify/ssm-edge/send_command+session_token"
        } else {
            "verify/ssm-edge/send_command"
        };
        c.bench_function(name, |b| {
            b.iter(|| verify(black_box(&req), &config, NOW + 1, &lookup, Some(&mut cache)).unwrap())
        });
    }
}

fn bench_aws_sigv4(c: &mut Criterion) {
    use aws_sigv4::http_request::{
        sign as aws_sign, SignableBody, SignableRequest, SigningSettings,
    };
    use aws_smithy_runtime_api::client::identity::Identity;

    for with_token in [false, true] {
        let identity: Identity = aws_credential_types::Credentials::new(
            AKID,
            SECRET,
            with_token.then(token),
            None,
            "bench",
        )
        .into();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(REGION)
            .name("ssm")
            .time(SystemTime::UNIX_EPOCH + Duration::from_secs(NOW))
            .settings(SigningSettings::default())
            .build()
            .unwrap()
            .into();
        let req = send_command();
        let name = if with_token {
            "sign/aws-sigv4/send_command+session_token"
        } else {
            "sign/aws-sigv4/send_command"
        };
        c.bench_function(name, |b| {
            b.iter(|| {
                let signable = SignableRequest::new(
                    &req.method,
                    req.url.as_str(),
                    req.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                    SignableBody::Bytes(&req.body),
                )
                .unwrap();
                black_box(aws_sign(signable, black_box(&params)).unwrap())
            })
        });
    }
}

criterion_group!(benches, bench_sign, bench_verify, bench_aws_sigv4);
criterion_main!(benches);

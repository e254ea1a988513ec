//! The whole client-side pipeline for one typical SendCommand: validate, serialize,
//! build the awsJson1.1 request and sign it (signing key cached, as it is after the
//! first call of the day), through the sans-IO `Client` — what the npm package and
//! the gateway do per call. Compared in the same run with `aws-sigv4` signing the
//! same bytes (the oracle; it does not validate or build anything).
//!
//! `cargo bench -p ssm-edge-core --bench pipeline`

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use ssm_edge_core::client::Client;
use ssm_edge_core::endpoint::{EndpointConfig, Endpoints};
use ssm_edge_core::model::{SendCommand, SendCommandInput, Sensitive, Target};
use ssm_edge_core::sign::Credentials;

const NOW: u64 = 1_795_678_693; // 2026-11-26T07:38:13Z

fn typical_input() -> SendCommandInput {
    SendCommandInput {
        document_name: Some("AWS-RunShellScript".into()),
        targets: Some(vec![Target {
            key: Some("tag:env".into()),
            values: Some(vec!["staging".into()]),
        }]),
        comment: Some("OPS-1234 restart nginx".into()),
        timeout_seconds: Some(600),
        max_concurrency: Some("10%".into()),
        max_errors: Some("1".into()),
        parameters: Some(Sensitive(BTreeMap::from([(
            "commands".to_string(),
            vec![
                "sudo systemctl restart nginx".to_string(),
                "systemctl is-active nginx".to_string(),
            ],
        )]))),
        ..Default::default()
    }
}

fn client() -> Client {
    let endpoint = Endpoints::resolve(&EndpointConfig::new("eu-west-1")).expect("endpoint");
    Client::new(
        endpoint,
        Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            Some("IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD".repeat(8)),
        ),
    )
}

fn bench_pipeline(c: &mut Criterion) {
    let input = typical_input();
    let mut client = client();
    // Warm the signing-key cache, as any call after the first of the day finds it.
    let mut call = client.start::<SendCommand>(&input).expect("valid");
    let _ = client.request(&mut call, NOW).expect("signed");
    c.bench_function("pipeline/ssm-edge/validate+build+sign send_command", |b| {
        b.iter(|| {
            let mut call = client
                .start::<SendCommand>(black_box(&input))
                .expect("valid");
            black_box(client.request(&mut call, black_box(NOW)).expect("signed"))
        });
    });
    c.bench_function("pipeline/ssm-edge/validate send_command", |b| {
        use ssm_edge_core::validate::Validate;
        b.iter(|| black_box(&input).validate().expect("valid"));
    });

    // The oracle: aws-sigv4 signing the same request bytes (no validation, no build).
    let body = serde_json::to_vec(&input).expect("json");
    let token = Some("IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD".repeat(8));
    let identity = aws_credential_types::Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        token,
        None,
        "bench",
    )
    .into();
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(NOW);
    c.bench_function("pipeline/aws-sigv4/sign send_command (same bytes)", |b| {
        b.iter(|| {
            let params = aws_sigv4::sign::v4::SigningParams::builder()
                .identity(&identity)
                .region("eu-west-1")
                .name("ssm")
                .time(time)
                .settings(aws_sigv4::http_request::SigningSettings::default())
                .build()
                .expect("params")
                .into();
            let headers = [
                ("content-type", "application/x-amz-json-1.1"),
                ("x-amz-target", "AmazonSSM.SendCommand"),
                ("host", "ssm.eu-west-1.amazonaws.com"),
            ];
            let signable = aws_sigv4::http_request::SignableRequest::new(
                "POST",
                "https://ssm.eu-west-1.amazonaws.com/",
                headers.into_iter(),
                aws_sigv4::http_request::SignableBody::Bytes(black_box(&body)),
            )
            .expect("signable");
            black_box(aws_sigv4::http_request::sign(signable, &params).expect("sign"))
        });
    });
}

criterion_group!(benches, bench_pipeline);
criterion_main!(benches);

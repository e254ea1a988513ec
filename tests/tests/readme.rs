//! README.md's "Using the core from Rust" block, compiled as written (tests/build.rs
//! extracts it) and run against moto: a SendCommand signed by the core for eu-west-1 and
//! delivered to moto, which checks the signature with botocore.

use std::collections::BTreeMap;
use std::time::Duration;

use ssm_edge_core::decode::HttpResponse;
use ssm_edge_core::model::{SendCommandInput, Sensitive};
use ssm_edge_core::request::HttpRequest;
use ssm_edge_core::retry::Transport;
use ssm_edge_tests::transport::{jitter, now, send};
use ssm_edge_tests::MotoSsm;

include!(concat!(env!("OUT_DIR"), "/readme_block.rs"));

thread_local! {
    /// Where `your_http_client` delivers requests: moto's `http://127.0.0.1:<port>`.
    static UPSTREAM: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

fn now_unix_secs() -> u64 {
    now()
}

fn random_0_1() -> f64 {
    jitter()
}

fn sleep(delay_ms: u64) {
    std::thread::sleep(Duration::from_millis(delay_ms));
}

/// The reader's HTTP client: here one that delivers the request to moto instead of the
/// regional endpoint, unchanged (the signed `host` header still names the endpoint, and
/// moto verifies the signature over it).
fn your_http_client(request: &HttpRequest) -> Result<HttpResponse, Transport> {
    let path = request
        .url
        .splitn(4, '/')
        .nth(3)
        .map_or(String::from("/"), |p| format!("/{p}"));
    let mut delivered = request.clone();
    delivered.url = UPSTREAM.with(|u| format!("{}{path}", u.borrow()));
    send(&delivered)
}

#[test]
fn the_readme_rust_block_sends_a_command() {
    let moto = MotoSsm::start();
    UPSTREAM.with(|u| *u.borrow_mut() = moto.endpoint.clone());
    let input = SendCommandInput {
        document_name: Some("AWS-RunShellScript".into()),
        instance_ids: Some(vec!["i-0123456789abcdef0".into()]),
        parameters: Some(Sensitive(BTreeMap::from([(
            "commands".to_owned(),
            vec!["uptime".to_owned()],
        )]))),
        ..Default::default()
    };
    let output = readme_block(
        moto.access_key_id.clone(),
        moto.secret_access_key.clone(),
        None,
        input,
    )
    .expect("the README's block runs against moto");
    let command = output.command.expect("a Command in the output");
    assert!(command.command_id.is_some_and(|id| !id.is_empty()));
    assert_eq!(command.document_name.as_deref(), Some("AWS-RunShellScript"));
}

#[test]
fn a_wrong_secret_comes_back_as_the_blocks_typed_error() {
    // The block's error arm is live: moto refuses a bad signature, the core decodes it.
    let moto = MotoSsm::start();
    UPSTREAM.with(|u| *u.borrow_mut() = moto.endpoint.clone());
    let input = SendCommandInput {
        document_name: Some("AWS-RunShellScript".into()),
        instance_ids: Some(vec!["i-0123456789abcdef0".into()]),
        ..Default::default()
    };
    let error = readme_block(
        moto.access_key_id.clone(),
        "not-the-secret".into(),
        None,
        input,
    )
    .expect_err("a wrong secret is refused");
    assert!(error.to_string().contains("Signature"), "{error}");
}

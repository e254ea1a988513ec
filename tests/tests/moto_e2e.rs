//! End to end against moto's server (a third-party SSM implementation) on 127.0.0.1,
//! with signature checking on: moto recomputes every SigV4 signature with botocore.
//!
//! moto is not AWS: it accepts nearly any SendCommand, answers every command
//! `Success` at once, and does not implement ListCommandInvocations or CancelCommand
//! (HTTP 500 HTML). Error decoding for AWS's own error shapes is tested on recorded
//! responses in `core/src/decode/tests.rs` and against botocore's parser.

use std::collections::BTreeMap;

use ssm_edge_core::client::{CallErrorKind, Client};
use ssm_edge_core::decode::ErrorCode;
use ssm_edge_core::endpoint::{EndpointConfig, Endpoints};
use ssm_edge_core::model::*;
use ssm_edge_core::retry::{StopReason, Transport};
use ssm_edge_core::sign::Credentials;
use ssm_edge_tests::transport::{call, Error};
use ssm_edge_tests::MotoSsm;

const INSTANCE: &str = "i-0123456789abcdef0";

fn client(moto: &MotoSsm, secret: &str) -> Client {
    let endpoint =
        Endpoints::resolve(&EndpointConfig::new(&moto.region).with_endpoint_url(&moto.endpoint))
            .unwrap();
    Client::new(
        endpoint,
        Credentials::new(moto.access_key_id.clone(), secret, None),
    )
}

fn service_error(
    result: Result<impl std::fmt::Debug, Error>,
) -> (ssm_edge_core::decode::ServiceError, u32, StopReason) {
    match result {
        Err(Error::Call(e)) => match e.kind.clone() {
            CallErrorKind::Service(s) => (s, e.attempts, e.stop),
            other => panic!("not a service error: {other:?}"),
        },
        other => panic!("expected a service error, got {other:?}"),
    }
}

#[test]
fn send_list_get_through_the_core() {
    let moto = MotoSsm::start();
    let mut client = client(&moto, &moto.secret_access_key);
    let input = SendCommandInput {
        document_name: Some("AWS-RunShellScript".into()),
        instance_ids: Some(vec![INSTANCE.into()]),
        comment: Some("ünïcödé comment".into()),
        timeout_seconds: Some(120),
        max_concurrency: Some("50%".into()),
        max_errors: Some("0".into()),
        parameters: Some(Sensitive(BTreeMap::from([(
            "commands".to_string(),
            vec!["echo 'hi there'".to_string(), "uptime".to_string()],
        )]))),
        ..Default::default()
    };
    let sent = call::<SendCommand>(&mut client, &input).expect("SendCommand");
    let command = sent.command.expect("Command");
    let id = command.command_id.clone().expect("CommandId");
    assert_eq!(id.len(), 36);
    assert_eq!(command.document_name.as_deref(), Some("AWS-RunShellScript"));
    assert_eq!(command.comment.as_deref(), Some("ünïcödé comment"));
    assert_eq!(
        command.instance_ids.as_deref(),
        Some(&[INSTANCE.to_string()][..])
    );
    assert_eq!(
        command.parameters.as_ref().map(|p| p.0["commands"].clone()),
        Some(vec!["echo 'hi there'".to_string(), "uptime".to_string()])
    );
    assert!(command.requested_date_time.is_some_and(|t| t.0 > 1.7e9));

    let listed = call::<ListCommands>(
        &mut client,
        &ListCommandsInput {
            command_id: Some(id.clone()),
            ..Default::default()
        },
    )
    .expect("ListCommands");
    let commands = listed.commands.expect("Commands");
    assert_eq!(commands.len(), 1);
    assert_eq!(commands[0].command_id.as_deref(), Some(id.as_str()));
    assert_eq!(commands[0].status, Some(CommandStatus::Success));

    let got = call::<GetCommandInvocation>(
        &mut client,
        &GetCommandInvocationInput {
            command_id: Some(id.clone()),
            instance_id: Some(INSTANCE.into()),
            plugin_name: None,
        },
    )
    .expect("GetCommandInvocation");
    assert_eq!(got.command_id.as_deref(), Some(id.as_str()));
    assert_eq!(got.instance_id.as_deref(), Some(INSTANCE));
    assert_eq!(got.status, Some(CommandInvocationStatus::Success));
    assert_eq!(got.response_code, Some(0));
    // Execution times are strings on the wire for this operation.
    assert!(got
        .execution_start_date_time
        .is_some_and(|t| t.starts_with("20")));
}

#[test]
fn a_wrong_secret_decodes_to_the_typed_signature_error() {
    let moto = MotoSsm::start();
    let mut client = client(&moto, "definitely-not-the-secret");
    let (e, attempts, stop) = service_error(call::<ListCommands>(
        &mut client,
        &ListCommandsInput::default(),
    ));
    assert_eq!(e.code, ErrorCode::SignatureDoesNotMatch);
    assert_eq!(e.status, 403);
    assert!(e.is_auth());
    // Same clock on both sides: not a skew problem, so not retried.
    assert_eq!((attempts, stop), (1, StopReason::NotRetryable));
    assert!(!format!("{e} {client:?}").contains("definitely-not-the-secret"));
}

#[test]
fn an_unknown_access_key_is_refused_with_its_code() {
    let moto = MotoSsm::start();
    let endpoint =
        Endpoints::resolve(&EndpointConfig::new(&moto.region).with_endpoint_url(&moto.endpoint))
            .unwrap();
    let mut client = Client::new(
        endpoint,
        Credentials::new("AKIANOTAREALKEY00000", "x", None),
    );
    let (e, _, _) = service_error(call::<SendCommand>(
        &mut client,
        &SendCommandInput {
            document_name: Some("AWS-RunShellScript".into()),
            instance_ids: Some(vec![INSTANCE.into()]),
            ..Default::default()
        },
    ));
    assert_eq!(e.code, ErrorCode::InvalidClientTokenId);
    assert_eq!(e.status, 403);
}

#[test]
fn an_unimplemented_operation_is_a_retried_server_fault() {
    // moto answers ListCommandInvocations with a bare HTTP 500: transient, and the
    // operation only reads, so the core retries it up to the attempt limit.
    let moto = MotoSsm::start();
    let mut client = client(&moto, &moto.secret_access_key);
    let (e, attempts, stop) = service_error(call::<ListCommandInvocations>(
        &mut client,
        &ListCommandInvocationsInput::default(),
    ));
    assert_eq!(e.status, 500);
    assert_eq!(e.code.as_str(), "500");
    assert_eq!((attempts, stop), (3, StopReason::AttemptsExhausted));
}

#[test]
fn nothing_listening_is_a_not_sent_failure_and_send_command_may_retry_it() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    }; // closed again: connections are refused
    let endpoint = Endpoints::resolve(
        &EndpointConfig::new("us-east-1").with_endpoint_url(format!("http://127.0.0.1:{port}")),
    )
    .unwrap();
    let mut client = Client::new(endpoint, Credentials::new("AKIDEXAMPLE", "secret", None));
    let result = call::<SendCommand>(
        &mut client,
        &SendCommandInput {
            document_name: Some("AWS-RunShellScript".into()),
            instance_ids: Some(vec![INSTANCE.into()]),
            ..Default::default()
        },
    );
    match result {
        Err(Error::Call(e)) => {
            assert_eq!(e.kind, CallErrorKind::Transport(Transport::NotSent));
            assert_eq!((e.attempts, e.stop), (3, StopReason::AttemptsExhausted));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn invalid_input_is_refused_before_anything_is_sent() {
    // The endpoint does not exist: an attempt to send would fail differently.
    let endpoint = Endpoints::resolve(
        &EndpointConfig::new("us-east-1").with_endpoint_url("http://127.0.0.1:9"),
    )
    .unwrap();
    let mut client = Client::new(endpoint, Credentials::new("AKIDEXAMPLE", "secret", None));
    match call::<SendCommand>(&mut client, &SendCommandInput::default()) {
        Err(Error::Build(e)) => assert!(e.to_string().contains("DocumentName: is required"), "{e}"),
        other => panic!("{other:?}"),
    }
}

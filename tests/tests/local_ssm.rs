//! End to end against the local SSM emulator (`tests/local-ssm/server.py`) through the
//! core's client: a real command lifecycle, the fleet, documents, every modelled
//! error the emulator answers, pagination and CORS. The emulator checks every
//! signature with botocore, never with our code.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use ssm_edge_core::client::{CallErrorKind, Client, Outcome};
use ssm_edge_core::decode::{ErrorCode, ServiceError};
use ssm_edge_core::endpoint::{EndpointConfig, Endpoints};
use ssm_edge_core::model::*;
use ssm_edge_core::request::{build_raw, HttpRequest};
use ssm_edge_core::sign::canonical::payload_hash;
use ssm_edge_core::sign::{sign, Credentials, SigningParams};
use ssm_edge_tests::transport::{call, jitter, now, send, Error};
use ssm_edge_tests::LocalSsm;

/// Lifecycle step of the emulator in these tests.
const STEP_MS: u64 = 100;
/// How long any wait for a status may take before the test fails.
const DEADLINE: Duration = Duration::from_secs(10);

const WEB_1: &str = "i-0123456789abcdef0";
const WEB_2: &str = "i-0fedcba9876543210";
const LOST: &str = "mi-0123456789abcdef0";

fn client(ssm: &LocalSsm, secret: &str) -> Client {
    let endpoint =
        Endpoints::resolve(&EndpointConfig::new(&ssm.region).with_endpoint_url(&ssm.endpoint))
            .unwrap();
    Client::new(
        endpoint,
        Credentials::new(ssm.access_key_id.clone(), secret, None),
    )
}

fn service_error(result: Result<impl std::fmt::Debug, Error>) -> ServiceError {
    match result {
        Err(Error::Call(e)) => match e.kind.clone() {
            CallErrorKind::Service(s) => s,
            other => panic!("not a service error: {other:?}"),
        },
        other => panic!("expected a service error, got {other:?}"),
    }
}

fn shell(targets: SendTargets, commands: &[&str]) -> SendCommandInput {
    let (instance_ids, targets) = match targets {
        SendTargets::Ids(ids) => (Some(ids.iter().map(|s| s.to_string()).collect()), None),
        SendTargets::Tag(key, value) => (
            None,
            Some(vec![Target {
                key: Some(format!("tag:{key}")),
                values: Some(vec![value.to_string()]),
            }]),
        ),
    };
    SendCommandInput {
        document_name: Some("AWS-RunShellScript".into()),
        instance_ids,
        targets,
        parameters: Some(Sensitive(BTreeMap::from([(
            "commands".to_string(),
            commands.iter().map(|s| s.to_string()).collect(),
        )]))),
        ..Default::default()
    }
}

enum SendTargets<'a> {
    Ids(&'a [&'a str]),
    Tag(&'a str, &'a str),
}

fn send_command(client: &mut Client, input: &SendCommandInput) -> Command {
    call::<SendCommand>(client, input)
        .expect("SendCommand")
        .command
        .expect("Command")
}

fn invocation(client: &mut Client, id: &str, instance: &str) -> GetCommandInvocationOutput {
    call::<GetCommandInvocation>(
        client,
        &GetCommandInvocationInput {
            command_id: Some(id.into()),
            instance_id: Some(instance.into()),
            plugin_name: None,
        },
    )
    .expect("GetCommandInvocation")
}

/// Polls `instance`'s invocation until `done` holds, recording every status seen.
fn wait_for(
    client: &mut Client,
    id: &str,
    instance: &str,
    seen: &mut Vec<CommandInvocationStatus>,
    done: impl Fn(&CommandInvocationStatus) -> bool,
) -> GetCommandInvocationOutput {
    let start = Instant::now();
    loop {
        let got = invocation(client, id, instance);
        let status = got.status.clone().expect("Status");
        if seen.last() != Some(&status) {
            seen.push(status.clone());
        }
        if done(&status) {
            return got;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "{instance} still {status:?} after {DEADLINE:?} (seen {seen:?})"
        );
        std::thread::sleep(Duration::from_millis(STEP_MS / 4));
    }
}

fn is_final(s: &CommandInvocationStatus) -> bool {
    use CommandInvocationStatus::*;
    matches!(s, Success | Failed | TimedOut | Cancelled)
}

fn command_status(client: &mut Client, id: &str) -> Command {
    call::<ListCommands>(
        client,
        &ListCommandsInput {
            command_id: Some(id.into()),
            ..Default::default()
        },
    )
    .expect("ListCommands")
    .commands
    .expect("Commands")
    .remove(0)
}

#[test]
fn a_command_sent_by_tag_runs_to_success_on_two_instances() {
    let ssm = LocalSsm::start(STEP_MS);
    let mut client = client(&ssm, &ssm.secret_access_key);
    let command = send_command(
        &mut client,
        &shell(SendTargets::Tag("service", "web"), &["echo hi"]),
    );
    let id = command.command_id.clone().expect("CommandId");
    assert_eq!(command.status, Some(CommandStatus::Pending));
    assert_eq!(command.target_count, Some(2));

    for instance in [WEB_1, WEB_2] {
        let mut seen = Vec::new();
        let got = wait_for(&mut client, &id, instance, &mut seen, is_final);
        assert_eq!(
            got.status,
            Some(CommandInvocationStatus::Success),
            "{seen:?}"
        );
        assert_eq!(got.standard_output_content.as_deref(), Some("hi\n"));
        assert_eq!(got.response_code, Some(0));
        assert_eq!(got.plugin_name.as_deref(), Some("aws:runShellScript"));
        assert!(got
            .execution_end_date_time
            .is_some_and(|t| t.starts_with("20")));
        // Statuses only move forward.
        let order = |s: &CommandInvocationStatus| match s {
            CommandInvocationStatus::Pending => 0,
            CommandInvocationStatus::InProgress => 1,
            _ => 2,
        };
        assert!(
            seen.windows(2).all(|w| order(&w[0]) < order(&w[1])),
            "{seen:?}"
        );
    }

    let listed = call::<ListCommandInvocations>(
        &mut client,
        &ListCommandInvocationsInput {
            command_id: Some(id.clone()),
            details: Some(true),
            ..Default::default()
        },
    )
    .expect("ListCommandInvocations")
    .command_invocations
    .expect("CommandInvocations");
    let mut instances: Vec<_> = listed
        .iter()
        .filter_map(|i| i.instance_id.clone())
        .collect();
    instances.sort();
    assert_eq!(instances, [WEB_1, WEB_2]);
    for inv in &listed {
        assert_eq!(inv.status, Some(CommandInvocationStatus::Success));
        let plugin = &inv.command_plugins.as_ref().expect("CommandPlugins")[0];
        assert_eq!(plugin.output.as_deref(), Some("hi\n"));
        assert_eq!(plugin.status, Some(CommandPluginStatus::Success));
    }

    let command = command_status(&mut client, &id);
    assert_eq!(command.status, Some(CommandStatus::Success));
    assert_eq!(command.completed_count, Some(2));
    assert_eq!(command.error_count, Some(0));
}

#[test]
fn a_failing_command_ends_failed_with_its_exit_code() {
    let ssm = LocalSsm::start(STEP_MS);
    let mut client = client(&ssm, &ssm.secret_access_key);
    let command = send_command(
        &mut client,
        &shell(SendTargets::Ids(&[WEB_1]), &["echo before", "exit 3"]),
    );
    let id = command.command_id.expect("CommandId");
    let got = wait_for(&mut client, &id, WEB_1, &mut Vec::new(), is_final);
    assert_eq!(got.status, Some(CommandInvocationStatus::Failed));
    assert_eq!(got.response_code, Some(3));
    assert_eq!(got.standard_output_content.as_deref(), Some("before\n"));
    let command = command_status(&mut client, &id);
    assert_eq!(command.status, Some(CommandStatus::Failed));
    assert_eq!(command.error_count, Some(1));
}

#[test]
fn cancel_command_makes_an_in_progress_command_cancelled() {
    let ssm = LocalSsm::start(STEP_MS);
    let mut client = client(&ssm, &ssm.secret_access_key);
    // `sleep 600` is simulated: 600 steps, never executed.
    let command = send_command(
        &mut client,
        &shell(SendTargets::Ids(&[WEB_1]), &["sleep 600"]),
    );
    let id = command.command_id.expect("CommandId");
    wait_for(&mut client, &id, WEB_1, &mut Vec::new(), |s| {
        *s == CommandInvocationStatus::InProgress
    });
    call::<CancelCommand>(
        &mut client,
        &CancelCommandInput {
            command_id: Some(id.clone()),
            instance_ids: None,
        },
    )
    .expect("CancelCommand");
    let got = wait_for(&mut client, &id, WEB_1, &mut Vec::new(), is_final);
    assert_eq!(got.status, Some(CommandInvocationStatus::Cancelled));
    assert_eq!(
        command_status(&mut client, &id).status,
        Some(CommandStatus::Cancelled)
    );
}

#[test]
fn describe_instance_information_lists_the_fleet() {
    let ssm = LocalSsm::start(STEP_MS);
    let mut client = client(&ssm, &ssm.secret_access_key);
    let describe = |client: &mut Client, filters: Option<Vec<InstanceInformationStringFilter>>| {
        let mut list = call::<DescribeInstanceInformation>(
            client,
            &DescribeInstanceInformationInput {
                filters,
                ..Default::default()
            },
        )
        .expect("DescribeInstanceInformation")
        .instance_information_list
        .expect("InstanceInformationList");
        list.sort_by(|a, b| a.instance_id.cmp(&b.instance_id));
        list
    };
    let fleet = describe(&mut client, None);
    assert_eq!(fleet.len(), 6);
    let lost = fleet
        .iter()
        .find(|i| i.instance_id.as_deref() == Some(LOST))
        .expect("the managed instance");
    assert_eq!(lost.ping_status, Some(PingStatus::ConnectionLost));
    assert_eq!(lost.resource_type, Some(ResourceType::ManagedInstance));
    let web = fleet
        .iter()
        .find(|i| i.instance_id.as_deref() == Some(WEB_1))
        .expect("web-1");
    assert_eq!(web.ping_status, Some(PingStatus::Online));
    assert_eq!(web.platform_type, Some(PlatformType::Linux));
    assert_eq!(web.computer_name.as_deref(), Some("web-1.staging.internal"));
    assert!(web.agent_version.is_some() && web.last_ping_date_time.is_some());

    let filter = |key: &str, value: &str| {
        Some(vec![InstanceInformationStringFilter {
            key: Some(key.into()),
            values: Some(vec![value.into()]),
        }])
    };
    let prod: Vec<_> = describe(&mut client, filter("tag:env", "prod"))
        .into_iter()
        .filter_map(|i| i.instance_id)
        .collect();
    assert_eq!(
        prod,
        ["i-0a1b2c3d4e5f60718", "i-0b2c3d4e5f6071829", LOST],
        "env=prod"
    );
    assert_eq!(
        describe(&mut client, filter("PingStatus", "ConnectionLost")).len(),
        2
    );
    assert_eq!(
        describe(&mut client, filter("PlatformTypes", "Windows")).len(),
        1
    );
}

#[test]
fn documents_have_their_parameters() {
    let ssm = LocalSsm::start(STEP_MS);
    let mut client = client(&ssm, &ssm.secret_access_key);
    let doc = call::<DescribeDocument>(
        &mut client,
        &DescribeDocumentInput {
            name: Some("AWS-RunShellScript".into()),
            ..Default::default()
        },
    )
    .expect("DescribeDocument")
    .document
    .expect("Document");
    assert_eq!(doc.owner.as_deref(), Some("Amazon"));
    let params = doc.parameters.expect("Parameters");
    let by_name = |n: &str| {
        params
            .iter()
            .find(|p| p.name.as_deref() == Some(n))
            .unwrap_or_else(|| panic!("parameter {n}"))
    };
    assert_eq!(
        by_name("commands").r#type,
        Some(DocumentParameterType::StringList)
    );
    assert_eq!(
        by_name("workingDirectory").r#type,
        Some(DocumentParameterType::String)
    );
    assert_eq!(
        by_name("executionTimeout").default_value.as_deref(),
        Some("3600")
    );

    let mine = call::<ListDocuments>(
        &mut client,
        &ListDocumentsInput {
            filters: Some(vec![DocumentKeyValuesFilter {
                key: Some("Owner".into()),
                values: Some(vec!["Self".into()]),
            }]),
            ..Default::default()
        },
    )
    .expect("ListDocuments")
    .document_identifiers
    .expect("DocumentIdentifiers");
    let names: Vec<_> = mine.iter().filter_map(|d| d.name.as_deref()).collect();
    assert_eq!(names, ["Ops-RestartService"]);
}

#[test]
fn get_document_gives_the_content_and_its_parameter_rules() {
    let ssm = LocalSsm::start(STEP_MS);
    let mut client = client(&ssm, &ssm.secret_access_key);
    let get = |client: &mut Client, name: &str, format: Option<DocumentFormat>| {
        call::<GetDocument>(
            client,
            &GetDocumentInput {
                name: Some(name.into()),
                document_format: format,
                ..Default::default()
            },
        )
    };
    let doc = get(
        &mut client,
        "Ops-RestartService",
        Some(DocumentFormat::Json),
    )
    .expect("GetDocument");
    assert_eq!(doc.document_format, Some(DocumentFormat::Json));
    let content: serde_json::Value =
        serde_json::from_str(doc.content.as_deref().expect("Content")).unwrap();
    assert_eq!(content["schemaVersion"], "2.2");
    assert_eq!(
        content["parameters"]["service"]["allowedValues"],
        serde_json::json!(["nginx", "redis", "worker", "sshd", "cron", "api"])
    );
    // DescribeDocument's Hash is the SHA-256 of that content.
    let described = call::<DescribeDocument>(
        &mut client,
        &DescribeDocumentInput {
            name: Some("Ops-RestartService".into()),
            ..Default::default()
        },
    )
    .expect("DescribeDocument")
    .document
    .expect("Document");
    assert_eq!(
        described.hash.as_deref(),
        Some(payload_hash(doc.content.as_deref().unwrap().as_bytes()).as_str())
    );
    let yaml = get(
        &mut client,
        "AWS-RunShellScript",
        Some(DocumentFormat::Yaml),
    )
    .expect("GetDocument YAML");
    assert!(
        yaml.content.as_deref().unwrap().contains("allowedPattern:"),
        "{:?}",
        yaml.content
    );
    expect(
        get(&mut client, "Ops-DoesNotExist", None),
        ErrorCode::InvalidDocument,
    );
}

#[test]
fn managed_nodes_have_their_tags() {
    let ssm = LocalSsm::start(STEP_MS);
    let mut client = client(&ssm, &ssm.secret_access_key);
    let tags = |client: &mut Client, kind: ResourceTypeForTagging, id: &str| {
        call::<ListTagsForResource>(
            client,
            &ListTagsForResourceInput {
                resource_type: Some(kind),
                resource_id: Some(id.into()),
            },
        )
    };
    let list = tags(&mut client, ResourceTypeForTagging::ManagedInstance, LOST)
        .expect("ListTagsForResource")
        .tag_list
        .expect("TagList");
    let pairs: Vec<_> = list
        .iter()
        .map(|t| (t.key.as_deref().unwrap(), t.value.as_deref().unwrap()))
        .collect();
    assert_eq!(pairs, [("env", "prod"), ("service", "db")]);
    // EC2 instances' tags are EC2's, not SSM's.
    expect(
        tags(&mut client, ResourceTypeForTagging::ManagedInstance, WEB_1),
        ErrorCode::InvalidResourceId,
    );
}

#[test]
fn errors_decode_to_their_codes() {
    let ssm = LocalSsm::start(STEP_MS);
    let mut client = client(&ssm, &ssm.secret_access_key);
    let unknown = shell(SendTargets::Ids(&["i-00000000000000000"]), &["uptime"]);
    expect(
        call::<SendCommand>(&mut client, &unknown),
        ErrorCode::InvalidInstanceId,
    );
    let offline = shell(SendTargets::Ids(&[LOST]), &["uptime"]);
    expect(
        call::<SendCommand>(&mut client, &offline),
        ErrorCode::InvalidInstanceId,
    );
    let mut no_doc = shell(SendTargets::Ids(&[WEB_1]), &["uptime"]);
    no_doc.document_name = Some("Ops-DoesNotExist".into());
    expect(
        call::<SendCommand>(&mut client, &no_doc),
        ErrorCode::InvalidDocument,
    );
    expect(
        call::<DescribeDocument>(
            &mut client,
            &DescribeDocumentInput {
                name: Some("Ops-DoesNotExist".into()),
                ..Default::default()
            },
        ),
        ErrorCode::InvalidDocument,
    );

    let restart = |params: &[(&str, &str)]| SendCommandInput {
        document_name: Some("Ops-RestartService".into()),
        instance_ids: Some(vec![WEB_1.into()]),
        parameters: Some(Sensitive(
            params
                .iter()
                .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
                .collect(),
        )),
        ..Default::default()
    };
    let ok = call::<SendCommand>(&mut client, &restart(&[("service", "nginx")]));
    assert!(ok.is_ok(), "{ok:?}");
    for bad in [
        restart(&[("service", "postgres")]), // not an allowed value
        restart(&[]),                        // missing the required parameter
        restart(&[("service", "nginx"), ("force", "1")]), // unknown parameter
    ] {
        expect(
            call::<SendCommand>(&mut client, &bad),
            ErrorCode::InvalidParameters,
        );
    }

    let nobody = "00000000-0000-4000-8000-000000000000".to_string();
    expect(
        call::<CancelCommand>(
            &mut client,
            &CancelCommandInput {
                command_id: Some(nobody.clone()),
                instance_ids: None,
            },
        ),
        ErrorCode::InvalidCommandId,
    );
    expect(
        call::<ListCommands>(
            &mut client,
            &ListCommandsInput {
                command_id: Some(nobody.clone()),
                ..Default::default()
            },
        ),
        ErrorCode::InvalidCommandId,
    );
    expect(
        call::<GetCommandInvocation>(
            &mut client,
            &GetCommandInvocationInput {
                command_id: Some(nobody),
                instance_id: Some(WEB_1.into()),
                plugin_name: None,
            },
        ),
        ErrorCode::InvocationDoesNotExist,
    );
    expect(
        call::<ListDocuments>(
            &mut client,
            &ListDocumentsInput {
                next_token: Some("not-a-token".into()),
                ..Default::default()
            },
        ),
        ErrorCode::InvalidNextToken,
    );

    // Malformed input the core would refuse: built and signed by hand.
    let request = build_raw(
        &ssm.endpoint,
        OperationName::DescribeDocument,
        b"{}".to_vec(),
    );
    let e = ssm_edge_core::decode::decode_error(&signed_send(&ssm, request));
    assert_eq!(e.code, ErrorCode::ValidationException, "{e}");
    assert_eq!(e.status, 400);

    // An operation the service does not have: signed by hand with another target.
    let mut request = build_raw(&ssm.endpoint, OperationName::ListDocuments, b"{}".to_vec());
    for (name, value) in &mut request.headers {
        if name.eq_ignore_ascii_case("X-Amz-Target") {
            *value = "AmazonSSM.RunEverything".into();
        }
    }
    let e = ssm_edge_core::decode::decode_error(&signed_send(&ssm, request));
    assert_eq!(e.code, ErrorCode::UnknownOperationException, "{e}");
    assert_eq!(e.status, 400);
}

/// Asserts that `result` is the AWS-shaped refusal `code`.
fn expect<T: std::fmt::Debug>(result: Result<T, Error>, code: ErrorCode) {
    let e = service_error(result);
    assert_eq!(e.code, code, "{e}");
    assert_eq!(e.status, 400, "{e}");
    assert!(e.request_id.is_some() && e.server_time.is_some(), "{e:?}");
    assert!(!e.message.is_empty() && !e.is_retryable(), "{e:?}");
}

fn signed_send(ssm: &LocalSsm, mut request: HttpRequest) -> ssm_edge_core::decode::HttpResponse {
    let credentials = Credentials::new(
        ssm.access_key_id.clone(),
        ssm.secret_access_key.clone(),
        None,
    );
    let params = SigningParams::new(&credentials, &ssm.region, "ssm", now());
    let _ = sign(&mut request, &params, None).unwrap();
    send(&request).expect("local-ssm answers")
}

#[test]
fn bad_credentials_are_refused_by_botocore_s_signature_check() {
    let ssm = LocalSsm::start(STEP_MS);
    let mut wrong = client(&ssm, "definitely-not-the-secret");
    let e = service_error(call::<ListCommands>(
        &mut wrong,
        &ListCommandsInput::default(),
    ));
    assert_eq!(e.code, ErrorCode::InvalidSignatureException, "{e}");
    assert!(e.is_auth());
    assert!(!format!("{e} {wrong:?}").contains("definitely-not-the-secret"));

    let endpoint =
        Endpoints::resolve(&EndpointConfig::new(&ssm.region).with_endpoint_url(&ssm.endpoint))
            .unwrap();
    let mut stranger = Client::new(
        endpoint,
        Credentials::new("AKIANOTAREALKEY00000", "x", None),
    );
    let e = service_error(call::<ListCommands>(
        &mut stranger,
        &ListCommandsInput::default(),
    ));
    assert_eq!(e.code, ErrorCode::UnrecognizedClientException, "{e}");
}

#[test]
fn a_skewed_clock_is_refused_then_corrected_from_the_date_header() {
    let ssm = LocalSsm::start(STEP_MS);
    let mut client = client(&ssm, &ssm.secret_access_key);
    let skewed = || now() - 3600;
    let mut call = client
        .start::<ListDocuments>(&ListDocumentsInput::default())
        .unwrap();
    let mut refusals = 0;
    let output = loop {
        let request = client.request(&mut call, skewed()).unwrap();
        let response = send(&request).expect("local-ssm answers");
        match client.response::<ListDocuments>(&mut call, &response, skewed(), jitter()) {
            Outcome::Done(output) => break output,
            Outcome::Retry { delay_ms } => {
                refusals += 1;
                std::thread::sleep(Duration::from_millis(delay_ms));
            }
            Outcome::Failed(e) => panic!("{e}"),
        }
    };
    assert_eq!(refusals, 1);
    assert!((client.clock_offset_secs() - 3600).abs() <= 5);
    assert_eq!(output.document_identifiers.map(|d| d.len()), Some(4));
}

#[test]
fn list_calls_paginate() {
    let ssm = LocalSsm::start(STEP_MS);
    let mut client = client(&ssm, &ssm.secret_access_key);

    let mut names = Vec::new();
    let mut token = None;
    loop {
        let page = call::<ListDocuments>(
            &mut client,
            &ListDocumentsInput {
                max_results: Some(1),
                next_token: token.take(),
                ..Default::default()
            },
        )
        .expect("ListDocuments");
        let docs = page.document_identifiers.expect("DocumentIdentifiers");
        assert_eq!(docs.len(), 1);
        names.extend(docs.into_iter().filter_map(|d| d.name));
        match page.next_token {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    assert_eq!(
        names,
        [
            "AWS-RunShellScript",
            "AWS-RunPowerShellScript",
            "AWS-UpdateSSMAgent",
            "Ops-RestartService"
        ]
    );

    let first = call::<DescribeInstanceInformation>(
        &mut client,
        &DescribeInstanceInformationInput {
            max_results: Some(5),
            ..Default::default()
        },
    )
    .expect("DescribeInstanceInformation");
    assert_eq!(first.instance_information_list.map(|l| l.len()), Some(5));
    let rest = call::<DescribeInstanceInformation>(
        &mut client,
        &DescribeInstanceInformationInput {
            max_results: Some(5),
            next_token: first.next_token,
            ..Default::default()
        },
    )
    .expect("DescribeInstanceInformation");
    assert_eq!(rest.instance_information_list.map(|l| l.len()), Some(1));
    assert_eq!(rest.next_token, None);

    for _ in 0..3 {
        send_command(
            &mut client,
            &shell(SendTargets::Tag("service", "web"), &["uptime"]),
        );
    }
    let page = |client: &mut Client, token: Option<String>| {
        call::<ListCommandInvocations>(
            client,
            &ListCommandInvocationsInput {
                max_results: Some(4),
                next_token: token,
                ..Default::default()
            },
        )
        .expect("ListCommandInvocations")
    };
    let first = page(&mut client, None);
    assert_eq!(first.command_invocations.map(|l| l.len()), Some(4));
    let second = page(&mut client, first.next_token);
    assert_eq!(second.command_invocations.map(|l| l.len()), Some(2));
    assert_eq!(second.next_token, None);

    let commands = call::<ListCommands>(
        &mut client,
        &ListCommandsInput {
            max_results: Some(2),
            ..Default::default()
        },
    )
    .expect("ListCommands");
    assert_eq!(commands.commands.map(|l| l.len()), Some(2));
    assert!(commands.next_token.is_some());
}

#[test]
fn cors_preflights_and_exposed_headers() {
    let ssm = LocalSsm::start(STEP_MS);
    let preflight = HttpRequest {
        method: "OPTIONS".into(),
        url: format!("{}/", ssm.endpoint),
        headers: vec![
            ("Origin".into(), "http://localhost:5173".into()),
            ("Access-Control-Request-Method".into(), "POST".into()),
            (
                "Access-Control-Request-Headers".into(),
                "authorization,content-type,x-amz-date,x-amz-target".into(),
            ),
        ],
        body: Vec::new(),
    };
    let response = send(&preflight).expect("preflight");
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("Access-Control-Allow-Origin"),
        Some("http://localhost:5173")
    );
    assert!(response
        .header("Access-Control-Allow-Methods")
        .is_some_and(|m| m.contains("POST")));
    assert_eq!(
        response.header("Access-Control-Allow-Headers"),
        Some("authorization,content-type,x-amz-date,x-amz-target")
    );

    let mut request = build_raw(&ssm.endpoint, OperationName::ListDocuments, b"{}".to_vec());
    request
        .headers
        .push(("Origin".into(), "http://localhost:5173".into()));
    let response = signed_send(&ssm, request);
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("Access-Control-Allow-Origin"),
        Some("http://localhost:5173")
    );
    assert_eq!(
        response.header("Access-Control-Expose-Headers"),
        Some("x-amzn-RequestId, Date")
    );
    assert!(response.request_id().is_some() && response.header("Date").is_some());
}

/// CloudWatch Logs beside the emulator, read by boto3 (botocore signs for `logs`, the
/// emulator checks it with botocore): lines while the command is InProgress, a
/// 100,000-character output whole and in order, the agent's default group, the service's
/// errors (`tests/python/local_ssm_logs.py`).
#[test]
fn command_output_streams_to_cloudwatch_logs_as_boto3_reads_it() {
    ssm_edge_tests::python_output("local_ssm_logs.py", &["-v"]);
}

//! `make demo`: a real `SendCommand`, validated, built and signed by `ssm-edge-core`,
//! sent to a local SSM (moto's server, signature checking on), then
//! `GetCommandInvocation` polled until the command finishes, and `ListCommands`.
//!
//! Point it elsewhere with `SSM_EDGE_ENDPOINT`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`) plus `SSM_EDGE_INSTANCE_ID`;
//! this small native transport speaks plain HTTP only.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use ssm_edge_core::client::Client;
use ssm_edge_core::endpoint::{EndpointConfig, Endpoints};
use ssm_edge_core::model::{
    CommandInvocationStatus, GetCommandInvocation, GetCommandInvocationInput, ListCommands,
    ListCommandsInput, SendCommand, SendCommandInput, Sensitive,
};
use ssm_edge_core::sign::Credentials;
use ssm_edge_tests::transport::{call, Error};
use ssm_edge_tests::MotoSsm;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    // Keep moto alive for the whole demo; dropping it stops the server.
    let (moto, endpoint_url, region, credentials) = match env("SSM_EDGE_ENDPOINT") {
        Some(url) => {
            let creds = Credentials::new(
                env("AWS_ACCESS_KEY_ID").ok_or("AWS_ACCESS_KEY_ID is not set")?,
                env("AWS_SECRET_ACCESS_KEY").ok_or("AWS_SECRET_ACCESS_KEY is not set")?,
                env("AWS_SESSION_TOKEN"),
            );
            (
                None,
                url,
                env("AWS_REGION").unwrap_or_else(|| "us-east-1".into()),
                creds,
            )
        }
        None => {
            println!("starting a local SSM (moto's server, signature checking on) …");
            let moto = MotoSsm::start();
            let creds = Credentials::new(
                moto.access_key_id.clone(),
                moto.secret_access_key.clone(),
                None,
            );
            let (url, region) = (moto.endpoint.clone(), moto.region.clone());
            (Some(moto), url, region, creds)
        }
    };
    let instance_id = env("SSM_EDGE_INSTANCE_ID").unwrap_or_else(|| "i-0123456789abcdef0".into());
    let endpoint =
        Endpoints::resolve(&EndpointConfig::new(region).with_endpoint_url(endpoint_url))?;
    println!(
        "SSM endpoint: {} (signing region {})",
        endpoint.ssm.url, endpoint.ssm.signing_region
    );
    let mut client = Client::new(endpoint, credentials);

    // Bad input never leaves the machine: every problem, with its field path.
    let bad = SendCommandInput {
        document_name: Some("AWS-RunShellScript".into()),
        instance_ids: Some(vec!["i-123".into()]),
        timeout_seconds: Some(5),
        max_concurrency: Some("0".into()),
        ..Default::default()
    };
    if let Err(Error::Build(e)) = call::<SendCommand>(&mut client, &bad) {
        println!("\nrefused before sending: {e}");
    }

    let input = SendCommandInput {
        document_name: Some("AWS-RunShellScript".into()),
        instance_ids: Some(vec![instance_id.clone()]),
        comment: Some("ssm-edge demo".into()),
        timeout_seconds: Some(600),
        parameters: Some(Sensitive(BTreeMap::from([(
            "commands".to_string(),
            vec!["echo hello from ssm-edge".to_string()],
        )]))),
        ..Default::default()
    };
    let sent = call::<SendCommand>(&mut client, &input)?;
    let command = sent
        .command
        .ok_or("SendCommand answered without a Command")?;
    let command_id = command
        .command_id
        .ok_or("SendCommand answered without a CommandId")?;
    println!(
        "\nSendCommand → CommandId {command_id}, status {}",
        command.status.as_ref().map_or("?", |s| s.as_str())
    );

    let started = Instant::now();
    let invocation = loop {
        let got = call::<GetCommandInvocation>(
            &mut client,
            &GetCommandInvocationInput {
                command_id: Some(command_id.clone()),
                instance_id: Some(instance_id.clone()),
                plugin_name: None,
            },
        );
        match got {
            Ok(out) if is_final(out.status.as_ref()) => break out,
            Ok(out) => println!("  … {}", out.status.as_ref().map_or("?", |s| s.as_str())),
            // The invocation may not exist for a moment after SendCommand.
            Err(Error::Call(e)) if e.to_string().starts_with("InvocationDoesNotExist") => {}
            Err(e) => return Err(e.into()),
        }
        if started.elapsed() > Duration::from_secs(120) {
            return Err("the command did not finish within 2 minutes".into());
        }
        std::thread::sleep(Duration::from_secs(1));
    };
    println!(
        "GetCommandInvocation → {} on {}: status {}, response code {}, plugin {}",
        invocation.document_name.as_deref().unwrap_or("?"),
        invocation.instance_id.as_deref().unwrap_or("?"),
        invocation.status.as_ref().map_or("?", |s| s.as_str()),
        invocation
            .response_code
            .map_or("?".into(), |c| c.to_string()),
        invocation.plugin_name.as_deref().unwrap_or("?"),
    );
    println!(
        "  stdout: {:?}",
        invocation.standard_output_content.as_deref().unwrap_or("")
    );

    let listed = call::<ListCommands>(
        &mut client,
        &ListCommandsInput {
            command_id: Some(command_id.clone()),
            ..Default::default()
        },
    )?;
    for c in listed.commands.unwrap_or_default() {
        println!(
            "ListCommands → {} {} targets {} completed {} errors {}",
            c.command_id.as_deref().unwrap_or("?"),
            c.status.as_ref().map_or("?", |s| s.as_str()),
            c.target_count.unwrap_or(0),
            c.completed_count.unwrap_or(0),
            c.error_count.unwrap_or(0),
        );
    }
    if moto.is_some() {
        println!("\nstopping the local SSM. (It is moto: every command 'succeeds' at once with empty output.)");
    }
    drop(moto);
    Ok(())
}

fn is_final(status: Option<&CommandInvocationStatus>) -> bool {
    use CommandInvocationStatus as S;
    matches!(
        status,
        Some(S::Success | S::Cancelled | S::TimedOut | S::Failed)
    )
}

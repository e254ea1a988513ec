//! STS `AssumeRole` end to end against moto's server (signature checking on): the core
//! builds and signs the query-protocol request, moto answers in XML, the core decodes
//! the role's credentials, and an SSM call signed with them and their session token is
//! accepted by moto (which checks the signature and the role's policy).
//!
//! moto serves every service on one port: the STS endpoint override is moto's URL.
//! moto is not AWS: it does not check that a role exists before handing out its
//! credentials (`role_that_does_not_exist`), nor the session name's rules (the core
//! refuses a bad one before anything is sent). AWS's own error answers are decoded in
//! `core/src/sts/tests/response.rs`.

use ssm_edge_core::client::Client;
use ssm_edge_core::decode::Fault;
use ssm_edge_core::endpoint::{EndpointConfig, Endpoints};
use ssm_edge_core::model::*;
use ssm_edge_core::sign::Credentials;
use ssm_edge_core::sts::{
    decode_assume_role, sts_endpoint, AssumeRole, RoleArn, RoleCredentials, StsError,
    StsInputError, TextProblem,
};
use ssm_edge_tests::transport::{call, now, send};
use ssm_edge_tests::MotoSsm;

const SESSION: &str = "ssm-edge-gateway";

fn user(moto: &MotoSsm) -> Credentials {
    Credentials::new(
        moto.access_key_id.clone(),
        moto.secret_access_key.clone(),
        None,
    )
}

fn role(moto: &MotoSsm) -> RoleArn {
    RoleArn::parse(
        moto.role_arn
            .as_deref()
            .expect("moto_ssm.py prints role_arn"),
    )
    .unwrap()
}

/// Sends `assume` to moto's STS signed with `credentials` and decodes the answer.
fn assume(
    moto: &MotoSsm,
    assume: &AssumeRole,
    credentials: &Credentials,
) -> Result<RoleCredentials, StsError> {
    let endpoint = sts_endpoint(&moto.region, Some(&moto.endpoint)).unwrap();
    let request = assume.request(&endpoint, credentials, now()).unwrap();
    let response = send(&request).expect("moto answers");
    decode_assume_role(&response)
}

fn ssm_client(moto: &MotoSsm, credentials: Credentials) -> Client {
    let endpoint =
        Endpoints::resolve(&EndpointConfig::new(&moto.region).with_endpoint_url(&moto.endpoint))
            .unwrap();
    Client::new(endpoint, credentials)
}

fn service_error(e: &StsError) -> (u16, &str, &str, Fault) {
    match e {
        StsError::Service {
            status,
            code,
            message,
            fault,
            ..
        } => (*status, code.as_str(), message.as_str(), *fault),
        other => panic!("not a service error: {other:?}"),
    }
}

#[test]
fn assumed_credentials_sign_an_ssm_call_moto_accepts() {
    let moto = MotoSsm::start();
    let role_arn = role(&moto);
    assert_eq!(role_arn.account_id(), "123456789012");
    assert_eq!(role_arn.name(), "ssm-edge-ops");
    let before = now();
    let assumed = assume(
        &moto,
        &AssumeRole::new(role_arn, SESSION).with_duration_secs(900),
        &user(&moto),
    )
    .expect("AssumeRole");
    assert!(assumed.credentials.access_key_id.starts_with("ASIA"));
    assert!(assumed
        .credentials
        .session_token
        .as_deref()
        .is_some_and(|t| t.len() > 100));
    assert_ne!(assumed.credentials.access_key_id, moto.access_key_id);
    assert_eq!(
        assumed.assumed_role_arn,
        "arn:aws:sts::123456789012:assumed-role/ssm-edge-ops/ssm-edge-gateway"
    );
    // moto honours DurationSeconds (its clock is ours).
    assert!(
        (before + 900 - 5..=now() + 900 + 5).contains(&assumed.expires_at),
        "expires at {} (now {before})",
        assumed.expires_at
    );
    let shown = format!("{assumed:?}");
    assert!(!shown.contains(&assumed.credentials.secret_access_key));

    // SSM with the role's credentials and session token: moto checks the signature, the
    // token and the role's policy (ssm:*).
    let mut client = ssm_client(&moto, assumed.credentials.clone());
    let sent = call::<SendCommand>(
        &mut client,
        &SendCommandInput {
            document_name: Some("AWS-RunShellScript".into()),
            instance_ids: Some(vec!["i-0123456789abcdef0".into()]),
            comment: Some("as the assumed role".into()),
            ..Default::default()
        },
    )
    .expect("SendCommand with the assumed role");
    let id = sent.command.and_then(|c| c.command_id).expect("CommandId");
    let listed = call::<ListCommands>(
        &mut client,
        &ListCommandsInput {
            command_id: Some(id.clone()),
            ..Default::default()
        },
    )
    .expect("ListCommands with the assumed role");
    assert_eq!(
        listed.commands.expect("Commands")[0].command_id.as_deref(),
        Some(id.as_str())
    );

    // The credentials are the role's, not the user's: the role may not call STS, so
    // assuming a role with them is refused, and the refusal decodes as such.
    let refused = assume(
        &moto,
        &AssumeRole::new(role(&moto), "chained"),
        &assumed.credentials,
    )
    .unwrap_err();
    let (status, code, message, fault) = service_error(&refused);
    assert_eq!((status, code, fault), (403, "AccessDenied", Fault::Client));
    assert!(refused.is_access_denied() && !refused.is_retryable());
    assert!(
        message.contains("assumed-role/ssm-edge-ops/ssm-edge-gateway")
            && message.contains("sts:AssumeRole"),
        "{message}"
    );
}

#[test]
fn refusals_decode_to_clear_errors() {
    let moto = MotoSsm::start();
    // A wrong secret: moto recomputes the signature and refuses it.
    let wrong = Credentials::new(moto.access_key_id.clone(), "not-the-secret", None);
    let e = assume(&moto, &AssumeRole::new(role(&moto), SESSION), &wrong).unwrap_err();
    let (status, code, _, _) = service_error(&e);
    assert_eq!((status, code), (403, "SignatureDoesNotMatch"));
    assert!(e.is_signature_mismatch() && !e.is_access_denied());
    assert!(
        e.to_string().contains("SignatureDoesNotMatch (HTTP 403)"),
        "{e}"
    );

    // A session token that is not the one issued.
    let assumed = assume(&moto, &AssumeRole::new(role(&moto), SESSION), &user(&moto)).unwrap();
    let mut forged = assumed.credentials.clone();
    forged.session_token = Some("Zm9yZ2VkLXRva2Vu".into());
    let e = assume(&moto, &AssumeRole::new(role(&moto), "again"), &forged).unwrap_err();
    let (status, code, _, _) = service_error(&e);
    assert_eq!((status, code), (403, "InvalidClientTokenId"), "{e}");
    assert!(e.is_invalid_client_token());

    // A session name STS would refuse is refused before anything is sent.
    let endpoint = sts_endpoint(&moto.region, Some(&moto.endpoint)).unwrap();
    let bad = AssumeRole::new(role(&moto), "gateway session");
    let e = bad.request(&endpoint, &user(&moto), now()).unwrap_err();
    assert_eq!(
        e,
        ssm_edge_core::sts::StsRequestError::Invalid(StsInputError::RoleSessionName(
            TextProblem::Character { index: 7 }
        ))
    );
    assert!(e.to_string().contains("RoleSessionName"), "{e}");
}

#[test]
fn role_that_does_not_exist() {
    let moto = MotoSsm::start();
    // AWS answers AccessDenied (decoded in the core's unit tests); moto hands out
    // credentials for any ARN ("the role does not need to exist", moto's STS backend).
    // Asserted so that a moto that starts checking shows up here.
    let missing = RoleArn::parse("arn:aws:iam::123456789012:role/not-there").unwrap();
    let assumed = assume(&moto, &AssumeRole::new(missing, SESSION), &user(&moto))
        .expect("moto does not check that the role exists");
    assert_eq!(
        assumed.assumed_role_arn,
        "arn:aws:sts::123456789012:assumed-role/not-there/ssm-edge-gateway"
    );
}

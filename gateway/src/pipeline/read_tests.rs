//! GetDocument, ListTagsForResource and CancelCommand through the whole pipeline: what
//! is forwarded is what the policy decided on, and the audit line records it.

use serde_json::{json, Value};
use ssm_edge_core::model::OperationName;

use crate::testing::*;

fn sent_body(host: &MemoryHost) -> Value {
    serde_json::from_slice(&host.last_sent().body).expect("a JSON body upstream")
}

#[test]
fn get_document_forwards_and_audits_what_was_decided() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    host.script([upstream(
        200,
        r#"{"Name":"Ops-RestartService","Content":"{}","DocumentFormat":"YAML"}"#,
        "up-1",
    )]);
    let body = json!({
        "Name": "Ops-RestartService",
        "VersionName": "v2",
        "DocumentVersion": "3",
        "DocumentFormat": "YAML",
    });
    let out = handle(
        &gateway,
        &host,
        signed(&host, &ALICE, OperationName::GetDocument, &body),
    );
    assert_eq!(out.status, 200, "{}", body_text(&out));
    assert_eq!(sent_body(&host), body);
    let audit = host.last_audit();
    assert_eq!(audit["operation"], "GetDocument");
    assert_eq!(audit["decision"], "allowed");
    assert_eq!(audit["document"], "Ops-RestartService");
    assert_eq!(audit["documentOwner"]["owner"], "self");
    assert_eq!(
        (
            &audit["versionName"],
            &audit["documentVersion"],
            &audit["documentFormat"]
        ),
        (&json!("v2"), &json!("3"), &json!("YAML"))
    );
    assert_eq!(audit["policyIds"], json!(["read-only-for-everyone"]));
}

#[test]
fn get_document_refusals_send_nothing() {
    let gateway = gateway(&[("UPSTREAM_ACCOUNT_ID", "123456789012")]);
    let host = MemoryHost::new();
    let foreign =
        json!({ "Name": "arn:aws:ssm:us-east-1:999999999999:document/Ops-RestartService" });
    let out = handle(
        &gateway,
        &host,
        signed(&host, &ROOT, OperationName::GetDocument, &foreign),
    );
    assert_eq!(error_of(&out).1, "AccessDeniedException");
    assert_eq!(host.last_audit()["documentOwner"]["owner"], "foreign");
    // A member named twice is one meaning short of a decision.
    let twice = br#"{"Name":"Ops-RestartService","Name":"arn:aws:ssm:us-east-1:999999999999:document/Ops-RestartService"}"#;
    let request =
        ssm_edge_core::request::build_raw(GATEWAY_URL, OperationName::GetDocument, twice.to_vec());
    let out = handle(
        &gateway,
        &host,
        sign_at(&host, &ALICE, request, host.now_secs()),
    );
    let (status, code, message) = error_of(&out);
    assert_eq!((status, code.as_str()), (400, "SerializationException"));
    assert!(message.contains("Name"), "{message}");
    // A format the service does not know.
    let out = handle(
        &gateway,
        &host,
        signed(
            &host,
            &ALICE,
            OperationName::GetDocument,
            &json!({ "Name": "Ops-RestartService", "DocumentFormat": "yaml" }),
        ),
    );
    let (_, code, message) = error_of(&out);
    assert_eq!(code, "ValidationException");
    assert!(message.contains("DocumentFormat"), "{message}");
    assert_eq!(host.sends(), 0);
}

#[test]
fn tags_are_listed_for_managed_nodes_only_and_audited() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let parameter = json!({ "ResourceType": "Parameter", "ResourceId": "/prod/db/password" });
    let out = handle(
        &gateway,
        &host,
        signed(&host, &ROOT, OperationName::ListTagsForResource, &parameter),
    );
    let (status, code, message) = error_of(&out);
    assert_eq!((status, code.as_str()), (400, "AccessDeniedException"));
    assert!(message.contains("managed nodes only"), "{message}");
    let audit = host.last_audit();
    assert_eq!(
        (
            &audit["decision"],
            &audit["resourceType"],
            &audit["resourceId"]
        ),
        (
            &json!("denied"),
            &json!("Parameter"),
            &json!("/prod/db/password")
        )
    );
    // The enum is the service's spelling, exactly.
    let lower = json!({ "ResourceType": "managedinstance", "ResourceId": "mi-0123456789abcdef0" });
    let out = handle(
        &gateway,
        &host,
        signed(&host, &ALICE, OperationName::ListTagsForResource, &lower),
    );
    let (_, code, message) = error_of(&out);
    assert_eq!(code, "ValidationException");
    assert!(message.contains("ResourceType"), "{message}");
    assert_eq!(host.sends(), 0);

    host.script([upstream(
        200,
        r#"{"TagList":[{"Key":"env","Value":"prod"}]}"#,
        "up-2",
    )]);
    let node = json!({ "ResourceType": "ManagedInstance", "ResourceId": "mi-0123456789abcdef0" });
    let out = handle(
        &gateway,
        &host,
        signed(&host, &ALICE, OperationName::ListTagsForResource, &node),
    );
    assert_eq!(out.status, 200, "{}", body_text(&out));
    assert_eq!(sent_body(&host), node);
    let audit = host.last_audit();
    assert_eq!(
        (
            &audit["decision"],
            &audit["resourceType"],
            &audit["resourceId"]
        ),
        (
            &json!("allowed"),
            &json!("ManagedInstance"),
            &json!("mi-0123456789abcdef0")
        )
    );
}

#[test]
fn cancel_command_audits_the_command_and_instances() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    host.script([upstream(200, "{}", "up-3")]);
    let body = json!({
        "CommandId": "0123abcd-0123-4567-89ab-0123456789ab",
        "InstanceIds": ["i-0123456789abcdef0"],
    });
    let out = handle(
        &gateway,
        &host,
        signed(&host, &ALICE, OperationName::CancelCommand, &body),
    );
    assert_eq!(out.status, 200, "{}", body_text(&out));
    let audit = host.last_audit();
    assert_eq!(audit["commandId"], "0123abcd-0123-4567-89ab-0123456789ab");
    assert_eq!(
        audit["targets"],
        json!({ "instanceIds": ["i-0123456789abcdef0"] })
    );
}

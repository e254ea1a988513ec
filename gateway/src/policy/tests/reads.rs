//! GetDocument and ListTagsForResource: every member the call forwards is in the Cedar
//! request, foreign documents need `UseForeignDocument`, and the shipped policies let
//! readers list managed nodes' tags only.

use super::*;

const MANAGED_NODE: &str = "mi-0123456789abcdef0";

fn tags_of(resource_type: &str, id: &str) -> ParsedCall {
    call(
        OperationName::ListTagsForResource,
        &json!({ "ResourceType": resource_type, "ResourceId": id }),
    )
}

#[test]
fn readers_get_documents_and_managed_nodes_tags() {
    let engine = shipped();
    let get = call(
        OperationName::GetDocument,
        &json!({ "Name": "Ops-RestartService", "DocumentFormat": "JSON" }),
    );
    for who in [bob(), alice(), root(), user("nobody", &["unknown-group"])] {
        assert_eq!(
            decide(&engine, &who, &get),
            allowed(&["read-only-for-everyone"], "GetDocument"),
            "{}",
            who.principal
        );
        assert_eq!(
            decide(&engine, &who, &tags_of("ManagedInstance", MANAGED_NODE)),
            allowed(&["read-only-for-everyone"], "ListTagsForResource"),
            "{}",
            who.principal
        );
    }
}

#[test]
fn tags_of_anything_but_managed_nodes_are_refused_with_the_reason() {
    let engine = shipped();
    for (resource_type, id) in [
        ("Parameter", "/prod/db/password"),
        ("Document", "Ops-RestartService"),
        ("MaintenanceWindow", "mw-0123456789abcdef0"),
        ("OpsItem", "oi-0123456789ab"),
        ("Automation", "0123abcd-0123-4567-89ab-0123456789ab"),
    ] {
        for who in [alice(), root()] {
            let decision = decide(&engine, &who, &tags_of(resource_type, id));
            assert_eq!(
                decision,
                denied(&["tags-of-managed-nodes-only"], "ListTagsForResource"),
                "{resource_type} by {}",
                who.principal
            );
            assert_eq!(
                decision.reasons,
                ["ListTagsForResource is allowed for managed nodes only: ResourceType ManagedInstance"]
            );
        }
    }
}

#[test]
fn a_foreign_document_is_not_read_without_use_foreign_document() {
    let engine = shipped();
    let foreign = "arn:aws:ssm:us-east-1:999999999999:document/Ops-RestartService";
    for who in [bob(), alice(), root()] {
        let decision = decide(
            &engine,
            &who,
            &call(OperationName::GetDocument, &json!({ "Name": foreign })),
        );
        assert_eq!(
            decision,
            denied(&[], "UseForeignDocument"),
            "{}",
            who.principal
        );
        assert_eq!(decision.resource, format!("document/{foreign}"));
    }
    // The upstream account's own ARN reads like the name.
    let own = "arn:aws:ssm:us-east-1:123456789012:document/Ops-RestartService";
    assert!(
        decide(
            &engine,
            &alice(),
            &call(OperationName::GetDocument, &json!({ "Name": own }))
        )
        .allowed
    );
}

/// A policy that permits exactly `fixture` for `action`: changing any one member to
/// another valid value must deny, so every member is seen.
fn assert_every_member_is_seen(
    operation: OperationName,
    policy: &str,
    fixture: &serde_json::Value,
    changed: &[(&str, serde_json::Value)],
) {
    use ssm_edge_core::validate::Shape;
    let engine = PolicyEngine::new([("exact.cedar", policy)]).unwrap();
    let action = operation.as_str();
    assert_eq!(
        decide(&engine, &bob(), &call(operation, fixture)),
        allowed(&["exactly-the-fixture"], action)
    );
    let Shape::Struct(members) = ssm_edge_core::validate::shapes::input(operation) else {
        panic!("{action}'s input is a structure");
    };
    for member in members.iter().map(|m| m.name) {
        let (_, other) = changed
            .iter()
            .find(|(name, _)| *name == member)
            .unwrap_or_else(|| panic!("{action}.{member} has no changed value in this test"));
        assert!(fixture.get(member).is_some(), "the fixture lacks {member}");
        let mut body = fixture.clone();
        body[member] = other.clone();
        assert!(
            !decide(&engine, &bob(), &call(operation, &body)).allowed,
            "{action}.{member} is not seen by the policy"
        );
    }
    assert_eq!(changed.len(), members.len());
}

#[test]
fn every_get_document_member_is_in_the_cedar_request() {
    assert_every_member_is_seen(
        OperationName::GetDocument,
        r#"@id("exactly-the-fixture")
        permit (principal, action == Action::"GetDocument", resource == Document::"Ops-RestartService")
        when {
            context has documentVersion && context.documentVersion == "3" &&
            context has versionName && context.versionName == "v3" &&
            context has documentFormat && context.documentFormat == "YAML"
        };"#,
        &json!({
            "Name": "Ops-RestartService",
            "DocumentVersion": "3",
            "VersionName": "v3",
            "DocumentFormat": "YAML",
        }),
        &[
            ("Name", json!("Ops-Other")),
            ("DocumentVersion", json!("4")),
            ("VersionName", json!("v4")),
            ("DocumentFormat", json!("JSON")),
        ],
    );
}

#[test]
fn every_list_tags_member_is_in_the_cedar_request() {
    assert_every_member_is_seen(
        OperationName::ListTagsForResource,
        r#"@id("exactly-the-fixture")
        permit (principal, action == Action::"ListTagsForResource", resource)
        when {
            context.resourceType == "ManagedInstance" &&
            context.resourceId == "mi-0123456789abcdef0"
        };"#,
        &json!({ "ResourceType": "ManagedInstance", "ResourceId": MANAGED_NODE }),
        &[
            ("ResourceType", json!("Document")),
            ("ResourceId", json!("mi-0fedcba9876543210")),
        ],
    );
}

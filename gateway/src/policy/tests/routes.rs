//! Region and account in the context, and documents classified against the call's own
//! account and region.

use super::*;

/// Lists in one account and region only; restarts anywhere but prod.
const ROUTED: &str = r#"
@id("staging-eu-reads")
permit (principal, action in Action::"ReadOnly", resource)
when { context.account == "staging" && context.region == "eu-west-1" };

@id("restarts-not-in-prod")
permit (principal in Group::"on-call", action == Action::"SendCommand", resource == Document::"Ops-RestartService")
when { context.account != "prod" && context.accountId != "" };
"#;

fn to(region: &str, account: &str, account_id: Option<&str>) -> Caller {
    Caller {
        route: Route {
            region: region.into(),
            account: account.into(),
            account_id: account_id.map(str::to_owned),
        },
        ..caller()
    }
}

#[test]
fn policies_allow_one_account_and_region_and_not_another() {
    let engine = PolicyEngine::new([("routed.cedar", ROUTED)]).unwrap();
    let list = call(OperationName::ListCommands, &json!({}));
    let staging_eu = to("eu-west-1", "staging", Some("222222222222"));
    assert_eq!(
        engine.decide(&bob(), &list, &staging_eu),
        allowed(&["staging-eu-reads"], "ListCommands")
    );
    for other in [
        to("us-east-1", "staging", Some("222222222222")),
        to("eu-west-1", "prod", Some("333333333333")),
        to("eu-west-1", "default", Some(ACCOUNT)),
    ] {
        assert_eq!(
            engine.decide(&bob(), &list, &other),
            denied(&[], "ListCommands"),
            "{other:?}"
        );
    }
    let restart = send(&restart());
    assert!(engine.decide(&alice(), &restart, &staging_eu).allowed);
    let prod = to("eu-west-1", "prod", Some("333333333333"));
    assert!(!engine.decide(&alice(), &restart, &prod).allowed);
    // accountId is "" when the account's id is not configured.
    let unknown = to("eu-west-1", "default", None);
    assert!(!engine.decide(&alice(), &restart, &unknown).allowed);
}

#[test]
fn a_document_arn_is_own_only_in_the_calls_account_and_region() {
    let engine = shipped();
    let in_staging = "arn:aws:ssm:eu-west-1:222222222222:document/Ops-RestartService";
    let body = with_document(restart(), in_staging);
    let staging_eu = to("eu-west-1", "staging", Some("222222222222"));
    let decision = engine.decide(&alice(), &send(&body), &staging_eu);
    assert_eq!(decision.document.as_ref().unwrap().owner, Owner::Upstream);
    assert!(decision.allowed, "{decision:?}");
    // The same ARN sent to another account, or another region, is foreign there.
    for elsewhere in [
        to("eu-west-1", "default", Some(ACCOUNT)),
        to("us-east-1", "staging", Some("222222222222")),
    ] {
        let decision = engine.decide(&alice(), &send(&body), &elsewhere);
        assert_eq!(
            decision.document.as_ref().unwrap().owner,
            Owner::Foreign,
            "{elsewhere:?}"
        );
        assert!(!decision.allowed, "{elsewhere:?}");
    }
}

#[test]
fn every_context_carries_the_route() {
    let engine = PolicyEngine::new([(
        "route.cedar",
        r#"@id("any") permit (principal, action, resource) when { context.region == "eu-west-1" && context.account == "staging" && context.accountId == "222222222222" };"#,
    )])
    .unwrap();
    let staging_eu = to("eu-west-1", "staging", Some("222222222222"));
    let calls = [
        call(OperationName::ListCommands, &json!({})),
        describe("Ops-RestartService"),
        call(
            OperationName::CancelCommand,
            &json!({ "CommandId": "2d1a0b5e-0000-4000-8000-000000000000" }),
        ),
        send(&restart()),
    ];
    for call in &calls {
        assert!(
            engine.decide(&bob(), call, &staging_eu).allowed,
            "{:?}",
            call.operation()
        );
        assert!(!engine.decide(&bob(), call, &caller()).allowed);
    }
}

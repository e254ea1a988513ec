//! A `SendCommand` body and a fuzz-chosen identity through the gateway's Cedar
//! authorization with the shipped policies: `CallFacts::of` and its entities, then
//! `PolicyEngine::decide`. Never panics; the decision is deterministic (decided twice,
//! and from fresh facts, the same); and an allowed call keeps the shipped policies'
//! promises, checked on the raw JSON body, independently of `CallFacts`:
//! - only `admins` and `on-call` may run anything;
//! - every command names a ticket (`Comment` starting `CHG-` or `INC-`);
//! - nothing unbounded runs (`*` in an instance id or target value, a target key other
//!   than `InstanceIds` and `tag:*`);
//! - no document ARN runs (the engine has no upstream scope: every ARN is foreign and
//!   needs `UseForeignDocument`, which no shipped policy permits);
//! - outside `admins`: only `Ops-RestartService`, never `AWS-RunShellScript`, only on
//!   `tag:env` = `staging` targets with no instance ids, only `service` in
//!   {nginx, redis, worker}, and no output destination (S3, CloudWatch), notification
//!   or service role.
//!
//! Input: `principal\ngroup,group,...\n[jwt] [unix-seconds] [source-ip]\n<body>`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use ssm_edge_core::model::OperationName;
use ssm_edge_gateway::call::parse;
use ssm_edge_gateway::identity::{AuthMethod, Identity};
use ssm_edge_gateway::policy::{CallFacts, Caller, EntityTypes, IpValues, PolicyEngine};

thread_local! {
    static TYPES: EntityTypes = EntityTypes::new();
    static ENGINE: PolicyEngine = PolicyEngine::shipped().expect("the shipped policies load");
}

/// 2026-11-26T07:38:13Z.
const NOW: u64 = 1_795_678_693;

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn check_promises(body: &Value, groups: &[String]) {
    let admin = groups.iter().any(|g| g == "admins");
    let on_call = groups.iter().any(|g| g == "on-call");
    assert!(
        admin || on_call,
        "allowed for a principal in neither admins nor on-call"
    );

    let comment = body["Comment"].as_str().unwrap_or_default();
    assert!(
        comment.starts_with("CHG-") || comment.starts_with("INC-"),
        "allowed without a ticket in the comment: {comment:?}"
    );

    let instance_ids = strings(&body["InstanceIds"]);
    let targets: Vec<(&str, Vec<&str>)> = body["Targets"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|t| (t["Key"].as_str().unwrap_or_default(), strings(&t["Values"])))
                .collect()
        })
        .unwrap_or_default();
    assert!(
        !instance_ids.iter().any(|i| i.contains('*')),
        "allowed a wildcard instance id"
    );
    for (key, values) in &targets {
        assert!(
            *key == "InstanceIds" || key.starts_with("tag:"),
            "allowed an unbounded target key {key:?}"
        );
        assert!(
            !values.iter().any(|v| v.contains('*')),
            "allowed a wildcard target value"
        );
    }
    let document = body["DocumentName"].as_str().unwrap_or_default();
    assert!(
        !document.contains(':') && !document.contains('/'),
        "allowed a foreign document {document:?}"
    );
    if admin {
        return;
    }

    assert_eq!(
        document, "Ops-RestartService",
        "on-call allowed to run {document:?}"
    );
    for field in [
        "OutputS3BucketName",
        "OutputS3KeyPrefix",
        "OutputS3Region",
        "CloudWatchOutputConfig",
        "NotificationConfig",
        "ServiceRoleArn",
    ] {
        assert!(body.get(field).is_none(), "on-call allowed to set {field}");
    }
    assert!(
        instance_ids.is_empty(),
        "on-call allowed on named instances"
    );
    assert!(
        targets
            .iter()
            .all(|(k, v)| *k != "InstanceIds" || v.is_empty()),
        "on-call allowed on instance-id targets"
    );
    assert!(
        targets.iter().any(|(k, _)| *k == "tag:env"),
        "on-call allowed without tag:env"
    );
    for (key, values) in &targets {
        if *key == "tag:env" {
            assert!(
                values.iter().all(|v| *v == "staging"),
                "on-call allowed on env {values:?}"
            );
        }
    }
    let parameters = body["Parameters"].as_object();
    let names: Vec<&String> = parameters.map(|p| p.keys().collect()).unwrap_or_default();
    assert_eq!(
        names,
        ["service"],
        "on-call allowed with parameters {names:?}"
    );
    for service in strings(&body["Parameters"]["service"]) {
        assert!(
            ["nginx", "redis", "worker"].contains(&service),
            "on-call allowed to restart {service:?}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(4, |b| *b == b'\n');
    let (Some(principal), Some(groups), Some(meta), Some(body)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return;
    };
    let Ok(call) = parse(OperationName::SendCommand, body) else {
        return;
    };
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let groups: Vec<String> = text(groups)
        .split(',')
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
        .collect();
    let meta = text(meta);
    let mut meta = meta.split(' ');
    let jwt = meta.next() == Some("jwt");
    let identity = Identity {
        principal: text(principal),
        groups,
        method: if jwt {
            AuthMethod::Jwt
        } else {
            AuthMethod::SigV4
        },
        replay_key: None,
        signed_region: None,
    };
    let caller = Caller {
        auth_method: identity.method.as_str(),
        now: meta.next().and_then(|n| n.parse().ok()).unwrap_or(NOW),
        source_ip: meta.next().map(str::to_owned),
       route: ssm_edge_gateway::testing::home_route(),
        output_log_group: None,
   };

    let facts = CallFacts::of(&call, &caller);
    assert_eq!(facts.action, "SendCommand");
    TYPES.with(|types| {
        facts
            .context(types, &IpValues::default())
            .unwrap_or_else(|e| panic!("no Cedar context for a parsed call: {e}"));
        let entities = facts
            .entities(&identity, types)
            .unwrap_or_else(|e| panic!("no Cedar entities for a parsed call: {e}"));
        let groups: std::collections::HashSet<&String> = identity.groups.iter().collect();
        assert_eq!(
            entities.len(),
            groups.len() + 4,
            "user, groups, document, Parameters, TagTargets"
        );
    });

    let first = ENGINE.with(|engine| engine.decide(&identity, &call, &caller));
    let second = ENGINE.with(|engine| engine.decide(&identity, &call, &caller));
    assert_eq!(first, second, "the decision is not deterministic");
    assert!(["SendCommand", "UseForeignDocument", "SendCommandUnbounded"].contains(&first.action));
    if first.allowed {
        assert!(facts.unbounded || first.action == "SendCommand");
        assert!(!facts.unbounded, "allowed an unbounded SendCommand");
        assert!(!first.policy_ids.is_empty());
        let body: Value = serde_json::from_slice(body).expect("parsed as JSON already");
        check_promises(&body, &identity.groups);
    }
});

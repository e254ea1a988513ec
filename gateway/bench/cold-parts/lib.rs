//! Each export is one step of a cold gateway's start, to be timed on its own in a fresh
//! wasm instance (gateway/bench/cold-parts.mjs). They return a small number so that the
//! work is not optimized away.

use std::hint::black_box;

use ssm_edge_gateway::pipeline::Gateway;
use ssm_edge_gateway::policy::{PolicyEngine, SHIPPED_COMPILED};

/// The variables of the benchmark's gateway (one key, the shipped policies).
fn var(name: &str) -> Option<String> {
    let value = match name {
        "UPSTREAM_ACCESS_KEY_ID" => "AKIAIOSFODNN7EXAMPLE",
        "UPSTREAM_SECRET_ACCESS_KEY" => "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "UPSTREAM_REGION" => "us-east-1",
        "GATEWAY_HOSTNAMES" => "localhost",
        "GATEWAY_KEYS" => {
            r#"[{"accessKeyId":"GWKEYBENCH000000001","secretAccessKey":"bench-secret-bench-secret-bench-0001","principal":"bob","groups":["on-call"]}]"#
        }
        _ => return None,
    };
    Some(value.to_owned())
}

/// `Gateway::start`: the configuration and the policies, what the first request builds.
#[no_mangle]
pub extern "C" fn gateway_start() -> u32 {
    u32::from(black_box(Gateway::start(var)).is_ok())
}

/// `PolicyEngine::shipped`: loading the compiled policies alone.
#[no_mangle]
pub extern "C" fn policy_load() -> u32 {
    PolicyEngine::shipped().map_or(0, |e| e.policy_ids().len() as u32)
}

/// Cedar's policy parser alone, on the compiled text.
#[no_mangle]
pub extern "C" fn cedar_parse() -> u32 {
    SHIPPED_COMPILED
        .parse::<cedar_policy::PolicySet>()
        .map_or(0, |set| set.policies().count() as u32)
}

/// One Cedar type name by `EntityTypeName::from_str`: Cedar checks it with a regex built on
/// first use. Not on the gateway's path (it reads its type names with the policy parser);
/// timed after `gateway_start`, it shows the start did not build that regex.
#[no_mangle]
pub extern "C" fn cedar_type_name() -> u32 {
    u32::from(black_box("User".parse::<cedar_policy::EntityTypeName>()).is_ok())
}

/// Cedar's authorizer and a request's `ip` value: the extension registry parses its
/// function names (`ip`, `isInRange`, …) when first built, and `new_ip` parses `ip`.
#[no_mangle]
pub extern "C" fn cedar_authorizer() -> u32 {
    black_box(cedar_policy::Authorizer::new());
    let ip = cedar_policy::RestrictedExpression::new_ip("10.0.0.1");
    u32::from(cedar_policy::Context::from_pairs([("sourceIp".to_owned(), ip)]).is_ok())
}

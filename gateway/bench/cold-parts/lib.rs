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

/// One Cedar type name (`EntityTypeName::from_str`: a regex, compiled on first use).
#[no_mangle]
pub extern "C" fn cedar_type_name() -> u32 {
    u32::from(black_box("User".parse::<cedar_policy::EntityTypeName>()).is_ok())
}

/// Cedar's first decision: three entity uids parsed, the authorizer and its extension
/// functions (`ip`, `isInRange`, …: their names are parsed when the registry is built).
#[no_mangle]
pub extern "C" fn cedar_authorizer() -> u32 {
    let request = cedar_policy::Request::new(
        "User::\"bob\"".parse().expect("a uid"),
        "Action::\"ListCommands\"".parse().expect("a uid"),
        "Fleet::\"fleet\"".parse().expect("a uid"),
        cedar_policy::Context::empty(),
        None,
    )
    .expect("a request");
    let response = cedar_policy::Authorizer::new().is_authorized(
        &request,
        &cedar_policy::PolicySet::new(),
        &cedar_policy::Entities::empty(),
    );
    u32::from(response.decision() == cedar_policy::Decision::Deny)
}

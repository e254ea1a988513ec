//! What crosses back to JavaScript when something is wrong, as JSON text built with the
//! core's writer: codes and arguments only. The sentences for people are built in
//! JavaScript (`wasm/js/messages.js`), so the wasm carries no `core::fmt` and no prose.

use alloc::string::String;

use ssm_edge_core::client::{CallError, CallErrorKind, Outcome};
use ssm_edge_core::decode::{self, ResponseError, ServiceError};
use ssm_edge_core::endpoint::EndpointError;
use ssm_edge_core::json::Writer;
use ssm_edge_core::retry::{StopReason, Transport};
use ssm_edge_core::sign::SignError;
use ssm_edge_core::validate::{Problem, Rule, ValidationError};

/// `{"kind":"config","field":…,"code":…}` plus the code's arguments.
pub fn config(field: &str, code: &str, args: impl FnOnce(&mut Writer)) -> String {
    let mut w = config_head(field, code);
    args(&mut w);
    w.end_object();
    w.finish()
}

/// The object `config` opens, written once rather than in each of its (inlined)
/// instances.
#[inline(never)]
fn config_head(field: &str, code: &str) -> Writer {
    let mut w = Writer::new();
    w.begin_object()
        .key("kind")
        .string("config")
        .key("field")
        .string(field)
        .key("code")
        .string(code);
    w
}

/// An operation name that is not one of the modelled ones.
pub fn unknown_operation() -> String {
    config("operation", "unknownOperation", |_| {})
}

/// A region or endpoint the core refuses.
pub fn endpoint(e: &EndpointError) -> String {
    let field = match e {
        EndpointError::InvalidRegion { .. } => "region",
        _ => "endpoint",
    };
    config(field, e.code(), |w| {
        if let Some(problem) = e.url_problem() {
            w.key("problem").string(problem.code());
        }
        if let Some(partition) = e.partition() {
            w.key("partition").string(partition);
        }
    })
}

/// A request the core cannot sign: `field` names the option at fault.
pub fn sign(field: &str, e: &SignError) -> String {
    let code = e.code();
    config(field, code, |w| match e {
        SignError::InvalidHeaderName(n)
        | SignError::InvalidHeaderValue(n)
        | SignError::SignedHeaderMissing(n) => {
            w.key("header").string(n);
        }
        _ => {}
    })
}

/// `{"kind":"validation","problems":[…]}`.
pub fn validation(e: &ValidationError) -> String {
    let mut w = Writer::new();
    w.begin_object()
        .key("kind")
        .string("validation")
        .key("problems");
    problems(&mut w, &e.problems);
    w.end_object();
    w.finish()
}

/// The problems alone, `[]` when there are none.
pub fn problem_list(found: &[Problem]) -> String {
    let mut w = Writer::new();
    problems(&mut w, found);
    w.finish()
}

fn problems(w: &mut Writer, found: &[Problem]) {
    w.begin_array();
    for p in found {
        w.begin_object()
            .key("path")
            .string(&p.path)
            .key("rule")
            .string(p.rule.code());
        rule_arguments(w, &p.rule);
        w.end_object();
    }
    w.end_array();
}

fn rule_arguments(w: &mut Writer, rule: &Rule) {
    let strings = |w: &mut Writer, key: &str, items: &[&str]| {
        w.key(key).begin_array();
        for item in items {
            w.string(item);
        }
        w.end_array();
    };
    let count = |w: &mut Writer, key: &str, v: u64| {
        w.key(key).int(i64::try_from(v).unwrap_or(i64::MAX));
    };
    match rule {
        Rule::MinLength { min, actual } | Rule::MinItems { min, actual } => {
            count(w, "min", *min);
            count(w, "actual", *actual);
        }
        Rule::MaxLength { max, actual } | Rule::MaxItems { max, actual } => {
            count(w, "max", *max);
            count(w, "actual", *actual);
        }
        Rule::Range { min, max, actual } => {
            if let Some(min) = min {
                w.key("min").int(*min);
            }
            if let Some(max) = max {
                w.key("max").int(*max);
            }
            w.key("actual").int(*actual);
        }
        Rule::Pattern(p) => {
            w.key("pattern").string(p.name());
        }
        Rule::Enum { allowed } => strings(w, "allowed", allowed),
        Rule::ExactlyOneOf { members } => strings(w, "members", members),
        Rule::Requires { member } => {
            w.key("member").string(member);
        }
        Rule::FilterValue { key, expected } => {
            w.key("key")
                .string(key)
                .key("expected")
                .string(expected.code());
        }
        Rule::Type { expected } => {
            w.key("expected").string(expected.code());
        }
        Rule::Json { line, column } => {
            count(w, "line", *line);
            count(w, "column", *column);
        }
        _ => {}
    }
}

/// What to do next: `{"done":true}`, `{"retry":ms}` or `{"error":{…}}`.
pub fn outcome(outcome: Outcome<()>) -> String {
    let mut w = Writer::new();
    w.begin_object();
    match outcome {
        Outcome::Done(()) => {
            w.key("done").bool(true);
        }
        Outcome::Retry { delay_ms } => {
            w.key("retry")
                .int(i64::try_from(delay_ms).unwrap_or(i64::MAX));
        }
        Outcome::Failed(e) => {
            w.key("error");
            call_error(&mut w, &e);
        }
    }
    w.end_object();
    w.finish()
}

fn call_error(w: &mut Writer, e: &CallError) {
    w.begin_object();
    match &e.kind {
        CallErrorKind::Service(s) => service_error(w, s),
        CallErrorKind::Response(ResponseError::Service(s)) => service_error(w, s),
        CallErrorKind::Response(ResponseError::MalformedBody { status, .. }) => {
            w.key("kind")
                .string("response")
                .key("status")
                .int(i64::from(*status));
        }
        CallErrorKind::Transport(t) => {
            w.key("kind")
                .string("transport")
                .key("sent")
                .bool(*t == Transport::MaybeSent);
        }
    }
    let stop = match e.stop {
        StopReason::NotRetryable => "notRetryable",
        StopReason::AttemptsExhausted => "attemptsExhausted",
        StopReason::MayHaveExecuted => "mayHaveExecuted",
        StopReason::QuotaExhausted => "quotaExhausted",
    };
    w.key("attempts")
        .int(i64::from(e.attempts))
        .key("stop")
        .string(stop);
    w.end_object();
}

fn service_error(w: &mut Writer, e: &ServiceError) {
    w.key("kind")
        .string("service")
        .key("code")
        .string(e.code.as_str())
        .key("message")
        .string(&e.message)
        .key("status")
        .int(i64::from(e.status));
    if let Some(id) = &e.request_id {
        w.key("requestId").string(id);
    }
    let fault = match e.fault() {
        decode::Fault::Server => "server",
        decode::Fault::Client => "client",
    };
    w.key("fault")
        .string(fault)
        .key("retryable")
        .bool(e.is_retryable())
        .key("throttling")
        .bool(e.is_throttling())
        .key("clockSkew")
        .bool(e.is_clock_skew());
}

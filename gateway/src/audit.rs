//! One structured JSON line per request, for Workers Logs / Logpush: who, how, what,
//! the decision and why, what the upstream said, and how long it took. A SendCommand's
//! line carries every field the gateway forwards (document as given with its owner,
//! version and hash, targets, output S3 bucket/prefix/region, CloudWatch output,
//! notification, service role, alarms, concurrency, errors, timeout, comment), built
//! from serde structs. Secrets, signatures and tokens never appear.
//!
//! # Parameter values
//!
//! Parameter values are replaced by a keyed digest unless `AUDIT_PARAMETER_VALUES=true`:
//! `hmac-sha256:<hex>`, the HMAC-SHA256 of the values' JSON array text (compact, as
//! `serde_json` writes it: `["echo hi"]`). A plain hash of a short value (`nginx`,
//! `--force`) could be found by trying candidates; the key makes that impossible
//! without it. The key is `AUDIT_DIGEST_KEY` (a secret of 32 characters or more, its
//! bytes as given), or, when unset, `HMAC-SHA256(UPSTREAM_SECRET_ACCESS_KEY,
//! "ssm-edge audit digest")` (32 bytes). To check whether a logged digest is a given
//! value:
//!
//! ```text
//! # with AUDIT_DIGEST_KEY
//! printf '%s' '["echo hi"]' | openssl dgst -sha256 -hmac "$AUDIT_DIGEST_KEY"
//! # without: derive the key from the upstream secret first
//! KEY_HEX=$(printf '%s' 'ssm-edge audit digest' \
//!   | openssl dgst -sha256 -hmac "$UPSTREAM_SECRET_ACCESS_KEY" | sed 's/^.*= //')
//! printf '%s' '["echo hi"]' | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$KEY_HEX"
//! ```
//!
//! The hex openssl prints is the part after `hmac-sha256:`. (Tests check both recipes
//! against fixed keys.)

use std::collections::BTreeMap;

use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use ssm_edge_core::model::{CancelCommandInput, SendCommandInput};

pub use crate::fields::{Alarms, CallFields, CloudWatchOutput, Notification, OutputS3};
use crate::policy::{Decision, DocumentArn, Owner};

/// The audit record of one request.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditLine {
    /// RFC 3339 UTC time the request arrived.
    pub time: String,
    /// The gateway's request id (`x-amzn-RequestId` of the answer).
    pub request_id: String,
    /// The authenticated principal, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    /// `sigv4` or `jwt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_method: Option<&'static str>,
    /// The upstream region the call goes to, once chosen ([`crate::route`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The upstream account's alias (`default` or one of `UPSTREAM_ACCOUNTS`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The operation, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<&'static str>,
    /// SendCommand, DescribeDocument, GetDocument: the document as the caller gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// Whose document it is, as the policy decided it (from [`AuditLine::record_decision`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_owner: Option<DocumentOwner>,
    /// SendCommand: instance ids and targets; CancelCommand: the instances it names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub targets: Option<AuditTargets>,
    /// SendCommand: parameter name → keyed digest of its values (or the values, if
    /// opted in).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<BTreeMap<String, ParameterValue>>,
    /// The other fields the call forwards, at the line's top level.
    #[serde(flatten)]
    pub fields: CallFields,
    /// `allowed`, `denied`, `unauthenticated`, `invalid`, `throttled`, `replayed`
    /// (idempotent repeat), `upstream-failed`, `error`, `approval-required` (waits for
    /// an approver), `expired` (an approval nobody decided in time).
    pub decision: &'static str,
    /// The policies that decided.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policy_ids: Vec<String>,
    /// The `@reason`s of the forbids that decided, as the caller was told them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// The error code answered, when the gateway refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'static str>,
    /// The upstream's HTTP status, when it was called.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream_status: Option<u16>,
    /// The upstream's request id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream_request_id: Option<String>,
    /// An upstream refusal in full (`Code: message`); the caller got it with account
    /// ids and ARNs taken out ([`crate::scrub`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream_error: Option<String>,
    /// Upstream attempts made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    /// SendCommand: the new command's id; CancelCommand: the command cancelled;
    /// a read of output: the command whose output it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command_id: Option<String>,
    /// A read of command output (CloudWatch Logs): what it reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<AuditOutput>,
    /// The approval the request filed, found or decided (two-person approval).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval_id: Option<String>,
    /// What happened to it: `requested`, `waiting`, `replayed`, `ran`, `rejected`,
    /// `withdrawn`, `expired`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval_event: Option<&'static str>,
    /// Who asked for the approved command (the principal is who made this request).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requester: Option<String>,
    /// The client's address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    /// Milliseconds from arrival to answer.
    pub latency_ms: u64,
}

/// Whose document a call names: `{"owner":"foreign","partition":"aws","region":…,"account":…}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DocumentOwner {
    /// `self`, `aws` or `foreign`.
    pub owner: Owner,
    /// The ARN's partition, region and account, when given as an ARN.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub arn: Option<DocumentArn>,
}

/// A SendCommand's `InstanceIds` and `Targets`, as given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditTargets {
    /// `InstanceIds`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_ids: Option<Vec<String>>,
    /// `Targets`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<AuditTarget>>,
}

/// One `Targets` entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditTarget {
    /// `Key`.
    pub key: Option<String>,
    /// `Values`.
    pub values: Option<Vec<String>>,
}

/// A parameter's values in the line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ParameterValue {
    /// `hmac-sha256:<hex>` (see the module documentation).
    Digest(String),
    /// The values in clear (`AUDIT_PARAMETER_VALUES=true`).
    Clear(Vec<String>),
}

/// The key of parameter digests (`AUDIT_DIGEST_KEY`, or derived from the upstream
/// secret), kept as an HMAC already keyed (each digest clones it instead of hashing the
/// key pads again). Never printed.
#[derive(Clone)]
pub struct DigestKey(HmacSha256);

impl std::fmt::Debug for DigestKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DigestKey(***)")
    }
}

type HmacSha256 = Hmac<Sha256>;

fn keyed(key: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length.
    HmacSha256::new_from_slice(key).expect("HMAC accepts any key length")
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = keyed(key);
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// The message the fallback key is derived with.
pub const DERIVED_KEY_LABEL: &str = "ssm-edge audit digest";

impl DigestKey {
    /// A key given as text (`AUDIT_DIGEST_KEY`): its bytes, as `openssl dgst -hmac` uses them.
    #[must_use]
    pub fn new(secret: &str) -> Self {
        DigestKey(keyed(secret.as_bytes()))
    }

    /// The fallback key: `HMAC-SHA256(upstream_secret, "ssm-edge audit digest")`.
    #[must_use]
    pub fn derived(upstream_secret: &str) -> Self {
        DigestKey(keyed(&hmac_sha256(
            upstream_secret.as_bytes(),
            DERIVED_KEY_LABEL.as_bytes(),
        )))
    }

    /// `hmac-sha256:<hex>` of `values`' JSON array text.
    #[must_use]
    pub fn digest(&self, values: &[String]) -> String {
        digest(self, values)
    }
}

/// `hmac-sha256:<hex>` of a parameter's values (their JSON array text) under `key`.
#[must_use]
pub fn digest(key: &DigestKey, values: &[String]) -> String {
    let json = serde_json::to_vec(values).unwrap_or_default();
    let mut mac = key.0.clone();
    mac.update(&json);
    let mut out = String::from("hmac-sha256:");
    out.push_str(&crate::hex::encode(&mac.finalize().into_bytes()));
    out
}

impl AuditLine {
    /// The line as JSON.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"))
    }

    /// Fills document, targets, parameters and every other forwarded field from a
    /// SendCommand input. Parameter values are digested with `digest` (see the module
    /// documentation); `None` logs them in clear (`AUDIT_PARAMETER_VALUES=true`).
    pub fn describe_send_command(&mut self, input: &SendCommandInput, digest: Option<&DigestKey>) {
        self.document.clone_from(&input.document_name);
        self.targets = Some(AuditTargets {
            instance_ids: input.instance_ids.clone(),
            targets: input.targets.as_ref().map(|list| {
                list.iter()
                    .map(|t| AuditTarget {
                        key: t.key.clone(),
                        values: t.values.clone(),
                    })
                    .collect()
            }),
        });
        self.parameters = input.parameters.as_ref().map(|params| {
            params
                .0
                .iter()
                .map(|(name, values)| {
                    let value = match digest {
                        Some(key) => ParameterValue::Digest(key.digest(values)),
                        None => ParameterValue::Clear(values.clone()),
                    };
                    (name.clone(), value)
                })
                .collect()
        });
        self.fields = CallFields::of_send_command(input);
    }

    /// Fills the document as given and its version (and format) fields, for a
    /// DescribeDocument or GetDocument.
    pub fn describe_document(&mut self, name: Option<&String>, fields: CallFields) {
        self.document = name.cloned();
        self.fields = fields;
    }

    /// The command a CancelCommand names and the instances it is limited to.
    pub fn describe_cancel_command(&mut self, input: &CancelCommandInput) {
        self.command_id.clone_from(&input.command_id);
        self.targets = input.instance_ids.clone().map(|ids| AuditTargets {
            instance_ids: Some(ids),
            targets: None,
        });
    }

    /// Records a read of command output: the command, and the group, stream (or
    /// prefix), instance and `unmask` as forwarded.
    pub fn describe_output(&mut self, read: &crate::output::OutputRead) {
        self.command_id = Some(read.command_id.clone());
        self.output = Some(AuditOutput {
            log_group_name: read.log_group.clone(),
            log_stream: read.stream.clone(),
            instance_id: read.instance_id.clone(),
            unmask: read.unmask,
        });
    }

    /// Records the policy decision: the policies that decided and whose document the
    /// call names (the decision is not `decision`, which says how the request ended).
    pub fn record_decision(&mut self, decision: &Decision) {
        self.policy_ids.clone_from(&decision.policy_ids);
        self.reasons.clone_from(&decision.reasons);
        if let Some(document) = &decision.document {
            if self.document.is_none() {
                self.document = Some(document.given.clone());
            }
            self.document_owner = Some(DocumentOwner {
                owner: document.owner,
                arn: document.arn.clone(),
            });
        }
    }
}

/// RFC 3339 (UTC, milliseconds) for unix milliseconds: the core's ISO 8601 form with the
/// milliseconds added (`@<seconds>` past the year 9999).
#[must_use]
pub fn rfc3339(unix_ms: u64) -> String {
    let secs = unix_ms / 1000;
    match ssm_edge_core::time::format_iso8601(secs) {
        Ok(text) => format!("{}.{:03}Z", text.trim_end_matches('Z'), unix_ms % 1000),
        Err(_) => format!("@{secs}"),
    }
}

/// IMF-fixdate (`Thu, 26 Nov 2026 07:38:13 GMT`) for unix seconds: the HTTP `Date` a
/// client's clock-skew correction reads (the core's formatter; empty past the year 9999).
#[must_use]
pub fn http_date(unix_secs: u64) -> String {
    ssm_edge_core::time::format_http_date(unix_secs).unwrap_or_default()
}

/// What a read of command output reads, in the audit line.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditOutput {
    /// The log group.
    pub log_group_name: String,
    /// `logStreamName` (GetLogEvents) or `logStreamNamePrefix` (DescribeLogStreams).
    pub log_stream: String,
    /// The instance; "" for a prefix covering every instance of the command.
    pub instance_id: String,
    /// GetLogEvents' `unmask`.
    pub unmask: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_are_imf_fixdate() {
        assert_eq!(http_date(1_795_678_693), "Thu, 26 Nov 2026 07:38:13 GMT");
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(
            ssm_edge_core::time::parse_http_date(&http_date(951_782_400)).unwrap(),
            951_782_400
        );
    }

    #[test]
    fn times_are_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_795_678_693_123), "2026-11-26T07:38:13.123Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }

    /// The fixed keys of the openssl recipes in the module documentation.
    const KEY: &str = "audit-digest-key-for-tests-0123456789";
    const UPSTREAM_SECRET: &str = "upstream-secret-value-0123456789";

    fn key() -> DigestKey {
        DigestKey::new(KEY)
    }

    fn send(body: &serde_json::Value) -> SendCommandInput {
        serde_json::from_value(body.clone()).unwrap()
    }

    #[test]
    fn digests_match_the_openssl_recipes() {
        let values = ["echo hi".to_owned()];
        // printf '%s' '["echo hi"]' | openssl dgst -sha256 -hmac "audit-digest-key-for-tests-0123456789"
        assert_eq!(
            digest(&key(), &values),
            "hmac-sha256:bc142cd19fd9ff681ac00bf0cd40a308f0e189fc6ba0f8836075529a223d725e"
        );
        // KEY_HEX=$(printf '%s' 'ssm-edge audit digest' | openssl dgst -sha256 -hmac "upstream-secret-value-0123456789" | sed 's/^.*= //')
        // = 8f7109ecebf8fbeb74563dc4844e731513477e9bf839a167c776592dc1c28cf6
        // printf '%s' '["echo hi"]' | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$KEY_HEX"
        let derived = DigestKey::derived(UPSTREAM_SECRET);
        assert_eq!(
            derived.digest(&values),
            "hmac-sha256:800a5345d41db9d368d9a1b9ede4abbed873e181661bf48ae5aacdcda1be72d1"
        );
        // Another key, another digest; the plain SHA-256 of the text is not it.
        assert_ne!(
            DigestKey::new("another key").digest(&values),
            derived.digest(&values)
        );
        assert_eq!(format!("{derived:?}"), "DigestKey(***)");
    }

    #[test]
    fn parameter_values_are_digested_unless_opted_in() {
        let input = send(&serde_json::json!({
            "DocumentName": "AWS-RunShellScript",
            "InstanceIds": ["i-1"],
            "Parameters": { "commands": ["echo hunter2"] },
        }));
        let mut line = AuditLine::default();
        line.describe_send_command(&input, Some(&key()));
        let json = line.to_json();
        assert!(!json.contains("hunter2"), "{json}");
        assert!(
            json.contains(&digest(&key(), &["echo hunter2".to_owned()])),
            "{json}"
        );
        line.describe_send_command(&input, None);
        let value: serde_json::Value = serde_json::from_str(&line.to_json()).unwrap();
        assert_eq!(
            value["parameters"],
            serde_json::json!({ "commands": ["echo hunter2"] })
        );
    }

    #[test]
    fn the_line_carries_every_send_command_field() {
        let body = crate::policy::every_send_command_member();
        let mut line = AuditLine::default();
        line.describe_send_command(&send(&body), Some(&key()));
        let json = line.to_json();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            value,
            serde_json::json!({
                "time": "",
                "requestId": "",
                "document": "Ops-RestartService",
                "targets": {
                    "instanceIds": ["i-0123456789abcdef0"],
                    "targets": [{ "key": "tag:env", "values": ["staging"] }],
                },
                "parameters": { "service": digest(&key(), &["nginx".to_owned()]) },
                "documentVersion": "2",
                "documentHash": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                "documentHashType": "Sha256",
                "outputS3": { "bucket": "exfil-bucket", "keyPrefix": "runs/", "region": "us-west-2" },
                "cloudWatchOutput": { "logGroupName": "/ssm/runs", "enabled": true },
                "notification": {
                    "arn": "arn:aws:sns:us-east-1:123456789012:runs",
                    "events": ["Success", "Failed"],
                    "type": "Command",
                },
                "serviceRoleArn": "arn:aws:iam::123456789012:role/ssm-sns",
                "alarms": { "ignorePollAlarmFailure": true, "names": ["cpu-high"] },
                "maxConcurrency": "1",
                "maxErrors": "1",
                "timeoutSeconds": 600,
                "comment": "CHG-1 restart",
                "decision": "",
                "latencyMs": 0,
            })
        );
        // No parameter value in clear.
        assert!(!json.contains("nginx"), "{json}");
        // Every member of the core's SendCommandInput shows: leaving any one out changes
        // the line (a member the core gains and the line ignores fails here).
        let ssm_edge_core::validate::Shape::Struct(members) =
            <SendCommandInput as ssm_edge_core::validate::Schema>::SHAPE
        else {
            panic!("SendCommandInput is a structure");
        };
        for member in members.iter().map(|m| m.name) {
            assert!(body.get(member).is_some(), "the fixture lacks {member}");
            let mut without = body.clone();
            without.as_object_mut().unwrap().remove(member);
            let mut other = AuditLine::default();
            other.describe_send_command(&send(&without), Some(&key()));
            assert_ne!(other.to_json(), json, "{member} is not in the audit line");
        }
    }

    #[test]
    fn the_decision_adds_the_document_owner() {
        use crate::policy::{Document, UpstreamScope};
        let given = "arn:aws:ssm:us-east-1:999999999999:document/Ops-RestartService";
        let document = Document::classify(
            given,
            Some(&UpstreamScope::for_region(
                "us-east-1",
                Some("123456789012".to_owned()),
            )),
        );
        let decision = Decision {
            allowed: false,
            policy_ids: Vec::new(),
            reasons: Vec::new(),
            action: "UseForeignDocument",
            resource: format!("document/{given}"),
            document: Some(document),
        };
        let mut line = AuditLine::default();
        line.record_decision(&decision);
        let value: serde_json::Value = serde_json::from_str(&line.to_json()).unwrap();
        assert_eq!(value["document"], given);
        assert_eq!(
            value["documentOwner"],
            serde_json::json!({
                "owner": "foreign",
                "partition": "aws",
                "region": "us-east-1",
                "account": "999999999999",
            })
        );
        assert!(value.get("reasons").is_none(), "no reasons, no member");

        let forbidden = Decision {
            allowed: false,
            policy_ids: vec!["comment-names-a-ticket".into()],
            reasons: vec!["name a ticket".into()],
            action: "SendCommand",
            resource: "document/Ops-RestartService".into(),
            document: None,
        };
        line.record_decision(&forbidden);
        let value: serde_json::Value = serde_json::from_str(&line.to_json()).unwrap();
        assert_eq!(
            value["policyIds"],
            serde_json::json!(["comment-names-a-ticket"])
        );
        assert_eq!(value["reasons"], serde_json::json!(["name a ticket"]));
    }

    #[test]
    fn describe_document_records_the_version() {
        let input: ssm_edge_core::model::DescribeDocumentInput =
            serde_json::from_value(serde_json::json!({
                "Name": "Ops-RestartService",
                "VersionName": "v2",
            }))
            .unwrap();
        let mut line = AuditLine::default();
        line.describe_document(
            input.name.as_ref(),
            CallFields::of_describe_document(&input),
        );
        let value: serde_json::Value = serde_json::from_str(&line.to_json()).unwrap();
        assert_eq!(value["document"], "Ops-RestartService");
        assert_eq!(value["versionName"], "v2");
        assert!(value.get("documentVersion").is_none());
    }
}

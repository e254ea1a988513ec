//! What a call looks like to Cedar: resource, context record and request entities.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use serde_json::{json, Value};
use ssm_edge_core::model::SendCommandInput;

use crate::call::ParsedCall;
use crate::identity::Identity;

/// Facts about the caller that are not in the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// `"sigv4"` or `"jwt"`.
    pub auth_method: &'static str,
    /// The client's address as the platform reports it; ignored unless it parses as
    /// an IP address.
    pub source_ip: Option<String>,
    /// Unix seconds at the gateway.
    pub now: u64,
}

impl Caller {
    fn to_json(&self) -> Value {
        let mut caller = json!({
            "authMethod": self.auth_method,
            "hour": (self.now / 3600) % 24,
            "minute": (self.now / 60) % 60,
            // 1970-01-01 was a Thursday (ISO 4).
            "weekday": ((self.now / 86_400) + 3) % 7 + 1,
        });
        if let Some(ip) = self
            .source_ip
            .as_deref()
            .and_then(|s| s.parse::<IpAddr>().ok())
        {
            caller["sourceIp"] = json!({ "__extn": { "fn": "ip", "arg": ip.to_string() } });
        }
        caller
    }
}

/// The Cedar view of one call.
#[derive(Debug)]
pub struct CallFacts {
    /// The Cedar action id (the operation name).
    pub action: &'static str,
    /// Whether `SendCommandUnbounded` must be permitted too.
    pub unbounded: bool,
    /// The context record.
    pub context: Value,
    resource: (&'static str, String),
    parameters: BTreeMap<String, Vec<String>>,
    tag_targets: BTreeMap<String, BTreeSet<String>>,
}

/// The name a document is known by in policies: `DocumentName` as sent, or the name
/// part of a document ARN (`arn:aws:ssm:us-east-1:123456789012:document/Ops-Restart`
/// → `Ops-Restart`), so a rule about a name cannot be sidestepped with its ARN.
#[must_use]
pub fn document_name(raw: &str) -> &str {
    if raw.starts_with("arn:") {
        if let Some((_, name)) = raw.split_once(":document/") {
            return name;
        }
    }
    raw
}

/// The id of the per-request `Parameters` and `TagTargets` entities.
const REQUEST_ENTITY: &str = "request";

impl CallFacts {
    /// Builds the facts for `call`.
    #[must_use]
    pub fn of(call: &ParsedCall, caller: &Caller) -> Self {
        let action = call.operation().as_str();
        let fleet = ("Fleet", "default".to_owned());
        let read = |resource| CallFacts {
            action,
            unbounded: false,
            context: json!({ "caller": caller.to_json() }),
            resource,
            parameters: BTreeMap::new(),
            tag_targets: BTreeMap::new(),
        };
        match call {
            ParsedCall::Read(_) => read(fleet),
            ParsedCall::DescribeDocument(input) => read((
                "Document",
                document_name(input.name.as_deref().unwrap_or_default()).to_owned(),
            )),
            ParsedCall::CancelCommand(input) => CallFacts {
                action,
                unbounded: false,
                context: json!({
                    "caller": caller.to_json(),
                    "commandId": input.command_id.clone().unwrap_or_default(),
                    "instanceIds": input.instance_ids.clone().unwrap_or_default(),
                }),
                resource: fleet,
                parameters: BTreeMap::new(),
                tag_targets: BTreeMap::new(),
            },
            ParsedCall::SendCommand(input) => Self::send_command(input, caller),
        }
    }

    fn send_command(input: &SendCommandInput, caller: &Caller) -> Self {
        let mut instance_ids: BTreeSet<String> =
            input.instance_ids.iter().flatten().cloned().collect();
        let mut keys = BTreeSet::new();
        if input.instance_ids.is_some() {
            keys.insert("InstanceIds".to_owned());
        }
        let mut tag_targets: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut unbounded = instance_ids.iter().any(|id| id.contains('*'));
        for target in input.targets.iter().flatten() {
            let key = target.key.clone().unwrap_or_default();
            let values = target.values.iter().flatten();
            unbounded |= target.values.iter().flatten().any(|v| v.contains('*'));
            if key == "InstanceIds" {
                instance_ids.extend(values.cloned());
            } else if let Some(tag) = key.strip_prefix("tag:") {
                tag_targets
                    .entry(tag.to_owned())
                    .or_default()
                    .extend(values.cloned());
            } else {
                // tag-key, resource-groups:*: the gateway cannot tell which instances.
                unbounded = true;
            }
            keys.insert(key);
        }
        let parameters: BTreeMap<String, Vec<String>> = input
            .parameters
            .as_ref()
            .map(|p| p.0.clone())
            .unwrap_or_default();
        let context = json!({
            "caller": caller.to_json(),
            "targets": {
                "instanceIds": instance_ids,
                "keys": keys,
                "tags": { "__entity": { "type": "TagTargets", "id": REQUEST_ENTITY } },
                "unbounded": unbounded,
            },
            "parameters": { "__entity": { "type": "Parameters", "id": REQUEST_ENTITY } },
            "parameterNames": parameters.keys().collect::<Vec<_>>(),
            "comment": input.comment.clone().unwrap_or_default(),
            "timeoutSeconds": input.timeout_seconds.unwrap_or(3600),
            "maxConcurrency": input.max_concurrency.clone().unwrap_or_else(|| "50".to_owned()),
            "maxErrors": input.max_errors.clone().unwrap_or_else(|| "0".to_owned()),
            "documentVersion": input.document_version.clone().unwrap_or_default(),
            "outputToS3": input.output_s3_bucket_name.is_some(),
            "notifications": input.notification_config.is_some() || input.service_role_arn.is_some(),
        });
        CallFacts {
            action: "SendCommand",
            unbounded,
            context,
            resource: (
                "Document",
                document_name(input.document_name.as_deref().unwrap_or_default()).to_owned(),
            ),
            parameters,
            tag_targets,
        }
    }

    /// The resource's entity uid.
    pub(super) fn resource_uid(&self) -> Option<cedar_policy::EntityUid> {
        Some(cedar_policy::EntityUid::from_type_name_and_id(
            self.resource.0.parse().ok()?,
            cedar_policy::EntityId::new(&self.resource.1),
        ))
    }

    /// The request's entities as Cedar JSON: the user and its groups, the resource,
    /// and the `Parameters` and `TagTargets` of a `SendCommand`.
    #[must_use]
    pub fn entities(&self, identity: &Identity) -> Value {
        let uid = |ty: &str, id: &str| json!({ "type": ty, "id": id });
        let mut entities = vec![json!({
            "uid": uid("User", &identity.principal),
            "attrs": {},
            "parents": identity.groups.iter().map(|g| uid("Group", g)).collect::<Vec<_>>(),
        })];
        for group in &identity.groups {
            entities.push(json!({ "uid": uid("Group", group), "attrs": {}, "parents": [] }));
        }
        entities.push(json!({
            "uid": uid(self.resource.0, &self.resource.1),
            "attrs": {},
            "parents": [],
        }));
        if self.action == "SendCommand" {
            entities.push(json!({
                "uid": uid("Parameters", REQUEST_ENTITY),
                "attrs": {},
                "parents": [],
                "tags": self.parameters,
            }));
            entities.push(json!({
                "uid": uid("TagTargets", REQUEST_ENTITY),
                "attrs": {},
                "parents": [],
                "tags": self.tag_targets,
            }));
        }
        Value::Array(entities)
    }
}

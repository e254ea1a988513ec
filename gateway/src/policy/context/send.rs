//! The SendCommand part of [`CallFacts`]: where each member of the input goes in the
//! Cedar request, the targets and parameters reshaped for policies, and the context
//! record with the service's defaults.

use std::collections::{BTreeMap, BTreeSet};

use cedar_policy::{Entity, EntityTypeName, RestrictedExpression};
use ssm_edge_core::model::SendCommandInput;

use super::{
    facts_error, record, string, strings, CallFacts, Caller, Document, EntityTypes, FactsError,
    Resource, Shape, UpstreamScope,
};
use crate::fields::CallFields;

/// Where each member of the core's `SendCommandInput` is in the Cedar request: a
/// context attribute path, or `resource` for the document. A test fails when the core's
/// model gains a member missing here (and from the context and the audit line).
pub const SEND_COMMAND_MEMBERS: &[(&str, &str)] = &[
    (
        "InstanceIds",
        "context.targets.instanceIds, context.targets.keys",
    ),
    ("Targets", "context.targets"),
    (
        "DocumentName",
        "resource (name, owner, partition, region, account, arn)",
    ),
    ("DocumentVersion", "context.documentVersion"),
    ("DocumentHash", "context.documentHash"),
    ("DocumentHashType", "context.documentHashType"),
    ("TimeoutSeconds", "context.timeoutSeconds"),
    ("Comment", "context.comment"),
    ("Parameters", "context.parameters, context.parameterNames"),
    ("OutputS3Region", "context.outputS3.region"),
    (
        "OutputS3BucketName",
        "context.outputS3.bucket, context.outputToS3",
    ),
    ("OutputS3KeyPrefix", "context.outputS3.keyPrefix"),
    ("MaxConcurrency", "context.maxConcurrency"),
    ("MaxErrors", "context.maxErrors"),
    (
        "ServiceRoleArn",
        "context.serviceRoleArn, context.notifications",
    ),
    (
        "NotificationConfig",
        "context.notification, context.notifications",
    ),
    ("CloudWatchOutputConfig", "context.cloudWatchOutput"),
    ("AlarmConfiguration", "context.alarms"),
];

/// A SendCommand as Cedar sees it: targets and parameters reshaped for policies, and
/// the other forwarded fields as the audit line reads them ([`CallFields`]).
#[derive(Debug)]
pub(super) struct SendFacts {
    instance_ids: BTreeSet<String>,
    keys: BTreeSet<String>,
    tag_targets: BTreeMap<String, BTreeSet<String>>,
    parameters: BTreeMap<String, Vec<String>>,
    fields: CallFields,
}

impl SendFacts {
    /// The request's `Parameters` and `TagTargets` entities: one tag per parameter
    /// name and per tag key, the values as the tag's set.
    pub(super) fn entities(&self, types: &EntityTypes) -> Result<Vec<Entity>, FactsError> {
        let tags = |tags: Vec<(String, RestrictedExpression)>, ty: &EntityTypeName| {
            Entity::new_with_tags(CallFacts::request_entity(ty), [], [], tags).map_err(facts_error)
        };
        Ok(vec![
            tags(
                self.parameters
                    .iter()
                    .map(|(k, v)| (k.clone(), strings(v)))
                    .collect(),
                &types.parameters,
            )?,
            tags(
                self.tag_targets
                    .iter()
                    .map(|(k, v)| (k.clone(), strings(v)))
                    .collect(),
                &types.tag_targets,
            )?,
        ])
    }
}

impl CallFacts {
    pub(super) fn send_command(
        input: &SendCommandInput,
        caller: &Caller,
        scope: Option<&UpstreamScope>,
    ) -> Self {
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
        let send = SendFacts {
            instance_ids,
            keys,
            tag_targets,
            parameters: input
                .parameters
                .as_ref()
                .map(|p| p.0.clone())
                .unwrap_or_default(),
            fields: CallFields::of_send_command(input),
        };
        CallFacts {
            action: "SendCommand",
            unbounded,
            resource: Resource::Document(Document::classify(
                input.document_name.as_deref().unwrap_or_default(),
                scope,
            )),
            caller: caller.clone(),
            shape: Shape::Send(Box::new(send)),
        }
    }

    pub(super) fn send_context(
        &self,
        send: &SendFacts,
        types: &EntityTypes,
        pairs: &mut Vec<(&str, RestrictedExpression)>,
    ) -> Result<(), FactsError> {
        let bool = RestrictedExpression::new_bool;
        let targets = record(vec![
            ("instanceIds", strings(&send.instance_ids)),
            ("keys", strings(&send.keys)),
            (
                "tags",
                RestrictedExpression::new_entity_uid(Self::request_entity(&types.tag_targets)),
            ),
            ("unbounded", bool(self.unbounded)),
        ])
        .map_err(facts_error)?;
        // The service's defaults where a field is absent: 3600, "50", "0", "".
        let fields = &send.fields;
        let text = |v: &Option<String>| string(v.as_deref().unwrap_or_default());
        pairs.extend([
            ("targets", targets),
            (
                "parameters",
                RestrictedExpression::new_entity_uid(Self::request_entity(&types.parameters)),
            ),
            ("parameterNames", strings(send.parameters.keys())),
            ("comment", text(&fields.comment)),
            (
                "timeoutSeconds",
                RestrictedExpression::new_long(i64::from(fields.timeout_seconds.unwrap_or(3600))),
            ),
            (
                "maxConcurrency",
                string(fields.max_concurrency.as_deref().unwrap_or("50")),
            ),
            (
                "maxErrors",
                string(fields.max_errors.as_deref().unwrap_or("0")),
            ),
            ("documentVersion", text(&fields.document_version)),
            (
                "outputToS3",
                bool(
                    fields
                        .output_s3
                        .as_ref()
                        .is_some_and(|o| o.bucket.is_some()),
                ),
            ),
            (
                "notifications",
                bool(fields.notification.is_some() || fields.service_role_arn.is_some()),
            ),
        ]);
        if let Some(hash) = &fields.document_hash {
            pairs.push(("documentHash", string(hash)));
        }
        if let Some(kind) = &fields.document_hash_type {
            pairs.push(("documentHashType", string(kind)));
        }
        if let Some(s3) = &fields.output_s3 {
            let value = record(vec![
                ("bucket", text(&s3.bucket)),
                ("keyPrefix", text(&s3.key_prefix)),
                ("region", text(&s3.region)),
            ])
            .map_err(facts_error)?;
            pairs.push(("outputS3", value));
        }
        if let Some(cw) = &fields.cloud_watch_output {
            let value = record(vec![
                ("logGroupName", text(&cw.log_group_name)),
                ("enabled", bool(cw.enabled.unwrap_or(false))),
            ])
            .map_err(facts_error)?;
            pairs.push(("cloudWatchOutput", value));
        }
        if let Some(n) = &fields.notification {
            let value = record(vec![
                ("arn", text(&n.arn)),
                ("events", strings(n.events.iter().flatten())),
                ("notificationType", text(&n.notification_type)),
            ])
            .map_err(facts_error)?;
            pairs.push(("notification", value));
        }
        if let Some(role) = &fields.service_role_arn {
            pairs.push(("serviceRoleArn", string(role)));
        }
        if let Some(group) = &self.caller.output_log_group {
            pairs.push(("outputLogGroup", string(group)));
        }
        if let Some(alarms) = &fields.alarms {
            let value = record(vec![
                (
                    "ignorePollAlarmFailure",
                    bool(alarms.ignore_poll_alarm_failure.unwrap_or(false)),
                ),
                ("names", strings(&alarms.names)),
            ])
            .map_err(facts_error)?;
            pairs.push(("alarms", value));
        }
        Ok(())
    }
}

/// A SendCommand body that sets every member of the core's `SendCommandInput` (tests
/// check it against the model's member list).
#[cfg(test)]
pub(crate) fn every_send_command_member() -> serde_json::Value {
    serde_json::json!({
        "InstanceIds": ["i-0123456789abcdef0"],
        "Targets": [{ "Key": "tag:env", "Values": ["staging"] }],
        "DocumentName": "Ops-RestartService",
        "DocumentVersion": "2",
        "DocumentHash": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "DocumentHashType": "Sha256",
        "TimeoutSeconds": 600,
        "Comment": "CHG-1 restart",
        "Parameters": { "service": ["nginx"] },
        "OutputS3Region": "us-west-2",
        "OutputS3BucketName": "exfil-bucket",
        "OutputS3KeyPrefix": "runs/",
        "MaxConcurrency": "1",
        "MaxErrors": "1",
        "ServiceRoleArn": "arn:aws:iam::123456789012:role/ssm-sns",
        "NotificationConfig": {
            "NotificationArn": "arn:aws:sns:us-east-1:123456789012:runs",
            "NotificationEvents": ["Success", "Failed"],
            "NotificationType": "Command",
        },
        "CloudWatchOutputConfig": {
            "CloudWatchLogGroupName": "/ssm/runs",
            "CloudWatchOutputEnabled": true,
        },
        "AlarmConfiguration": {
            "IgnorePollAlarmFailure": true,
            "Alarms": [{ "Name": "cpu-high" }],
        },
    })
}

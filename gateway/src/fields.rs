//! The fields a call forwards besides its document, targets and parameters, read once
//! from the parsed input as given (absent ones stay `None`): the Cedar context
//! ([`crate::policy`], which applies the service's defaults) and the audit line
//! ([`crate::audit`]) are both built from this one extraction.

use serde::Serialize;
use ssm_edge_core::model::{
    DescribeDocumentInput, GetDocumentInput, ListTagsForResourceInput, SendCommandInput,
};

/// The fields a call forwards other than its document, targets and parameters, as
/// given (absent ones are left out): a SendCommand's, a document read's version and
/// format, a tag listing's resource.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallFields {
    /// `DocumentVersion`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_version: Option<String>,
    /// DescribeDocument's and GetDocument's `VersionName`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_name: Option<String>,
    /// GetDocument's `DocumentFormat` (`YAML`, `JSON`, `TEXT`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_format: Option<String>,
    /// ListTagsForResource's `ResourceType` (`ManagedInstance`, `Document`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// ListTagsForResource's `ResourceId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    /// `DocumentHash`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_hash: Option<String>,
    /// `DocumentHashType`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_hash_type: Option<String>,
    /// `OutputS3BucketName`, `OutputS3KeyPrefix`, `OutputS3Region`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_s3: Option<OutputS3>,
    /// `CloudWatchOutputConfig`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_watch_output: Option<CloudWatchOutput>,
    /// `NotificationConfig`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notification: Option<Notification>,
    /// `ServiceRoleArn`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_role_arn: Option<String>,
    /// `AlarmConfiguration`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alarms: Option<Alarms>,
    /// `MaxConcurrency`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_concurrency: Option<String>,
    /// `MaxErrors`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_errors: Option<String>,
    /// `TimeoutSeconds`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<i32>,
    /// `Comment`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// Where S3 output goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputS3 {
    /// `OutputS3BucketName`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    /// `OutputS3KeyPrefix`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_prefix: Option<String>,
    /// `OutputS3Region`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// CloudWatch Logs output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudWatchOutput {
    /// `CloudWatchLogGroupName`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_group_name: Option<String>,
    /// `CloudWatchOutputEnabled`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// SNS notifications.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// `NotificationArn`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// `NotificationEvents`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<String>>,
    /// `NotificationType`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub notification_type: Option<String>,
}

/// CloudWatch alarms that stop the command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Alarms {
    /// `IgnorePollAlarmFailure`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignore_poll_alarm_failure: Option<bool>,
    /// The alarms' names.
    pub names: Vec<String>,
}

impl CallFields {
    /// Every forwarded field of a SendCommand but its document, targets and parameters.
    #[must_use]
    pub fn of_send_command(input: &SendCommandInput) -> Self {
        let output_s3 = (input.output_s3_bucket_name.is_some()
            || input.output_s3_key_prefix.is_some()
            || input.output_s3_region.is_some())
        .then(|| OutputS3 {
            bucket: input.output_s3_bucket_name.clone(),
            key_prefix: input.output_s3_key_prefix.clone(),
            region: input.output_s3_region.clone(),
        });
        CallFields {
            document_version: input.document_version.clone(),
            version_name: None,
            document_format: None,
            resource_type: None,
            resource_id: None,
            document_hash: input.document_hash.clone(),
            document_hash_type: input
                .document_hash_type
                .as_ref()
                .map(|t| t.as_str().to_owned()),
            output_s3,
            cloud_watch_output: input.cloud_watch_output_config.as_ref().map(|c| {
                CloudWatchOutput {
                    log_group_name: c.cloud_watch_log_group_name.clone(),
                    enabled: c.cloud_watch_output_enabled,
                }
            }),
            notification: input.notification_config.as_ref().map(|n| Notification {
                arn: n.notification_arn.clone(),
                events: n
                    .notification_events
                    .as_ref()
                    .map(|e| e.iter().map(|e| e.as_str().to_owned()).collect()),
                notification_type: n.notification_type.as_ref().map(|t| t.as_str().to_owned()),
            }),
            service_role_arn: input.service_role_arn.clone(),
            alarms: input.alarm_configuration.as_ref().map(|a| Alarms {
                ignore_poll_alarm_failure: a.ignore_poll_alarm_failure,
                names: a
                    .alarms
                    .iter()
                    .flatten()
                    .filter_map(|alarm| alarm.name.clone())
                    .collect(),
            }),
            max_concurrency: input.max_concurrency.clone(),
            max_errors: input.max_errors.clone(),
            timeout_seconds: input.timeout_seconds,
            comment: input.comment.clone(),
        }
    }

    /// The version fields of a DescribeDocument.
    #[must_use]
    pub fn of_describe_document(input: &DescribeDocumentInput) -> Self {
        CallFields {
            document_version: input.document_version.clone(),
            version_name: input.version_name.clone(),
            ..CallFields::default()
        }
    }

    /// The version and format fields of a GetDocument.
    #[must_use]
    pub fn of_get_document(input: &GetDocumentInput) -> Self {
        CallFields {
            document_version: input.document_version.clone(),
            version_name: input.version_name.clone(),
            document_format: input
                .document_format
                .as_ref()
                .map(|f| f.as_str().to_owned()),
            ..CallFields::default()
        }
    }

    /// The resource whose tags a ListTagsForResource lists.
    #[must_use]
    pub fn of_list_tags_for_resource(input: &ListTagsForResourceInput) -> Self {
        CallFields {
            resource_type: input.resource_type.as_ref().map(|t| t.as_str().to_owned()),
            resource_id: input.resource_id.clone(),
            ..CallFields::default()
        }
    }
}

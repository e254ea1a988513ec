//! Documents as policy resources: a `DocumentName` (SendCommand) or `Name`
//! (DescribeDocument) is a plain name or a document ARN, and whose document it is
//! depends on the upstream the gateway forwards to.
//!
//! | given | owner | Cedar resource |
//! |---|---|---|
//! | `Ops-RestartService` | `self` | `Document::"Ops-RestartService"` |
//! | `AWS-RunShellScript` | `aws` | `Document::"AWS-RunShellScript"` |
//! | `arn:<p>:ssm:<r>:<upstream account>:document/<name>`, `<p>`/`<r>` the upstream's | `self` (`aws` for `AWS-*`) | `Document::"<name>"` |
//! | `arn:<p>:ssm:<r>::document/AWS-<name>`, `<p>`/`<r>` the upstream's | `aws` | `Document::"AWS-<name>"` |
//! | any other ARN (another account, region or partition; any account while `UPSTREAM_ACCOUNT_ID` is unset), or text that is neither | `foreign` | `Document::"<the text as given>"` |
//!
//! A foreign document's uid is the whole text, so `resource == Document::"Ops-RestartService"`
//! never matches a look-alike shared from another account; the call must also be
//! permitted as `Action::"UseForeignDocument"` (see [`super::PolicyEngine::decide`]).

use serde::Serialize;
use ssm_edge_core::endpoint::partition_of;

/// The upstream the gateway forwards to, as far as document ownership goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpstreamScope {
    /// The upstream region's partition (`aws`, `aws-cn`, `aws-us-gov`, ...).
    pub partition: String,
    /// The upstream region (`UPSTREAM_REGION`).
    pub region: String,
    /// The upstream account (`UPSTREAM_ACCOUNT_ID`); `None`: every ARN naming an account
    /// is foreign.
    pub account_id: Option<String>,
}

impl UpstreamScope {
    /// The scope of `region` (its partition as the core's endpoint resolution picks it,
    /// `aws` for a region that is not a valid host label) and `account_id`.
    #[must_use]
    pub fn for_region(region: &str, account_id: Option<String>) -> Self {
        UpstreamScope {
            partition: partition_of(region).unwrap_or("aws").to_owned(),
            region: region.to_owned(),
            account_id,
        }
    }
}

/// Whose document a request names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Owner {
    /// The upstream account's own document (a plain name, or an ARN of the upstream's
    /// partition, region and account).
    #[serde(rename = "self")]
    Upstream,
    /// An AWS-owned `AWS-*` document.
    Aws,
    /// Anything else: another account's (shared) document, another region or
    /// partition, or an ARN whose account cannot be checked.
    Foreign,
}

impl Owner {
    /// `"self"`, `"aws"` or `"foreign"`: the Document entity's `owner` attribute.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Owner::Upstream => "self",
            Owner::Aws => "aws",
            Owner::Foreign => "foreign",
        }
    }
}

/// The parts of `arn:<partition>:ssm:<region>:<account>:document/<name>`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DocumentArn {
    /// The ARN's partition.
    pub partition: String,
    /// The ARN's region.
    pub region: String,
    /// The ARN's account; empty for AWS-owned documents.
    pub account: String,
}

/// A document named by a request, classified against the upstream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    /// The text as the caller sent it.
    pub given: String,
    /// The document name: the ARN's name part, else the text as given.
    pub name: String,
    /// Whose document it is.
    pub owner: Owner,
    /// The ARN's parts, when given as a document ARN.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub arn: Option<DocumentArn>,
}

/// A plain SSM document name: letters, digits, `_`, `-`, `.` (the service's
/// `DocumentName` pattern without the ARN characters).
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

fn parse_arn(text: &str) -> Option<(DocumentArn, &str)> {
    let parts = ssm_edge_core::arn::ArnParts::split(text).filter(|p| p.service == "ssm")?;
    let (partition, region, account, rest) =
        (parts.partition, parts.region, parts.account, parts.resource);
    let name = rest.strip_prefix("document/")?;
    is_plain_name(name).then(|| {
        (
            DocumentArn {
                partition: partition.to_owned(),
                region: region.to_owned(),
                account: account.to_owned(),
            },
            name,
        )
    })
}

impl Document {
    /// Classifies `given` (a `DocumentName` or `Name`) against `scope`; without a scope
    /// every ARN is foreign.
    #[must_use]
    pub fn classify(given: &str, scope: Option<&UpstreamScope>) -> Self {
        let by_name = |name: &str| {
            if name.starts_with("AWS-") {
                Owner::Aws
            } else {
                Owner::Upstream
            }
        };
        if is_plain_name(given) {
            return Document {
                given: given.to_owned(),
                name: given.to_owned(),
                owner: by_name(given),
                arn: None,
            };
        }
        let Some((arn, name)) = parse_arn(given) else {
            return Document {
                given: given.to_owned(),
                name: given.to_owned(),
                owner: Owner::Foreign,
                arn: None,
            };
        };
        let owner = match scope {
            Some(scope) if arn.partition == scope.partition && arn.region == scope.region => {
                if scope.account_id.as_deref() == Some(arn.account.as_str()) {
                    by_name(name)
                } else if arn.account.is_empty() && name.starts_with("AWS-") {
                    Owner::Aws
                } else {
                    Owner::Foreign
                }
            }
            _ => Owner::Foreign,
        };
        Document {
            given: given.to_owned(),
            name: name.to_owned(),
            owner,
            arn: Some(arn),
        }
    }

    /// Whether the call must also be permitted as `UseForeignDocument`.
    #[must_use]
    pub fn is_foreign(&self) -> bool {
        self.owner == Owner::Foreign
    }

    /// The id of the Cedar `Document` entity: the name, or for a foreign document the
    /// text as given.
    #[must_use]
    pub fn entity_id(&self) -> &str {
        if self.is_foreign() {
            &self.given
        } else {
            &self.name
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(account: Option<&str>) -> UpstreamScope {
        UpstreamScope::for_region("us-east-1", account.map(str::to_owned))
    }

    #[test]
    fn partitions_come_from_the_core() {
        assert_eq!(scope(None).partition, "aws");
        assert_eq!(
            UpstreamScope::for_region("cn-north-1", None).partition,
            "aws-cn"
        );
        assert_eq!(
            UpstreamScope::for_region("us-gov-west-1", None).partition,
            "aws-us-gov"
        );
    }

    #[test]
    fn classification() {
        let own = scope(Some("123456789012"));
        let cases: &[(&str, Option<&UpstreamScope>, Owner, &str)] = &[
            (
                "Ops-RestartService",
                Some(&own),
                Owner::Upstream,
                "Ops-RestartService",
            ),
            (
                "Ops-RestartService",
                None,
                Owner::Upstream,
                "Ops-RestartService",
            ),
            ("AWS-RunShellScript", None, Owner::Aws, "AWS-RunShellScript"),
            (
                "arn:aws:ssm:us-east-1:123456789012:document/Ops-RestartService",
                Some(&own),
                Owner::Upstream,
                "Ops-RestartService",
            ),
            (
                "arn:aws:ssm:us-east-1::document/AWS-RunShellScript",
                Some(&own),
                Owner::Aws,
                "AWS-RunShellScript",
            ),
            (
                "arn:aws:ssm:us-east-1::document/AWS-RunShellScript",
                Some(&scope(None)),
                Owner::Aws,
                "AWS-RunShellScript",
            ),
            (
                "arn:aws:ssm:us-east-1:999999999999:document/Ops-RestartService",
                Some(&own),
                Owner::Foreign,
                "arn:aws:ssm:us-east-1:999999999999:document/Ops-RestartService",
            ),
            (
                "arn:aws:ssm:us-east-1:123456789012:document/Ops-RestartService",
                Some(&scope(None)),
                Owner::Foreign,
                "arn:aws:ssm:us-east-1:123456789012:document/Ops-RestartService",
            ),
            (
                "arn:aws:ssm:us-west-2:123456789012:document/Ops-RestartService",
                Some(&own),
                Owner::Foreign,
                "arn:aws:ssm:us-west-2:123456789012:document/Ops-RestartService",
            ),
            (
                "arn:aws-cn:ssm:us-east-1:123456789012:document/Ops-RestartService",
                Some(&own),
                Owner::Foreign,
                "arn:aws-cn:ssm:us-east-1:123456789012:document/Ops-RestartService",
            ),
            (
                "arn:aws:ssm:us-east-1::document/Ops-RestartService",
                Some(&own),
                Owner::Foreign,
                "arn:aws:ssm:us-east-1::document/Ops-RestartService",
            ),
            (
                "arn:aws:ssm:us-east-1:123456789012:document/a/Ops-RestartService",
                Some(&own),
                Owner::Foreign,
                "arn:aws:ssm:us-east-1:123456789012:document/a/Ops-RestartService",
            ),
            (
                "Ops/RestartService",
                Some(&own),
                Owner::Foreign,
                "Ops/RestartService",
            ),
            (
                "arn:aws:ssm:us-east-1",
                Some(&own),
                Owner::Foreign,
                "arn:aws:ssm:us-east-1",
            ),
        ];
        for (given, scope, owner, id) in cases {
            let document = Document::classify(given, *scope);
            assert_eq!(document.owner, *owner, "{given} {scope:?}");
            assert_eq!(document.entity_id(), *id, "{given} {scope:?}");
            assert_eq!(document.given, *given);
        }
    }

    #[test]
    fn serializes_for_the_audit_line() {
        let document = Document::classify(
            "arn:aws:ssm:us-east-1:999999999999:document/Ops-RestartService",
            Some(&scope(Some("123456789012"))),
        );
        assert_eq!(
            serde_json::to_value(&document).unwrap(),
            serde_json::json!({
                "given": "arn:aws:ssm:us-east-1:999999999999:document/Ops-RestartService",
                "name": "Ops-RestartService",
                "owner": "foreign",
                "partition": "aws",
                "region": "us-east-1",
                "account": "999999999999",
            })
        );
        assert_eq!(
            serde_json::to_value(Document::classify("Ops-RestartService", None)).unwrap()["owner"],
            "self"
        );
    }
}

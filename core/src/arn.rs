//! Amazon Resource Names split into their parts, as every ARN reader here needs them
//! (a role's for STS, a document's for the gateway's policies). Only the split: what
//! each part may be is the caller's rule.

/// The six parts of `arn:<partition>:<service>:<region>:<account>:<resource>`, borrowed;
/// the resource keeps any further `:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArnParts<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`, …
    pub partition: &'a str,
    /// `iam`, `ssm`, …
    pub service: &'a str,
    /// Empty for global services.
    pub region: &'a str,
    /// Empty for AWS-owned resources.
    pub account: &'a str,
    /// `role/ops/name`, `document/Name`, …
    pub resource: &'a str,
}

impl<'a> ArnParts<'a> {
    /// Splits `text`; `None` unless it starts with `arn:` and has all six parts.
    #[must_use]
    pub fn split(text: &'a str) -> Option<Self> {
        let mut parts = text.splitn(6, ':');
        let (
            Some("arn"),
            Some(partition),
            Some(service),
            Some(region),
            Some(account),
            Some(resource),
        ) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        )
        else {
            return None;
        };
        Some(ArnParts {
            partition,
            service,
            region,
            account,
            resource,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_six_parts_and_keeps_the_resource_whole() {
        let parts = ArnParts::split("arn:aws:ssm:eu-west-1:123456789012:document/a:b").unwrap();
        assert_eq!(
            (
                parts.partition,
                parts.service,
                parts.region,
                parts.account,
                parts.resource
            ),
            ("aws", "ssm", "eu-west-1", "123456789012", "document/a:b")
        );
        let global = ArnParts::split("arn:aws:iam::123456789012:role/x").unwrap();
        assert_eq!((global.region, global.resource), ("", "role/x"));
        for bad in [
            "",
            "arn:aws:iam::123456789012",
            "ARN:aws:iam::1:role/x",
            "urn:aws:iam::1:role/x",
        ] {
            assert_eq!(ArnParts::split(bad), None, "{bad}");
        }
    }
}

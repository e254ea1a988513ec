//! IAM role ARNs (`arn:<partition>:iam::<account>:role/<path/><name>`), the `RoleArn`
//! of `AssumeRole`.

use alloc::string::String;
use core::fmt;

use super::input::StsInputError;

/// A checked IAM role ARN, e.g. `arn:aws:iam::123456789012:role/ops/ssm-edge`.
///
/// The rules ([`RoleArn::parse`]): STS's `arnType` length (20 to 2048 characters), a
/// partition of the endpoint table, service `iam`, an empty region, a 12-digit account
/// id, and a `role/` resource whose name is IAM's role name (1 to 64 characters of
/// `[A-Za-z0-9_+=,.@-]`) under an optional IAM path (`!` to `~`, at most 512
/// characters with its slashes).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RoleArn {
    text: String,
    /// `text[partition_end + 1..account_end]` is the account id, etc.: byte offsets.
    partition_end: usize,
    account_start: usize,
    name_start: usize,
}

/// Which rule a [`RoleArn`] breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RoleArnProblem {
    /// Shorter than 20 or longer than 2048 characters (STS's `arnType`).
    Length,
    /// Not `arn:<partition>:<service>:<region>:<account>:<resource>`.
    NotAnArn,
    /// The partition is not one of the endpoint table's (`aws`, `aws-cn`, `aws-us-gov`, ...).
    Partition,
    /// The service is not `iam`.
    Service,
    /// The region is not empty (IAM is global: `arn:aws:iam::…`).
    Region,
    /// The account id is not exactly 12 digits.
    AccountId,
    /// The resource is not `role/…`.
    NotARole,
    /// The role name is not 1 to 64 characters of `[A-Za-z0-9_+=,.@-]`.
    RoleName,
    /// The role's path has a character outside `!`..`~` or is longer than 512 characters.
    RolePath,
}

impl RoleArnProblem {
    /// A stable identifier for programs (`length`, `notAnArn`, `partition`, `service`,
    /// `region`, `accountId`, `notARole`, `roleName`, `rolePath`).
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            RoleArnProblem::Length => "length",
            RoleArnProblem::NotAnArn => "notAnArn",
            RoleArnProblem::Partition => "partition",
            RoleArnProblem::Service => "service",
            RoleArnProblem::Region => "region",
            RoleArnProblem::AccountId => "accountId",
            RoleArnProblem::NotARole => "notARole",
            RoleArnProblem::RoleName => "roleName",
            RoleArnProblem::RolePath => "rolePath",
        }
    }

    /// The rule broken, in words.
    #[must_use]
    pub fn rule(self) -> &'static str {
        match self {
            RoleArnProblem::Length => "must be 20 to 2048 characters long",
            RoleArnProblem::NotAnArn => {
                "must be arn:<partition>:iam::<account id>:role/<path/><role name>"
            }
            RoleArnProblem::Partition => {
                "must name a known partition (aws, aws-cn, aws-us-gov, aws-iso, ...)"
            }
            RoleArnProblem::Service => "must name the service iam",
            RoleArnProblem::Region => "must have an empty region (arn:<partition>:iam::...)",
            RoleArnProblem::AccountId => "must have a 12-digit account id",
            RoleArnProblem::NotARole => "must name a role (resource role/...)",
            RoleArnProblem::RoleName => {
                "must end in a role name of 1 to 64 characters of [\\w+=,.@-]"
            }
            RoleArnProblem::RolePath => {
                "must have a role path of at most 512 characters from ! to ~"
            }
        }
    }
}

impl fmt::Display for RoleArnProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.rule())
    }
}

/// IAM's role-name characters (and STS's `RoleSessionName`'s): Java's ASCII `\w` and
/// `+=,.@-`.
pub(super) fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'=' | b',' | b'.' | b'@' | b'-')
}

impl RoleArn {
    /// Checks `arn` against the rules of [`RoleArn`].
    ///
    /// # Errors
    /// [`StsInputError::RoleArn`] naming the rule broken.
    pub fn parse(arn: &str) -> Result<RoleArn, StsInputError> {
        Self::check(arn).map_err(StsInputError::RoleArn)
    }

    fn check(arn: &str) -> Result<RoleArn, RoleArnProblem> {
        if !(20..=2048).contains(&arn.chars().count()) {
            return Err(RoleArnProblem::Length);
        }
        let Some(crate::arn::ArnParts {
            partition,
            service,
            region,
            account,
            resource,
        }) = crate::arn::ArnParts::split(arn)
        else {
            return Err(RoleArnProblem::NotAnArn);
        };
        if !crate::endpoint::is_partition(partition) {
            return Err(RoleArnProblem::Partition);
        }
        if service != "iam" {
            return Err(RoleArnProblem::Service);
        }
        if !region.is_empty() {
            return Err(RoleArnProblem::Region);
        }
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RoleArnProblem::AccountId);
        }
        let Some(path_and_name) = resource.strip_prefix("role/") else {
            return Err(RoleArnProblem::NotARole);
        };
        // `role/a/b/name`: the path is `/a/b/`, the name what follows the last `/`.
        let (inner_path, name) = path_and_name
            .rsplit_once('/')
            .unwrap_or(("", path_and_name));
        if !(1..=64).contains(&name.len()) || !name.bytes().all(is_name_char) {
            return Err(RoleArnProblem::RoleName);
        }
        // IAM's path: `/` or `/[\u0021-\u007E]+/`, 1 to 512 characters.
        if inner_path.len() + 2 > 512 || !inner_path.bytes().all(|b| (b'!'..=b'~').contains(&b)) {
            return Err(RoleArnProblem::RolePath);
        }
        let partition_end = 4 + partition.len();
        let account_start = partition_end + 1 + service.len() + 1 + region.len() + 1;
        Ok(RoleArn {
            text: String::from(arn),
            partition_end,
            account_start,
            name_start: arn.len() - name.len(),
        })
    }

    /// The partition, e.g. `aws`.
    #[must_use]
    pub fn partition(&self) -> &str {
        &self.text[4..self.partition_end]
    }

    /// The 12-digit account id.
    #[must_use]
    pub fn account_id(&self) -> &str {
        &self.text[self.account_start..self.account_start + 12]
    }

    /// The role name (without its path), e.g. `ssm-edge`.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.text[self.name_start..]
    }

    /// The role's IAM path, `/` when it has none, e.g. `/ops/`.
    #[must_use]
    pub fn path(&self) -> &str {
        // `role/` starts 18 bytes after the account id (12 digits, `:`, `role`); the
        // path runs from its `/` to the one before the name.
        &self.text[self.account_start + 17..self.name_start]
    }

    /// The whole ARN as given.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for RoleArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl core::str::FromStr for RoleArn {
    type Err = StsInputError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RoleArn::parse(s)
    }
}

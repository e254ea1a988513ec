//! The `AssumeRole` input and its checks: STS's model (botocore's `sts` 2011-06-15
//! `service-2.json`) for the four parameters sent.

use alloc::string::String;
use core::fmt;

use super::arn::{is_name_char, RoleArn, RoleArnProblem};

/// Shortest and longest `DurationSeconds` (`roleDurationSecondsType`). The role's own
/// maximum session duration (1 to 12 hours) may refuse more than 3600.
pub const DURATION_SECS: core::ops::RangeInclusive<u32> = 900..=43_200;

/// The `DurationSeconds` [`AssumeRole::new`] asks for: one hour, what every role allows.
pub const DEFAULT_DURATION_SECS: u32 = 3600;

/// An STS `AssumeRole` call.
///
/// Only the parameters a gateway needs are modelled (no session policies, tags, MFA or
/// source identity). [`AssumeRole::validate`] (also run by [`AssumeRole::request`])
/// checks them against STS's model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssumeRole {
    /// The role to assume (`RoleArn`).
    pub role_arn: RoleArn,
    /// `RoleSessionName`: 2 to 64 characters of `[A-Za-z0-9_+=,.@-]`; appears in the
    /// assumed-role ARN and in CloudTrail.
    pub session_name: String,
    /// `DurationSeconds`: 900 to 43200 ([`DURATION_SECS`]).
    pub duration_secs: u32,
    /// `ExternalId`, when the role's trust policy asks for one: 2 to 1224 characters of
    /// `[A-Za-z0-9_+=,.@:/-]`.
    pub external_id: Option<String>,
}

impl AssumeRole {
    /// Assume `role_arn` as session `session_name` for [`DEFAULT_DURATION_SECS`], without
    /// an external id.
    #[must_use]
    pub fn new(role_arn: RoleArn, session_name: impl Into<String>) -> AssumeRole {
        AssumeRole {
            role_arn,
            session_name: session_name.into(),
            duration_secs: DEFAULT_DURATION_SECS,
            external_id: None,
        }
    }

    /// The same call with another `DurationSeconds`.
    #[must_use]
    pub fn with_duration_secs(mut self, duration_secs: u32) -> AssumeRole {
        self.duration_secs = duration_secs;
        self
    }

    /// The same call with an `ExternalId`.
    #[must_use]
    pub fn with_external_id(mut self, external_id: impl Into<String>) -> AssumeRole {
        self.external_id = Some(external_id.into());
        self
    }

    /// Checks the parameters against STS's model rules (the [`RoleArn`] was checked
    /// when parsed).
    ///
    /// # Errors
    /// The first parameter breaking a rule, in the order `RoleSessionName`,
    /// `DurationSeconds`, `ExternalId`.
    pub fn validate(&self) -> Result<(), StsInputError> {
        check_text(&self.session_name, 2, 64, is_name_char)
            .map_err(StsInputError::RoleSessionName)?;
        if !DURATION_SECS.contains(&self.duration_secs) {
            return Err(StsInputError::DurationSeconds {
                value: self.duration_secs,
            });
        }
        if let Some(external_id) = &self.external_id {
            check_text(external_id, 2, 1224, |b| {
                is_name_char(b) || matches!(b, b':' | b'/')
            })
            .map_err(StsInputError::ExternalId)?;
        }
        Ok(())
    }
}

/// `min..=max` characters, each allowed by `allowed` (ASCII patterns only).
fn check_text(
    text: &str,
    min: usize,
    max: usize,
    allowed: fn(u8) -> bool,
) -> Result<(), TextProblem> {
    let length = text.chars().count();
    if !(min..=max).contains(&length) {
        return Err(TextProblem::Length { length });
    }
    match text
        .chars()
        .position(|c| !u8::try_from(c).is_ok_and(allowed))
    {
        Some(index) => Err(TextProblem::Character { index }),
        None => Ok(()),
    }
}

/// What is wrong with a text parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TextProblem {
    /// Too short or too long.
    Length {
        /// Its length in characters.
        length: usize,
    },
    /// A character outside the parameter's pattern.
    Character {
        /// The index (in characters) of the first one.
        index: usize,
    },
}

/// Why an [`AssumeRole`] cannot be sent: the parameter and the STS model rule it breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StsInputError {
    /// `RoleArn` is not an IAM role ARN.
    RoleArn(RoleArnProblem),
    /// `RoleSessionName` is not 2 to 64 characters of `[\w+=,.@-]`.
    RoleSessionName(TextProblem),
    /// `DurationSeconds` is outside 900 to 43200.
    DurationSeconds {
        /// The value given.
        value: u32,
    },
    /// `ExternalId` is not 2 to 1224 characters of `[\w+=,.@:/-]`.
    ExternalId(TextProblem),
}

impl StsInputError {
    /// The STS parameter at fault: `RoleArn`, `RoleSessionName`, `DurationSeconds` or
    /// `ExternalId`.
    #[must_use]
    pub fn field(&self) -> &'static str {
        match self {
            StsInputError::RoleArn(_) => "RoleArn",
            StsInputError::RoleSessionName(_) => "RoleSessionName",
            StsInputError::DurationSeconds { .. } => "DurationSeconds",
            StsInputError::ExternalId(_) => "ExternalId",
        }
    }

    /// The rule broken, in words.
    #[must_use]
    pub fn rule(&self) -> &'static str {
        match self {
            StsInputError::RoleArn(problem) => problem.rule(),
            StsInputError::RoleSessionName(_) => {
                "must be 2 to 64 characters of letters, digits and _+=,.@-"
            }
            StsInputError::DurationSeconds { .. } => "must be 900 to 43200 seconds",
            StsInputError::ExternalId(_) => {
                "must be 2 to 1224 characters of letters, digits and _+=,.@:/-"
            }
        }
    }
}

impl fmt::Display for StsInputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field(), self.rule())?;
        match self {
            StsInputError::RoleSessionName(TextProblem::Length { length })
            | StsInputError::ExternalId(TextProblem::Length { length }) => {
                write!(f, " (it has {length})")
            }
            StsInputError::RoleSessionName(TextProblem::Character { index })
            | StsInputError::ExternalId(TextProblem::Character { index }) => {
                write!(f, " (character {index} is not allowed)")
            }
            StsInputError::DurationSeconds { value } => write!(f, " (got {value})"),
            StsInputError::RoleArn(_) => Ok(()),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for StsInputError {}

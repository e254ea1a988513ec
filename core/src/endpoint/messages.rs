//! The English sentences of endpoint errors, for native callers (`Display`).
//!
//! The only `core::fmt` of the endpoint module: `resolve` never formats, so the wasm
//! (which sends [`EndpointError::code`] and its arguments, and lets JavaScript word
//! them) links none of this.

use core::fmt;

use super::{EndpointError, UrlProblem};

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndpointError::InvalidRegion { region } => write!(
                f,
                "region {region:?} is invalid: it must be a host label of 1 to 63 ASCII \
                 letters, digits and hyphens, not starting or ending with a hyphen and \
                 not all digits"
            )?,
            EndpointError::FipsWithCustomEndpoint => {
                f.write_str("use_fips cannot be combined with endpoint_url")?;
            }
            EndpointError::DualStackWithCustomEndpoint => {
                f.write_str("use_dual_stack cannot be combined with endpoint_url")?;
            }
            EndpointError::InvalidEndpointUrl(problem) => {
                write!(f, "endpoint_url is invalid: {problem}")?;
            }
            EndpointError::FipsAndDualStackNotSupported { partition } => write!(
                f,
                "use_fips with use_dual_stack is not available in partition {partition}"
            )?,
            EndpointError::FipsNotSupported { partition } => {
                write!(f, "use_fips is not available in partition {partition}")?;
            }
            EndpointError::DualStackNotSupported { partition } => {
                write!(
                    f,
                    "use_dual_stack is not available in partition {partition}"
                )?;
            }
        }
        match self.rule_message() {
            Some(rule) => write!(f, " (endpoint rule: {rule})"),
            None => Ok(()),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for EndpointError {}

impl fmt::Display for UrlProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UrlProblem::Scheme => "the scheme must be http:// or https://",
            UrlProblem::MissingHost => "it has no host",
            UrlProblem::InvalidHost => {
                "the host must be DNS labels (letters, digits, hyphens) or a bracketed IPv6 address"
            }
            UrlProblem::InvalidPort => "the port must be a number from 1 to 65535",
            UrlProblem::UserInfo => "it must not carry a user name or password",
            UrlProblem::Query => "it must not have a query (?...)",
            UrlProblem::Fragment => "it must not have a fragment (#...)",
            UrlProblem::InvalidCharacter => {
                "it must be printable ASCII (no spaces, control or non-ASCII characters; percent-encode them)"
            }
        })
    }
}

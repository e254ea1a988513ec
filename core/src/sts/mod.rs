//! STS `AssumeRole` without an SDK (feature `sts`): the gateway trades its own
//! credentials for a role's temporary ones.
//!
//! ```text
//! sts_endpoint ─► AssumeRole::request (query protocol, SigV4 `sts`) ─► bytes out
//!                 decode_assume_role (XML) ◄─────────────────────────── bytes in
//! ```
//!
//! ```
//! use ssm_edge_core::sign::Credentials;
//! use ssm_edge_core::sts::{sts_endpoint, AssumeRole, RoleArn};
//!
//! let role = RoleArn::parse("arn:aws:iam::123456789012:role/ssm-edge-ops").unwrap();
//! let call = AssumeRole::new(role, "gateway").with_duration_secs(900);
//! let endpoint = sts_endpoint("eu-west-1", None).unwrap();
//! assert_eq!(endpoint.url, "https://sts.eu-west-1.amazonaws.com");
//! let credentials = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None);
//! let request = call.request(&endpoint, &credentials, 1_795_678_693).unwrap();
//! assert_eq!(request.body, b"Action=AssumeRole&Version=2011-06-15\
//!     &RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fssm-edge-ops\
//!     &RoleSessionName=gateway&DurationSeconds=900");
//! assert!(request.header("Authorization").unwrap().contains("/20261126/eu-west-1/sts/aws4_request"));
//! // Send it, then: ssm_edge_core::sts::decode_assume_role(&response)
//! ```
//!
//! Modules: `arn` ([`RoleArn`]), `input` ([`AssumeRole`] and its checks), `request`
//! (the signed query-protocol request), `response` (the XML answer).

mod arn;
mod input;
mod request;
mod response;
#[cfg(test)]
mod tests;

pub use arn::{RoleArn, RoleArnProblem};
pub use input::{AssumeRole, StsInputError, TextProblem, DEFAULT_DURATION_SECS, DURATION_SECS};
pub use request::{StsRequestError, FORM_CONTENT_TYPE};
pub use response::{decode_assume_role, Malformed, RoleCredentials, StsError};

use crate::endpoint::{Endpoint, EndpointError};

/// The SigV4 signing name (and endpoint prefix) of STS.
pub const SIGNING_NAME: &str = "sts";

/// The STS API version every request names (`Version=2011-06-15`).
pub const API_VERSION: &str = "2011-06-15";

/// The regional STS endpoint of `region`, `https://sts.<region>.<dnsSuffix>` with the
/// DNS suffix of the region's partition (`amazonaws.com`, `amazonaws.com.cn`, ...), or
/// `endpoint_url` (checked as [`crate::endpoint::resolve`] checks a custom URL); signed
/// for `region` as `sts`. The legacy global endpoint (`sts.amazonaws.com`) is never
/// chosen: regional endpoints are botocore's default and keep working when
/// `us-east-1` does not.
///
/// # Errors
/// [`EndpointError::InvalidRegion`] for a region that is not a host label,
/// [`EndpointError::InvalidEndpointUrl`] for an unusable `endpoint_url`.
pub fn sts_endpoint(region: &str, endpoint_url: Option<&str>) -> Result<Endpoint, EndpointError> {
    crate::endpoint::resolve_regional(SIGNING_NAME, SIGNING_NAME, region, endpoint_url)
}

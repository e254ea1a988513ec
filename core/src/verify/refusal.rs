//! Why a request was refused, and what AWS would answer for it.
//!
//! Every refusal is a distinct [`Refusal`] variant; [`Refusal::aws_error`] maps it to
//! the error a real AWS service answers, so a gateway can reply exactly like SSM.
//!
//! | refusal | awsJson (SSM; all HTTP 400) | awsQuery (STS/IAM, moto) |
//! |---|---|---|
//! | `MissingAuthorization` | `MissingAuthenticationTokenException` | `MissingAuthenticationToken` 403 |
//! | malformed `Authorization` (algorithm, components, credential, `SignedHeaders`), several `Authorization` headers, missing/malformed/duplicated `X-Amz-Date`, `host`/`x-amz-date`/`content-type`/`x-amz-*` not signed, a duplicated single-valued header, a signed header absent, an unsignable request | `IncompleteSignatureException` | `IncompleteSignature` 400 |
//! | wrong scope date / region / service / terminator | `InvalidSignatureException` | `SignatureDoesNotMatch` 403 |
//! | `SignatureExpired`, `SignatureNotYetCurrent` | `InvalidSignatureException` ("Signature expired: … is now earlier than … (… - 5 min.)") | `SignatureDoesNotMatch` 403 (STS); [`Refusal::request_expired_error`] gives `RequestExpired` 400 (EC2-style query APIs) |
//! | `UnknownAccessKey` | `UnrecognizedClientException` ("The security token included in the request is invalid.") | `InvalidClientTokenId` 403 |
//! | `MalformedSignature`, `ContentSha256Mismatch`, `SignatureMismatch` | `InvalidSignatureException` | `SignatureDoesNotMatch` 403 |
//!
//! The expiry and "signature does not match" messages are AWS's own wording. A
//! malformed but well-formed-looking signature (uppercase hex, wrong length) gets
//! the plain mismatch answer, as AWS compares signatures as strings. Messages never
//! contain a secret, a session token, a signature or a canonical request; values
//! echoed from the request (a scope part) are cut to 64 visible ASCII characters.

use alloc::string::String;
use core::fmt;

use crate::time::AmzDate;

/// An `Authorization` header component.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Component {
    /// `Credential=`.
    Credential,
    /// `SignedHeaders=`.
    SignedHeaders,
    /// `Signature=`.
    Signature,
}

impl Component {
    fn name(self) -> &'static str {
        match self {
            Component::Credential => "Credential",
            Component::SignedHeaders => "SignedHeaders",
            Component::Signature => "Signature",
        }
    }
}

/// What is wrong with a `SignedHeaders` list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignedHeadersDefect {
    /// The list, or one entry of it, is empty.
    Empty,
    /// An entry is not an HTTP token.
    InvalidName,
    /// An entry has uppercase letters.
    NotLowercase,
    /// The entries are not in ascending order.
    Unsorted,
    /// An entry is repeated.
    Duplicate,
}

/// Why [`verify`](super::verify) refused a request. Each variant is one distinct
/// reason; see the module documentation for the AWS error each maps to.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// No `Authorization` header.
    MissingAuthorization,
    /// More than one `Authorization` header.
    MultipleAuthorization,
    /// The algorithm is not `AWS4-HMAC-SHA256` (SigV4a, SigV2, a bearer token, ...).
    UnsupportedAlgorithm,
    /// The component list is malformed: an empty or unknown component or one without `=`.
    MalformedAuthorization,
    /// A component is missing.
    MissingComponent(Component),
    /// A component appears twice.
    DuplicateComponent(Component),
    /// `Credential` is not `AKID/YYYYMMDD/region/service/terminator` with a valid date.
    MalformedCredential,
    /// `SignedHeaders` is not a lowercase, sorted, duplicate-free list of names.
    SignedHeadersNotCanonical(SignedHeadersDefect),
    /// `Signature` is not exactly 64 lowercase hex digits.
    MalformedSignature,
    /// `host` is not in `SignedHeaders`.
    HostNotSigned,
    /// `x-amz-date` is not in `SignedHeaders`.
    DateNotSigned,
    /// A header that must be signed when present (`content-type`, any `x-amz-*`) is
    /// present but not in `SignedHeaders` (the lowercase name is carried).
    HeaderNotSigned(String),
    /// A header named in `SignedHeaders` is not on the request (name carried).
    SignedHeaderMissing(String),
    /// A header that must appear at most once appears several times (`host`,
    /// `x-amz-date`, `x-amz-security-token`, `x-amz-content-sha256`, `x-amz-target`,
    /// `content-type`).
    DuplicateHeader(&'static str),
    /// No `X-Amz-Date` header (the `Date` header alternative is not accepted).
    MissingDate,
    /// `X-Amz-Date` is not a strict `YYYYMMDD'T'HHMMSS'Z'` time.
    MalformedDate,
    /// The credential scope date is not the day of `X-Amz-Date`.
    ScopeDateMismatch {
        /// `YYYYMMDD` from the scope.
        scope_date: String,
        /// `X-Amz-Date`.
        amz_date: AmzDate,
    },
    /// The scope region is not the expected region.
    WrongRegion {
        /// The verifier's region(s), comma-separated.
        expected: String,
        /// The scope's region.
        found: String,
    },
    /// The scope service is not the expected service.
    WrongService {
        /// The verifier's service.
        expected: String,
        /// The scope's service.
        found: String,
    },
    /// The scope does not end in `aws4_request` (the scope's terminator is carried).
    WrongTerminator(String),
    /// `X-Amz-Date` is older than `now - max_skew`.
    SignatureExpired {
        /// `X-Amz-Date`.
        signed_at: AmzDate,
        /// Verifier's time, unix seconds.
        now: u64,
        /// Allowed skew, seconds.
        max_skew_secs: u64,
    },
    /// `X-Amz-Date` is later than `now + max_skew`.
    SignatureNotYetCurrent {
        /// `X-Amz-Date`.
        signed_at: AmzDate,
        /// Verifier's time, unix seconds.
        now: u64,
        /// Allowed skew, seconds.
        max_skew_secs: u64,
    },
    /// The lookup knows no secret for the access key id.
    UnknownAccessKey,
    /// A signed `X-Amz-Content-Sha256` is not the SHA-256 of the body.
    ContentSha256Mismatch,
    /// The request cannot be canonicalized (bad URL, method, header name or value).
    InvalidRequest,
    /// The recomputed signature differs.
    SignatureMismatch,
}

/// The error protocol to answer in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ErrorDialect {
    /// awsJson 1.0/1.1 services, such as SSM: `{"__type": ..., "message": ...}`, HTTP 400.
    #[default]
    AwsJson,
    /// awsQuery services such as STS and IAM (XML `<Code>`), and what moto answers.
    AwsQuery,
}

/// An AWS-shaped error answer for a [`Refusal`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsError {
    /// Error code, e.g. `InvalidSignatureException` (the JSON `__type`).
    pub code: &'static str,
    /// HTTP status.
    pub status: u16,
    /// Human-readable message; never contains secrets.
    pub message: String,
}

impl AwsError {
    /// The awsJson body, `{"__type":"<code>","message":"<message>"}`.
    #[must_use]
    pub fn json_body(&self) -> String {
        let mut body = crate::json::Writer::new();
        body.begin_object()
            .key("__type")
            .string(self.code)
            .key("message")
            .string(&self.message)
            .end_object();
        body.finish()
    }
}

const SIGNATURE_MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/// Keeps at most 64 visible ASCII characters of a client-supplied value.
fn echo(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_graphic())
        .take(64)
        .collect()
}

/// `5 min.` / `90 sec.` as in AWS's skew messages.
fn skew_text(secs: u64) -> String {
    if secs % 60 == 0 {
        alloc::format!("{} min.", secs / 60)
    } else {
        alloc::format!("{secs} sec.")
    }
}

fn amz(secs: u64) -> String {
    AmzDate::from_unix(secs)
        .map(|d| String::from(d.as_str()))
        .unwrap_or_else(|_| alloc::format!("@{secs}"))
}

enum Kind {
    MissingToken,
    Incomplete,
    Invalid,
    UnknownClient,
}

impl Refusal {
    fn kind(&self) -> Kind {
        match self {
            Refusal::MissingAuthorization => Kind::MissingToken,
            Refusal::MultipleAuthorization
            | Refusal::UnsupportedAlgorithm
            | Refusal::MalformedAuthorization
            | Refusal::MissingComponent(_)
            | Refusal::DuplicateComponent(_)
            | Refusal::MalformedCredential
            | Refusal::SignedHeadersNotCanonical(_)
            | Refusal::HostNotSigned
            | Refusal::DateNotSigned
            | Refusal::HeaderNotSigned(_)
            | Refusal::SignedHeaderMissing(_)
            | Refusal::DuplicateHeader(_)
            | Refusal::MissingDate
            | Refusal::MalformedDate
            | Refusal::InvalidRequest => Kind::Incomplete,
            Refusal::ScopeDateMismatch { .. }
            | Refusal::WrongRegion { .. }
            | Refusal::WrongService { .. }
            | Refusal::WrongTerminator(_)
            | Refusal::SignatureExpired { .. }
            | Refusal::SignatureNotYetCurrent { .. }
            | Refusal::MalformedSignature
            | Refusal::ContentSha256Mismatch
            | Refusal::SignatureMismatch => Kind::Invalid,
            Refusal::UnknownAccessKey => Kind::UnknownClient,
        }
    }

    /// The message AWS would send (no secrets).
    #[must_use]
    pub fn message(&self) -> String {
        use alloc::format;
        match self {
            Refusal::MissingAuthorization => String::from("Missing Authentication Token"),
            Refusal::MultipleAuthorization => {
                String::from("Only one 'Authorization' header is allowed.")
            }
            Refusal::UnsupportedAlgorithm => String::from(
                "Unsupported AWS 'algorithm': only 'AWS4-HMAC-SHA256' is accepted.",
            ),
            Refusal::MalformedAuthorization => String::from(
                "Authorization header is not a list of valid key=value pairs: Credential, SignedHeaders, Signature.",
            ),
            Refusal::MissingComponent(c) => {
                format!("Authorization header requires '{}' parameter.", c.name())
            }
            Refusal::DuplicateComponent(c) => {
                format!("Authorization header has more than one '{}' parameter.", c.name())
            }
            Refusal::MalformedCredential => String::from(
                "Credential must have the form <access key id>/<YYYYMMDD>/<region>/<service>/aws4_request.",
            ),
            Refusal::SignedHeadersNotCanonical(d) => format!(
                "'SignedHeaders' must be a sorted, duplicate-free list of lowercase header names ({}).",
                match d {
                    SignedHeadersDefect::Empty => "empty name",
                    SignedHeadersDefect::InvalidName => "invalid name",
                    SignedHeadersDefect::NotLowercase => "not lowercase",
                    SignedHeadersDefect::Unsorted => "not sorted",
                    SignedHeadersDefect::Duplicate => "duplicate name",
                }
            ),
            Refusal::HostNotSigned => String::from(
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
            ),
            Refusal::DateNotSigned => {
                String::from("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.")
            }
            Refusal::HeaderNotSigned(name) => format!(
                "'{}' must be a 'SignedHeader' in the AWS Authorization.",
                echo(name)
            ),
            Refusal::SignedHeaderMissing(name) => format!(
                "Header '{}' is listed in 'SignedHeaders' but is not in the request.",
                echo(name)
            ),
            Refusal::DuplicateHeader(name) => {
                format!("Header '{name}' must not appear more than once.")
            }
            Refusal::MissingDate => String::from(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
            ),
            Refusal::MalformedDate => String::from(
                "'X-Amz-Date' must be an ISO-8601 basic date-time: YYYYMMDD'T'HHMMSS'Z'.",
            ),
            Refusal::ScopeDateMismatch {
                scope_date,
                amz_date,
            } => format!(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}', from '{}'.",
                echo(scope_date),
                amz_date.date_stamp(),
                amz_date.as_str()
            ),
            Refusal::WrongRegion { found, .. } => format!(
                "Credential should be scoped to a valid region, not '{}'.",
                echo(found)
            ),
            Refusal::WrongService { expected, .. } => format!(
                "Credential should be scoped to correct service: '{}'.",
                echo(expected)
            ),
            Refusal::WrongTerminator(t) => format!(
                "Credential should be scoped with a valid terminator: 'aws4_request', not '{}'.",
                echo(t)
            ),
            Refusal::SignatureExpired {
                signed_at,
                now,
                max_skew_secs,
            } => format!(
                "Signature expired: {} is now earlier than {} ({} - {})",
                signed_at.as_str(),
                amz(now.saturating_sub(*max_skew_secs)),
                amz(*now),
                skew_text(*max_skew_secs)
            ),
            Refusal::SignatureNotYetCurrent {
                signed_at,
                now,
                max_skew_secs,
            } => format!(
                "Signature not yet current: {} is still later than {} ({} + {})",
                signed_at.as_str(),
                amz(now.saturating_add(*max_skew_secs)),
                amz(*now),
                skew_text(*max_skew_secs)
            ),
            Refusal::UnknownAccessKey => {
                String::from("The security token included in the request is invalid.")
            }
            Refusal::ContentSha256Mismatch => String::from(
                "The provided 'x-amz-content-sha256' header does not match what was computed.",
            ),
            Refusal::InvalidRequest => String::from(
                "The request cannot be signed: invalid URL, method, header name or header value.",
            ),
            Refusal::MalformedSignature | Refusal::SignatureMismatch => {
                String::from(SIGNATURE_MISMATCH)
            }
        }
    }

    /// The error AWS answers for this refusal in `dialect` (see the module table).
    #[must_use]
    pub fn aws_error(&self, dialect: ErrorDialect) -> AwsError {
        let (code, status) = match (dialect, self.kind()) {
            (ErrorDialect::AwsJson, Kind::MissingToken) => {
                ("MissingAuthenticationTokenException", 400)
            }
            (ErrorDialect::AwsJson, Kind::Incomplete) => ("IncompleteSignatureException", 400),
            (ErrorDialect::AwsJson, Kind::Invalid) => ("InvalidSignatureException", 400),
            (ErrorDialect::AwsJson, Kind::UnknownClient) => ("UnrecognizedClientException", 400),
            (ErrorDialect::AwsQuery, Kind::MissingToken) => ("MissingAuthenticationToken", 403),
            (ErrorDialect::AwsQuery, Kind::Incomplete) => ("IncompleteSignature", 400),
            (ErrorDialect::AwsQuery, Kind::Invalid) => ("SignatureDoesNotMatch", 403),
            (ErrorDialect::AwsQuery, Kind::UnknownClient) => ("InvalidClientTokenId", 403),
        };
        AwsError {
            code,
            status,
            message: self.message(),
        }
    }

    /// For [`Refusal::SignatureExpired`] / [`Refusal::SignatureNotYetCurrent`], the
    /// `RequestExpired` (HTTP 400) answer that EC2-style query APIs give instead; `None`
    /// for every other refusal.
    #[must_use]
    pub fn request_expired_error(&self) -> Option<AwsError> {
        match self {
            Refusal::SignatureExpired { .. } | Refusal::SignatureNotYetCurrent { .. } => {
                Some(AwsError {
                    code: "RequestExpired",
                    status: 400,
                    message: self.message(),
                })
            }
            _ => None,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Refusal {}

//! The `AssumeRole` answer: its XML on success, STS's `ErrorResponse` otherwise.
//!
//! Parsed with `roxmltree` (no_std + alloc, DTDs refused, entities and CDATA decoded),
//! elements looked up by local name as botocore's query parser does (namespaces are
//! not required: moto and AWS both use `https://sts.amazonaws.com/doc/2011-06-15/`).

use alloc::string::String;
use core::fmt;

use roxmltree::{Document, Node, ParsingOptions};

use crate::decode::{Fault, HttpResponse, CLOCK_SKEW, THROTTLING, TRANSIENT, TRANSIENT_STATUS};
use crate::sign::Credentials;
use crate::time::TimeError;

/// At most this many XML nodes in an answer (a real one has about 30): a bound on the
/// work a hostile body can cause.
const NODES_LIMIT: u32 = 1024;

/// Temporary credentials from `AssumeRole`.
///
/// `Debug` shows the access key id, the expiry and the ARN only: [`Credentials`] redacts
/// the secret access key and the session token (and zeroes them on drop).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleCredentials {
    /// `AccessKeyId`, `SecretAccessKey` and `SessionToken`.
    pub credentials: Credentials,
    /// `Expiration` as unix seconds (fractions of a second dropped).
    pub expires_at: u64,
    /// `AssumedRoleUser/Arn`, e.g. `arn:aws:sts::123456789012:assumed-role/ops/gateway`.
    pub assumed_role_arn: String,
}

/// What was wrong with a 2xx answer that is not `AssumeRole`'s XML.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Malformed {
    /// The body is not UTF-8.
    NotUtf8,
    /// The body has a DTD (`<!DOCTYPE …>`), which is refused (entity expansion).
    Dtd,
    /// The body is not well-formed XML (or has more than 1024 nodes).
    Xml {
        /// Line (from 1) where parsing stopped.
        line: u32,
        /// Column (from 1) where parsing stopped.
        column: u32,
    },
    /// The root element is not `AssumeRoleResponse`.
    Root,
    /// A required element is absent or empty: its path under `AssumeRoleResponse`, e.g.
    /// `AssumeRoleResult/Credentials/SessionToken`.
    Missing(&'static str),
    /// `Expiration` is not an ISO 8601 date-time.
    Expiration(TimeError),
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Malformed::NotUtf8 => f.write_str("is not UTF-8"),
            Malformed::Dtd => f.write_str("has a DTD, which is refused"),
            Malformed::Xml { line, column } => {
                write!(f, "is not well-formed XML (line {line}, column {column})")
            }
            Malformed::Root => f.write_str("is not an AssumeRoleResponse"),
            Malformed::Missing(path) => write!(f, "lacks {path}"),
            Malformed::Expiration(e) => write!(f, "has an invalid Expiration: {e}"),
        }
    }
}

/// Why `AssumeRole` gave no credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StsError {
    /// STS (or something in front of it) answered with an error status.
    ///
    /// From `ErrorResponse/Error/{Type,Code,Message}` (also `<root>/Errors/Error`, as EC2
    /// and moto write it, and a bare `Error`); when the body is no such document (empty, HTML, ...) the code is
    /// the status in digits (`"503"`) and the message empty, as botocore's generic error.
    Service {
        /// HTTP status.
        status: u16,
        /// The error code, e.g. `AccessDenied`, `ExpiredToken`, `Throttling`.
        code: String,
        /// The message, possibly empty.
        message: String,
        /// `Type`: `Sender` is [`Fault::Client`], `Receiver` [`Fault::Server`]; from the
        /// status when absent.
        fault: Fault,
        /// `x-amzn-RequestId`, else the document's `RequestId`.
        request_id: Option<String>,
    },
    /// A 2xx whose body is not `AssumeRole`'s answer.
    Malformed(Malformed),
}

/// A code among `codes`, for the [`StsError`] helpers.
fn code_in(error: &StsError, codes: &[&str]) -> bool {
    error.code().is_some_and(|code| codes.contains(&code))
}

impl StsError {
    /// The error code of a service error.
    #[must_use]
    pub fn code(&self) -> Option<&str> {
        match self {
            StsError::Service { code, .. } => Some(code),
            StsError::Malformed(_) => None,
        }
    }

    /// The HTTP status of a service error.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            StsError::Service { status, .. } => Some(*status),
            StsError::Malformed(_) => None,
        }
    }

    /// Throttling (`Throttling`, `RequestLimitExceeded`, ... as botocore's standard retry
    /// mode lists them, or HTTP 429): retry later, with back-off.
    #[must_use]
    pub fn is_throttling(&self) -> bool {
        code_in(self, THROTTLING) || self.status() == Some(429)
    }

    /// Transient: HTTP 500/502/503/504 or a server-side timeout code.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        code_in(self, TRANSIENT) || self.status().is_some_and(|s| TRANSIENT_STATUS.contains(&s))
    }

    /// Whether botocore's standard retry mode would retry this error.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        self.is_throttling() || self.is_transient()
    }

    /// The caller may not assume the role (`AccessDenied`): the role's trust policy or
    /// the caller's policy does not allow `sts:AssumeRole`, or the role does not exist.
    #[must_use]
    pub fn is_access_denied(&self) -> bool {
        code_in(self, &["AccessDenied", "AccessDeniedException"])
    }

    /// The calling credentials' session token has expired (`ExpiredToken`).
    #[must_use]
    pub fn is_expired_token(&self) -> bool {
        code_in(self, &["ExpiredToken", "ExpiredTokenException"])
    }

    /// The calling credentials are not known or not valid (`InvalidClientTokenId`,
    /// `UnrecognizedClientException`).
    #[must_use]
    pub fn is_invalid_client_token(&self) -> bool {
        code_in(
            self,
            &["InvalidClientTokenId", "UnrecognizedClientException"],
        )
    }

    /// The signature was refused (`SignatureDoesNotMatch`, `IncompleteSignature`): a wrong
    /// secret, or a request altered on the way.
    #[must_use]
    pub fn is_signature_mismatch(&self) -> bool {
        code_in(
            self,
            &[
                "SignatureDoesNotMatch",
                "IncompleteSignature",
                "InvalidSignatureException",
            ],
        )
    }

    /// A refusal that may come from a wrong clock (`RequestExpired`, ...).
    #[must_use]
    pub fn is_clock_skew(&self) -> bool {
        code_in(self, CLOCK_SKEW)
    }

    /// STS is not activated in the endpoint's region (`RegionDisabledException`).
    #[must_use]
    pub fn is_region_disabled(&self) -> bool {
        code_in(self, &["RegionDisabledException"])
    }

    /// STS refused the input (`ValidationError`, `MalformedPolicyDocument`,
    /// `PackedPolicyTooLarge`, `InvalidParameterValue`).
    #[must_use]
    pub fn is_invalid_input(&self) -> bool {
        code_in(
            self,
            &[
                "ValidationError",
                "MalformedPolicyDocument",
                "PackedPolicyTooLarge",
                "InvalidParameterValue",
            ],
        )
    }
}

impl fmt::Display for StsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StsError::Service {
                status,
                code,
                message,
                request_id,
                ..
            } => {
                write!(f, "STS AssumeRole failed: {code} (HTTP {status})")?;
                if !message.is_empty() {
                    write!(f, ": {message}")?;
                }
                if let Some(id) = request_id {
                    write!(f, " [request id {id}]")?;
                }
                Ok(())
            }
            StsError::Malformed(m) => write!(f, "the STS AssumeRole answer {m}"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for StsError {}

/// Parses `body` as XML: UTF-8, no DTD, at most [`NODES_LIMIT`] nodes.
fn parse_xml(body: &[u8]) -> Result<Document<'_>, Malformed> {
    let text = core::str::from_utf8(body).map_err(|_| Malformed::NotUtf8)?;
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: NODES_LIMIT,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(text, options).map_err(|e| match e {
        roxmltree::Error::DtdDetected => Malformed::Dtd,
        other => {
            let pos = other.pos();
            Malformed::Xml {
                line: pos.row,
                column: pos.col,
            }
        }
    })
}

/// The first child element of `node` called `name` (any namespace).
fn child<'a, 'input>(node: Node<'a, 'input>, name: &str) -> Option<Node<'a, 'input>> {
    node.children()
        .find(|n| n.is_element() && n.tag_name().name() == name)
}

/// The text of the element at `path` below `node` (entities decoded); `None` when an
/// element is absent, `Some("")` when the last is empty.
fn text_at<'a>(node: Node<'a, '_>, path: &[&str]) -> Option<&'a str> {
    let mut at = node;
    for name in path {
        at = child(at, name)?;
    }
    Some(at.text().unwrap_or(""))
}

/// The text at `path` without surrounding white space (none belongs in a key, token,
/// date or ARN: AWS's documented examples wrap long tokens), which must not be empty
/// (`missing` spells the path out for the error).
fn required<'a>(
    node: Node<'a, '_>,
    path: &[&str],
    missing: &'static str,
) -> Result<&'a str, Malformed> {
    text_at(node, path)
        .map(|t| t.trim_matches(|c: char| c.is_ascii_whitespace()))
        .filter(|t| !t.is_empty())
        .ok_or(Malformed::Missing(missing))
}

/// Decodes the answer to [`AssumeRole`](super::AssumeRole): on 2xx the credentials in
/// `AssumeRoleResponse/AssumeRoleResult/{Credentials,AssumedRoleUser}`, else the error.
///
/// # Errors
/// [`StsError::Service`] for an error status, [`StsError::Malformed`] for a 2xx whose
/// body is not the expected XML (naming what is missing).
pub fn decode_assume_role(response: &HttpResponse) -> Result<RoleCredentials, StsError> {
    if !(200..300).contains(&response.status) {
        return Err(decode_error(response));
    }
    decode_success(&response.body).map_err(StsError::Malformed)
}

fn decode_success(body: &[u8]) -> Result<RoleCredentials, Malformed> {
    let doc = parse_xml(body)?;
    let root = doc.root_element();
    if root.tag_name().name() != "AssumeRoleResponse" {
        return Err(Malformed::Root);
    }
    let result = child(root, "AssumeRoleResult").ok_or(Malformed::Missing("AssumeRoleResult"))?;
    let credentials =
        child(result, "Credentials").ok_or(Malformed::Missing("AssumeRoleResult/Credentials"))?;
    let access_key_id = required(
        credentials,
        &["AccessKeyId"],
        "AssumeRoleResult/Credentials/AccessKeyId",
    )?;
    let secret_access_key = required(
        credentials,
        &["SecretAccessKey"],
        "AssumeRoleResult/Credentials/SecretAccessKey",
    )?;
    let session_token = required(
        credentials,
        &["SessionToken"],
        "AssumeRoleResult/Credentials/SessionToken",
    )?;
    let expiration = required(
        credentials,
        &["Expiration"],
        "AssumeRoleResult/Credentials/Expiration",
    )?;
    let expires_at = crate::time::parse_iso8601(expiration).map_err(Malformed::Expiration)?;
    let assumed_role_arn = required(
        result,
        &["AssumedRoleUser", "Arn"],
        "AssumeRoleResult/AssumedRoleUser/Arn",
    )?;
    Ok(RoleCredentials {
        credentials: Credentials::new(
            access_key_id,
            secret_access_key,
            Some(String::from(session_token)),
        ),
        expires_at,
        assumed_role_arn: String::from(assumed_role_arn),
    })
}

/// An error status's [`StsError::Service`].
fn decode_error(response: &HttpResponse) -> StsError {
    let status = response.status;
    let status_fault = if status >= 500 {
        Fault::Server
    } else {
        Fault::Client
    };
    let header_id = response.request_id().map(String::from);
    let doc = parse_xml(&response.body).ok();
    let root = doc.as_ref().map(Document::root_element);
    // `ErrorResponse/Error` (STS), `<root>/Errors/Error` (EC2 and moto), or a bare
    // `Error`: botocore's query parser takes the root's `Error`, `Errors` flattened.
    let error = root.and_then(|root| {
        if root.tag_name().name() == "Error" {
            return Some(root);
        }
        child(root, "Error").or_else(|| child(root, "Errors").and_then(|e| child(e, "Error")))
    });
    let code = error
        .and_then(|e| text_at(e, &["Code"]))
        .filter(|c| !c.is_empty());
    let (Some(error), Some(code)) = (error, code) else {
        let mut code = String::new();
        crate::json::push_uint(&mut code, u64::from(status));
        return StsError::Service {
            status,
            code,
            message: String::new(),
            fault: status_fault,
            request_id: header_id,
        };
    };
    let fault = match text_at(error, &["Type"]) {
        Some("Sender") => Fault::Client,
        Some("Receiver") => Fault::Server,
        _ => status_fault,
    };
    let request_id = header_id.or_else(|| {
        root.and_then(|root| {
            text_at(root, &["RequestId"]).or_else(|| text_at(error, &["RequestId"]))
        })
        .filter(|id| !id.is_empty())
        .map(String::from)
    });
    StsError::Service {
        status,
        code: String::from(code.trim()),
        message: String::from(text_at(error, &["Message"]).unwrap_or("")),
        fault,
        request_id,
    }
}

//! Decoding of responses: success bodies into typed outputs, and error responses
//! into a [`ServiceError`] the way botocore's JSON parser reads them.
//!
//! Error responses, as botocore's `BaseJSONParser` reads them:
//! - `__type` is the code, in any of the forms `Code`, `ns#Code` or `Code:suffix`;
//! - the message is `message`, else `Message`;
//! - the request id is the `x-amzn-RequestId` header;
//! - a 5xx with an empty or HTML body gets the status as its code;
//! - a body that is not JSON is kept as the message and the status becomes the code.
//!
//! Two deliberate differences: a generic 5xx keeps its `x-amzn-RequestId` (botocore
//! drops it), and when a non-JSON body is an AWS XML error document
//! (`<Error><Code>…</Code><Message>…</Message>`, as moto and some front ends answer
//! auth failures), its code and message are taken from it, so a signature failure
//! decodes to [`ErrorCode::SignatureDoesNotMatch`] rather than to `403`.

use alloc::string::String;

use crate::json::{self, Value};
use alloc::vec::Vec;
use core::fmt;

#[cfg(feature = "model")]
use crate::model::Operation;

/// A response as received: status, headers, body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    /// HTTP status code.
    pub status: u16,
    /// Headers as received.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header called `name` (ASCII case-insensitive).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `x-amzn-RequestId` header.
    #[must_use]
    pub fn request_id(&self) -> Option<&str> {
        self.header("x-amzn-RequestId")
    }
}

mod codes;

pub use codes::ErrorCode;
use codes::{AUTH, CREDENTIALS};
pub(crate) use codes::{CLOCK_SKEW, THROTTLING, TRANSIENT};

/// Statuses botocore's standard retry mode treats as transient.
pub(crate) const TRANSIENT_STATUS: &[u16] = &[500, 502, 503, 504];

/// Who is at fault, as the AWS SDKs' `$fault` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The request was wrong (4xx).
    Client,
    /// The service failed (5xx).
    Server,
}

/// An error response from the service (or from something in front of it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceError {
    /// The error code.
    pub code: ErrorCode,
    /// The message, possibly empty.
    pub message: String,
    /// HTTP status.
    pub status: u16,
    /// `x-amzn-RequestId`, if sent.
    pub request_id: Option<String>,
    /// The server's `Date` header as unix seconds, if sent and valid.
    pub server_time: Option<u64>,
    /// `x-amz-retry-after` in milliseconds, if sent and valid.
    pub retry_after_ms: Option<u64>,
}

impl ServiceError {
    /// Client or server fault, from the status.
    #[must_use]
    pub fn fault(&self) -> Fault {
        if self.status >= 500 {
            Fault::Server
        } else {
            Fault::Client
        }
    }

    /// Throttling, as botocore's standard retry mode detects it (codes, or a 429
    /// whose code the operation does not model).
    #[must_use]
    pub fn is_throttling(&self) -> bool {
        THROTTLING.contains(&self.code.as_str())
            || (self.status == 429 && matches!(self.code, ErrorCode::Unknown(_)))
    }

    /// Transient: a 500/502/503/504 or a server-side timeout code.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        TRANSIENT.contains(&self.code.as_str()) || TRANSIENT_STATUS.contains(&self.status)
    }

    /// Whether botocore's standard retry mode would retry this error (for an
    /// idempotent operation; see [`crate::retry`] for `SendCommand`).
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        self.is_throttling() || self.is_transient()
    }

    /// A refusal that may come from a wrong clock. Whether the clock is really off
    /// is decided with [`ServiceError::clock_skew`].
    #[must_use]
    pub fn is_clock_skew(&self) -> bool {
        CLOCK_SKEW.contains(&self.code.as_str())
    }

    /// The server's clock minus `now` (seconds), when this is a clock-skew refusal
    /// and the server's `Date` is at least four minutes away from `now`.
    #[must_use]
    pub fn clock_skew(&self, now: u64) -> Option<i64> {
        if !self.is_clock_skew() {
            return None;
        }
        let server = i64::try_from(self.server_time?).ok()?;
        let offset = server - i64::try_from(now).ok()?;
        (offset.abs() >= 4 * 60).then_some(offset)
    }

    /// An authentication or authorization refusal: the service did not act.
    #[must_use]
    pub fn is_auth(&self) -> bool {
        AUTH.contains(&self.code.as_str())
    }

    /// A refusal of the credentials themselves (expired or unknown, not a bad
    /// signature or a missing permission): the same request with new ones may succeed.
    #[must_use]
    pub fn is_credentials_refused(&self) -> bool {
        CREDENTIALS.contains(&self.code.as_str())
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (HTTP {})", self.code, self.status)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ServiceError {}

/// Why a response could not be turned into an operation's output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResponseError {
    /// The service answered with an error.
    Service(ServiceError),
    /// A 2xx whose body is not the operation's output.
    MalformedBody {
        /// HTTP status.
        status: u16,
        /// `x-amzn-RequestId`, if sent.
        request_id: Option<String>,
        /// Where parsing stopped: line and column of the body.
        line: usize,
        /// Column of the body where parsing stopped.
        column: usize,
        /// The kind of JSON problem.
        kind: MalformedKind,
    },
}

/// What was wrong with a malformed body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MalformedKind {
    /// Not JSON (syntax error or not UTF-8).
    Syntax,
    /// The body ended early.
    Truncated,
    /// JSON, but not the shape of the output.
    Shape,
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResponseError::Service(e) => e.fmt(f),
            ResponseError::MalformedBody {
                status,
                line,
                column,
                kind,
                ..
            } => {
                let what = match kind {
                    MalformedKind::Syntax => "is not valid JSON",
                    MalformedKind::Truncated => "ended early",
                    MalformedKind::Shape => "does not have the operation's output shape",
                };
                write!(
                    f,
                    "the HTTP {status} response body {what} (line {line}, column {column})"
                )
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ResponseError {}

/// Decodes `response` as the answer to operation `O`: its output on 2xx, else the
/// service error.
#[cfg(feature = "model")]
pub fn decode<O: Operation>(response: &HttpResponse) -> Result<O::Output, ResponseError> {
    if !(200..300).contains(&response.status) {
        return Err(ResponseError::Service(decode_error(response)));
    }
    // awsJson answers `{}` for empty outputs; some front ends send nothing at all.
    let body: &[u8] = if response.body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &response.body
    };
    serde_json::from_slice(body).map_err(|e| ResponseError::MalformedBody {
        status: response.status,
        request_id: response.request_id().map(String::from),
        line: e.line(),
        column: e.column(),
        kind: match e.classify() {
            serde_json::error::Category::Eof => MalformedKind::Truncated,
            serde_json::error::Category::Data => MalformedKind::Shape,
            _ => MalformedKind::Syntax,
        },
    })
}

/// Decodes an error response (any status) into a [`ServiceError`].
#[must_use]
pub fn decode_error(response: &HttpResponse) -> ServiceError {
    let status = response.status;
    let (code, message) = parse_error_body(status, &response.body);
    ServiceError {
        code: ErrorCode::from(code.as_str()),
        message,
        status,
        request_id: response.request_id().map(String::from),
        server_time: response
            .header("date")
            .and_then(|date| crate::time::parse_http_date(date).ok()),
        retry_after_ms: response
            .header("x-amz-retry-after")
            .and_then(|v| parse_u64(trim(v))),
    }
}

fn parse_error_body(status: u16, body: &[u8]) -> (String, String) {
    let text = crate::text::from_utf8_lossy(body);
    let trimmed = trim(&text);
    // botocore `_is_generic_error_response`: a 5xx with no body or an `<html>` body.
    if status >= 500 && (trimmed.is_empty() || trimmed.starts_with("<html>")) {
        return (decimal(status), String::from(status_reason(status)));
    }
    if body.is_empty() {
        return (decimal(status), String::new());
    }
    // Every member kept, the last of a repeated name looked up (as botocore reads
    // them): merging repeats is code this one reader of three members can do without.
    if let Ok(Value::Object(members)) = json::parse_keeping_all(body) {
        let get = |key: &str| members.iter().rev().find(|(n, _)| n == key).map(|(_, v)| v);
        let text_of = |key: &str| get(key).and_then(Value::as_str).map(String::from);
        // `message` wins over `Message`, as in botocore.
        let message = if get("message").is_some() {
            text_of("message")
        } else {
            text_of("Message")
        };
        let code = text_of("__type").map_or_else(|| decimal(status), |t| normalize_code(&t));
        return (code, message.unwrap_or_default());
    }
    if let Some(code) = xml_element(trimmed, "Code") {
        let message = xml_element(trimmed, "Message").unwrap_or_default();
        return (String::from(code), String::from(message));
    }
    // botocore keeps a body it cannot read as JSON as the message.
    (decimal(status), text.into_owned())
}

/// `text` as `u64::from_str` reads it (an optional `+`, then decimal digits, no
/// overflow), written out: the generic parser is ~0.3 KB of wasm for this one use.
fn parse_u64(text: &str) -> Option<u64> {
    let digits = text.strip_prefix('+').unwrap_or(text);
    if digits.is_empty() {
        return None;
    }
    digits.bytes().try_fold(0u64, |n, d| {
        if d.is_ascii_digit() {
            n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        } else {
            None
        }
    })
}

/// `text` without the ASCII white space at either end, as Python's `bytes.strip()` (which
/// botocore applies to error bodies) cuts it: space, `\t`, `\n`, `\r`, `\x0b` and `\x0c`.
/// Not `str::trim` (Unicode white space: a body of one U+00A0 is not empty to botocore)
/// nor `str::trim_ascii` (which keeps `\x0b`).
fn trim(text: &str) -> &str {
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
    let bytes = text.as_bytes();
    let start = bytes
        .iter()
        .position(|b| !is_space(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_space(b))
        .map_or(start, |at| at + 1);
    // Both cuts are next to ASCII bytes: character boundaries.
    text.get(start..end).unwrap_or_default()
}

/// A status code as a string, without `core::fmt`.
fn decimal(status: u16) -> String {
    let mut out = String::new();
    json::push_uint(&mut out, u64::from(status));
    out
}

/// `ns#Code`, `Code:suffix` and `ns#Code:suffix` all become `Code`.
///
/// Byte positions rather than `split(':')`/`rsplit('#')`: the reverse `char` splitter
/// costs ~0.8 KB of wasm that nothing else uses (`:` and `#` are ASCII, so the cuts
/// fall on character boundaries).
fn normalize_code(raw: &str) -> String {
    let end = raw.bytes().position(|b| b == b':').unwrap_or(raw.len());
    let code = &raw[..end];
    let start = code.bytes().rposition(|b| b == b'#').map_or(0, |at| at + 1);
    String::from(&code[start..])
}

/// The text of the first `<name>…</name>` element, for AWS XML error documents.
fn xml_element<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    if !xml.starts_with('<') {
        return None;
    }
    let (_, after_open) = find_tag(xml, "<", name)?;
    let (close, _) = find_tag(&xml[after_open..], "</", name)?;
    Some(trim(&xml[after_open..after_open + close]))
}

/// Where the first `{opener}{name}>` in `text` starts and ends (built without `format!`).
///
/// A byte scan for `<` rather than `match_indices`: smaller in wasm than the two-way
/// substring searcher, and the tags are short ASCII (so both ends are char boundaries).
fn find_tag(text: &str, opener: &str, name: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    (0..bytes.len()).find_map(|at| {
        let rest = bytes[at..]
            .strip_prefix(opener.as_bytes())?
            .strip_prefix(name.as_bytes())?
            .strip_prefix(b">")?;
        Some((at, bytes.len() - rest.len()))
    })
}

/// The reason phrase botocore uses for a generic 5xx (Python's `http.client.responses`).
fn status_reason(status: u16) -> &'static str {
    match status {
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

#[cfg(test)]
mod tests;

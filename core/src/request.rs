//! awsJson1.1 request building: `POST /`, `Content-Type: application/x-amz-json-1.1`,
//! `X-Amz-Target: AmazonSSM.<Operation>` (or the gateway's `SsmEdge.<Operation>`), JSON body. The result is a plain
//! [`HttpRequest`] value that any HTTP client can send once it is signed.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// A plain HTTP request: what the core builds and signs, and what a gateway hands to
/// [`crate::verify`]. Header names keep the case they were given; lookups are
/// case-insensitive.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// Absolute URL, e.g. `https://ssm.us-east-1.amazonaws.com/`.
    pub url: String,
    /// Headers in the order they will be sent.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// The first header called `name` (ASCII case-insensitive).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Sets header `name` to `value`, replacing every existing header of that name.
    pub fn set_header(&mut self, name: &str, value: String) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((String::from(name), value));
    }
}

/// Header values that must never be printed: credentials travel in them.
const SECRET_HEADERS: &[&str] = &["x-amz-security-token", "authorization"];

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Headers<'a>(&'a [(String, String)]);
        impl fmt::Debug for Headers<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut list = f.debug_map();
                for (name, value) in self.0 {
                    if SECRET_HEADERS.iter().any(|s| name.eq_ignore_ascii_case(s)) {
                        list.entry(name, &"<redacted>");
                    } else {
                        list.entry(name, value);
                    }
                }
                list.finish()
            }
        }
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &Headers(&self.headers))
            // The body carries `Parameters`, which the model marks sensitive.
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

/// The awsJson1.1 content type.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// The prefix of `X-Amz-Target` for SSM's operations (the gateway's own have
/// `SsmEdge`: [`crate::model::OperationName::target`]).
pub const TARGET_PREFIX: &str = "AmazonSSM";

/// Why a request could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildError {
    /// The input breaks the model's constraints or documented rules.
    Invalid(crate::validate::ValidationError),
    /// The input could not be written as JSON (a non-finite number).
    Serialize,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Invalid(e) => e.fmt(f),
            BuildError::Serialize => f.write_str("the input could not be serialized as JSON"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for BuildError {}

impl From<crate::validate::ValidationError> for BuildError {
    fn from(e: crate::validate::ValidationError) -> Self {
        BuildError::Invalid(e)
    }
}

/// Validates `input` and builds the unsigned awsJson1.1 request for operation `O`
/// at `endpoint_url` (e.g. [`crate::endpoint::Endpoint::url`]).
#[cfg(feature = "model")]
pub fn build<O: crate::model::Operation>(
    endpoint_url: &str,
    input: &O::Input,
) -> Result<HttpRequest, BuildError> {
    // Serialized once, and the bytes sent are the ones validated.
    let body = serde_json::to_vec(input).map_err(|_| BuildError::Serialize)?;
    crate::validate::check_json(O::NAME, &body)?;
    Ok(build_raw(endpoint_url, O::NAME, body))
}

/// Builds the unsigned request for `operation` with a body the caller serialized
/// (and, if it came from outside, validated).
#[must_use]
pub fn build_raw(
    endpoint_url: &str,
    operation: crate::model::OperationName,
    body: Vec<u8>,
) -> HttpRequest {
    HttpRequest {
        method: String::from(METHOD),
        url: url(endpoint_url),
        headers: headers(operation)
            .iter()
            .map(|&(name, value)| (String::from(name), String::from(value)))
            .collect(),
        body,
    }
}

/// Every call's method.
pub(crate) const METHOD: &str = "POST";

/// The URL every call to `endpoint_url` goes to: its root, `/`, when it has no path.
pub(crate) fn url(endpoint_url: &str) -> String {
    let mut url = String::from(endpoint_url);
    if !url.ends_with('/') {
        url.push('/');
    }
    url
}

/// The headers of an unsigned request for `operation`.
pub(crate) fn headers(operation: crate::model::OperationName) -> [(&'static str, &'static str); 2] {
    [
        ("Content-Type", CONTENT_TYPE),
        ("X-Amz-Target", operation.target()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SendCommand, SendCommandInput};
    use alloc::format;
    use alloc::vec;

    #[test]
    fn builds_an_awsjson_request() {
        let input = SendCommandInput {
            document_name: Some("AWS-RunShellScript".into()),
            instance_ids: Some(vec!["i-0123456789abcdef0".into()]),
            ..Default::default()
        };
        let req = build::<SendCommand>("https://ssm.us-east-1.amazonaws.com", &input).unwrap();
        assert_eq!(req.method, "POST");
        assert_eq!(req.url, "https://ssm.us-east-1.amazonaws.com/");
        assert_eq!(req.header("content-type"), Some(CONTENT_TYPE));
        assert_eq!(req.header("x-amz-target"), Some("AmazonSSM.SendCommand"));
        assert_eq!(
            req.body,
            br#"{"InstanceIds":["i-0123456789abcdef0"],"DocumentName":"AWS-RunShellScript"}"#
        );
    }

    #[test]
    fn refuses_invalid_input_with_every_problem() {
        let input = SendCommandInput::default();
        let err = build::<SendCommand>("https://x", &input).unwrap_err();
        let BuildError::Invalid(v) = err else {
            panic!("{err:?}")
        };
        let paths: Vec<_> = v.problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["DocumentName", "InstanceIds"]);
    }

    #[test]
    fn debug_hides_credentials_and_body() {
        let mut req = build_raw(
            "https://x",
            crate::model::OperationName::ListCommands,
            b"{\"secret-param\":1}".to_vec(),
        );
        req.set_header("X-Amz-Security-Token", "TOKEN-SENTINEL".into());
        req.set_header("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/…".into());
        let shown = format!("{req:?}");
        assert!(!shown.contains("TOKEN-SENTINEL"));
        assert!(!shown.contains("Credential"));
        assert!(!shown.contains("secret-param"));
        assert!(shown.contains("AmazonSSM.ListCommands"));
    }
}

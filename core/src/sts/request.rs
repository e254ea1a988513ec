//! The `AssumeRole` request: AWS's query protocol (a form-encoded `POST /`), signed with
//! the core's SigV4 signer for the service `sts`.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::input::{AssumeRole, StsInputError};
use super::{API_VERSION, SIGNING_NAME};
use crate::endpoint::Endpoint;
use crate::request::HttpRequest;
use crate::sign::{self, Credentials, SignError, SigningParams};

/// The query protocol's content type, as botocore sends it.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// Why [`AssumeRole::request`] built no request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StsRequestError {
    /// A parameter breaks STS's model rules.
    Invalid(StsInputError),
    /// The request could not be signed (credentials, region or endpoint URL).
    Sign(SignError),
}

impl fmt::Display for StsRequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StsRequestError::Invalid(e) => write!(f, "invalid AssumeRole input: {e}"),
            StsRequestError::Sign(e) => e.fmt(f),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for StsRequestError {}

impl From<StsInputError> for StsRequestError {
    fn from(e: StsInputError) -> Self {
        StsRequestError::Invalid(e)
    }
}

impl From<SignError> for StsRequestError {
    fn from(e: SignError) -> Self {
        StsRequestError::Sign(e)
    }
}

/// Appends `&name=value` (no `&` first), both form-encoded: every byte but RFC 3986's
/// unreserved `A-Z a-z 0-9 - . _ ~` as `%XX`, as botocore's query serializer does.
fn push_param(body: &mut String, name: &str, value: &str) {
    if !body.is_empty() {
        body.push('&');
    }
    sign::uri_encode(body, name);
    body.push('=');
    sign::uri_encode(body, value);
}

impl AssumeRole {
    /// The form body: `Action=AssumeRole&Version=2011-06-15&RoleArn=…&RoleSessionName=…
    /// &DurationSeconds=…[&ExternalId=…]`, in botocore's order (the input shape's).
    fn form_body(&self) -> String {
        let mut body = String::with_capacity(160 + self.role_arn.as_str().len() * 3);
        push_param(&mut body, "Action", "AssumeRole");
        push_param(&mut body, "Version", API_VERSION);
        push_param(&mut body, "RoleArn", self.role_arn.as_str());
        push_param(&mut body, "RoleSessionName", &self.session_name);
        let mut duration = String::new();
        crate::json::push_uint(&mut duration, u64::from(self.duration_secs));
        push_param(&mut body, "DurationSeconds", &duration);
        if let Some(external_id) = &self.external_id {
            push_param(&mut body, "ExternalId", external_id);
        }
        body
    }

    /// Validates the call and builds its request to `endpoint` (from
    /// [`sts_endpoint`](super::sts_endpoint)), signed with `credentials` at `now_unix`:
    /// `POST <endpoint>/`, `Content-Type: application/x-www-form-urlencoded;
    /// charset=utf-8`, the form body, then SigV4 for the service `sts` in
    /// `endpoint.signing_region` (the signer adds `Host`, `X-Amz-Date`,
    /// `X-Amz-Security-Token` when the credentials carry a session token, and
    /// `Authorization`). The service is `sts` whatever `endpoint.signing_name` says.
    ///
    /// # Errors
    /// [`StsRequestError::Invalid`] for a parameter STS would refuse,
    /// [`StsRequestError::Sign`] when the credentials, region or URL cannot be signed.
    pub fn request(
        &self,
        endpoint: &Endpoint,
        credentials: &Credentials,
        now_unix: u64,
    ) -> Result<HttpRequest, StsRequestError> {
        self.validate()?;
        let mut url = endpoint.url.clone();
        if !url.ends_with('/') {
            url.push('/');
        }
        let body: Vec<u8> = self.form_body().into_bytes();
        let mut request = HttpRequest {
            method: String::from("POST"),
            url,
            headers: alloc::vec![(
                String::from("Content-Type"),
                String::from(FORM_CONTENT_TYPE)
            )],
            body,
        };
        let params = SigningParams::new(
            credentials,
            &endpoint.signing_region,
            SIGNING_NAME,
            now_unix,
        );
        let _output = sign::sign(&mut request, &params, None)?;
        Ok(request)
    }
}

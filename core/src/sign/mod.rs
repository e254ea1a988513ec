//! SigV4 (`AWS4-HMAC-SHA256`) request signing, `no_std`, on RustCrypto `sha2`'s
//! compression function (padding and HMAC in `key`, checked against `sha2` and `hmac`),
//! or on a host's SHA-256 ([`sign_with_sha256`]).
//!
//! ```
//! use ssm_edge_core::request::HttpRequest;
//! use ssm_edge_core::sign::{sign, Credentials, SigningKeyCache, SigningParams};
//!
//! let mut request = HttpRequest {
//!     method: "POST".into(),
//!     url: "https://ssm.us-east-1.amazonaws.com/".into(),
//!     headers: vec![
//!         ("Content-Type".into(), "application/x-amz-json-1.1".into()),
//!         ("X-Amz-Target".into(), "AmazonSSM.ListCommands".into()),
//!     ],
//!     body: b"{}".to_vec(),
//! };
//! let credentials = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None);
//! let mut cache = SigningKeyCache::new(); // keep it across requests
//! let params = SigningParams::new(&credentials, "us-east-1", "ssm", 1_795_678_693);
//! let out = sign(&mut request, &params, Some(&mut cache)).unwrap();
//! assert_eq!(out.signed_headers, "content-type;host;x-amz-date;x-amz-target");
//! assert_eq!(request.header("X-Amz-Date"), Some("20261126T073813Z"));
//! assert!(request.header("Authorization").unwrap().starts_with(
//!     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-east-1/ssm/aws4_request, \
//!      SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature="));
//! ```
//!
//! What is signed follows AWS's SigV4 specification and agrees byte for byte with
//! aws-sigv4 (the AWS SDK for Rust) and botocore on every request our tests generate:
//!
//! - **Headers**: every header on the request except [`UNSIGNED_HEADERS`] (hop-by-hop
//!   and proxy-rewritten headers such as `user-agent`), lowercased, sorted, repeated
//!   names joined with `,`, values trimmed and runs of spaces collapsed.
//! - **Path**: normalized (dot segments and empty segments removed) and URI-encoded
//!   once more on top of its wire encoding ("double encoding", right for every service
//!   except S3); both are [`SigningSettings`].
//! - **Query**: parameters decoded, re-encoded, sorted.
//! - **Payload**: hex SHA-256 of the body (never `UNSIGNED-PAYLOAD`).
//!
//! Modules: [`canonical`] (canonical request and string to sign), `key` (signing-key
//! derivation and [`SigningKeyCache`]), `credentials`, `encode` (URI encoding),
//! `url` (splitting the request URL).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

pub mod canonical;
mod credentials;
mod encode;
mod key;
mod url;

#[cfg(test)]
pub(crate) mod tests;

pub use canonical::{
    payload_hash, string_to_sign, CanonicalRequest, CredentialScope, UNSIGNED_HEADERS,
};
pub use credentials::{Credentials, SecretAccessKey};
pub use key::SigningKeyCache;
pub use url::UrlError;

pub(crate) use canonical::{
    check_header, hex32, hex_str, is_one_of, is_token, is_valid_header_value, write_string_to_sign,
    write_string_to_sign_hex,
};
#[cfg(feature = "sts")]
pub(crate) use encode::uri_encode;
pub(crate) use key::SigningKey;

use crate::request::HttpRequest;
use crate::time::AmzDate;

/// The `Host` value a SigV4 signer computes for `url`: the authority, without the port
/// when it is the scheme's default (`https://gw.example:443/` → `gw.example`).
///
/// # Errors
/// [`UrlError`] when `url` is not an absolute URL a request can be signed for.
pub fn host_of(url: &str) -> Result<&str, UrlError> {
    url::parse(url).map(|parsed| parsed.host)
}

/// The only algorithm implemented: `AWS4-HMAC-SHA256`.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// Last component of every SigV4 credential scope.
pub const SCOPE_TERMINATOR: &str = "aws4_request";
/// Signing name of AWS Systems Manager.
pub const SSM_SERVICE: &str = "ssm";

/// How the request path is URI-encoded into the canonical URI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum UriPathEncoding {
    /// Encode the wire path again (`%` becomes `%25`): SigV4 for every service but S3.
    #[default]
    Double,
    /// Use the wire path as it is (S3's rule; the form the CRT signing test suite's
    /// request paths are written in).
    Single,
}

/// Knobs of the signing algorithm. [`Default`] is right for SSM and every other
/// non-S3 service: no `x-amz-content-sha256`, path normalized and double-encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SigningSettings {
    /// Add (and sign) `X-Amz-Content-Sha256: <hex sha256(body)>`.
    pub content_sha256_header: bool,
    /// Remove `.`/`..`/empty path segments before encoding (not for S3).
    pub normalize_uri_path: bool,
    /// Path encoding; [`UriPathEncoding::Double`] except for S3.
    pub uri_path_encoding: UriPathEncoding,
}

impl Default for SigningSettings {
    fn default() -> Self {
        SigningSettings {
            content_sha256_header: false,
            normalize_uri_path: true,
            uri_path_encoding: UriPathEncoding::Double,
        }
    }
}

/// Everything [`sign`] needs besides the request.
#[derive(Clone, Copy, Debug)]
pub struct SigningParams<'a> {
    /// Who signs.
    pub credentials: &'a Credentials,
    /// Region of the credential scope, e.g. `us-east-1`, `cn-north-1`.
    pub region: &'a str,
    /// Signing name of the service, e.g. [`SSM_SERVICE`].
    pub service: &'a str,
    /// Signing time, unix seconds (the core never reads a clock).
    pub time: u64,
    /// Algorithm settings.
    pub settings: SigningSettings,
}

impl<'a> SigningParams<'a> {
    /// Parameters with [`SigningSettings::default`].
    #[must_use]
    pub fn new(credentials: &'a Credentials, region: &'a str, service: &'a str, time: u64) -> Self {
        SigningParams {
            credentials,
            region,
            service,
            time,
            settings: SigningSettings::default(),
        }
    }
}

/// What [`sign`] produced (the headers are already on the request).
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct SigningOutput {
    /// The signature, 64 lowercase hex digits.
    pub signature: String,
    /// The signing time as written to `X-Amz-Date`.
    pub amz_date: AmzDate,
    /// The `SignedHeaders` list.
    pub signed_headers: String,
}

/// The intermediate texts of a signature, from [`sign_with_debug`].
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SigningDebug {
    /// The canonical request, exactly as hashed. Contains the session token when one is
    /// signed: do not log it in production.
    pub canonical_request: String,
    /// The string to sign, exactly as MACed.
    pub string_to_sign: String,
}

impl fmt::Debug for SigningDebug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningDebug")
            .field(
                "canonical_request",
                &format_args!("<{} bytes>", self.canonical_request.len()),
            )
            .field("string_to_sign", &self.string_to_sign)
            .finish()
    }
}

/// Why a request could not be signed. Nothing secret is ever carried.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignError {
    /// The request URL cannot be signed.
    InvalidUrl(UrlError),
    /// The method is not an HTTP token.
    InvalidMethod,
    /// A header name is not an HTTP token (the name is carried).
    InvalidHeaderName(String),
    /// A header value contains a control character such as CR or LF (the header
    /// *name* is carried, never the value).
    InvalidHeaderValue(String),
    /// The request carries more than one `Host` header.
    DuplicateHost,
    /// The access key id is empty or contains whitespace, `/`, `,`, `;` or `=`.
    InvalidAccessKeyId,
    /// The session token is empty or not a valid header value.
    InvalidSessionToken,
    /// The region is empty or not `[A-Za-z0-9._-]+`.
    InvalidRegion,
    /// The service name is empty or not `[A-Za-z0-9._-]+`.
    InvalidService,
    /// The signing time is after 9999-12-31T23:59:59Z.
    TimeOutOfRange,
    /// A header named in `SignedHeaders` is absent from the request (only from
    /// [`CanonicalRequest::with_signed_headers`]).
    SignedHeaderMissing(String),
}

impl SignError {
    /// A stable name for programs (e.g. `invalidHeaderName`, `urlNotAbsolute`).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            SignError::InvalidUrl(UrlError::NotAbsolute) => "urlNotAbsolute",
            SignError::InvalidUrl(UrlError::InvalidCharacter) => "urlInvalidCharacter",
            SignError::InvalidUrl(UrlError::EmptyHost) => "urlEmptyHost",
            SignError::InvalidUrl(UrlError::UserInfo) => "urlUserInfo",
            SignError::InvalidUrl(UrlError::InvalidPort) => "urlInvalidPort",
            SignError::InvalidMethod => "invalidMethod",
            SignError::InvalidHeaderName(_) => "invalidHeaderName",
            SignError::InvalidHeaderValue(_) => "invalidHeaderValue",
            SignError::DuplicateHost => "duplicateHost",
            SignError::InvalidAccessKeyId => "invalidAccessKeyId",
            SignError::InvalidSessionToken => "invalidSessionToken",
            SignError::InvalidRegion => "invalidSigningRegion",
            SignError::InvalidService => "invalidSigningService",
            SignError::TimeOutOfRange => "timeOutOfRange",
            SignError::SignedHeaderMissing(_) => "signedHeaderMissing",
        }
    }
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignError::InvalidUrl(e) => write!(f, "cannot sign request: {e}"),
            SignError::InvalidMethod => f.write_str("cannot sign request: invalid HTTP method"),
            SignError::InvalidHeaderName(n) => {
                write!(f, "cannot sign request: invalid header name {n:?}")
            }
            SignError::InvalidHeaderValue(n) => {
                write!(
                    f,
                    "cannot sign request: header {n:?} has a control character in its value"
                )
            }
            SignError::DuplicateHost => {
                f.write_str("cannot sign request: more than one Host header")
            }
            SignError::InvalidAccessKeyId => {
                f.write_str("cannot sign request: invalid access key id")
            }
            SignError::InvalidSessionToken => {
                f.write_str("cannot sign request: invalid session token")
            }
            SignError::InvalidRegion => f.write_str("cannot sign request: invalid region"),
            SignError::InvalidService => f.write_str("cannot sign request: invalid service name"),
            SignError::TimeOutOfRange => f.write_str("cannot sign request: time out of range"),
            SignError::SignedHeaderMissing(n) => {
                write!(f, "signed header {n:?} is not on the request")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for SignError {}

/// `[A-Za-z0-9._-]+`: what a region or service name in a credential scope may be.
pub(crate) fn is_scope_part(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Visible ASCII except `/ , ; =`: what an access key id may be (it sits inside the
/// `Credential=` component of `Authorization`).
pub(crate) fn is_access_key_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'/' | b',' | b';' | b'='))
}

/// A SHA-256 from outside the core, for hosts whose own is faster than `sha2` (the
/// wasm package in Node.js uses `node:crypto`: OpenSSL with SHA instructions, where
/// `sha2` compiled to wasm has none). [`sign_with_sha256`] hashes the body and the
/// canonical request with it; SigV4 itself (what is hashed, the HMAC) stays the core's.
pub trait Sha256Hex {
    /// The SHA-256 of `data` as 64 lowercase hex digits.
    fn sha256_hex(&self, data: &[u8]) -> [u8; 64];
}

/// A request to sign, borrowed: what [`sign_ref`] reads.
#[derive(Clone, Copy)]
pub struct RequestRef<'a> {
    /// HTTP method, e.g. `POST`.
    pub method: &'a str,
    /// Absolute URL, e.g. `https://ssm.us-east-1.amazonaws.com/`.
    pub url: &'a str,
    /// Headers in the order they will be sent.
    pub headers: &'a [(&'a str, &'a str)],
    /// Body bytes.
    pub body: &'a [u8],
}

impl<'a> RequestRef<'a> {
    /// `request` borrowed, with `headers` its headers as `&str` pairs
    /// (`canonical::header_strs`).
    pub(crate) fn of(request: &'a HttpRequest, headers: &'a [(&'a str, &'a str)]) -> Self {
        RequestRef {
            method: &request.method,
            url: &request.url,
            headers,
            body: &request.body,
        }
    }
}

/// Signs `request` in place with SigV4 (`AWS4-HMAC-SHA256`, signature in headers).
///
/// Adds or replaces: `Host` (from the URL, default port omitted; an existing `Host`
/// header is kept as is), `X-Amz-Date`, `X-Amz-Security-Token` (when the credentials
/// carry one; a stale one is removed otherwise), `X-Amz-Content-Sha256` (when
/// [`SigningSettings::content_sha256_header`]) and `Authorization` (an existing one is
/// replaced, so re-signing a retried request is fine). Every other header except
/// [`UNSIGNED_HEADERS`] is signed as is.
///
/// `cache` (caller-owned, keep it across calls) saves the signing-key derivation;
/// `None` derives the key every time.
///
/// # Errors
/// [`SignError`] for a URL, method, header or credential that cannot be signed, or a
/// time after year 9999. On error `request` is left unchanged.
pub fn sign(
    request: &mut HttpRequest,
    params: &SigningParams<'_>,
    cache: Option<&mut SigningKeyCache>,
) -> Result<SigningOutput, SignError> {
    sign_owned(request, params, cache, None, None)
}

/// [`sign`], with the payload hash and the canonical request's hash from `sha256`
/// when given instead of the core's `sha2` (the result is the same). An `Option` so
/// that a caller with or without a host SHA-256 makes one call (`None` is [`sign`]).
///
/// # Errors
/// As [`sign`].
pub fn sign_with_sha256(
    request: &mut HttpRequest,
    params: &SigningParams<'_>,
    cache: Option<&mut SigningKeyCache>,
    sha256: Option<&dyn Sha256Hex>,
) -> Result<SigningOutput, SignError> {
    sign_owned(request, params, cache, sha256, None)
}

/// [`sign`], also returning the canonical request and string to sign it computed
/// (for tests and for diagnosing signature mismatches).
///
/// # Errors
/// As [`sign`].
pub fn sign_with_debug(
    request: &mut HttpRequest,
    params: &SigningParams<'_>,
    cache: Option<&mut SigningKeyCache>,
) -> Result<(SigningOutput, SigningDebug), SignError> {
    let mut debug = SigningDebug::default();
    let out = sign_owned(request, params, cache, None, Some(&mut debug))?;
    Ok((out, debug))
}

/// [`sign_with_sha256`] without copying the request: each header of the signed
/// request goes to `header`, in order, only when signing succeeds. They are the
/// headers [`sign`] leaves on an owned request: `request.headers` less the ones the
/// signature sets, then those (`Host` when the request has none, `X-Amz-Date`,
/// `X-Amz-Security-Token`, `X-Amz-Content-Sha256`, `Authorization`).
///
/// # Errors
/// As [`sign`].
pub fn sign_ref(
    request: RequestRef<'_>,
    params: &SigningParams<'_>,
    cache: Option<&mut SigningKeyCache>,
    sha256: Option<&dyn Sha256Hex>,
    header: &mut dyn FnMut(&str, &str),
) -> Result<SigningOutput, SignError> {
    sign_impl(request, params, cache, sha256, None, header)
}

/// Whether a header already on a request stays when it is signed (the headers the
/// signature sets are dropped first, the optional one only when it is set).
fn keeps_header(name: &str, settings: &SigningSettings) -> bool {
    let set_here: &[&str] = if settings.content_sha256_header {
        &SET_BY_SIGN
    } else {
        &SET_BY_SIGN[..3]
    };
    !is_one_of(name, set_here)
}

/// The hex SHA-256 of `data`, from the host's SHA-256 when there is one.
fn sha256_hex(host: Option<&dyn Sha256Hex>, data: &[u8]) -> [u8; 64] {
    match host {
        Some(host) => host.sha256_hex(data),
        None => hex32(&key::sha256(data)),
    }
}

/// The headers [`sign`] sets (and so first drops), the optional one last.
const SET_BY_SIGN: [&str; 4] = [
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
];

/// [`sign_impl`] on an owned request: the headers it keeps stay where they are (no
/// copy), the ones the signature sets are appended.
fn sign_owned(
    request: &mut HttpRequest,
    params: &SigningParams<'_>,
    cache: Option<&mut SigningKeyCache>,
    sha256: Option<&dyn Sha256Hex>,
    debug: Option<&mut SigningDebug>,
) -> Result<SigningOutput, SignError> {
    let keeps = |(name, _): &(String, String)| keeps_header(name, &params.settings);
    let headers = canonical::header_strs(request);
    let borrowed = RequestRef::of(request, &headers);
    // The signed request's headers come kept ones first (`sign_ref`).
    let mut to_skip = request.headers.iter().filter(|h| keeps(h)).count();
    let mut set = Vec::with_capacity(5);
    let out = sign_impl(
        borrowed,
        params,
        cache,
        sha256,
        debug,
        &mut |name, value| {
            if to_skip > 0 {
                to_skip -= 1;
            } else {
                set.push((String::from(name), String::from(value)));
            }
        },
    )?;
    request.headers.retain(keeps);
    request.headers.append(&mut set);
    Ok(out)
}

fn sign_impl(
    request: RequestRef<'_>,
    params: &SigningParams<'_>,
    cache: Option<&mut SigningKeyCache>,
    sha256: Option<&dyn Sha256Hex>,
    debug: Option<&mut SigningDebug>,
    header: &mut dyn FnMut(&str, &str),
) -> Result<SigningOutput, SignError> {
    let creds = params.credentials;
    let settings = params.settings;
    if !is_access_key_id(&creds.access_key_id) {
        return Err(SignError::InvalidAccessKeyId);
    }
    if let Some(token) = &creds.session_token {
        if token.is_empty() || !is_valid_header_value(token) {
            return Err(SignError::InvalidSessionToken);
        }
    }
    if !is_scope_part(params.region) {
        return Err(SignError::InvalidRegion);
    }
    if !is_scope_part(params.service) {
        return Err(SignError::InvalidService);
    }
    let amz_date = AmzDate::from_unix(params.time).map_err(|_| SignError::TimeOutOfRange)?;

    // Validate everything before anything is set.
    if !is_token(request.method) {
        return Err(SignError::InvalidMethod);
    }
    let parsed = url::parse(request.url).map_err(SignError::InvalidUrl)?;
    let mut host_headers = 0usize;
    for &(name, value) in request.headers {
        check_header(name, value)?;
        if name.eq_ignore_ascii_case("host") {
            host_headers += 1;
        }
    }
    if host_headers > 1 {
        return Err(SignError::DuplicateHost);
    }
    let body_hash = sha256_hex(sha256, request.body);
    let body_hex = hex_str(&body_hash);

    // The signed request's headers but `Authorization`: the request's, less the ones
    // this signature sets, then those, in the order `set_header` one by one would leave
    // them.
    let mut headers = Vec::with_capacity(request.headers.len() + 4);
    for &(name, value) in request.headers {
        if keeps_header(name, &settings) {
            headers.push((name, value));
        }
    }
    if host_headers == 0 {
        headers.push(("Host", parsed.host));
    }
    headers.push(("X-Amz-Date", amz_date.as_str()));
    if let Some(token) = &creds.session_token {
        headers.push(("X-Amz-Security-Token", token));
    }
    if settings.content_sha256_header {
        headers.push(("X-Amz-Content-Sha256", body_hex));
    }
    let creq = CanonicalRequest::for_signing_prevalidated(
        request.method,
        &headers,
        parsed,
        &settings,
        body_hex,
    )?;
    let creq_hash = sha256_hex(sha256, &creq.bytes());
    let scope = CredentialScope {
        date_stamp: amz_date.date_stamp(),
        region: params.region,
        service: params.service,
    };
    let derived;
    let key = match cache {
        Some(cache) => cache.get_or_derive(
            &creds.secret_access_key,
            scope.date_stamp,
            scope.region,
            scope.service,
        ),
        None => {
            derived = SigningKey::derive(
                &creds.secret_access_key,
                scope.date_stamp,
                scope.region,
                scope.service,
            );
            &derived
        }
    };
    let mut sts = Vec::with_capacity(192);
    write_string_to_sign_hex(&mut sts, &amz_date, &scope, &creq_hash);
    let signature = hex32(&key.sign(&sts));
    if let Some(debug) = debug {
        debug.canonical_request = creq.text();
        debug.string_to_sign = String::from_utf8(sts).unwrap_or_default();
    }
    let signed_headers = creq.into_signed_headers();

    // The scope through the string to sign's own writer: one copy of it in the wasm.
    let mut authorization: Vec<u8> = Vec::with_capacity(
        ALGORITHM.len() + creds.access_key_id.len() + signed_headers.len() + 160,
    );
    authorization.extend_from_slice(ALGORITHM.as_bytes());
    authorization.extend_from_slice(b" Credential=");
    authorization.extend_from_slice(creds.access_key_id.as_bytes());
    authorization.push(b'/');
    scope.write(&mut authorization);
    authorization.extend_from_slice(b", SignedHeaders=");
    authorization.extend_from_slice(signed_headers.as_bytes());
    authorization.extend_from_slice(b", Signature=");
    authorization.extend_from_slice(&signature);
    for &(name, value) in &headers {
        header(name, value);
    }
    // Every `Authorization` on the request is dropped. Its parts are all ASCII.
    header(
        "Authorization",
        core::str::from_utf8(&authorization).unwrap_or_default(),
    );

    Ok(SigningOutput {
        signature: String::from(hex_str(&signature)),
        amz_date,
        signed_headers,
    })
}

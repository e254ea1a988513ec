//! The SigV4 canonical request and string to sign (AWS "Create a canonical request" /
//! "Create a string to sign").
//!
//! Both are *written* into a sink (buffer or MAC) by one writer, so that what is hashed
//! and what [`fmt::Display`] renders for tests and diagnostics are the very same bytes.
//! The canonical request goes into one buffer, hashed in one call: by `sha2` or by a
//! host's [`Sha256Hex`](super::Sha256Hex), and with one copy of the writer in the wasm. [`sign`](super::sign) and
//! [`verify`](crate::verify::verify) both go through [`CanonicalRequest`]; they differ
//! only in which headers are selected (all signable headers vs. the client's
//! `SignedHeaders`).

use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt;

use super::encode::{canonical_query, canonical_uri};
use super::key::HmacSha256;
use super::url::{self, ParsedUrl};
use super::{SignError, SigningSettings, UriPathEncoding, ALGORITHM};
use crate::request::HttpRequest;
use crate::time::AmzDate;

/// Header names [`sign`](super::sign) never signs, lowercase: hop-by-hop headers and
/// headers that proxies, CDNs or user agents add or rewrite in transit. This is the
/// union of botocore's `SIGNED_HEADERS_BLACKLIST` and aws-sigv4's default
/// `excluded_headers`, plus `authorization` itself. Every other header on the request
/// is signed.
pub const UNSIGNED_HEADERS: &[&str] = &[
    "authorization",
    "baggage",
    "connection",
    "expect",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "traceparent",
    "tracestate",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amzn-trace-id",
];

/// Where canonical bytes go: a hash, a MAC or a buffer.
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]);

    /// One byte: a buffer pushes it rather than copying a one-byte slice.
    fn byte(&mut self, byte: u8) {
        self.put(&[byte]);
    }
}

impl Sink for HmacSha256 {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        hmac::Mac::update(self, bytes);
    }
}

impl Sink for Vec<u8> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }

    #[inline]
    fn byte(&mut self, byte: u8) {
        self.push(byte);
    }
}

/// Adapts a `fmt::Formatter` to [`Sink`] (the canonical bytes are valid UTF-8:
/// header values and paths come from `&str`).
struct FmtSink<'a, 'b> {
    f: &'a mut fmt::Formatter<'b>,
    result: fmt::Result,
}

impl Sink for FmtSink<'_, '_> {
    fn put(&mut self, bytes: &[u8]) {
        if self.result.is_ok() {
            self.result = match core::str::from_utf8(bytes) {
                Ok(s) => self.f.write_str(s),
                // Only reachable if a write were split inside a UTF-8 sequence.
                Err(_) => Err(fmt::Error),
            };
        }
    }
}

const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// Lowercase hex of 32 bytes, on the stack.
pub(crate) fn hex32(bytes: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    for (i, b) in bytes.iter().enumerate() {
        out[2 * i] = HEX_LOWER[usize::from(b >> 4)];
        out[2 * i + 1] = HEX_LOWER[usize::from(b & 0xF)];
    }
    out
}

/// `hex32` as `&str` (always ASCII).
pub(crate) fn hex_str(hex: &[u8; 64]) -> &str {
    core::str::from_utf8(hex).unwrap_or("")
}

/// Lowercase hex SHA-256 of `data`: the SigV4 payload hash.
#[must_use]
pub fn payload_hash(data: &[u8]) -> String {
    String::from(hex_str(&hex32(&super::key::sha256(data))))
}

/// RFC 9110 `tchar`s, as a lookup table.
const TCHAR: [bool; 256] = {
    let mut t = [false; 256];
    let extra = b"!#$%&'*+-.^_`|~";
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric();
        i += 1;
    }
    let mut j = 0;
    while j < extra.len() {
        t[extra[j] as usize] = true;
        j += 1;
    }
    t
};

/// `true` for an RFC 9110 `token` (a valid header field name or method).
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| TCHAR[usize::from(b)])
}

/// `true` for a header value that can go on the wire: no control characters other
/// than horizontal tab (so no CR/LF header injection), no DEL. Non-ASCII UTF-8 is
/// allowed (aws-sigv4 signs it as raw bytes).
pub(crate) fn is_valid_header_value(s: &str) -> bool {
    // One branch-free fold: it vectorizes natively (session tokens are ~1 KB) and is a
    // single small loop in the wasm.
    !s.bytes().fold(false, |bad, b| {
        bad | ((b < 0x20) & (b != b'\t')) | (b == 0x7F)
    })
}

/// `true` when `v` contains two consecutive spaces (branch-free, as above; an index
/// loop, which opt-level z compiles smaller than a `zip`).
fn has_double_space(v: &[u8]) -> bool {
    let mut found = false;
    for i in 1..v.len() {
        found |= (v[i - 1] == b' ') & (v[i] == b' ');
    }
    found
}

/// Compares header names as their lowercase forms would compare.
fn cmp_lowercase(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    for i in 0..a.len().min(b.len()) {
        match a[i].to_ascii_lowercase().cmp(&b[i].to_ascii_lowercase()) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    a.len().cmp(&b.len())
}

/// Appends `name` lowercased (names are ASCII tokens; other bytes are kept).
fn put_lowercase(out: &mut Vec<u8>, name: &str) {
    let start = out.len();
    out.extend_from_slice(name.as_bytes());
    out[start..].make_ascii_lowercase();
}

/// Appends a header value as SigV4's `Trimall` (as aws-sigv4 does it): leading and
/// trailing spaces removed and each run of spaces collapsed to one. Only U+0020 is
/// whitespace here; tabs and other whitespace are kept verbatim.
fn put_trimmed(out: &mut Vec<u8>, value: &str) {
    // Byte loops rather than `trim_matches(' ')`, whose char searchers cost the wasm
    // more than these lines.
    let mut v = value.as_bytes();
    while let [b' ', rest @ ..] = v {
        v = rest;
    }
    while let [rest @ .., b' '] = v {
        v = rest;
    }
    if !has_double_space(v) {
        out.extend_from_slice(v);
        return;
    }
    // Rare: byte by byte, dropping a space that follows a space.
    for i in 0..v.len() {
        if !(v[i] == b' ' && i > 0 && v[i - 1] == b' ') {
            out.push(v[i]);
        }
    }
}

/// Which headers a canonical request covers.
enum Selection<'s> {
    /// Every header except [`UNSIGNED_HEADERS`] (signing).
    AllSignable,
    /// Exactly these lowercase names, each of which must be present (verifying).
    Exactly(&'s [&'s str]),
}

/// A SigV4 canonical request over an [`HttpRequest`]:
///
/// ```text
/// METHOD\nCanonicalURI\nCanonicalQuery\nname:value\n...\n\nsigned;headers\nPayloadHash
/// ```
///
/// `Display` renders it exactly (it includes the session token if that header is
/// signed: do not log it in production); `Debug` redacts `authorization` and
/// `x-amz-security-token` values.
pub struct CanonicalRequest<'a> {
    method: &'a str,
    path: String,
    query: String,
    /// (position on the request, name as on the request, value), stably sorted by
    /// lowercase name (the position is what makes the unstable sort stable).
    headers: Vec<(usize, &'a str, &'a str)>,
    signed_headers: String,
    payload_hash: &'a str,
}

impl<'a> CanonicalRequest<'a> {
    /// The canonical request [`sign`](super::sign) signs: every header on `request`
    /// except [`UNSIGNED_HEADERS`]. Call it on an already signed request to see what
    /// was signed (the `Authorization` header is never part of it).
    ///
    /// `payload_hash` is the lowercase hex SHA-256 of the body ([`payload_hash`]).
    ///
    /// # Errors
    /// An invalid URL, method, header name or header value.
    pub fn for_signing(
        request: &'a HttpRequest,
        settings: &SigningSettings,
        payload_hash: &'a str,
    ) -> Result<Self, SignError> {
        Self::build(
            &request.method,
            &header_strs(request),
            checked_url(request)?,
            settings,
            Selection::AllSignable,
            payload_hash,
            true,
        )
    }

    /// [`Self::for_signing`] for [`sign`](super::sign), which has already validated
    /// the method and every header and parsed the URL, and passes the headers as the
    /// signed request will carry them.
    pub(crate) fn for_signing_prevalidated(
        method: &'a str,
        headers: &[(&'a str, &'a str)],
        parsed: ParsedUrl<'a>,
        settings: &SigningSettings,
        payload_hash: &'a str,
    ) -> Result<Self, SignError> {
        Self::build(
            method,
            headers,
            parsed,
            settings,
            Selection::AllSignable,
            payload_hash,
            false,
        )
    }

    /// The canonical request over exactly the given lowercase, sorted, duplicate-free
    /// header names (a client's `SignedHeaders`), as [`verify`](crate::verify::verify)
    /// recomputes it.
    ///
    /// # Errors
    /// An invalid URL, method, header name or header value, or
    /// [`SignError::SignedHeaderMissing`] when a listed header is absent.
    pub fn with_signed_headers(
        request: &'a HttpRequest,
        settings: &SigningSettings,
        signed_headers: &[&str],
        payload_hash: &'a str,
    ) -> Result<Self, SignError> {
        Self::build(
            &request.method,
            &header_strs(request),
            checked_url(request)?,
            settings,
            Selection::Exactly(signed_headers),
            payload_hash,
            true,
        )
    }

    /// The canonical request of `method` and `headers` (in the request's order) at the
    /// parsed URL.
    fn build(
        method: &'a str,
        headers_in: &[(&'a str, &'a str)],
        parsed: ParsedUrl<'a>,
        settings: &SigningSettings,
        selection: Selection<'_>,
        payload_hash: &'a str,
        validate: bool,
    ) -> Result<Self, SignError> {
        let path = canonical_uri(
            parsed.path,
            settings.normalize_uri_path,
            settings.uri_path_encoding == UriPathEncoding::Double,
        );

        let mut headers: Vec<(usize, &'a str, &'a str)> = Vec::with_capacity(headers_in.len());
        let mut signed_headers = String::with_capacity(64);
        match selection {
            Selection::AllSignable => {
                // Sorted by name, same names in request order: an unstable sort on (name,
                // position) gives the stable order with less code than a stable sort.
                for (position, &(name, value)) in headers_in.iter().enumerate() {
                    if is_one_of(name, UNSIGNED_HEADERS) {
                        continue;
                    }
                    if validate {
                        check_header(name, value)?;
                    }
                    headers.push((position, name, value));
                }
                crate::sort::sort_by(&mut headers, |a, b| {
                    cmp_lowercase(a.1, b.1).then(a.0.cmp(&b.0)).is_lt()
                });
                let mut previous: Option<&str> = None;
                for &(_, name, _) in &headers {
                    if previous.is_some_and(|p| p.eq_ignore_ascii_case(name)) {
                        continue;
                    }
                    if previous.is_some() {
                        signed_headers.push(';');
                    }
                    // Names are ASCII tokens here: lowercase them in place, byte-wise.
                    let start = signed_headers.len();
                    signed_headers.push_str(name);
                    signed_headers[start..].make_ascii_lowercase();
                    previous = Some(name);
                }
            }
            Selection::Exactly(names) => {
                for (i, wanted) in names.iter().enumerate() {
                    if !is_token(wanted) || wanted.bytes().any(|b| b.is_ascii_uppercase()) {
                        return Err(SignError::InvalidHeaderName(String::from(*wanted)));
                    }
                    let before = headers.len();
                    for &(name, value) in headers_in {
                        if name.eq_ignore_ascii_case(wanted) {
                            check_header(name, value)?;
                            headers.push((0, name, value));
                        }
                    }
                    if headers.len() == before {
                        return Err(SignError::SignedHeaderMissing(String::from(*wanted)));
                    }
                    if i > 0 {
                        signed_headers.push(';');
                    }
                    signed_headers.push_str(wanted);
                }
            }
        }

        Ok(CanonicalRequest {
            method,
            path,
            query: canonical_query(parsed.query),
            headers,
            signed_headers,
            payload_hash,
        })
    }

    /// The `SignedHeaders` value: lowercase names, sorted, `;`-separated.
    #[must_use]
    pub fn signed_headers(&self) -> &str {
        &self.signed_headers
    }

    pub(crate) fn into_signed_headers(self) -> String {
        self.signed_headers
    }

    /// The canonical URI (normalized and encoded path).
    #[must_use]
    pub fn canonical_uri(&self) -> &str {
        &self.path
    }

    /// SHA-256 of the canonical request, as it goes into the string to sign.
    #[must_use]
    pub fn hash(&self) -> [u8; 32] {
        super::key::sha256(&self.bytes())
    }

    /// Writes the canonical request; `redact` replaces secret header values. Into a
    /// buffer only: one copy of it in the wasm, and `Display` goes through the buffer.
    fn write(&self, sink: &mut Vec<u8>, redact: bool) {
        sink.put(self.method.as_bytes());
        sink.byte(b'\n');
        sink.put(self.path.as_bytes());
        sink.byte(b'\n');
        sink.put(self.query.as_bytes());
        sink.byte(b'\n');
        let mut i = 0;
        while i < self.headers.len() {
            let name = self.headers[i].1;
            put_lowercase(sink, name);
            sink.byte(b':');
            let secret = redact
                && (name.eq_ignore_ascii_case("x-amz-security-token")
                    || name.eq_ignore_ascii_case("authorization"));
            let mut first = true;
            while i < self.headers.len() && self.headers[i].1.eq_ignore_ascii_case(name) {
                if !first {
                    sink.byte(b',');
                }
                if secret {
                    sink.put(b"<redacted>");
                } else {
                    put_trimmed(sink, self.headers[i].2);
                }
                first = false;
                i += 1;
            }
            sink.byte(b'\n');
        }
        sink.byte(b'\n');
        sink.put(self.signed_headers.as_bytes());
        sink.byte(b'\n');
        sink.put(self.payload_hash.as_bytes());
    }
}

/// `true` when `name` is one of `names` (ASCII case-insensitive). One function for
/// every such list the signer checks, rather than a closure copy per list.
pub(crate) fn is_one_of(name: &str, names: &[&str]) -> bool {
    // The length first, here: most names differ in it, and then no call is made.
    names
        .iter()
        .any(|n| n.len() == name.len() && name.eq_ignore_ascii_case(n))
}

/// `Ok` for a header that can be signed: a token name, a value without control
/// characters.
pub(crate) fn check_header(name: &str, value: &str) -> Result<(), SignError> {
    if !is_token(name) {
        return Err(SignError::InvalidHeaderName(String::from(name)));
    }
    if !is_valid_header_value(value) {
        return Err(SignError::InvalidHeaderValue(String::from(name)));
    }
    Ok(())
}

/// The headers of an owned request as `&str` pairs, for [`CanonicalRequest::build`].
pub(crate) fn header_strs(request: &HttpRequest) -> Vec<(&str, &str)> {
    request
        .headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect()
}

/// The URL of `request` parsed, after checking its method.
fn checked_url(request: &HttpRequest) -> Result<ParsedUrl<'_>, SignError> {
    if !is_token(&request.method) {
        return Err(SignError::InvalidMethod);
    }
    url::parse(&request.url).map_err(SignError::InvalidUrl)
}

impl CanonicalRequest<'_> {
    /// The canonical request's text (for [`super::sign_with_debug`]), built without
    /// `core::fmt` so that signing never links it.
    pub(crate) fn text(&self) -> String {
        String::from_utf8(self.bytes()).unwrap_or_default()
    }

    /// The canonical request's bytes, for a one-shot [`Sha256Hex`](super::Sha256Hex).
    pub(crate) fn bytes(&self) -> Vec<u8> {
        // Room for a typical request (five headers, one session token) in one allocation.
        let mut bytes = Vec::with_capacity(512);
        self.write(&mut bytes, false);
        bytes
    }
}

impl fmt::Display for CanonicalRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl fmt::Debug for CanonicalRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut bytes = Vec::with_capacity(512);
        self.write(&mut bytes, true);
        let text = core::str::from_utf8(&bytes).map_err(|_| fmt::Error)?;
        write!(f, "CanonicalRequest(\n{text}\n)")
    }
}

/// A credential scope, `YYYYMMDD/region/service/aws4_request`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CredentialScope<'a> {
    /// `YYYYMMDD`.
    pub date_stamp: &'a str,
    /// Region, e.g. `us-east-1`.
    pub region: &'a str,
    /// Signing name of the service, e.g. `ssm`.
    pub service: &'a str,
}

impl CredentialScope<'_> {
    /// Writes `date/region/service/aws4_request` (into the string to sign, and into
    /// `Authorization`'s `Credential=`).
    pub(crate) fn write<S: Sink>(&self, sink: &mut S) {
        sink.put(self.date_stamp.as_bytes());
        sink.byte(b'/');
        sink.put(self.region.as_bytes());
        sink.byte(b'/');
        sink.put(self.service.as_bytes());
        sink.put(b"/aws4_request");
    }
}

impl fmt::Display for CredentialScope<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sink = FmtSink { f, result: Ok(()) };
        self.write(&mut sink);
        sink.result
    }
}

/// Writes the string to sign:
/// `AWS4-HMAC-SHA256\n<amz-date>\n<scope>\n<hex sha256(canonical request)>`.
pub(crate) fn write_string_to_sign<S: Sink>(
    sink: &mut S,
    amz_date: &AmzDate,
    scope: &CredentialScope<'_>,
    canonical_request_hash: &[u8; 32],
) {
    write_string_to_sign_hex(sink, amz_date, scope, &hex32(canonical_request_hash));
}

/// [`write_string_to_sign`] with the canonical request's hash already in hex (as a
/// [`Sha256Hex`](super::Sha256Hex) gives it).
pub(crate) fn write_string_to_sign_hex<S: Sink>(
    sink: &mut S,
    amz_date: &AmzDate,
    scope: &CredentialScope<'_>,
    canonical_request_hex: &[u8; 64],
) {
    sink.put(ALGORITHM.as_bytes());
    sink.byte(b'\n');
    sink.put(amz_date.as_str().as_bytes());
    sink.byte(b'\n');
    scope.write(sink);
    sink.byte(b'\n');
    sink.put(canonical_request_hex);
}

/// The string to sign for a canonical request, as text (what [`sign`](super::sign)
/// streams into the HMAC).
#[must_use]
pub fn string_to_sign(
    amz_date: &AmzDate,
    scope: &CredentialScope<'_>,
    canonical_request: &CanonicalRequest<'_>,
) -> String {
    let mut buf = Vec::with_capacity(160);
    write_string_to_sign(&mut buf, amz_date, scope, &canonical_request.hash());
    String::from_utf8(buf).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::ToString;

    fn req(headers: &[(&str, &str)]) -> HttpRequest {
        HttpRequest {
            method: String::from("POST"),
            url: String::from("https://ssm.us-east-1.amazonaws.com/"),
            headers: headers
                .iter()
                .map(|(n, v)| (String::from(*n), String::from(*v)))
                .collect(),
            body: Vec::new(),
        }
    }

    fn trimmed(v: &str) -> String {
        let mut out = Vec::new();
        put_trimmed(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn trimall_collapses_spaces_only() {
        assert_eq!(trimmed("  a   b  c  "), "a b c");
        assert_eq!(trimmed("\"a   b   c\""), "\"a b c\"");
        assert_eq!(trimmed("a\t\tb"), "a\t\tb");
        assert_eq!(trimmed(""), "");
        assert_eq!(trimmed("    "), "");
        assert_eq!(trimmed("x"), "x");
        assert_eq!(trimmed("テ  スト"), "テ スト");
        // Runs of spaces at and around the 64-byte chunk boundaries of the fast scan.
        for at in [0usize, 1, 62, 63, 64, 65, 127, 128] {
            let mut v = "a".repeat(200);
            v.replace_range(at + 1..at + 3, "  ");
            let expected = format!("{} {}", &v[..at + 1], &v[at + 3..]);
            assert!(has_double_space(v.as_bytes()), "{at}");
            assert_eq!(trimmed(&v), expected, "{at}");
            let single = v.replacen("  ", " x", 1);
            assert!(!has_double_space(single.as_bytes()), "{at}");
            assert_eq!(trimmed(&single), single);
        }
    }

    #[test]
    fn header_value_validation() {
        assert!(is_valid_header_value(""));
        assert!(is_valid_header_value("a\tb ~ \u{e9}"));
        for bad in ["\r", "\n", "\0", "\u{7f}", "\u{1b}"] {
            for at in [0usize, 63, 64, 100] {
                let mut v = "a".repeat(130);
                v.insert_str(at, bad);
                assert!(!is_valid_header_value(&v), "{bad:?} at {at}");
            }
        }
    }

    #[test]
    fn headers_sorted_grouped_lowercased() {
        let r = req(&[
            ("X-Amz-Target", "AmazonSSM.ListCommands"),
            ("My-Header", "b"),
            ("host", "ssm.us-east-1.amazonaws.com"),
            ("my-header", " a "),
            ("User-Agent", "not signed"),
            ("Content-Type", "application/x-amz-json-1.1"),
        ]);
        let settings = SigningSettings::default();
        let c = CanonicalRequest::for_signing(&r, &settings, "abc").unwrap();
        assert_eq!(
            c.signed_headers(),
            "content-type;host;my-header;x-amz-target"
        );
        assert_eq!(
            c.to_string(),
            "POST\n/\n\ncontent-type:application/x-amz-json-1.1\nhost:ssm.us-east-1.amazonaws.com\n\
             my-header:b,a\nx-amz-target:AmazonSSM.ListCommands\n\n\
             content-type;host;my-header;x-amz-target\nabc"
        );
        let again = CanonicalRequest::with_signed_headers(
            &r,
            &settings,
            &["content-type", "host", "my-header", "x-amz-target"],
            "abc",
        )
        .unwrap();
        assert_eq!(again.to_string(), c.to_string());
        assert_eq!(again.hash(), c.hash());
        assert!(matches!(
            CanonicalRequest::with_signed_headers(&r, &settings, &["host", "x-missing"], "abc"),
            Err(SignError::SignedHeaderMissing(n)) if n == "x-missing"
        ));
    }

    #[test]
    fn refuses_injection_and_bad_names() {
        let settings = SigningSettings::default();
        let r = req(&[("X-Evil", "a\r\nX-Other: b")]);
        assert!(matches!(
            CanonicalRequest::for_signing(&r, &settings, ""),
            Err(SignError::InvalidHeaderValue(n)) if n == "X-Evil"
        ));
        let r = req(&[("Bad Name", "a")]);
        assert!(matches!(
            CanonicalRequest::for_signing(&r, &settings, ""),
            Err(SignError::InvalidHeaderName(_))
        ));
        let mut r = req(&[]);
        r.method = String::from("PO ST");
        assert!(matches!(
            CanonicalRequest::for_signing(&r, &settings, ""),
            Err(SignError::InvalidMethod)
        ));
    }

    #[test]
    fn debug_redacts_token() {
        let r = req(&[("X-Amz-Security-Token", "TOKENVALUE"), ("Host", "h")]);
        let c = CanonicalRequest::for_signing(&r, &SigningSettings::default(), "p").unwrap();
        let text = format!("{c:?}");
        assert!(!text.contains("TOKENVALUE"), "{text}");
        assert!(text.contains("x-amz-security-token:<redacted>"), "{text}");
        assert!(c.to_string().contains("TOKENVALUE"));
    }

    #[test]
    fn long_names_lowercased_across_chunks() {
        let long = "X-".repeat(70) + "Z";
        let mut out = Vec::new();
        put_lowercase(&mut out, &long);
        assert_eq!(String::from_utf8(out).unwrap(), long.to_ascii_lowercase());
    }
}

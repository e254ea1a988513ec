//! SigV4 verification against forgery. Each input builds a request from fuzz-chosen
//! parts (method, path, extra headers, session token, body, signing key and time), signs
//! it for real with the core's signer, then applies fuzz-chosen mutations (to the body,
//! method, URL, headers, `X-Amz-Date` and the `Authorization` header) and verifies the
//! result at a fuzz-chosen time.
//!
//! Properties:
//! - `verify` never panics, and the cached and uncached verifiers agree;
//! - an unmutated request within the skew window verifies (sign → verify round trip),
//!   for the key that signed it;
//! - **a mutated request is accepted only if nothing signed changed**, judged by a model
//!   of SigV4 written here independently of the core: same method, same body, same
//!   `Authorization` components (key, scope, `SignedHeaders`, signature), same
//!   normalized path (dot segments, empty segments), same decoded query pairs, same
//!   values (spaces trimmed and collapsed) of every signed header — and the signing time
//!   within ±5 min of the clock, and every `x-amz-*` / `content-type` header signed.
//!
//! Input (arbitrary): the knobs first, the body as the rest of the bytes, so an input
//! of a few zero bytes followed by a real body is that body, signed and unmutated.
#![no_main]

mod common;

use std::cell::RefCell;

use common::Body;
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use ssm_edge_core::model::OperationName;
use ssm_edge_core::request::{build_raw, HttpRequest};
use ssm_edge_core::sign::{sign, Credentials, SecretAccessKey, SigningKeyCache, SigningParams};
use ssm_edge_core::time::format_amz_date;
use ssm_edge_core::verify::{verify, Authorization, VerifyConfig};

/// 2026-11-26T07:38:13Z.
const NOW: u64 = 1_795_678_693;
const ENDPOINT: &str = "https://ssm.us-east-1.amazonaws.com/";
const KEYS: [(&str, &str); 2] = [
    ("AKIDFUZZKEYA0001", "fuzz-key-a-SECRET-0123456789abcdef"),
    ("AKIDFUZZKEYB0002", "fuzz-key-b-SECRET-0123456789abcdef"),
];
const MAX_SKEW: u64 = 300;

/// Header names worth trying by name (the fuzzer also writes any).
const NAMES: &[&str] = &[
    "content-type",
    "Content-Type",
    "x-amz-target",
    "X-Amz-Target",
    "x-amz-date",
    "host",
    "Host",
    "x-amz-security-token",
    "x-amz-content-sha256",
    "authorization",
    "user-agent",
    "x-amz-user-agent",
    "amz-sdk-invocation-id",
    "idempotency-key",
];

#[derive(Arbitrary, Debug)]
enum Method {
    Post,
    Get,
    Put,
    Other(String),
}

#[derive(Arbitrary, Debug)]
enum Name {
    Known(u8),
    Any(String),
}

impl Name {
    fn text(&self) -> String {
        match self {
            Name::Known(i) => NAMES[usize::from(*i) % NAMES.len()].to_owned(),
            Name::Any(s) => s.clone(),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum UrlEdit {
    AppendSegment(String),
    AppendQuery(String),
    Fragment(String),
    DotSegment,
    DoubleSlash,
    Host(String),
    Replace(String),
}

#[derive(Arbitrary, Debug)]
enum AuthEdit {
    FlipSignature { at: u8, to: u8 },
    Signature(String),
    OtherKey,
    UnknownKey,
    Region(String),
    Service(String),
    DateStamp(String),
    DropSignedHeader(u8),
    AddSignedHeader(String),
    Reorder,
    Spaces(u8),
    Byte { at: u16, byte: u8 },
    Insert { at: u16, text: String },
    Replace(String),
    Duplicate,
    Remove,
}

#[derive(Arbitrary, Debug)]
enum Mutation {
    Method(Method),
    FlipBodyBit { at: u16, bit: u8 },
    AppendBody(Vec<u8>),
    TruncateBody(u16),
    SetHeader { which: u8, value: String },
    RemoveHeader { which: u8 },
    AddHeader { name: Name, value: String },
    PadHeader { which: u8, left: u8, right: u8 },
    RecaseHeader { which: u8 },
    RotateHeaders(u8),
    Url(UrlEdit),
    Auth(AuthEdit),
    Date(i32),
    DateText(String),
}

#[derive(Arbitrary, Debug)]
struct Input {
    signer: bool,
    sign_skew: i16,
    now_skew: i16,
    operation: u8,
    method: Method,
    path: String,
    token: Option<String>,
    content_sha256: bool,
    extra: Vec<(Name, String)>,
    mutations: Vec<Mutation>,
    body: Body,
}

fn lookup(akid: &str) -> Option<(SecretAccessKey, usize)> {
    KEYS.iter()
        .position(|(id, _)| *id == akid)
        .map(|i| (SecretAccessKey::new(KEYS[i].1), i))
}

thread_local! {
    static CACHE: RefCell<SigningKeyCache> = RefCell::new(SigningKeyCache::with_capacity(2));
}

// ---------------------------------------------------------------------------------
// The independent model of what SigV4 signs.

/// Trimall: leading/trailing spaces removed, runs of spaces collapsed (spaces only).
fn trimall(value: &str) -> String {
    let mut out = String::new();
    for word in value.split(' ').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// `application/x-www-form-urlencoded` decoding, read as lossy UTF-8.
fn form_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            ) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// (path, query, fragment-free) of an absolute URL, or `None` if it has no `://`.
fn split_url(url: &str) -> Option<(&str, &str)> {
    let rest = url.split_once("://")?.1;
    let rest = rest.split('#').next().unwrap_or_default();
    let start = rest.find(['/', '?']).unwrap_or(rest.len());
    let rest = &rest[start..];
    Some(rest.split_once('?').unwrap_or((rest, "")))
}

/// RFC 3986 dot-segment removal, empty segments dropped, trailing slash kept.
fn model_path(path: &str) -> String {
    let raw: Vec<&str> = path.split('/').collect();
    let mut segments: Vec<&str> = Vec::new();
    for s in &raw {
        match *s {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let trailing = !path.is_empty() && matches!(raw.last(), Some(&"" | &"." | &".."));
    let mut out = String::from("/");
    out.push_str(&segments.join("/"));
    if trailing && !out.ends_with('/') {
        out.push('/');
    }
    out
}

fn model_query(query: &str) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (form_decode(k), form_decode(v))
        })
        .collect();
    pairs.sort();
    pairs
}

#[derive(Debug, PartialEq, Eq)]
struct Signed {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn model(request: &HttpRequest, signed_headers: &[&str]) -> Option<Signed> {
    let (path, query) = split_url(&request.url)?;
    let headers = signed_headers
        .iter()
        .map(|name| {
            let values: Vec<String> = request
                .headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| trimall(v))
                .collect();
            ((*name).to_owned(), values.join(","))
        })
        .collect();
    Some(Signed {
        method: request.method.clone(),
        path: model_path(path),
        query: model_query(query),
        headers,
        body: request.body.clone(),
    })
}

// ---------------------------------------------------------------------------------
// Mutations.

fn pick(request: &HttpRequest, which: u8) -> Option<usize> {
    (!request.headers.is_empty()).then(|| usize::from(which) % request.headers.len())
}

fn auth_index(request: &HttpRequest) -> Option<usize> {
    request
        .headers
        .iter()
        .position(|(n, _)| n.eq_ignore_ascii_case("authorization"))
}

fn edit_auth(request: &mut HttpRequest, edit: &AuthEdit) {
    let Some(i) = auth_index(request) else {
        return;
    };
    let value = request.headers[i].1.clone();
    let replace_between = |value: &str, start: &str, end: &[char], with: &str| -> String {
        match value.find(start) {
            Some(s) => {
                let from = s + start.len();
                let to = value[from..].find(end).map_or(value.len(), |e| from + e);
                format!("{}{with}{}", &value[..from], &value[to..])
            }
            None => value.to_owned(),
        }
    };
    let new = match edit {
        AuthEdit::FlipSignature { at, to } => match value.find("Signature=") {
            Some(s) => {
                let mut bytes = value.into_bytes();
                let i = s + 10 + usize::from(*at) % 64;
                if i < bytes.len() {
                    let digits = b"0123456789abcdef";
                    let old = bytes[i];
                    bytes[i] = digits[usize::from(*to) % 16];
                    if bytes[i] == old {
                        bytes[i] = digits[(usize::from(*to) + 1) % 16];
                    }
                }
                String::from_utf8_lossy(&bytes).into_owned()
            }
            None => value,
        },
        AuthEdit::Signature(s) => replace_between(&value, "Signature=", &[','], s),
        AuthEdit::OtherKey => value
            .replacen(KEYS[0].0, "\u{0}", 1)
            .replacen(KEYS[1].0, KEYS[0].0, 1)
            .replacen('\u{0}', KEYS[1].0, 1),
        AuthEdit::UnknownKey => replace_between(&value, "Credential=", &['/'], "AKIDUNKNOWNKEY00"),
        AuthEdit::Region(r) => value.replacen("/us-east-1/", &format!("/{r}/"), 1),
        AuthEdit::Service(s) => value.replacen("/ssm/", &format!("/{s}/"), 1),
        AuthEdit::DateStamp(d) => match value.find("Credential=") {
            Some(s) => {
                let from = value[s..].find('/').map_or(value.len(), |e| s + e + 1);
                let to = value[from..].find('/').map_or(value.len(), |e| from + e);
                format!("{}{d}{}", &value[..from], &value[to..])
            }
            None => value,
        },
        AuthEdit::DropSignedHeader(n) => {
            let list = value
                .split_once("SignedHeaders=")
                .map(|(_, r)| r.split(',').next().unwrap_or_default().to_owned())
                .unwrap_or_default();
            let mut names: Vec<&str> = list.split(';').collect();
            if !names.is_empty() {
                names.remove(usize::from(*n) % names.len());
            }
            replace_between(&value, "SignedHeaders=", &[','], &names.join(";"))
        }
        AuthEdit::AddSignedHeader(name) => {
            let list = value
                .split_once("SignedHeaders=")
                .map(|(_, r)| r.split(',').next().unwrap_or_default().to_owned())
                .unwrap_or_default();
            let mut names: Vec<&str> = list.split(';').collect();
            names.push(name);
            names.sort_unstable();
            replace_between(&value, "SignedHeaders=", &[','], &names.join(";"))
        }
        AuthEdit::Reorder => match value.split_once(' ') {
            Some((algorithm, rest)) => {
                let mut parts: Vec<&str> = rest.split(',').map(str::trim).collect();
                parts.reverse();
                format!("{algorithm} {}", parts.join(","))
            }
            None => value,
        },
        AuthEdit::Spaces(n) => {
            let pad = " ".repeat(usize::from(*n % 4));
            format!("{pad}{}{pad}", value.replace(", ", &format!("{pad},{pad}")))
        }
        AuthEdit::Byte { at, byte } => {
            let mut bytes = value.into_bytes();
            if !bytes.is_empty() {
                let i = usize::from(*at) % bytes.len();
                bytes[i] = *byte;
            }
            String::from_utf8_lossy(&bytes).into_owned()
        }
        AuthEdit::Insert { at, text } => {
            let mut i = usize::from(*at) % (value.len() + 1);
            while !value.is_char_boundary(i) {
                i -= 1;
            }
            format!("{}{text}{}", &value[..i], &value[i..])
        }
        AuthEdit::Replace(s) => s.clone(),
        AuthEdit::Duplicate => {
            request.headers.push(("Authorization".to_owned(), value));
            return;
        }
        AuthEdit::Remove => {
            request.headers.remove(i);
            return;
        }
    };
    request.headers[i].1 = new;
}

fn apply(request: &mut HttpRequest, mutation: &Mutation, signed_at: u64) {
    match mutation {
        Mutation::Method(m) => request.method = method(m),
        Mutation::FlipBodyBit { at, bit } => {
            if !request.body.is_empty() {
                let i = usize::from(*at) % request.body.len();
                request.body[i] ^= 1 << (bit % 8);
            }
        }
        Mutation::AppendBody(more) => request.body.extend_from_slice(more),
        Mutation::TruncateBody(n) => {
            let keep = request.body.len().saturating_sub(usize::from(*n));
            request.body.truncate(keep);
        }
        Mutation::SetHeader { which, value } => {
            if let Some(i) = pick(request, *which) {
                request.headers[i].1.clone_from(value);
            }
        }
        Mutation::RemoveHeader { which } => {
            if let Some(i) = pick(request, *which) {
                request.headers.remove(i);
            }
        }
        Mutation::AddHeader { name, value } => request.headers.push((name.text(), value.clone())),
        Mutation::PadHeader { which, left, right } => {
            if let Some(i) = pick(request, *which) {
                let value = &mut request.headers[i].1;
                *value = format!(
                    "{}{value}{}",
                    " ".repeat(usize::from(*left % 4)),
                    " ".repeat(usize::from(*right % 4))
                );
            }
        }
        Mutation::RecaseHeader { which } => {
            if let Some(i) = pick(request, *which) {
                let name = &mut request.headers[i].0;
                *name = name
                    .chars()
                    .map(|c| {
                        if c.is_ascii_lowercase() {
                            c.to_ascii_uppercase()
                        } else {
                            c.to_ascii_lowercase()
                        }
                    })
                    .collect();
            }
        }
        Mutation::RotateHeaders(n) => {
            if !request.headers.is_empty() {
                let k = usize::from(*n) % request.headers.len();
                request.headers.rotate_left(k);
            }
        }
        Mutation::Url(edit) => match edit {
            UrlEdit::AppendSegment(s) => {
                if !request.url.ends_with('/') {
                    request.url.push('/');
                }
                request.url.push_str(s);
            }
            UrlEdit::AppendQuery(q) => {
                request
                    .url
                    .push(if request.url.contains('?') { '&' } else { '?' });
                request.url.push_str(q);
            }
            UrlEdit::Fragment(f) => {
                request.url.push('#');
                request.url.push_str(f);
            }
            UrlEdit::DotSegment => request.url.push_str("./"),
            UrlEdit::DoubleSlash => request.url.push('/'),
            UrlEdit::Host(h) => {
                request.url = request.url.replacen("ssm.us-east-1.amazonaws.com", h, 1);
            }
            UrlEdit::Replace(u) => request.url.clone_from(u),
        },
        Mutation::Auth(edit) => edit_auth(request, edit),
        Mutation::Date(delta) => {
            let t = signed_at.saturating_add_signed(i64::from(*delta));
            if let Ok(date) = format_amz_date(t) {
                request.set_header("X-Amz-Date", date);
            }
        }
        Mutation::DateText(text) => request.set_header("X-Amz-Date", text.clone()),
    }
}

fn method(m: &Method) -> String {
    match m {
        Method::Post => "POST".to_owned(),
        Method::Get => "GET".to_owned(),
        Method::Put => "PUT".to_owned(),
        Method::Other(s) => s.clone(),
    }
}

/// Headers whose extra copies make even an untouched request refusable
/// (single-valued in `verify`, or replaced by the signer).
const NOT_EXTRA: &[&str] = &[
    "host",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
    "x-amz-target",
    "content-type",
    "authorization",
];

fuzz_target!(|input: Input| {
    let operation = OperationName::ALL[usize::from(input.operation) % OperationName::ALL.len()];
    let mut url = String::from(ENDPOINT);
    url.push_str(&input.path);
    let mut request = build_raw(&url, operation, input.body.0);
    request.url = url;
    request.method = method(&input.method);
    for (name, value) in &input.extra {
        request.headers.push((name.text(), value.clone()));
    }
    let extras_benign = input
        .extra
        .iter()
        .all(|(n, _)| !NOT_EXTRA.iter().any(|x| n.text().eq_ignore_ascii_case(x)));

    let (akid, secret) = KEYS[usize::from(input.signer)];
    let credentials = Credentials::new(akid, secret, input.token.clone());
    let signed_at = NOW.saturating_add_signed(i64::from(input.sign_skew));
    let now = NOW.saturating_add_signed(i64::from(input.now_skew));
    let mut params = SigningParams::new(&credentials, "us-east-1", "ssm", signed_at);
    params.settings.content_sha256_header = input.content_sha256;
    let Ok(out) = sign(&mut request, &params, None) else {
        return;
    };
    let signed_list: Vec<&str> = out.signed_headers.split(';').collect();
    let original = model(&request, &signed_list).expect("a signed request has an absolute URL");
    let original_auth = request.header("authorization").unwrap().to_owned();
    let config = VerifyConfig::new("us-east-1", "ssm");
    let in_window = signed_at.abs_diff(now) <= MAX_SKEW;

    // Round trip: what the core signs, it verifies.
    let untouched = verify(&request, &config, now, &lookup, None);
    if in_window && extras_benign {
        let ok = untouched.unwrap_or_else(|r| panic!("a genuine request was refused: {r:?}"));
        assert_eq!(ok.principal, usize::from(input.signer));
        assert_eq!(ok.signed_at.unix(), signed_at);
    }

    if input.mutations.is_empty() {
        return;
    }
    for mutation in &input.mutations {
        apply(&mut request, mutation, signed_at);
    }
    let result = verify(&request, &config, now, &lookup, None);
    let cached = CACHE.with(|c| verify(&request, &config, now, &lookup, Some(&mut c.borrow_mut())));
    assert_eq!(result, cached, "cached and uncached verification disagree");
    let Ok(ok) = result else {
        return;
    };

    // Accepted: nothing signed may have changed.
    assert_eq!(ok.access_key_id, akid, "accepted under another key");
    assert!(
        ok.signed_at.unix().abs_diff(now) <= MAX_SKEW,
        "accepted outside the skew window"
    );
    let auth_now = request
        .header("authorization")
        .expect("accepted without Authorization");
    let (a, b) = (
        Authorization::parse(&original_auth).unwrap(),
        Authorization::parse(auth_now).unwrap(),
    );
    assert_eq!(
        (
            a.access_key_id,
            a.date_stamp,
            a.region,
            a.service,
            a.terminator,
            &a.signed_headers,
            a.signature
        ),
        (
            b.access_key_id,
            b.date_stamp,
            b.region,
            b.service,
            b.terminator,
            &b.signed_headers,
            b.signature
        ),
        "accepted with other Authorization components"
    );
    let mutated = model(&request, &signed_list).expect("accepted a URL that is not absolute");
    assert_eq!(
        mutated, original,
        "accepted a request whose signed content changed"
    );
    for (name, _) in &request.headers {
        let lower = name.to_ascii_lowercase();
        if lower == "content-type" || lower.starts_with("x-amz-") {
            assert!(
                signed_list.contains(&lower.as_str()),
                "accepted an unsigned {lower}"
            );
        }
    }
});

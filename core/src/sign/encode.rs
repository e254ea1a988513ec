//! SigV4 URI encoding: the canonical URI (path normalization and per-segment
//! encoding) and the canonical query string.
//!
//! "URI-encode" in SigV4 means: every byte except the unreserved characters
//! `A-Z a-z 0-9 - . _ ~` becomes `%XX` with uppercase hex; in the path, `/` is kept.
//! This is exactly aws-sigv4's `BASE_SET`/`GREEDY` and botocore's
//! `quote(..., safe='/~')` / `quote(..., safe='-_.~')`.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

#[inline]
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Appends the SigV4 URI-encoding of `bytes` to `out`, keeping `/` when `keep_slash`.
fn encode_into(out: &mut String, bytes: &[u8], keep_slash: bool) {
    for &b in bytes {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
            out.push(char::from(HEX_UPPER[usize::from(b & 0xF)]));
        }
    }
}

/// URI-encodes a path, keeping `/`. Applied to the wire path (already percent-encoded),
/// this is SigV4's "double encoding" for non-S3 services: `%3D` becomes `%253D`.
pub(crate) fn encode_path(path: &str) -> Cow<'_, str> {
    if path.bytes().all(|b| is_unreserved(b) || b == b'/') {
        return Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len() + 16);
    encode_into(&mut out, path.as_bytes(), true);
    Cow::Owned(out)
}

/// Normalizes a URI path as SigV4 requires for non-S3 services (and as aws-sigv4 does):
/// an empty path is `/`; empty and `.` segments are dropped (so `//` collapses); `..`
/// removes the previous segment (RFC 3986 §5.2.4); a trailing slash is kept.
pub(crate) fn normalize_path(path: &str) -> Cow<'_, str> {
    if path.is_empty() {
        return Cow::Borrowed("/");
    }
    let absolute: Cow<'_, str> = if path.starts_with('/') {
        Cow::Borrowed(path)
    } else {
        let mut p = String::with_capacity(path.len() + 1);
        p.push('/');
        p.push_str(path);
        Cow::Owned(p)
    };
    if !(absolute.contains('.') || absolute.contains("//")) {
        return absolute;
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in absolute.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let mut out = String::with_capacity(absolute.len());
    for segment in &segments {
        out.push('/');
        out.push_str(segment);
    }
    let trailing_slash = ["/", "/.", "/./", "/..", "/../"]
        .iter()
        .any(|s| absolute.ends_with(s));
    if out.is_empty() || (trailing_slash && !out.ends_with('/')) {
        out.push('/');
    }
    Cow::Owned(out)
}

/// Decodes one `application/x-www-form-urlencoded` component as aws-sigv4 does
/// (`form_urlencoded::parse`): `+` is a space, `%XX` is a byte, a `%` not followed by
/// two hex digits stays literal, and the bytes are read as UTF-8 with invalid
/// sequences replaced by U+FFFD.
fn form_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                b.get(i + 1).and_then(|&h| hex_val(h)),
                b.get(i + 2).and_then(|&l| hex_val(l)),
            ) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            other => out.push(other),
        }
        i += 1;
    }
    match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The canonical query string: parameters split on `&` (empty pieces skipped), split at
/// the first `=`, decoded, URI-encoded, sorted by encoded key then encoded value, and
/// joined as `k=v&k=v` (a key without `=` gets an empty value).
pub(crate) fn canonical_query(query: &str) -> String {
    if query.is_empty() {
        return String::new();
    }
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let mut key = String::new();
            encode_into(&mut key, form_decode(k).as_bytes(), false);
            let mut value = String::new();
            encode_into(&mut value, form_decode(v).as_bytes(), false);
            (key, value)
        })
        .collect();
    // Whole pairs compare, so equal elements are identical: unstable is exact here.
    crate::sort::sort_by(&mut pairs, |a, b| a < b);
    let mut out = String::with_capacity(query.len() + 8);
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_encoding_is_double_for_wire_paths() {
        assert_eq!(encode_path("/"), "/");
        assert_eq!(encode_path("/-._~azAZ09"), "/-._~azAZ09");
        assert_eq!(
            encode_path("/test/@connections/JBDvjfGEIAMCERw%3D"),
            "/test/%40connections/JBDvjfGEIAMCERw%253D"
        );
        assert_eq!(encode_path("/a b/\u{e9}"), "/a%20b/%C3%A9");
        assert_eq!(
            encode_path("/:,;=+!*'()$&"),
            "/%3A%2C%3B%3D%2B%21%2A%27%28%29%24%26"
        );
    }

    #[test]
    fn path_normalization() {
        for (input, expected) in [
            ("", "/"),
            ("/", "/"),
            ("//", "/"),
            ("/./", "/"),
            ("/./example", "/example"),
            ("/example/..", "/"),
            ("/example1/example2/../..", "/"),
            ("//example//", "/example/"),
            ("/foo/bar/.", "/foo/bar/"),
            ("/foo/bar/..", "/foo/"),
            ("/../foo", "/foo"),
            ("/a/b/../c/./d", "/a/c/d"),
            ("/a.b/c", "/a.b/c"),
            ("foo", "/foo"),
        ] {
            assert_eq!(normalize_path(input), expected, "{input:?}");
        }
    }

    #[test]
    fn query_canonicalization() {
        assert_eq!(canonical_query(""), "");
        assert_eq!(
            canonical_query("Param2=value2&Param1=value1"),
            "Param1=value1&Param2=value2"
        );
        assert_eq!(
            canonical_query("Param-3=Value3&Param=Value2&%E1%88%B4=Value1"),
            "%E1%88%B4=Value1&Param=Value2&Param-3=Value3"
        );
        assert_eq!(canonical_query("a&b=&&c=1"), "a=&b=&c=1");
        assert_eq!(canonical_query("k=a+b%20c"), "k=a%20b%20c");
        assert_eq!(canonical_query("k=%zz%4"), "k=%25zz%254");
        assert_eq!(canonical_query("k=%ff"), "k=%EF%BF%BD");
        assert_eq!(canonical_query("b=2&a=2&a=1"), "a=1&a=2&b=2");
        assert_eq!(canonical_query("x=a=b"), "x=a%3Db");
    }
}

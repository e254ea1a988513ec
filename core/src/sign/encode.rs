//! SigV4 URI encoding: the canonical URI (path normalization and per-segment
//! encoding) and the canonical query string.
//!
//! "URI-encode" in SigV4 means: every byte except the unreserved characters
//! `A-Z a-z 0-9 - . _ ~` becomes `%XX` with uppercase hex; in the path, `/` is kept.
//! This is exactly aws-sigv4's `BASE_SET`/`GREEDY` and botocore's
//! `quote(..., safe='/~')` / `quote(..., safe='-_.~')`.

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

/// Appends the SigV4 URI-encoding of `s` (`/` encoded too) to `out`: also the
/// query protocol's form encoding (RFC 3986 unreserved characters kept).
#[cfg(feature = "sts")]
pub(crate) fn uri_encode(out: &mut String, s: &str) {
    encode_into(out, s.as_bytes(), false);
}

/// Splits `s` at the first `byte` (an ASCII delimiter): (before, after) or (`s`,
/// `None`), by [`crate::text::split_once`], which the endpoints and the glue share.
pub(crate) fn split_at_byte(s: &str, byte: u8) -> (&str, Option<&str>) {
    match crate::text::split_once(s, byte) {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    }
}

/// The canonical URI of a wire path (still percent-encoded): normalized when
/// `normalize` (SigV4 for non-S3 services, as aws-sigv4 does it: an empty path is `/`;
/// empty and `.` segments are dropped, so `//` collapses; `..` removes the previous
/// segment, RFC 3986 §5.2.4; a trailing slash is kept), then URI-encoded once more
/// keeping `/` when `double_encode` (SigV4's "double encoding": `%3D` becomes `%253D`).
///
/// One pass that writes each kept segment already encoded: the output is its own
/// segment stack (`..` truncates it at its last `/`; an encoded segment has no `/`).
pub(crate) fn canonical_uri(path: &str, normalize: bool, double_encode: bool) -> String {
    let mut out = String::with_capacity(path.len() + 16);
    let put = |out: &mut String, s: &str| {
        if double_encode {
            encode_into(out, s.as_bytes(), true);
        } else {
            out.push_str(s);
        }
    };
    if !normalize {
        put(&mut out, if path.is_empty() { "/" } else { path });
        return out;
    }
    let mut rest = Some(path);
    let mut trailing_slash = false;
    while let Some(remaining) = rest {
        let (segment, after) = split_at_byte(remaining, b'/');
        rest = after;
        // A path ending in `/`, `/.` or `/..` keeps a trailing slash.
        trailing_slash = matches!(segment, "" | "." | "..");
        match segment {
            "" | "." => {}
            ".." => {
                let parent = out.bytes().rposition(|b| b == b'/').unwrap_or(0);
                out.truncate(parent);
            }
            _ => {
                out.push('/');
                put(&mut out, segment);
            }
        }
    }
    if out.is_empty() || trailing_slash {
        out.push('/');
    }
    out
}

/// Decodes one `application/x-www-form-urlencoded` component as aws-sigv4 does
/// (`form_urlencoded::parse`) into `out` (cleared first): `+` is a space, `%XX` is a
/// byte, a `%` not followed by two hex digits stays literal. The caller reads the bytes
/// as UTF-8 with invalid sequences replaced by U+FFFD.
fn form_decode(s: &str, out: &mut Vec<u8>) {
    out.clear();
    let b = s.as_bytes();
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
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Appends the SigV4 encoding of the form-decoded `component` (`scratch` is reused).
fn put_param(out: &mut String, component: &str, scratch: &mut Vec<u8>) {
    form_decode(component, scratch);
    encode_into(out, crate::text::from_utf8_lossy(scratch).as_bytes(), false);
}

/// The canonical query string: parameters split on `&` (empty pieces skipped), split at
/// the first `=`, decoded, URI-encoded, sorted by encoded key then encoded value, and
/// joined as `k=v&k=v` (a key without `=` gets an empty value).
pub(crate) fn canonical_query(query: &str) -> String {
    // Each parameter as one `key=value` string: an encoded key or value has no `=`
    // (it is `%3D`), so the first `=` splits them again for the sort.
    let mut params: Vec<String> = Vec::new();
    let mut scratch = Vec::new();
    let mut rest = Some(query);
    while let Some(remaining) = rest {
        let (param, after) = split_at_byte(remaining, b'&');
        rest = after;
        if param.is_empty() {
            continue;
        }
        let (key, value) = split_at_byte(param, b'=');
        let mut encoded = String::with_capacity(param.len() + 1);
        put_param(&mut encoded, key, &mut scratch);
        encoded.push('=');
        put_param(&mut encoded, value.unwrap_or(""), &mut scratch);
        params.push(encoded);
    }
    // Whole (key, value) pairs compare, so equal elements are identical: unstable is
    // exact here.
    crate::sort::sort_by(&mut params, |a, b| {
        split_at_byte(a, b'=') < split_at_byte(b, b'=')
    });
    let mut out = String::with_capacity(query.len() + 8);
    for (i, param) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(param);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode_path(path: &str) -> String {
        canonical_uri(path, false, true)
    }

    fn normalize_path(path: &str) -> String {
        canonical_uri(path, true, false)
    }

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
        // Both at once: segments are normalized on the wire form, then encoded.
        assert_eq!(
            canonical_uri("/a%2F/./b c/../d=/", true, true),
            "/a%252F/d%3D/"
        );
        assert_eq!(canonical_uri("", false, false), "/");
        assert_eq!(canonical_uri("//a/./", false, false), "//a/./");
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
        // By key first, then value: not by the joined `key=value` text.
        assert_eq!(canonical_query("a-=b&a=z"), "a=z&a-=b");
        assert_eq!(canonical_query("a=%3D&a=-"), "a=%3D&a=-");
    }
}

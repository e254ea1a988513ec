//! The custom endpoint URL check (`SDK::Endpoint`): stricter than botocore, and
//! written without panicking slices (a str-slicing panic formats its message, which
//! would pull `core::fmt` into the wasm).

use crate::text;
use alloc::string::String;

/// What is wrong with a custom endpoint URL.
///
/// Stricter than botocore (which only wants a scheme and a valid host): a base URL
/// here is `http(s)://host[:port][/path]`, printable ASCII only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlProblem {
    /// The scheme is not `http://` or `https://`.
    Scheme,
    /// There is no host.
    MissingHost,
    /// The host is neither DNS labels (1 to 63 letters, digits, hyphens each, no
    /// leading or trailing hyphen, 255 characters at most) nor a bracketed IPv6 address.
    InvalidHost,
    /// The port is not a number from 1 to 65535.
    InvalidPort,
    /// There is a `user:password@` part.
    UserInfo,
    /// There is a `?query`.
    Query,
    /// There is a `#fragment`.
    Fragment,
    /// There is a space, a control character or a non-ASCII character.
    InvalidCharacter,
}

impl UrlProblem {
    /// A stable identifier of the problem, for programs (and for JavaScript to word it):
    /// `scheme`, `missingHost`, `invalidHost`, `invalidPort`, `userInfo`, `query`,
    /// `fragment`, `invalidCharacter`. A code is never renamed.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            UrlProblem::Scheme => "scheme",
            UrlProblem::MissingHost => "missingHost",
            UrlProblem::InvalidHost => "invalidHost",
            UrlProblem::InvalidPort => "invalidPort",
            UrlProblem::UserInfo => "userInfo",
            UrlProblem::Query => "query",
            UrlProblem::Fragment => "fragment",
            UrlProblem::InvalidCharacter => "invalidCharacter",
        }
    }
}

/// Checks a custom endpoint URL and returns it without trailing slashes, its scheme
/// in lower case.
pub(super) fn validate_base_url(url: &str) -> Result<String, UrlProblem> {
    if !url.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(UrlProblem::InvalidCharacter);
    }
    let (scheme, rest) = strip_prefix_ignore_case(url, "https://")
        .map(|rest| ("https://", rest))
        .or_else(|| strip_prefix_ignore_case(url, "http://").map(|rest| ("http://", rest)))
        .ok_or(UrlProblem::Scheme)?;
    if text::has(url, b'#') {
        return Err(UrlProblem::Fragment);
    }
    if text::has(url, b'?') {
        return Err(UrlProblem::Query);
    }
    let authority = text::split_once(rest, b'/').map_or(rest, |(authority, _path)| authority);
    if text::has(authority, b'@') {
        return Err(UrlProblem::UserInfo);
    }
    let (host, port) = split_host_port(authority)?;
    if !is_valid_host(host) {
        return Err(UrlProblem::InvalidHost);
    }
    if let Some(port) = port {
        // Summed by hand, not `parse::<u32>()` (its generic code is ~0.3 KB of wasm): at
        // most five digits always fit.
        let valid = (1..=5).contains(&port.len())
            && port.bytes().all(|b| b.is_ascii_digit())
            && (1..=65535).contains(&port.bytes().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')));
        if !valid {
            return Err(UrlProblem::InvalidPort);
        }
    }
    // The scheme in lower case, as botocore sends it.
    let rest = rest.trim_end_matches('/');
    let mut base = String::with_capacity(scheme.len() + rest.len());
    base.push_str(scheme);
    base.push_str(rest);
    Ok(base)
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        s.get(prefix.len()..)
    } else {
        None
    }
}

/// A URL's host: DNS labels, or an IPv6 address (written in brackets).
enum Host<'a> {
    Name(&'a str),
    V6(&'a str),
}

/// Splits `host[:port]` or `[v6][:port]`; refuses an empty host.
fn split_host_port(authority: &str) -> Result<(Host<'_>, Option<&str>), UrlProblem> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (inside, after) = text::split_once(v6, b']').ok_or(UrlProblem::InvalidHost)?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or(UrlProblem::InvalidHost)?),
        };
        (Host::V6(inside), port)
    } else {
        match text::split_once(authority, b':') {
            Some((host, port)) => (Host::Name(host), Some(port)),
            None => (Host::Name(authority), None),
        }
    };
    if let Host::Name("") = host {
        return Err(UrlProblem::MissingHost);
    }
    Ok((host, port))
}

/// DNS labels (botocore's `is_valid_endpoint_url` host rule, one trailing dot allowed)
/// or an IPv6 address.
fn is_valid_host(host: Host<'_>) -> bool {
    let name = match host {
        Host::V6(v6) => return is_ipv6(v6),
        Host::Name(name) => name,
    };
    let name = name.strip_suffix('.').unwrap_or(name);
    name.len() <= 255
        && text::split(name, b'.').all(|label| {
            let b = label.as_bytes();
            (1..=63).contains(&b.len())
                && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
                && b.first() != Some(&b'-')
                && b.last() != Some(&b'-')
        })
}

/// An IPv6 address in text as `core::net::Ipv6Addr`'s parser takes it (RFC 4291 2.2:
/// eight groups of 1 to 4 hex digits, or fewer around one `::` standing for at least one
/// zero group; the last two groups may be written as dotted IPv4). Written out because
/// that parser is ~2.6 KB of wasm; `tests.rs` checks the two agree.
pub(super) fn is_ipv6(s: &str) -> bool {
    // Found by bytes, not `split_once("::")`: a string pattern links the two-way searcher.
    match s.as_bytes().windows(2).position(|w| w == b"::") {
        None => groups(s) == Some(8),
        Some(at) => {
            let (Some(head), Some(tail)) = (s.get(..at), s.get(at + 2..)) else {
                return false;
            };
            // Dotted IPv4 only ends an address, so never comes before `::`.
            !text::has(head, b'.')
                && matches!((groups(head), groups(tail)), (Some(h), Some(t)) if h + t <= 7)
        }
    }
}

/// The number of 16-bit groups in `h16:h16:...` (the last piece may be dotted IPv4, which
/// is two groups); `Some(0)` for `""`, `None` if a piece is neither.
fn groups(s: &str) -> Option<usize> {
    if s.is_empty() {
        return Some(0);
    }
    let mut count = 0;
    let mut pieces = text::split(s, b':').peekable();
    while let Some(piece) = pieces.next() {
        count += if pieces.peek().is_none() && is_ipv4(piece) {
            2
        } else if (1..=4).contains(&piece.len()) && piece.bytes().all(|b| b.is_ascii_hexdigit()) {
            1
        } else {
            return None;
        };
    }
    Some(count)
}

/// Dotted-decimal IPv4: four numbers 0 to 255, without leading zeros (`01` is refused, as
/// by `core::net`: some parsers read it as octal).
fn is_ipv4(s: &str) -> bool {
    let mut parts = 0;
    text::split(s, b'.').all(|part| {
        parts += 1;
        let b = part.as_bytes();
        (1..=3).contains(&b.len())
            && b.iter().all(u8::is_ascii_digit)
            && !(b.len() > 1 && b.first() == Some(&b'0'))
            && b.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')) <= 255
    }) && parts == 4
}

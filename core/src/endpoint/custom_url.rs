//! The custom endpoint URL check (`SDK::Endpoint`): stricter than botocore, and
//! written without panicking slices (a str-slicing panic formats its message, which
//! would pull `core::fmt` into the wasm).

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
    if url.contains('#') {
        return Err(UrlProblem::Fragment);
    }
    if url.contains('?') {
        return Err(UrlProblem::Query);
    }
    let authority = rest
        .split_once('/')
        .map_or(rest, |(authority, _path)| authority);
    if authority.contains('@') {
        return Err(UrlProblem::UserInfo);
    }
    let (host, port) = split_host_port(authority)?;
    if !is_valid_host(host) {
        return Err(UrlProblem::InvalidHost);
    }
    if let Some(port) = port {
        let valid = (1..=5).contains(&port.len())
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|n| (1..=65535).contains(&n));
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
        let (inside, after) = v6.split_once(']').ok_or(UrlProblem::InvalidHost)?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or(UrlProblem::InvalidHost)?),
        };
        (Host::V6(inside), port)
    } else {
        match authority.split_once(':') {
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
        Host::V6(v6) => return v6.parse::<core::net::Ipv6Addr>().is_ok(),
        Host::Name(name) => name,
    };
    let name = name.strip_suffix('.').unwrap_or(name);
    name.len() <= 255
        && name.split('.').all(|label| {
            let b = label.as_bytes();
            (1..=63).contains(&b.len())
                && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
                && b.first() != Some(&b'-')
                && b.last() != Some(&b'-')
        })
}

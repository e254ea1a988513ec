//! Splitting an absolute request URL into the parts SigV4 needs: the `Host` header
//! value, the path and the query. No allocation; a strict subset of RFC 3986.

use core::fmt;

use super::encode::split_at_byte;

/// Why a request URL was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UrlError {
    /// Not of the form `scheme://authority[/path][?query][#fragment]`.
    NotAbsolute,
    /// A byte outside visible ASCII (space, control character, non-ASCII): the URL must
    /// be percent-encoded as it goes on the wire.
    InvalidCharacter,
    /// The authority has no host.
    EmptyHost,
    /// The authority carries `user:password@`, which has no place in a signed request.
    UserInfo,
    /// The port is empty or not decimal digits, or an IPv6 literal is unterminated.
    InvalidPort,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UrlError::NotAbsolute => "URL is not absolute (scheme://host/path)",
            UrlError::InvalidCharacter => "URL contains a character that must be percent-encoded",
            UrlError::EmptyHost => "URL has no host",
            UrlError::UserInfo => "URL carries user information",
            UrlError::InvalidPort => "URL has an invalid port",
        })
    }
}

/// The parts of an absolute URL that SigV4 reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ParsedUrl<'a> {
    /// `Host` header value: the authority, without the port when it is the scheme's
    /// default (`:443` for https, `:80` for http), as aws-sigv4 and botocore do.
    pub host: &'a str,
    /// The path as sent on the wire (still percent-encoded); empty when the URL has none.
    pub path: &'a str,
    /// The query without `?` (still percent-encoded); empty when absent.
    pub query: &'a str,
}

pub(crate) fn parse(url: &str) -> Result<ParsedUrl<'_>, UrlError> {
    // Byte scans throughout (every byte is visible ASCII once this passes): the `char`
    // and `&str` pattern searchers cost the wasm more than these lines.
    if !url.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(UrlError::InvalidCharacter);
    }
    let (scheme, rest) = split_at_byte(url, b':');
    let rest = match rest.map(str::as_bytes) {
        Some([b'/', b'/', ..]) => &url[scheme.len() + 3..],
        _ => return Err(UrlError::NotAbsolute),
    };
    let scheme_ok = scheme.bytes().enumerate().all(|(i, b)| {
        b.is_ascii_alphabetic()
            || (i > 0 && (b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.')))
    });
    if scheme.is_empty() || !scheme_ok {
        return Err(UrlError::NotAbsolute);
    }
    let authority_end = rest
        .bytes()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let (authority, rest) = rest.split_at(authority_end);
    let (rest, _fragment) = split_at_byte(rest, b'#');
    let (path, query) = split_at_byte(rest, b'?');
    if authority.bytes().any(|b| b == b'@') {
        return Err(UrlError::UserInfo);
    }
    let (host, port) = split_host_port(authority)?;
    if host.is_empty() {
        return Err(UrlError::EmptyHost);
    }
    let default_port = match port {
        Some(p) => {
            (scheme.eq_ignore_ascii_case("https") && p == "443")
                || (scheme.eq_ignore_ascii_case("http") && p == "80")
        }
        None => false,
    };
    Ok(ParsedUrl {
        host: if default_port { host } else { authority },
        path,
        query: query.unwrap_or(""),
    })
}

/// Splits `host[:port]` / `[v6]:port`; the port, when present, is non-empty digits.
fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), UrlError> {
    let bracketed = authority.as_bytes().first() == Some(&b'[');
    let host_end = if bracketed {
        // Past the `]` that closes the IPv6 literal.
        1 + authority
            .bytes()
            .position(|b| b == b']')
            .ok_or(UrlError::InvalidPort)?
    } else {
        split_at_byte(authority, b':').0.len()
    };
    let (host, after) = authority.split_at(host_end);
    let port = match after.as_bytes() {
        [] => None,
        [b':', digits @ ..] if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) => {
            Some(&after[1..])
        }
        _ => return Err(UrlError::InvalidPort),
    };
    if !bracketed && host.bytes().any(|b| b == b'[' || b == b']') {
        return Err(UrlError::InvalidPort);
    }
    Ok((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(url: &str) -> (&str, &str, &str) {
        let p = parse(url).unwrap();
        (p.host, p.path, p.query)
    }

    #[test]
    fn host_of_is_the_signed_host() {
        use crate::sign::host_of;
        assert_eq!(host_of("https://gw.example/"), Ok("gw.example"));
        assert_eq!(host_of("https://gw.example:443/x?y"), Ok("gw.example"));
        assert_eq!(host_of("http://127.0.0.1:8787/"), Ok("127.0.0.1:8787"));
        assert_eq!(host_of("https://u@gw.example/"), Err(UrlError::UserInfo));
    }

    #[test]
    fn splits_and_drops_default_ports() {
        assert_eq!(
            ok("https://ssm.us-east-1.amazonaws.com/"),
            ("ssm.us-east-1.amazonaws.com", "/", "")
        );
        assert_eq!(
            ok("https://h.example:443/a?b=c#frag"),
            ("h.example", "/a", "b=c")
        );
        assert_eq!(ok("HTTPS://h.example:443"), ("h.example", "", ""));
        assert_eq!(ok("http://h.example:80/"), ("h.example", "/", ""));
        assert_eq!(ok("http://h.example:443/"), ("h.example:443", "/", ""));
        assert_eq!(ok("https://h.example:8443/x"), ("h.example:8443", "/x", ""));
        assert_eq!(ok("https://[::1]:443/"), ("[::1]", "/", ""));
        assert_eq!(ok("https://[::1]:8443/"), ("[::1]:8443", "/", ""));
        assert_eq!(ok("https://h.example?x"), ("h.example", "", "x"));
        assert_eq!(ok("https://h.example#x"), ("h.example", "", ""));
        assert_eq!(ok("a1+b-c.d://h/p?q#f?g"), ("h", "/p", "q"));
        assert_eq!(ok("https://h/a?b?c#d#e"), ("h", "/a", "b?c"));
    }

    #[test]
    fn refuses_what_cannot_be_signed() {
        assert_eq!(parse("/relative"), Err(UrlError::NotAbsolute));
        assert_eq!(parse("h.example/"), Err(UrlError::NotAbsolute));
        assert_eq!(parse("://h.example/"), Err(UrlError::NotAbsolute));
        assert_eq!(parse("1http://h.example/"), Err(UrlError::NotAbsolute));
        assert_eq!(parse("https:///path"), Err(UrlError::EmptyHost));
        assert_eq!(parse("https://:443/"), Err(UrlError::EmptyHost));
        assert_eq!(parse("https://u:p@h.example/"), Err(UrlError::UserInfo));
        assert_eq!(parse("https://h.example:/"), Err(UrlError::InvalidPort));
        assert_eq!(parse("https://h.example:44a/"), Err(UrlError::InvalidPort));
        assert_eq!(parse("https://[::1/"), Err(UrlError::InvalidPort));
        assert_eq!(parse("https://[::1]x/"), Err(UrlError::InvalidPort));
        assert_eq!(parse("https://h:1:2/"), Err(UrlError::InvalidPort));
        assert_eq!(parse("https://h]:1/"), Err(UrlError::InvalidPort));
        assert_eq!(parse("https://[::1]:/"), Err(UrlError::InvalidPort));
        assert_eq!(parse("https:/h.example/"), Err(UrlError::NotAbsolute));
        assert_eq!(parse("https:"), Err(UrlError::NotAbsolute));
        assert_eq!(parse("h_ttps://h.example/"), Err(UrlError::NotAbsolute));
        assert_eq!(
            parse("https://h.example/a b"),
            Err(UrlError::InvalidCharacter)
        );
        assert_eq!(
            parse("https://h.example/\u{1234}"),
            Err(UrlError::InvalidCharacter)
        );
        assert_eq!(
            parse("https://h.example/\n"),
            Err(UrlError::InvalidCharacter)
        );
    }
}

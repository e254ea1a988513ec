//! CORS for browser dashboards: exact-origin allow-list, preflight answers, and the
//! headers that let a page read `x-amzn-RequestId`.

/// Request headers a browser client may send (what AWS SDKs and `ssm-edge` send).
pub const ALLOWED_HEADERS: &[&str] = &[
    "authorization",
    "content-type",
    "x-amz-date",
    "x-amz-target",
    "x-amz-security-token",
    "x-amz-content-sha256",
    "x-amz-user-agent",
    "amz-sdk-invocation-id",
    "amz-sdk-request",
    "idempotency-key",
    "x-ssm-edge-account",
    "x-ssm-edge-region",
];

/// Response headers a page may read.
pub const EXPOSED_HEADERS: &str =
    "x-amzn-RequestId, Date, Idempotent-Replayed, x-ssm-edge-upstream-request-id";

/// How long browsers may cache a preflight answer, in seconds.
pub const MAX_AGE_SECS: u32 = 600;

/// What to do about a request's `Origin`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OriginCheck {
    /// No `Origin`: not a browser cross-origin request; no CORS headers.
    None,
    /// An allowed origin: echo it.
    Allowed(String),
    /// An origin not on the list.
    Refused,
}

/// Checks `origin` against `allowed` (exact, case-sensitive as browsers send it).
#[must_use]
pub fn check(origin: Option<&str>, allowed: &[String]) -> OriginCheck {
    match origin {
        None => OriginCheck::None,
        Some(o) if allowed.iter().any(|a| a == o) => OriginCheck::Allowed(o.to_owned()),
        Some(_) => OriginCheck::Refused,
    }
}

/// The headers of a successful preflight, or `None` when the requested method or
/// headers are not allowed.
#[must_use]
pub fn preflight(
    origin: &str,
    method: Option<&str>,
    headers: Option<&str>,
) -> Option<Vec<(String, String)>> {
    if !matches!(method, Some("POST")) {
        return None;
    }
    let requested: Vec<String> = headers
        .unwrap_or_default()
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    if requested
        .iter()
        .any(|h| !ALLOWED_HEADERS.contains(&h.as_str()))
    {
        return None;
    }
    let mut out = response_headers(origin);
    out.push(("Access-Control-Allow-Methods".into(), "POST".into()));
    out.push((
        "Access-Control-Allow-Headers".into(),
        ALLOWED_HEADERS.join(", "),
    ));
    out.push(("Access-Control-Max-Age".into(), MAX_AGE_SECS.to_string()));
    Some(out)
}

/// Headers for an actual response to an allowed origin.
#[must_use]
pub fn response_headers(origin: &str) -> Vec<(String, String)> {
    vec![
        ("Access-Control-Allow-Origin".into(), origin.to_owned()),
        (
            "Access-Control-Expose-Headers".into(),
            EXPOSED_HEADERS.into(),
        ),
        ("Vary".into(), "Origin".into()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_list_is_exact() {
        let allowed = vec!["https://ops.example.com".to_owned()];
        assert_eq!(check(None, &allowed), OriginCheck::None);
        assert_eq!(
            check(Some("https://ops.example.com"), &allowed),
            OriginCheck::Allowed("https://ops.example.com".into())
        );
        assert_eq!(
            check(Some("https://ops.example.com.evil"), &allowed),
            OriginCheck::Refused
        );
        assert_eq!(
            check(Some("http://ops.example.com"), &allowed),
            OriginCheck::Refused
        );
    }

    #[test]
    fn the_route_headers_are_allowed() {
        for name in crate::route::ROUTE_HEADERS {
            assert!(
                ALLOWED_HEADERS.contains(&name.to_ascii_lowercase().as_str()),
                "{name}"
            );
        }
    }

    #[test]
    fn preflight_checks_method_and_headers() {
        let ok = preflight(
            "https://a",
            Some("POST"),
            Some("Authorization, X-Amz-Date, x-amz-target, content-type"),
        )
        .unwrap();
        assert!(ok
            .iter()
            .any(|(n, v)| n == "Access-Control-Allow-Origin" && v == "https://a"));
        assert!(preflight("https://a", Some("DELETE"), None).is_none());
        assert!(preflight("https://a", Some("POST"), Some("x-evil")).is_none());
    }
}

//! The gateway's configuration, read from Worker variables and secrets (`wrangler.toml`
//! `[vars]`, `wrangler secret put`, `.dev.vars` locally) through a lookup function, so
//! native tests and the Worker read it the same way.
//!
//! | name | default | meaning |
//! |---|---|---|
//! | `UPSTREAM_REGION` | `us-east-1` | region of the SSM endpoint the gateway forwards to |
//! | `UPSTREAM_ENDPOINT` | the region's endpoint | an override URL (moto, the local SSM, a VPC endpoint) |
//! | `UPSTREAM_ACCESS_KEY_ID`, `UPSTREAM_SECRET_ACCESS_KEY` | required | upstream credentials (secrets) |
//! | `UPSTREAM_SESSION_TOKEN` | none | for temporary upstream credentials (secret) |
//! | `UPSTREAM_ACCOUNT_ID` | none | the upstream's 12-digit account id: document ARNs of this account (in the upstream's partition and region) decide as their names; unset, every document ARN naming an account is foreign (see [`crate::policy::document`]) |
//! | `UPSTREAM_TIMEOUT_MS` | `10000` | per-attempt upstream timeout |
//! | `UPSTREAM_MAX_ATTEMPTS` | `3` | attempts per call, where the core's retry decision allows |
//! | `GATEWAY_REGION` | `UPSTREAM_REGION` | the region callers scope their SigV4 signatures to |
//! | `GATEWAY_KEYS` | none | gateway-issued keys, JSON (secret; see [`crate::identity::keys`]) |
//! | `GATEWAY_HOSTNAMES` | the host of the request's URL | the host names (with `:port` when not the default) callers sign for, comma-separated; a signature for any other `Host` is refused (set it in a deployment: a gateway behind a proxy that rewrites the URL, or sharing keys with another gateway, must name its own public names) |
//! | `MAX_SKEW_SECS` | `300` | allowed SigV4 clock skew |
//! | `JWT_ISSUER` | none (JWT off) | required `iss`; turns bearer tokens on |
//! | `JWT_AUDIENCE` | required with `JWT_ISSUER` | accepted `aud` values, comma-separated |
//! | `JWT_JWKS_URL` | required with `JWT_ISSUER` | the issuer's JWKS |
//! | `JWT_PRINCIPAL_CLAIM`, `JWT_GROUPS_CLAIM` | `sub`, `groups` | where principal and groups are |
//! | `JWT_PRINCIPAL_PREFIX` | `jwt:` | put before the principal claim's value: a token for `alice` is `User::"jwt:alice"` in policies, rate limits, idempotency keys and audit lines, never the gateway key principal `alice`. `GATEWAY_KEYS` principals may not start with it (refused at startup). Set another prefix to change it; `none`: no prefix, token subjects and key principals share one namespace (only for deployments whose policies expect that) |
//! | `JWT_LEEWAY_SECS` | `60` | clock leeway for `exp`/`nbf` |
//! | `JWT_JWKS_REFRESH_SECS` | `30` | shortest time between JWKS fetches forced by an unknown `kid`, 5 or more (the fetch happens before authentication, so a flood of made-up kids is held to one fetch per this many seconds per isolate; the set is also fetched every 10 min) |
//! | `POLICIES` | the shipped `gateway/policies/*.cedar` | Cedar policy text |
//! | `CORS_ALLOWED_ORIGINS` | none (CORS off) | exact origins, comma-separated |
//! | `RATE_LIMIT_PER_MINUTE`, `RATE_LIMIT_BURST` | `120`, `20` | per-principal token bucket (`0` per minute: off) |
//! | `AUDIT_PARAMETER_VALUES` | `false` | `true` logs parameter values instead of their keyed digest |
//! | `AUDIT_DIGEST_KEY` | derived from `UPSTREAM_SECRET_ACCESS_KEY` | the HMAC-SHA256 key of audit parameter digests (secret, 32 characters or more); unset: `HMAC-SHA256(UPSTREAM_SECRET_ACCESS_KEY, "ssm-edge audit digest")`. How to check a logged digest: [`crate::audit`] |

use ssm_edge_core::endpoint::{resolve, EndpointConfig};
use ssm_edge_core::sign::Credentials;

use crate::audit::DigestKey;
use crate::identity::jwt::JwtConfig;
use crate::identity::keys::GatewayKeys;
use crate::limits::RateLimit;
use crate::policy::UpstreamScope;

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The shortest `JWT_JWKS_REFRESH_SECS`: below it, made-up `kid`s could make the
/// gateway fetch the issuer's JWKS almost once per request, before authentication.
pub const MIN_JWKS_REFRESH_SECS: u64 = 5;

/// `JWT_PRINCIPAL_PREFIX` when unset.
pub const DEFAULT_JWT_PRINCIPAL_PREFIX: &str = "jwt:";

/// A configuration value that breaks its rule.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{name}: {rule}")]
pub struct ConfigError {
    /// The variable.
    pub name: &'static str,
    /// What it must be (never echoes a secret).
    pub rule: String,
}

/// The whole configuration.
#[derive(Debug)]
pub struct Config {
    /// The upstream endpoint URL (no trailing slash).
    pub upstream_url: String,
    /// The upstream signing region.
    pub upstream_region: String,
    /// Upstream credentials (redacted in `Debug`).
    pub upstream_credentials: Credentials,
    /// The upstream's account id (`UPSTREAM_ACCOUNT_ID`), when configured.
    pub upstream_account_id: Option<String>,
    /// Per-attempt upstream timeout.
    pub upstream_timeout_ms: u64,
    /// Attempts per call.
    pub upstream_max_attempts: u32,
    /// The region callers sign for.
    pub gateway_region: String,
    /// The `Host` values callers may sign for (lowercase); empty: the request URL's host.
    pub gateway_hostnames: Vec<String>,
    /// Allowed SigV4 skew.
    pub max_skew_secs: u64,
    /// Gateway-issued keys.
    pub keys: GatewayKeys,
    /// Bearer tokens, when configured.
    pub jwt: Option<JwtConfig>,
    /// Cedar policy text, when configured (else the shipped policies).
    pub policies: Option<String>,
    /// CORS origins.
    pub cors_origins: Vec<String>,
    /// Per-principal rate limit; `None` when off.
    pub rate_limit: Option<RateLimit>,
    /// Whether parameter values go to the audit log in clear.
    pub audit_parameter_values: bool,
    /// The key of audit parameter digests (redacted in `Debug`).
    pub audit_digest_key: DigestKey,
}

fn error(name: &'static str, rule: impl Into<String>) -> ConfigError {
    ConfigError {
        name,
        rule: rule.into(),
    }
}

fn list(value: Option<String>) -> Vec<String> {
    value
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn number<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
    rule: &str,
) -> Result<T, ConfigError> {
    match get(name) {
        None => Ok(default),
        Some(v) if v.trim().is_empty() => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| error(name, rule)),
    }
}

impl Config {
    /// Reads the configuration through `get` (a variable or secret by name; empty
    /// values count as unset).
    ///
    /// # Errors
    /// The first [`ConfigError`], naming the variable and its rule.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());

        let upstream_region = get("UPSTREAM_REGION").unwrap_or_else(|| "us-east-1".to_owned());
        let mut endpoint = EndpointConfig::new(upstream_region.clone());
        if let Some(url) = get("UPSTREAM_ENDPOINT") {
            endpoint = endpoint.with_endpoint_url(url);
        }
        let upstream_url = resolve(&endpoint)
            .map_err(|e| {
                let name = if get("UPSTREAM_ENDPOINT").is_some() {
                    "UPSTREAM_ENDPOINT"
                } else {
                    "UPSTREAM_REGION"
                };
                error(name, e.to_string())
            })?
            .url
            .trim_end_matches('/')
            .to_owned();
        let access_key = get("UPSTREAM_ACCESS_KEY_ID")
            .ok_or_else(|| error("UPSTREAM_ACCESS_KEY_ID", "required (a secret)"))?;
        let secret = get("UPSTREAM_SECRET_ACCESS_KEY")
            .ok_or_else(|| error("UPSTREAM_SECRET_ACCESS_KEY", "required (a secret)"))?;
        let audit_digest_key = match get("AUDIT_DIGEST_KEY") {
            None => DigestKey::derived(&secret),
            Some(key) if key.chars().count() >= 32 => DigestKey::new(&key),
            Some(_) => {
                return Err(error(
                    "AUDIT_DIGEST_KEY",
                    "a secret of 32 characters or more",
                ))
            }
        };
        let upstream_credentials =
            Credentials::new(access_key, secret, get("UPSTREAM_SESSION_TOKEN"));
        let upstream_account_id = get("UPSTREAM_ACCOUNT_ID").map(|v| v.trim().to_owned());
        if let Some(id) = &upstream_account_id {
            if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(error(
                    "UPSTREAM_ACCOUNT_ID",
                    "a 12-digit AWS account id, like 123456789012",
                ));
            }
        }

        let upstream_timeout_ms = number(
            &get,
            "UPSTREAM_TIMEOUT_MS",
            10_000u64,
            "milliseconds, 1 or more",
        )?;
        if upstream_timeout_ms == 0 {
            return Err(error("UPSTREAM_TIMEOUT_MS", "milliseconds, 1 or more"));
        }
        let upstream_max_attempts = number(&get, "UPSTREAM_MAX_ATTEMPTS", 3u32, "1 to 5")?;
        if !(1..=5).contains(&upstream_max_attempts) {
            return Err(error("UPSTREAM_MAX_ATTEMPTS", "1 to 5"));
        }
        let gateway_region = get("GATEWAY_REGION").unwrap_or_else(|| upstream_region.clone());
        let gateway_hostnames = list(get("GATEWAY_HOSTNAMES"));
        for name in &gateway_hostnames {
            let ok = !name.contains(['/', '@', ' ', '*']) && !name.contains("://");
            if !ok {
                return Err(error(
                    "GATEWAY_HOSTNAMES",
                    format!("{name:?} is not a host name like ssm-gateway.example.com or 127.0.0.1:8787"),
                ));
            }
        }
        let gateway_hostnames = gateway_hostnames
            .into_iter()
            .map(|n| n.to_ascii_lowercase())
            .collect();
        let max_skew_secs = number(&get, "MAX_SKEW_SECS", 300u64, "seconds, 1 to 900")?;
        if !(1..=900).contains(&max_skew_secs) {
            return Err(error("MAX_SKEW_SECS", "seconds, 1 to 900"));
        }
        let keys = match get("GATEWAY_KEYS") {
            None => GatewayKeys::default(),
            Some(json) => {
                GatewayKeys::from_json(&json).map_err(|e| error("GATEWAY_KEYS", e.to_string()))?
            }
        };

        // Token principals are `<prefix><claim>`; no key principal may look like one.
        let principal_prefix = match get("JWT_PRINCIPAL_PREFIX") {
            None => DEFAULT_JWT_PRINCIPAL_PREFIX.to_owned(),
            Some(v) if v == "none" => String::new(),
            Some(v) => v,
        };
        keys.check_token_prefix(&principal_prefix)
            .map_err(|e| error("GATEWAY_KEYS", e.to_string()))?;

        let jwt = match get("JWT_ISSUER") {
            None => None,
            Some(issuer) => {
                let audiences = list(get("JWT_AUDIENCE"));
                if audiences.is_empty() {
                    return Err(error("JWT_AUDIENCE", "required when JWT_ISSUER is set"));
                }
                let jwks_url = get("JWT_JWKS_URL")
                    .ok_or_else(|| error("JWT_JWKS_URL", "required when JWT_ISSUER is set"))?;
                if !(jwks_url.starts_with("https://") || jwks_url.starts_with("http://")) {
                    return Err(error("JWT_JWKS_URL", "an http(s) URL"));
                }
                let refresh_rule = "seconds between forced JWKS fetches, 5 or more";
                let jwks_refresh_secs = number(&get, "JWT_JWKS_REFRESH_SECS", 30u64, refresh_rule)?;
                if jwks_refresh_secs < MIN_JWKS_REFRESH_SECS {
                    return Err(error("JWT_JWKS_REFRESH_SECS", refresh_rule));
                }
                Some(JwtConfig {
                    issuer,
                    audiences,
                    jwks_url,
                    principal_claim: get("JWT_PRINCIPAL_CLAIM").unwrap_or_else(|| "sub".to_owned()),
                    principal_prefix: principal_prefix.clone(),
                    groups_claim: get("JWT_GROUPS_CLAIM").unwrap_or_else(|| "groups".to_owned()),
                    leeway_secs: number(&get, "JWT_LEEWAY_SECS", 60u64, "seconds")?,
                    jwks_refresh_secs,
                })
            }
        };
        if keys.is_empty() && jwt.is_none() {
            return Err(error(
                "GATEWAY_KEYS",
                "no caller could authenticate: set GATEWAY_KEYS or JWT_ISSUER (or both)",
            ));
        }

        let cors_origins = list(get("CORS_ALLOWED_ORIGINS"));
        for origin in &cors_origins {
            let ok = (origin.starts_with("https://") || origin.starts_with("http://"))
                && !origin.ends_with('/')
                && !origin.contains('*');
            if !ok {
                return Err(error(
                    "CORS_ALLOWED_ORIGINS",
                    format!("{origin:?} is not an exact origin like https://ops.example.com"),
                ));
            }
        }
        let per_minute = number(&get, "RATE_LIMIT_PER_MINUTE", 120u32, "requests per minute")?;
        let burst = number(&get, "RATE_LIMIT_BURST", 20u32, "requests, 1 or more")?;
        if burst == 0 {
            return Err(error("RATE_LIMIT_BURST", "requests, 1 or more"));
        }
        let rate_limit = (per_minute > 0).then_some(RateLimit { per_minute, burst });
        let audit_parameter_values = match get("AUDIT_PARAMETER_VALUES").as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => return Err(error("AUDIT_PARAMETER_VALUES", "true or false")),
        };
        Ok(Config {
            upstream_url,
            upstream_region,
            upstream_credentials,
            upstream_account_id,
            upstream_timeout_ms,
            upstream_max_attempts,
            gateway_region,
            gateway_hostnames,
            max_skew_secs,
            keys,
            jwt,
            policies: get("POLICIES"),
            cors_origins,
            rate_limit,
            audit_parameter_values,
            audit_digest_key,
        })
    }

    /// The upstream as the policy engine classifies documents against it (give it to
    /// [`crate::policy::PolicyEngine::with_upstream`]).
    #[must_use]
    pub fn upstream_scope(&self) -> UpstreamScope {
        UpstreamScope::for_region(&self.upstream_region, self.upstream_account_id.clone())
    }

    /// The key audit parameter digests are made with; `None` when values are logged in
    /// clear (`AUDIT_PARAMETER_VALUES=true`). For [`crate::audit::AuditLine::describe_send_command`].
    #[must_use]
    pub fn audit_digest(&self) -> Option<&DigestKey> {
        (!self.audit_parameter_values).then_some(&self.audit_digest_key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    const BASE: &[(&str, &str)] = &[
        ("UPSTREAM_ACCESS_KEY_ID", "AKIDUPSTREAM"),
        (
            "UPSTREAM_SECRET_ACCESS_KEY",
            "upstream-secret-value-0123456789",
        ),
        ("JWT_ISSUER", "https://issuer.example"),
        ("JWT_AUDIENCE", "ssm-edge"),
        ("JWT_JWKS_URL", "https://issuer.example/jwks.json"),
    ];

    #[test]
    fn defaults_resolve_the_regional_endpoint() {
        let config = Config::from_lookup(lookup(BASE)).unwrap();
        assert_eq!(config.upstream_url, "https://ssm.us-east-1.amazonaws.com");
        assert_eq!(config.gateway_region, "us-east-1");
        assert_eq!(
            config.rate_limit,
            Some(RateLimit {
                per_minute: 120,
                burst: 20
            })
        );
        assert!(!format!("{config:?}").contains("upstream-secret-value"));
        assert_eq!(config.upstream_account_id, None);
        assert_eq!(
            config.upstream_scope(),
            UpstreamScope {
                partition: "aws".to_owned(),
                region: "us-east-1".to_owned(),
                account_id: None,
            }
        );
        // The digest key is derived from the upstream secret.
        let values = ["nginx".to_owned()];
        assert_eq!(
            config.audit_digest().unwrap().digest(&values),
            DigestKey::derived("upstream-secret-value-0123456789").digest(&values)
        );
    }

    #[test]
    fn account_id_and_digest_key_are_read() {
        let key = "an-audit-digest-key-of-32-chars-or-more";
        let mut pairs = BASE.to_vec();
        pairs.extend([
            ("UPSTREAM_ACCOUNT_ID", "123456789012"),
            ("UPSTREAM_REGION", "cn-north-1"),
            ("AUDIT_DIGEST_KEY", key),
        ]);
        let config = Config::from_lookup(lookup(&pairs)).unwrap();
        assert_eq!(
            config.upstream_scope(),
            UpstreamScope {
                partition: "aws-cn".to_owned(),
                region: "cn-north-1".to_owned(),
                account_id: Some("123456789012".to_owned()),
            }
        );
        let values = ["nginx".to_owned()];
        assert_eq!(
            config.audit_digest().unwrap().digest(&values),
            DigestKey::new(key).digest(&values)
        );
        assert!(!format!("{config:?}").contains(key));
        pairs.push(("AUDIT_PARAMETER_VALUES", "true"));
        assert!(Config::from_lookup(lookup(&pairs))
            .unwrap()
            .audit_digest()
            .is_none());
    }

    #[test]
    fn errors_name_the_variable_and_rule() {
        let mut pairs = BASE.to_vec();
        pairs.push(("UPSTREAM_TIMEOUT_MS", "soon"));
        let e = Config::from_lookup(lookup(&pairs)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "UPSTREAM_TIMEOUT_MS: milliseconds, 1 or more"
        );

        let e = Config::from_lookup(lookup(&BASE[..2])).unwrap_err();
        assert_eq!(e.name, "GATEWAY_KEYS");

        let mut pairs = BASE.to_vec();
        pairs.push(("CORS_ALLOWED_ORIGINS", "https://ops.example.com/"));
        assert_eq!(
            Config::from_lookup(lookup(&pairs)).unwrap_err().name,
            "CORS_ALLOWED_ORIGINS"
        );

        for (name, bad) in [
            ("UPSTREAM_ACCOUNT_ID", "12345678901"),
            ("UPSTREAM_ACCOUNT_ID", "1234567890123"),
            ("UPSTREAM_ACCOUNT_ID", "12345678901a"),
            ("AUDIT_DIGEST_KEY", "short-key"),
        ] {
            let mut pairs = BASE.to_vec();
            pairs.push((name, bad));
            let e = Config::from_lookup(lookup(&pairs)).unwrap_err();
            assert_eq!(e.name, name, "{bad}");
            // A secret is never echoed.
            assert!(!e.to_string().contains("short-key"), "{e}");
        }

        let mut pairs = BASE.to_vec();
        pairs.push(("UPSTREAM_ENDPOINT", "not a url"));
        assert_eq!(
            Config::from_lookup(lookup(&pairs)).unwrap_err().name,
            "UPSTREAM_ENDPOINT"
        );
    }

    #[test]
    fn the_jwks_refresh_has_a_floor() {
        let refresh = |value: &str| {
            let mut pairs = BASE.to_vec();
            pairs.push(("JWT_JWKS_REFRESH_SECS", value));
            Config::from_lookup(lookup(&pairs)).map(|c| c.jwt.unwrap().jwks_refresh_secs)
        };
        assert_eq!(
            Config::from_lookup(lookup(BASE))
                .unwrap()
                .jwt
                .unwrap()
                .jwks_refresh_secs,
            30
        );
        assert_eq!(refresh("5"), Ok(MIN_JWKS_REFRESH_SECS));
        assert_eq!(refresh("600"), Ok(600));
        for bad in ["0", "4", "-1", "soon"] {
            let e = refresh(bad).unwrap_err();
            assert_eq!(
                e.to_string(),
                "JWT_JWKS_REFRESH_SECS: seconds between forced JWKS fetches, 5 or more",
                "{bad}"
            );
        }
    }

    #[test]
    fn token_principals_are_prefixed_and_keys_may_not_take_the_prefix() {
        let keys = |principal: &str| {
            format!(
                r#"[{{"accessKeyId":"GWKEYROOT0000001","secretAccessKey":"root-secret-0123456789abcdef0123456789","principal":"{principal}"}}]"#
            )
        };
        let prefix = |pairs: &[(&str, &str)]| {
            Config::from_lookup(lookup(pairs)).map(|c| c.jwt.unwrap().principal_prefix)
        };
        assert_eq!(prefix(BASE), Ok("jwt:".to_owned()));
        let mut pairs = BASE.to_vec();
        pairs.push(("JWT_PRINCIPAL_PREFIX", "sso/"));
        assert_eq!(prefix(&pairs), Ok("sso/".to_owned()));
        let none = {
            let mut p = BASE.to_vec();
            p.push(("JWT_PRINCIPAL_PREFIX", "none"));
            p
        };
        assert_eq!(prefix(&none), Ok(String::new()));

        // A key principal that looks like a token's is refused, naming the entry.
        let taken = keys("jwt:root");
        let mut pairs = BASE.to_vec();
        pairs.push(("GATEWAY_KEYS", &taken));
        let e = Config::from_lookup(lookup(&pairs)).unwrap_err();
        assert_eq!(e.name, "GATEWAY_KEYS");
        assert!(
            e.rule.starts_with(
                r#"GATEWAY_KEYS[0].principal: "jwt:root" starts with JWT_PRINCIPAL_PREFIX "jwt:""#
            ),
            "{e}"
        );
        assert!(!e.rule.contains("root-secret"), "{e}");
        // Even with bearer tokens off (turning them on later must not merge the two).
        let e =
            Config::from_lookup(lookup(&[BASE[0], BASE[1], ("GATEWAY_KEYS", &taken)])).unwrap_err();
        assert_eq!(e.name, "GATEWAY_KEYS");
        // With another prefix, or none, the same key is fine.
        pairs.push(("JWT_PRINCIPAL_PREFIX", "sso/"));
        assert_eq!(prefix(&pairs), Ok("sso/".to_owned()));
        let fine = keys("root");
        let mut pairs = BASE.to_vec();
        pairs.push(("GATEWAY_KEYS", &fine));
        assert!(Config::from_lookup(lookup(&pairs)).is_ok());
    }
}

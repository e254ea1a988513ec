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
//! | `UPSTREAM_TIMEOUT_MS` | `10000` | per-attempt upstream timeout |
//! | `UPSTREAM_MAX_ATTEMPTS` | `3` | attempts per call, where the core's retry decision allows |
//! | `GATEWAY_REGION` | `UPSTREAM_REGION` | the region callers scope their SigV4 signatures to |
//! | `GATEWAY_KEYS` | none | gateway-issued keys, JSON (secret; see [`crate::identity::keys`]) |
//! | `MAX_SKEW_SECS` | `300` | allowed SigV4 clock skew |
//! | `JWT_ISSUER` | none (JWT off) | required `iss`; turns bearer tokens on |
//! | `JWT_AUDIENCE` | required with `JWT_ISSUER` | accepted `aud` values, comma-separated |
//! | `JWT_JWKS_URL` | required with `JWT_ISSUER` | the issuer's JWKS |
//! | `JWT_PRINCIPAL_CLAIM`, `JWT_GROUPS_CLAIM` | `sub`, `groups` | where principal and groups are |
//! | `JWT_LEEWAY_SECS` | `60` | clock leeway for `exp`/`nbf` |
//! | `JWT_JWKS_REFRESH_SECS` | `30` | shortest time between JWKS fetches forced by an unknown `kid` (the set is also fetched every 10 min) |
//! | `POLICIES` | the shipped `gateway/policies/*.cedar` | Cedar policy text |
//! | `CORS_ALLOWED_ORIGINS` | none (CORS off) | exact origins, comma-separated |
//! | `RATE_LIMIT_PER_MINUTE`, `RATE_LIMIT_BURST` | `120`, `20` | per-principal token bucket (`0` per minute: off) |
//! | `AUDIT_PARAMETER_VALUES` | `false` | `true` logs parameter values instead of their SHA-256 |

use ssm_edge_core::endpoint::{resolve, EndpointConfig};
use ssm_edge_core::sign::Credentials;

use crate::identity::jwt::JwtConfig;
use crate::identity::keys::GatewayKeys;
use crate::limits::RateLimit;

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

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
    /// Per-attempt upstream timeout.
    pub upstream_timeout_ms: u64,
    /// Attempts per call.
    pub upstream_max_attempts: u32,
    /// The region callers sign for.
    pub gateway_region: String,
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
        let upstream_credentials =
            Credentials::new(access_key, secret, get("UPSTREAM_SESSION_TOKEN"));

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
                Some(JwtConfig {
                    issuer,
                    audiences,
                    jwks_url,
                    principal_claim: get("JWT_PRINCIPAL_CLAIM").unwrap_or_else(|| "sub".to_owned()),
                    groups_claim: get("JWT_GROUPS_CLAIM").unwrap_or_else(|| "groups".to_owned()),
                    leeway_secs: number(&get, "JWT_LEEWAY_SECS", 60u64, "seconds")?,
                    jwks_refresh_secs: number(
                        &get,
                        "JWT_JWKS_REFRESH_SECS",
                        30u64,
                        "seconds between forced JWKS fetches",
                    )?,
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
            upstream_timeout_ms,
            upstream_max_attempts,
            gateway_region,
            max_skew_secs,
            keys,
            jwt,
            policies: get("POLICIES"),
            cors_origins,
            rate_limit,
            audit_parameter_values,
        })
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

        let mut pairs = BASE.to_vec();
        pairs.push(("UPSTREAM_ENDPOINT", "not a url"));
        assert_eq!(
            Config::from_lookup(lookup(&pairs)).unwrap_err().name,
            "UPSTREAM_ENDPOINT"
        );
    }
}

//! The gateway's configuration, read from Worker variables and secrets (`wrangler.toml`
//! `[vars]`, `wrangler secret put`, `.dev.vars` locally) through a lookup function, so
//! native tests and the Worker read it the same way. [`Config::from_lookup`] checks
//! every variable on its own and reports every problem at once; the Worker starts from it
//! through [`crate::pipeline::Gateway::start`], and so does `make check-config`
//! (`ssm-edge-check-config`), which checks a `.dev.vars` file before `wrangler dev`.
//!
//! | name | default | meaning |
//! |---|---|---|
//! | `UPSTREAM_REGION` | `us-east-1` (the first of `UPSTREAM_REGIONS` when that is set) | the region of callers who choose none (bearer tokens without `X-Ssm-Edge-Region`) |
//! | `UPSTREAM_REGIONS` | `UPSTREAM_REGION` | the regions the gateway forwards to, comma-separated, of one partition: a SigV4 caller's signed region picks one (the AWS CLI's `--region`, the SDKs' `region`), a bearer-token caller's `X-Ssm-Edge-Region` header; any other is refused before policy (see [`crate::route`]) |
//! | `UPSTREAM_ENDPOINT` | each region's endpoint | an override URL for every region (moto, the local SSM, a VPC endpoint) |
//! | `UPSTREAM_ACCESS_KEY_ID`, `UPSTREAM_SECRET_ACCESS_KEY` | required | upstream credentials (secrets): the `default` account's, and the ones roles are assumed with |
//! | `UPSTREAM_SESSION_TOKEN` | none | for temporary upstream credentials (secret) |
//! | `UPSTREAM_ACCOUNT_ID` | none | the `default` account's 12-digit id: document ARNs of the call's account (in its partition and region) decide as their names; unset, every document ARN naming an account is foreign for `default` (see [`crate::policy::document`]) |
//! | `UPSTREAM_ACCOUNTS` | none | more accounts, reached by assuming a role: JSON `{"<alias>": "<role ARN>"}` (aliases: lowercase letters, digits, hyphens; not `default`). A caller picks one with `X-Ssm-Edge-Account: <alias>` (signed, for SigV4); the role's temporary credentials are cached until 5 minutes before they expire |
//! | `UPSTREAM_STS_ENDPOINT` | `UPSTREAM_REGION`'s STS endpoint | an override URL for STS `AssumeRole` |
//! | `UPSTREAM_ROLE_DURATION_SECS` | `3600` | `DurationSeconds` of each `AssumeRole`, 900 to 43200 |
//! | `UPSTREAM_TIMEOUT_MS` | `10000` | per-attempt upstream timeout |
//! | `UPSTREAM_MAX_ATTEMPTS` | `3` | attempts per call, where the core's retry decision allows |
//! | `GATEWAY_REGION` | `UPSTREAM_REGION` | with one upstream region only: the region callers scope their SigV4 signatures to, when it must differ from the upstream's |
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
//! | `POLICIES` | the shipped `gateway/policies/*.cedar` | Cedar policies as `make check-policy` compiles them (validated; Cedar source is refused, see [`crate::policy::compile`]) |
//! | `CORS_ALLOWED_ORIGINS` | none (CORS off) | exact origins, comma-separated |
//! | `RATE_LIMIT_PER_MINUTE`, `RATE_LIMIT_BURST` | `120`, `20` | per-principal token bucket (`0` per minute: off) |
//! | `AUDIT_PARAMETER_VALUES` | `false` | `true` logs parameter values instead of their keyed digest |
//! | `OUTPUT_LOG_GROUP` | none | a CloudWatch Logs group: every SendCommand forwarded without a `CloudWatchOutputConfig` gets `{CloudWatchLogGroupName: <it>, CloudWatchOutputEnabled: true}` before the policy decides (so all output is kept there, whatever the caller asked; policies see it as `context.outputLogGroup`, the audit line as the call's `cloudWatchOutput`) |
//! | `APPROVAL_TTL_SECS` | `3600` | how long a SendCommand waiting for approval (`RequestSendCommand`) stays open, 60 to 604800 |
//! | `APPROVAL_WEBHOOK_URL` | none | where each new approval request and decision is posted as JSON (Slack-compatible `text`; see [`crate::pipeline`] approvals) |
//! | `AUDIT_DIGEST_KEY` | derived from `UPSTREAM_SECRET_ACCESS_KEY` | the HMAC-SHA256 key of audit parameter digests (secret, 32 characters or more); unset: `HMAC-SHA256(UPSTREAM_SECRET_ACCESS_KEY, "ssm-edge audit digest")`. How to check a logged digest: [`crate::audit`] |

use std::fmt;

use ssm_edge_core::sign::Credentials;

use crate::audit::DigestKey;
use crate::identity::jwt::JwtConfig;
use crate::identity::keys::GatewayKeys;
use crate::limits::RateLimit;
use crate::route::Routes;

#[cfg(not(target_arch = "wasm32"))]
pub mod dotenv;
mod routes;
mod start;
pub use routes::RoleSettings;
pub mod summary;
#[cfg(test)]
mod tests;

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The shortest `JWT_JWKS_REFRESH_SECS`: below it, made-up `kid`s could make the
/// gateway fetch the issuer's JWKS almost once per request, before authentication.
pub const MIN_JWKS_REFRESH_SECS: u64 = 5;

/// `JWT_PRINCIPAL_PREFIX` when unset.
pub const DEFAULT_JWT_PRINCIPAL_PREFIX: &str = "jwt:";

/// Every variable the gateway reads (the table above), for telling a typo from a setting.
pub const VARIABLES: &[&str] = &[
    "UPSTREAM_REGION",
    "UPSTREAM_REGIONS",
    "UPSTREAM_ENDPOINT",
    "UPSTREAM_ACCESS_KEY_ID",
    "UPSTREAM_SECRET_ACCESS_KEY",
    "UPSTREAM_SESSION_TOKEN",
    "UPSTREAM_ACCOUNT_ID",
    "UPSTREAM_ACCOUNTS",
    "UPSTREAM_STS_ENDPOINT",
    "UPSTREAM_ROLE_DURATION_SECS",
    "UPSTREAM_TIMEOUT_MS",
    "UPSTREAM_MAX_ATTEMPTS",
    "GATEWAY_REGION",
    "GATEWAY_KEYS",
    "GATEWAY_HOSTNAMES",
    "MAX_SKEW_SECS",
    "JWT_ISSUER",
    "JWT_AUDIENCE",
    "JWT_JWKS_URL",
    "JWT_PRINCIPAL_CLAIM",
    "JWT_GROUPS_CLAIM",
    "JWT_PRINCIPAL_PREFIX",
    "JWT_LEEWAY_SECS",
    "JWT_JWKS_REFRESH_SECS",
    "POLICIES",
    "CORS_ALLOWED_ORIGINS",
    "RATE_LIMIT_PER_MINUTE",
    "RATE_LIMIT_BURST",
    "AUDIT_PARAMETER_VALUES",
    "AUDIT_DIGEST_KEY",
    "APPROVAL_TTL_SECS",
    "APPROVAL_WEBHOOK_URL",
    "OUTPUT_LOG_GROUP",
];

/// A configuration value that breaks its rule: one problem, one line.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq, serde::Serialize)]
pub struct ConfigError {
    /// The variable.
    pub name: &'static str,
    /// What it must be (never echoes a secret). A parser's message about the value
    /// (`GATEWAY_KEYS[0].secretAccessKey: …`, Cedar's for `POLICIES`) may itself start
    /// with the variable's name, which the message then does not repeat.
    pub rule: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let named = self
            .rule
            .strip_prefix(self.name)
            .is_some_and(|rest| rest.starts_with([':', '[', '.', ' ']));
        if named {
            f.write_str(&self.rule)
        } else {
            write!(f, "{}: {}", self.name, self.rule)
        }
    }
}

/// The whole configuration.
#[derive(Debug)]
pub struct Config {
    /// Where calls may go: regions and accounts.
    pub routes: Routes,
    /// How roles of other accounts are assumed.
    pub roles: RoleSettings,
    /// Upstream credentials (redacted in `Debug`).
    pub upstream_credentials: Credentials,
    /// Per-attempt upstream timeout.
    pub upstream_timeout_ms: u64,
    /// Attempts per call.
    pub upstream_max_attempts: u32,
    /// The `Host` values callers may sign for (lowercase); empty: the request URL's host.
    pub gateway_hostnames: Vec<String>,
    /// Allowed SigV4 skew.
    pub max_skew_secs: u64,
    /// Gateway-issued keys.
    pub keys: GatewayKeys,
    /// Bearer tokens, when configured.
    pub jwt: Option<JwtConfig>,
    /// Compiled Cedar policies, when configured (else the shipped policies).
    pub policies: Option<String>,
    /// CORS origins.
    pub cors_origins: Vec<String>,
    /// Per-principal rate limit; `None` when off.
    pub rate_limit: Option<RateLimit>,
    /// Whether parameter values go to the audit log in clear.
    pub audit_parameter_values: bool,
    /// The key of audit parameter digests (redacted in `Debug`).
    pub audit_digest_key: DigestKey,
    /// Two-person approval.
    pub approvals: ApprovalSettings,
    /// `OUTPUT_LOG_GROUP`: the log group every SendCommand without its own
    /// `CloudWatchOutputConfig` sends its output to.
    pub output_log_group: Option<String>,
}

/// How approval requests live and who hears of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApprovalSettings {
    /// How long a request waits for an approver.
    pub ttl_secs: u64,
    /// Where news of requests and decisions is posted.
    pub webhook_url: Option<String>,
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

/// Reads variables through the lookup and collects every broken rule; each reader
/// returns a stand-in (the default) after a problem so that the others still run.
struct Reader<G> {
    get: G,
    problems: Vec<ConfigError>,
}

impl<G: Fn(&str) -> Option<String>> Reader<G> {
    /// A variable's value; empty counts as unset.
    fn get(&self, name: &str) -> Option<String> {
        (self.get)(name).filter(|v| !v.trim().is_empty())
    }

    fn problem(&mut self, name: &'static str, rule: impl Into<String>) {
        self.problems.push(ConfigError {
            name,
            rule: rule.into(),
        });
    }

    /// A number that must parse and pass `ok`, else a problem and `default`.
    fn number<T: std::str::FromStr + Copy>(
        &mut self,
        name: &'static str,
        default: T,
        rule: &str,
        ok: impl Fn(T) -> bool,
    ) -> T {
        let Some(v) = self.get(name) else {
            return default;
        };
        match v.trim().parse() {
            Ok(n) if ok(n) => n,
            _ => {
                self.problem(name, rule);
                default
            }
        }
    }

    /// A required secret; a problem (and an empty stand-in) when unset.
    fn required(&mut self, name: &'static str) -> String {
        self.get(name).unwrap_or_else(|| {
            self.problem(name, "required (a secret)");
            String::new()
        })
    }
}

/// What the upstream part of the configuration reads to.
struct Upstream {
    credentials: Credentials,
    timeout_ms: u64,
    max_attempts: u32,
    digest_key: DigestKey,
}

/// What the caller part (how callers authenticate) reads to.
struct Callers {
    hostnames: Vec<String>,
    max_skew_secs: u64,
    keys: GatewayKeys,
    jwt: Option<JwtConfig>,
}

impl Config {
    /// Reads the configuration through `get` (a variable or secret by name; empty
    /// values count as unset), checking every variable on its own.
    ///
    /// # Errors
    /// Every [`ConfigError`] found, in the order of the table above, each naming its
    /// variable and rule.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, Vec<ConfigError>> {
        let mut r = Reader {
            get,
            problems: Vec::new(),
        };
        let (routes, roles) = routes::read_routes(&mut r);
        let upstream = read_upstream(&mut r);
        let callers = read_callers(&mut r);
        let cors_origins = read_cors(&mut r);
        let per_minute = r.number(
            "RATE_LIMIT_PER_MINUTE",
            120u32,
            "requests per minute",
            |_| true,
        );
        let burst = r.number("RATE_LIMIT_BURST", 20u32, "requests, 1 or more", |n| n > 0);
        let audit_parameter_values = match r.get("AUDIT_PARAMETER_VALUES").as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                r.problem("AUDIT_PARAMETER_VALUES", "true or false");
                false
            }
        };
        let approvals = read_approvals(&mut r);
        let output_log_group = r.get("OUTPUT_LOG_GROUP").map(|g| g.trim().to_owned());
        if let Some(group) = &output_log_group {
            let fits = (1..=512).contains(&group.len())
                && group.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'/' | b'#')
                });
            if !fits {
                r.problem(
                    "OUTPUT_LOG_GROUP",
                    "a CloudWatch Logs group name: 1 to 512 letters, digits and . - _ / #",
                );
            }
        }
        if !r.problems.is_empty() {
            return Err(r.problems);
        }
        Ok(Config {
            routes,
            roles,
            upstream_credentials: upstream.credentials,
            upstream_timeout_ms: upstream.timeout_ms,
            upstream_max_attempts: upstream.max_attempts,
            gateway_hostnames: callers.hostnames,
            max_skew_secs: callers.max_skew_secs,
            keys: callers.keys,
            jwt: callers.jwt,
            policies: r.get("POLICIES"),
            cors_origins,
            rate_limit: (per_minute > 0).then_some(RateLimit { per_minute, burst }),
            audit_parameter_values,
            audit_digest_key: upstream.digest_key,
            approvals,
            output_log_group,
        })
    }

    /// The key audit parameter digests are made with; `None` when values are logged in
    /// clear (`AUDIT_PARAMETER_VALUES=true`). For [`crate::audit::AuditLine::describe_send_command`].
    #[must_use]
    pub fn audit_digest(&self) -> Option<&DigestKey> {
        (!self.audit_parameter_values).then_some(&self.audit_digest_key)
    }
}

fn read_approvals<G: Fn(&str) -> Option<String>>(r: &mut Reader<G>) -> ApprovalSettings {
    let ttl_secs = r.number(
        "APPROVAL_TTL_SECS",
        crate::approvals::DEFAULT_TTL_SECS,
        "seconds, 60 to 604800 (a week)",
        |n| (60..=604_800).contains(&n),
    );
    let webhook_url = r
        .get("APPROVAL_WEBHOOK_URL")
        .map(|url| url.trim().to_owned());
    if let Some(url) = &webhook_url {
        let host = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .unwrap_or("");
        if host.is_empty() || host.starts_with('/') || url.contains(char::is_whitespace) {
            r.problem(
                "APPROVAL_WEBHOOK_URL",
                "an http:// or https:// URL, such as a Slack incoming webhook's",
            );
        }
    }
    ApprovalSettings {
        ttl_secs,
        webhook_url,
    }
}

fn read_upstream<G: Fn(&str) -> Option<String>>(r: &mut Reader<G>) -> Upstream {
    let access_key = r.required("UPSTREAM_ACCESS_KEY_ID");
    let secret = r.required("UPSTREAM_SECRET_ACCESS_KEY");
    let digest_key = match r.get("AUDIT_DIGEST_KEY") {
        None => DigestKey::derived(&secret),
        Some(key) if key.chars().count() >= 32 => DigestKey::new(&key),
        Some(_) => {
            r.problem("AUDIT_DIGEST_KEY", "a secret of 32 characters or more");
            DigestKey::derived(&secret)
        }
    };
    let credentials = Credentials::new(access_key, secret, r.get("UPSTREAM_SESSION_TOKEN"));
    let timeout_ms = r.number(
        "UPSTREAM_TIMEOUT_MS",
        10_000u64,
        "milliseconds, 1 or more",
        |n| n > 0,
    );
    let max_attempts = r.number("UPSTREAM_MAX_ATTEMPTS", 3u32, "1 to 5", |n| {
        (1..=5).contains(&n)
    });
    Upstream {
        credentials,
        timeout_ms,
        max_attempts,
        digest_key,
    }
}

fn read_callers<G: Fn(&str) -> Option<String>>(r: &mut Reader<G>) -> Callers {
    let hostnames = list(r.get("GATEWAY_HOSTNAMES"));
    for name in &hostnames {
        if name.contains(['/', '@', ' ', '*']) || name.contains("://") {
            r.problem(
                "GATEWAY_HOSTNAMES",
                format!(
                    "{name:?} is not a host name like ssm-gateway.example.com or 127.0.0.1:8787"
                ),
            );
        }
    }
    let hostnames = hostnames.iter().map(|n| n.to_ascii_lowercase()).collect();
    let max_skew_secs = r.number("MAX_SKEW_SECS", 300u64, "seconds, 1 to 900", |n| {
        (1..=900).contains(&n)
    });
    let mut keys_broken = false;
    let keys = match r.get("GATEWAY_KEYS") {
        None => GatewayKeys::default(),
        Some(json) => GatewayKeys::from_json(&json).unwrap_or_else(|e| {
            keys_broken = true;
            r.problem("GATEWAY_KEYS", e.to_string());
            GatewayKeys::default()
        }),
    };
    // Token principals are `<prefix><claim>`; no key principal may look like one.
    let principal_prefix = match r.get("JWT_PRINCIPAL_PREFIX") {
        None => DEFAULT_JWT_PRINCIPAL_PREFIX.to_owned(),
        Some(v) if v == "none" => String::new(),
        Some(v) => v,
    };
    if let Err(e) = keys.check_token_prefix(&principal_prefix) {
        r.problem("GATEWAY_KEYS", e.to_string());
    }
    let issuer = r.get("JWT_ISSUER");
    // Only when neither is set: a broken one has its own problem already.
    if keys.is_empty() && !keys_broken && issuer.is_none() {
        r.problem(
            "GATEWAY_KEYS",
            "no caller could authenticate: set GATEWAY_KEYS or JWT_ISSUER (or both)",
        );
    }
    let jwt = issuer.and_then(|issuer| read_jwt(r, issuer, principal_prefix));
    Callers {
        hostnames,
        max_skew_secs,
        keys,
        jwt,
    }
}

fn read_jwt<G: Fn(&str) -> Option<String>>(
    r: &mut Reader<G>,
    issuer: String,
    principal_prefix: String,
) -> Option<JwtConfig> {
    let audiences = list(r.get("JWT_AUDIENCE"));
    if audiences.is_empty() {
        r.problem("JWT_AUDIENCE", "required when JWT_ISSUER is set");
    }
    let jwks_url = r.get("JWT_JWKS_URL");
    match &jwks_url {
        None => r.problem("JWT_JWKS_URL", "required when JWT_ISSUER is set"),
        Some(url) if !(url.starts_with("https://") || url.starts_with("http://")) => {
            r.problem("JWT_JWKS_URL", "an http(s) URL");
        }
        Some(_) => {}
    }
    let jwks_refresh_secs = r.number(
        "JWT_JWKS_REFRESH_SECS",
        30u64,
        "seconds between forced JWKS fetches, 5 or more",
        |n| n >= MIN_JWKS_REFRESH_SECS,
    );
    let leeway_secs = r.number("JWT_LEEWAY_SECS", 60u64, "seconds", |_| true);
    Some(JwtConfig {
        issuer,
        audiences,
        jwks_url: jwks_url?,
        principal_claim: r
            .get("JWT_PRINCIPAL_CLAIM")
            .unwrap_or_else(|| "sub".to_owned()),
        principal_prefix,
        groups_claim: r
            .get("JWT_GROUPS_CLAIM")
            .unwrap_or_else(|| "groups".to_owned()),
        leeway_secs,
        jwks_refresh_secs,
    })
}

fn read_cors<G: Fn(&str) -> Option<String>>(r: &mut Reader<G>) -> Vec<String> {
    let origins = list(r.get("CORS_ALLOWED_ORIGINS"));
    for origin in &origins {
        let ok = (origin.starts_with("https://") || origin.starts_with("http://"))
            && !origin.ends_with('/')
            && !origin.contains('*');
        if !ok {
            r.problem(
                "CORS_ALLOWED_ORIGINS",
                format!("{origin:?} is not an exact origin like https://ops.example.com"),
            );
        }
    }
    origins
}

//! What a valid configuration sets up, for `make check-config`: serializable, and
//! printable one setting a line. Secrets appear only as lengths and counts: gateway
//! keys by their access key ids, the upstream access key id by its last four characters.

use std::fmt;

use serde::Serialize;

use crate::pipeline::Gateway;

/// The configured gateway, without secrets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Where calls go: each region and its endpoint (`region url`), the default first.
    pub upstream_regions: Vec<String>,
    /// The upstream credentials, described (`…WXYZ`, lengths).
    pub upstream_credentials: String,
    /// `UPSTREAM_ACCOUNT_ID`.
    pub upstream_account_id: Option<String>,
    /// The other accounts (`alias → role ARN`) and how their roles are assumed.
    pub upstream_accounts: Vec<String>,
    /// The regions callers sign for.
    pub gateway_regions: Vec<String>,
    /// The host names callers sign for (empty: the request URL's host).
    pub gateway_hostnames: Vec<String>,
    /// Gateway keys: access key id, principal and groups.
    pub gateway_keys: Vec<KeySummary>,
    /// Bearer tokens: issuer and audiences, when on.
    pub jwt: Option<String>,
    /// Where the policies come from.
    pub policies_from: &'static str,
    /// The loaded policy ids.
    pub policy_ids: Vec<String>,
    /// CORS origins.
    pub cors_origins: Vec<String>,
    /// The rate limit, described.
    pub rate_limit: String,
    /// How parameter values are audited.
    pub audit: String,
    /// How long approval requests wait, and the webhook's host (its path may hold a
    /// secret token, as Slack's do).
    pub approvals: String,
}

/// One gateway key, without its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeySummary {
    /// The access key id.
    pub access_key_id: String,
    /// Its principal.
    pub principal: String,
    /// Its groups.
    pub groups: Vec<String>,
}

impl Summary {
    /// Describes `gateway`, started from `get` (read again only for which optional
    /// secrets were set, and how long they are).
    #[must_use]
    pub fn new(gateway: &Gateway, get: impl Fn(&str) -> Option<String>) -> Self {
        let config = gateway.config();
        let creds = &config.upstream_credentials;
        let id = &creds.access_key_id;
        let tail: String = id
            .chars()
            .skip(id.chars().count().saturating_sub(4))
            .collect();
        let upstream_credentials = format!(
            "access key id …{tail}, secret access key of {} characters{}",
            creds.secret_access_key.chars().count(),
            if creds.session_token.is_some() {
                ", session token"
            } else {
                ""
            }
        );
        let given = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let audit = match (config.audit_parameter_values, given("AUDIT_DIGEST_KEY")) {
            (true, _) => "parameter values in clear (AUDIT_PARAMETER_VALUES=true)".to_owned(),
            (false, Some(key)) => format!(
                "parameter digests keyed by AUDIT_DIGEST_KEY ({} characters)",
                key.chars().count()
            ),
            (false, None) => {
                "parameter digests keyed from UPSTREAM_SECRET_ACCESS_KEY (AUDIT_DIGEST_KEY unset)"
                    .to_owned()
            }
        };
        let routes = &config.routes;
        let mut upstream_regions: Vec<String> = routes
            .regions
            .iter()
            .map(|r| format!("{} {}", r.region, r.url))
            .collect();
        upstream_regions.sort_by_key(|r| !r.starts_with(&format!("{} ", routes.default_region)));
        Summary {
            upstream_regions,
            upstream_credentials,
            upstream_account_id: routes.home_account_id.clone(),
            upstream_accounts: routes
                .accounts
                .iter()
                .map(|a| {
                    format!(
                        "{} → {} (via {})",
                        a.alias,
                        a.role_arn,
                        config.roles.sts.as_ref().map_or("", |e| e.url.as_str())
                    )
                })
                .collect(),
            gateway_regions: routes.caller_regions(),
            gateway_hostnames: config.gateway_hostnames.clone(),
            gateway_keys: config
                .keys
                .iter()
                .map(|k| KeySummary {
                    access_key_id: k.access_key_id.clone(),
                    principal: k.principal.clone(),
                    groups: k.groups.clone(),
                })
                .collect(),
            jwt: config.jwt.as_ref().map(|j| {
                format!(
                    "issuer {}, audience {}, principals {}<{}>",
                    j.issuer,
                    j.audiences.join(", "),
                    j.principal_prefix,
                    j.principal_claim
                )
            }),
            policies_from: if config.policies.is_some() {
                "POLICIES"
            } else {
                "the shipped gateway/policies/*.cedar"
            },
            policy_ids: gateway.policy_ids(),
            cors_origins: config.cors_origins.clone(),
            rate_limit: config.rate_limit.map_or_else(
                || "off".to_owned(),
                |l| format!("{} per minute, burst {}", l.per_minute, l.burst),
            ),
            audit,
            approvals: format!(
                "requests wait {} s; {}",
                config.approvals.ttl_secs,
                config.approvals.webhook_url.as_deref().map_or_else(
                    || "no webhook".to_owned(),
                    |url| {
                        let host = url.split("://").nth(1).unwrap_or(url);
                        let host = host.split(['/', '?', '#']).next().unwrap_or(host);
                        format!("webhook to {host}")
                    }
                )
            ),
        }
    }
}

fn or_none(items: &[String], none: &str) -> String {
    if items.is_empty() {
        none.to_owned()
    } else {
        items.join(", ")
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let account = self.upstream_account_id.as_deref().unwrap_or("unset");
        writeln!(
            f,
            "upstream:     {} (the first is the default)",
            self.upstream_regions.join(", ")
        )?;
        writeln!(
            f,
            "credentials:  {}; account default = {account}",
            self.upstream_credentials
        )?;
        for line in &self.upstream_accounts {
            writeln!(f, "account:      {line}")?;
        }
        writeln!(
            f,
            "callers sign: region {}, hosts {}",
            self.gateway_regions.join(" or "),
            or_none(&self.gateway_hostnames, "of the request URL")
        )?;
        writeln!(f, "gateway keys: {}", self.gateway_keys.len())?;
        for key in &self.gateway_keys {
            writeln!(
                f,
                "              {} → {} [{}]",
                key.access_key_id,
                key.principal,
                key.groups.join(", ")
            )?;
        }
        writeln!(f, "bearer JWT:   {}", self.jwt.as_deref().unwrap_or("off"))?;
        writeln!(
            f,
            "policies:     {} from {}: {}",
            self.policy_ids.len(),
            self.policies_from,
            self.policy_ids.join(", ")
        )?;
        writeln!(f, "CORS:         {}", or_none(&self.cors_origins, "off"))?;
        writeln!(f, "rate limit:   {}", self.rate_limit)?;
        writeln!(f, "audit:        {}", self.audit)?;
        write!(f, "approvals:    {}", self.approvals)
    }
}

//! Where a call goes: one of the upstream regions (`UPSTREAM_REGIONS`) and one of the
//! upstream accounts (the gateway's own, or a role of `UPSTREAM_ACCOUNTS`).
//!
//! | caller | region | account |
//! |---|---|---|
//! | SigV4 | the credential scope's region (the SDK's `region`) | `X-Ssm-Edge-Account`, which must then be signed |
//! | bearer token | `X-Ssm-Edge-Region`, else `UPSTREAM_REGION` | `X-Ssm-Edge-Account` |
//! | either, without `X-Ssm-Edge-Account` | | [`HOME_ACCOUNT`]: the gateway's own credentials |
//!
//! A SigV4 caller may also send `X-Ssm-Edge-Region`; it must be signed and name the
//! scope's region (two spellings of one choice never disagree). A region or account the
//! gateway does not serve is refused before the policy is asked. The route is in the
//! Cedar context (`context.region`, `context.account`, `context.accountId`) and the
//! audit line, and documents are classified against its account and region.

use serde::Serialize;
/// The header names and the home account's name are the core's ([`ssm_edge_core::route`]),
/// which the npm package sends them with.
pub use ssm_edge_core::route::{is_account_alias, ACCOUNT_HEADER, HOME_ACCOUNT, REGION_HEADER};

use crate::policy::UpstreamScope;

/// Headers that choose where a call goes: a SigV4 caller must sign them when sent.
pub const ROUTE_HEADERS: &[&str] = &[ACCOUNT_HEADER, REGION_HEADER];

/// One upstream region and its endpoints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionEndpoint {
    /// The region (`eu-west-1`).
    pub region: String,
    /// Its SSM endpoint URL, without a trailing slash.
    pub url: String,
    /// Its CloudWatch Logs endpoint URL (command output), without a trailing slash.
    pub logs_url: String,
}

/// An upstream account reached by assuming a role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleAccount {
    /// The name callers and policies use (`staging`).
    pub alias: String,
    /// The role's ARN, checked at start (its account is the account id).
    pub role_arn: String,
    /// The role's 12-digit account.
    pub account_id: String,
}

/// Every place the gateway forwards to, read from the configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Routes {
    /// The regions served, in configuration order (`UPSTREAM_REGIONS`).
    pub regions: Vec<RegionEndpoint>,
    /// The region of callers who do not choose one (`UPSTREAM_REGION`).
    pub default_region: String,
    /// With one region served, the region SigV4 callers sign for (`GATEWAY_REGION`,
    /// which may differ from the upstream's); `None` with several: callers sign for
    /// the region they want.
    pub signing_region: Option<String>,
    /// The gateway's own account id (`UPSTREAM_ACCOUNT_ID`), when configured.
    pub home_account_id: Option<String>,
    /// The accounts reached through roles (`UPSTREAM_ACCOUNTS`), sorted by alias.
    pub accounts: Vec<RoleAccount>,
}

/// Where one call goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Route {
    /// The upstream region.
    pub region: String,
    /// The account's alias ([`HOME_ACCOUNT`] or one of `UPSTREAM_ACCOUNTS`).
    pub account: String,
    /// The account's 12-digit id, when known.
    #[serde(skip)]
    pub account_id: Option<String>,
}

/// Why a request names no place this gateway forwards to.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RouteRefusal {
    /// `X-Ssm-Edge-Region` names a region not served.
    #[error(
        "X-Ssm-Edge-Region: {given:?} is not a region this gateway serves (it serves {served})"
    )]
    RegionNotServed {
        /// The header's value (at most 64 characters of it).
        given: String,
        /// The regions served, comma-separated.
        served: String,
    },
    /// A SigV4 caller's `X-Ssm-Edge-Region` differs from the region it signed for.
    #[error("X-Ssm-Edge-Region: {given:?} differs from the region the request is signed for ({signed}); send one or make them equal")]
    RegionConflict {
        /// The header's value (at most 64 characters of it).
        given: String,
        /// The signed region.
        signed: String,
    },
    /// `X-Ssm-Edge-Account` names no account served.
    #[error(
        "X-Ssm-Edge-Account: {given:?} is not an account this gateway serves (it serves {served})"
    )]
    AccountNotServed {
        /// The header's value (at most 64 characters of it).
        given: String,
        /// The account aliases served, comma-separated.
        served: String,
    },
}

impl RouteRefusal {
    /// The AWS error code the caller gets.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            RouteRefusal::RegionConflict { .. } => "InvalidSignatureException",
            RouteRefusal::RegionNotServed { .. } | RouteRefusal::AccountNotServed { .. } => {
                "ValidationException"
            }
        }
    }
}

fn echo(value: &str) -> String {
    value.chars().take(64).collect()
}

impl Routes {
    /// The regions SigV4 callers may scope their signatures to.
    #[must_use]
    pub fn caller_regions(&self) -> Vec<String> {
        match &self.signing_region {
            Some(region) => vec![region.clone()],
            None => self.regions.iter().map(|r| r.region.clone()).collect(),
        }
    }

    /// The endpoint of a served region.
    #[must_use]
    pub fn endpoint(&self, region: &str) -> Option<&RegionEndpoint> {
        self.regions.iter().find(|r| r.region == region)
    }

    /// The role account of `alias`.
    #[must_use]
    pub fn account(&self, alias: &str) -> Option<&RoleAccount> {
        self.accounts.iter().find(|a| a.alias == alias)
    }

    /// Where a call goes: `signed_region` is the SigV4 scope's region (`None` for bearer
    /// tokens); `header` reads a request header.
    ///
    /// # Errors
    /// [`RouteRefusal`] naming the header and what is served.
    pub fn choose<'a>(
        &self,
        signed_region: Option<&str>,
        header: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<Route, RouteRefusal> {
        let asked = header(REGION_HEADER).map(str::trim);
        let region = match (signed_region, asked) {
            // One region served: callers sign for GATEWAY_REGION and reach it.
            (Some(signed), asked) => {
                if let Some(asked) = asked.filter(|a| *a != signed) {
                    return Err(RouteRefusal::RegionConflict {
                        given: echo(asked),
                        signed: signed.to_owned(),
                    });
                }
                match &self.signing_region {
                    Some(_) => self.default_region.clone(),
                    // The verifier took only served regions.
                    None => signed.to_owned(),
                }
            }
            (None, Some(asked)) => {
                let served =
                    self.endpoint(asked).is_some() || self.signing_region.as_deref() == Some(asked);
                if !served {
                    return Err(RouteRefusal::RegionNotServed {
                        given: echo(asked),
                        served: self.caller_regions().join(", "),
                    });
                }
                match &self.signing_region {
                    Some(_) => self.default_region.clone(),
                    None => asked.to_owned(),
                }
            }
            (None, None) => self.default_region.clone(),
        };
        let (account, account_id) = match header(ACCOUNT_HEADER).map(str::trim) {
            None | Some(HOME_ACCOUNT) => (HOME_ACCOUNT.to_owned(), self.home_account_id.clone()),
            Some(alias) => match self.account(alias) {
                Some(role) => (role.alias.clone(), Some(role.account_id.clone())),
                None => {
                    return Err(RouteRefusal::AccountNotServed {
                        given: echo(alias),
                        served: self.account_names().join(", "),
                    })
                }
            },
        };
        Ok(Route {
            region,
            account,
            account_id,
        })
    }

    /// The route to `region` and the account `alias`, while both are served (an
    /// approval filed earlier runs where it was asked for, or not at all).
    #[must_use]
    pub fn served(&self, region: &str, alias: &str) -> Option<Route> {
        self.endpoint(region)?;
        let account_id = if alias == HOME_ACCOUNT {
            self.home_account_id.clone()
        } else {
            Some(self.account(alias)?.account_id.clone())
        };
        Some(Route {
            region: region.to_owned(),
            account: alias.to_owned(),
            account_id,
        })
    }

    /// Every account alias served, [`HOME_ACCOUNT`] first.
    #[must_use]
    pub fn account_names(&self) -> Vec<&str> {
        std::iter::once(HOME_ACCOUNT)
            .chain(self.accounts.iter().map(|a| a.alias.as_str()))
            .collect()
    }
}

impl Route {
    /// The upstream as documents are classified against it.
    #[must_use]
    pub fn scope(&self) -> UpstreamScope {
        UpstreamScope::for_region(&self.region, self.account_id.clone())
    }
}

#[cfg(test)]
mod tests;

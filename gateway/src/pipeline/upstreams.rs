//! The upstream clients, one per route (region × account), and the temporary
//! credentials of the accounts reached through roles.
//!
//! A client is the core's [`Client`]: its signing-key cache, learnt clock offset and
//! retry quota belong to one endpoint and one set of credentials, so each route has its
//! own. A role's credentials come from STS `AssumeRole` (built, signed and decoded by
//! the core's [`ssm_edge_core::sts`]; the shell only sends), are kept per isolate (a
//! cache: a new isolate assumes the role again) and are renewed
//! [`REFRESH_BEFORE_SECS`] before they expire, before a call is signed with them.

use std::collections::BTreeMap;

use ssm_edge_core::client::Client;
use ssm_edge_core::endpoint::{Endpoint, Endpoints, Service};
use ssm_edge_core::sign::Credentials;
use ssm_edge_core::sts::{decode_assume_role, AssumeRole, RoleArn, StsError};

use super::{log_error, Gateway, Host};
use crate::error::GatewayError;
use crate::route::{Route, HOME_ACCOUNT};

/// Role credentials are renewed this long before they expire (5 minutes).
pub const REFRESH_BEFORE_SECS: u64 = 300;

/// The `RoleSessionName` of every `AssumeRole`: CloudTrail in the target account shows
/// calls as `assumed-role/<role>/ssm-edge` (the caller is in the gateway's audit line).
pub const ROLE_SESSION_NAME: &str = "ssm-edge";

/// A role's current temporary credentials.
struct RoleCredentialsCache {
    credentials: Credentials,
    /// Unix seconds.
    expires_at: u64,
    /// Bumped at each renewal, so clients know when to take the new credentials.
    generation: u64,
}

/// A route's client and the role credentials generation it signs with.
struct RouteClient {
    client: Client,
    generation: u64,
}

/// Every route's client and every role's credentials.
#[derive(Default)]
pub(super) struct Upstreams {
    clients: BTreeMap<(String, String), RouteClient>,
    roles: BTreeMap<String, RoleCredentialsCache>,
}

/// What STS said, for the caller (account alias and code only) and the audit line.
pub(super) struct AssumeRoleFailure {
    pub error: GatewayError,
    /// STS's full words, for the audit line only.
    pub detail: String,
}

impl Gateway {
    /// Makes sure `route` has a client signing with current credentials: for a role
    /// account, assumes the role when it has no credentials or they expire within
    /// [`REFRESH_BEFORE_SECS`].
    pub(super) async fn prepare_route<H: Host>(
        &self,
        host: &H,
        route: &Route,
    ) -> Result<(), AssumeRoleFailure> {
        let now = host.now_ms() / 1000;
        let generation = if route.account == HOME_ACCOUNT {
            0
        } else {
            self.role_generation(host, &route.account, now).await?
        };
        let mut upstreams = self.upstreams.borrow_mut();
        let key = (route.region.clone(), route.account.clone());
        let fresh = upstreams
            .clients
            .get(&key)
            .is_some_and(|c| c.generation == generation);
        if fresh {
            return Ok(());
        }
        let credentials = match upstreams.roles.get(&route.account) {
            Some(role) => role.credentials.clone(),
            None => self.config.upstream_credentials.clone(),
        };
        match upstreams.clients.get_mut(&key) {
            Some(existing) => {
                existing.client.set_credentials(credentials);
                existing.generation = generation;
            }
            None => {
                let region = self.config.routes.endpoint(&route.region);
                let endpoint = |service: Service, url: Option<&String>| Endpoint {
                    url: url.cloned().unwrap_or_default(),
                    signing_region: route.region.clone(),
                    signing_name: service.signing_name(),
                };
                let endpoints = Endpoints {
                    ssm: endpoint(Service::Ssm, region.map(|e| &e.url)),
                    logs: endpoint(Service::Logs, region.map(|e| &e.logs_url)),
                };
                let client = Client::new(endpoints, credentials)
                    .with_max_attempts(self.config.upstream_max_attempts);
                upstreams
                    .clients
                    .insert(key, RouteClient { client, generation });
            }
        }
        Ok(())
    }

    /// Drops the credentials of role account `alias`: the next call assumes it again.
    pub(super) fn forget_role(&self, alias: &str) {
        if let Some(role) = self.upstreams.borrow_mut().roles.get_mut(alias) {
            role.expires_at = 0;
        }
    }

    /// Runs `f` with the client of `route` (made by [`Self::prepare_route`]).
    pub(super) fn with_client<T>(&self, route: &Route, f: impl FnOnce(&mut Client) -> T) -> T {
        let mut upstreams = self.upstreams.borrow_mut();
        let key = (route.region.clone(), route.account.clone());
        let entry = upstreams
            .clients
            .get_mut(&key)
            .expect("prepare_route made the route's client");
        f(&mut entry.client)
    }

    /// The generation of `alias`'s current credentials, assuming the role first when
    /// there are none or they are about to expire.
    async fn role_generation<H: Host>(
        &self,
        host: &H,
        alias: &str,
        now: u64,
    ) -> Result<u64, AssumeRoleFailure> {
        let previous = {
            let upstreams = self.upstreams.borrow();
            match upstreams.roles.get(alias) {
                Some(role) if role.expires_at > now + REFRESH_BEFORE_SECS => {
                    return Ok(role.generation)
                }
                Some(role) => role.generation,
                None => 0,
            }
        };
        let (credentials, expires_at) = self.assume_role(host, alias, now).await?;
        let generation = previous + 1;
        self.upstreams.borrow_mut().roles.insert(
            alias.to_owned(),
            RoleCredentialsCache {
                credentials,
                expires_at,
                generation,
            },
        );
        Ok(generation)
    }

    /// One STS `AssumeRole` for the role of `alias`.
    async fn assume_role<H: Host>(
        &self,
        host: &H,
        alias: &str,
        now: u64,
    ) -> Result<(Credentials, u64), AssumeRoleFailure> {
        let failure = |failure: String, retryable: bool, detail: String| AssumeRoleFailure {
            error: GatewayError::AssumeRole {
                account: alias.to_owned(),
                failure,
                retryable,
            },
            detail,
        };
        let (Some(account), Some(sts)) = (
            self.config.routes.account(alias),
            self.config.roles.sts.as_ref(),
        ) else {
            return Err(failure(
                "is not configured".into(),
                false,
                "no role or STS endpoint".into(),
            ));
        };
        let request = RoleArn::parse(&account.role_arn)
            .map_err(|e| e.to_string())
            .and_then(|role_arn| {
                AssumeRole::new(role_arn, ROLE_SESSION_NAME)
                    .with_duration_secs(self.config.roles.duration_secs)
                    .request(sts, &self.config.upstream_credentials, now)
                    .map_err(|e| e.to_string())
            });
        let request = match request {
            Ok(request) => request,
            Err(e) => {
                log_error(host, "AssumeRole request", &e);
                return Err(failure("could not be built".into(), false, e));
            }
        };
        let response = match host.send(&request, self.config.upstream_timeout_ms).await {
            Ok(response) => response,
            Err(sent) => {
                let what = if sent.timed_out {
                    "timed out"
                } else {
                    "could not reach STS"
                };
                return Err(failure(what.into(), true, what.into()));
            }
        };
        match decode_assume_role(&response) {
            Ok(role) => Ok((role.credentials, role.expires_at)),
            Err(e) => {
                let retryable = e.is_retryable();
                let word = match &e {
                    StsError::Service { code, .. } => format!("was refused with {code}"),
                    _ => "answered with something that is not an AssumeRole answer".to_owned(),
                };
                log_error(host, &format!("AssumeRole for account {alias}"), &e);
                Err(failure(word, retryable, e.to_string()))
            }
        }
    }
}

//! The identity stage: a SigV4 signature with a gateway-issued key (verified by the
//! core, and bound to this gateway's host names), or a bearer JWT checked against the
//! issuer's JWKS (cached, refreshed at most every `JWT_JWKS_REFRESH_SECS` for an
//! unknown `kid`).

use jsonwebtoken::jwk::JwkSet;
use ssm_edge_core::endpoint::Service;
use ssm_edge_core::sign::host_of;
use ssm_edge_core::verify::{verify, VerifyConfig};

use super::{log_error, Gateway, Host, Incoming};
use crate::error::{Accepted, GatewayError};
use crate::identity::jwt::{self, JwtRefusal};
use crate::identity::{self, AuthMethod, Identity, Scheme};
use crate::limits::ReplayKey;
use crate::route::ROUTE_HEADERS;

/// How long a fetched JWKS is used before fetching it again.
pub const JWKS_TTL_MS: u64 = 10 * 60 * 1000;

/// The issuer's keys, as last fetched.
#[derive(Default)]
pub(super) struct JwksCache {
    set: Option<JwkSet>,
    fetched_ms: u64,
}

impl Gateway {
    pub(super) async fn identify<H: Host>(
        &self,
        host: &H,
        request: &Incoming,
        now_ms: u64,
    ) -> Result<Identity, GatewayError> {
        let scheme = match request.header("authorization") {
            Some(authorization) => identity::scheme(authorization)?,
            // Cloudflare Access sends its JWT in a header of its own.
            None => match request.header("cf-access-jwt-assertion").map(str::trim) {
                Some(token) if !token.is_empty() => Scheme::Bearer(token),
                _ => return Err(GatewayError::MissingAuthentication(self.accepted())),
            },
        };
        match scheme {
            Scheme::SigV4 => self.verify_sigv4(request, now_ms),
            Scheme::Bearer(token) => self.verify_jwt(host, token, now_ms).await,
        }
    }

    /// How callers authenticate here, for a request without credentials.
    fn accepted(&self) -> Accepted {
        Accepted {
            regions: self.config.routes.caller_regions(),
            sigv4: !self.config.keys.is_empty(),
            bearer: self.config.jwt.is_some(),
        }
    }

    fn verify_sigv4(&self, request: &Incoming, now_ms: u64) -> Result<Identity, GatewayError> {
        if self.config.keys.is_empty() {
            return Err(GatewayError::UnrecognizedClient(
                "this gateway does not accept SigV4 keys: send Authorization: Bearer <JWT>".into(),
            ));
        }
        let regions = self.config.routes.caller_regions();
        // Signed for the service of the operation named (X-Amz-Target, itself signed):
        // `logs` for CloudWatch Logs' calls (as the Logs SDKs sign them), else `ssm`.
        let service =
            crate::call::operation_of_target(request.header("x-amz-target").unwrap_or_default())
                .map_or(Service::Ssm, |op| op.service());
        let verify_config = VerifyConfig::new("", service.signing_name())
            .with_regions(&regions)
            .with_max_skew_secs(self.config.max_skew_secs)
            .with_signed_if_present(ROUTE_HEADERS);
        let verified = verify(
            request,
            &verify_config,
            now_ms / 1000,
            &self.config.keys,
            Some(&mut self.verify_keys.borrow_mut()),
        )
        .map_err(GatewayError::SigV4)?;
        // A signature made for another host (another gateway sharing keys) is not one
        // for this gateway.
        if !self.is_own_host(&verified.host, &request.url) {
            return Err(GatewayError::WrongHost {
                signed_host: verified.host.chars().take(100).collect(),
            });
        }
        let (principal, groups) = verified.principal;
        Ok(Identity {
            principal,
            groups,
            method: AuthMethod::SigV4,
            replay_key: Some(ReplayKey::new(
                &verified.access_key_id,
                verified.signed_at.unix(),
                &verified.signature,
            )),
            signed_region: Some(verified.region),
        })
    }

    /// Whether `signed_host` names this gateway: one of `GATEWAY_HOSTNAMES`, or when
    /// that is unset, the `Host` a signer computes for the URL the request arrived at.
    fn is_own_host(&self, signed_host: &str, url: &str) -> bool {
        let names = &self.config.gateway_hostnames;
        if names.is_empty() {
            return host_of(url).is_ok_and(|host| signed_host.eq_ignore_ascii_case(host));
        }
        names
            .iter()
            .any(|name| name.eq_ignore_ascii_case(signed_host))
    }

    async fn verify_jwt<H: Host>(
        &self,
        host: &H,
        token: &str,
        now_ms: u64,
    ) -> Result<Identity, GatewayError> {
        let Some(config) = &self.config.jwt else {
            return Err(GatewayError::UnrecognizedClient(
                "this gateway does not accept bearer tokens: sign with SigV4 using an access key this gateway issued".into(),
            ));
        };
        let stale = {
            let cache = self.jwks.borrow();
            cache.set.is_none() || now_ms.saturating_sub(cache.fetched_ms) > JWKS_TTL_MS
        };
        if stale {
            self.refresh_jwks(host, &config.jwks_url, now_ms).await?;
        }
        let prepare = || {
            let cache = self.jwks.borrow();
            let set = cache
                .set
                .as_ref()
                .ok_or(GatewayError::Internal("no JWKS"))?;
            Ok::<_, GatewayError>(jwt::prepare(token, set))
        };
        let signed = match prepare()? {
            Err(JwtRefusal::UnknownKey(_))
                if now_ms.saturating_sub(self.jwks.borrow().fetched_ms)
                    >= config.jwks_refresh_secs * 1000 =>
            {
                // Perhaps the issuer rotated its keys: fetch once more.
                self.refresh_jwks(host, &config.jwks_url, now_ms).await?;
                prepare()?
            }
            other => other,
        }
        .map_err(GatewayError::Jwt)?;
        let valid = host.verify_jwt_signature(&signed).await.map_err(|e| {
            log_error(host, "JWT signature check", &e);
            GatewayError::Internal("the bearer token could not be checked")
        })?;
        if !valid {
            return Err(GatewayError::Jwt(JwtRefusal::BadSignature));
        }
        jwt::accept(&signed, config, now_ms / 1000).map_err(GatewayError::Jwt)
    }

    async fn refresh_jwks<H: Host>(
        &self,
        host: &H,
        url: &str,
        now_ms: u64,
    ) -> Result<(), GatewayError> {
        let fetched = host.fetch_jwks(url).await.map_err(|e| {
            log_error(host, "JWKS fetch", &e);
            GatewayError::Internal("the token issuer's keys could not be fetched")
        })?;
        let set = jwt::parse_jwks(&fetched).map_err(|_| {
            log_error(host, "JWKS", &"not a JSON Web Key Set");
            GatewayError::Internal("the token issuer's keys could not be read")
        })?;
        let mut cache = self.jwks.borrow_mut();
        cache.set = Some(set);
        cache.fetched_ms = now_ms;
        Ok(())
    }
}

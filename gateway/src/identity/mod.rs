//! Who is calling: a SigV4 signature with a gateway-issued access key ([`keys`]), or an
//! `Authorization: Bearer` JWT from an OIDC issuer or Cloudflare Access ([`jwt`]).
//! No identity, no further work.

pub mod jwt;
pub mod keys;
#[cfg(any(test, feature = "testing"))]
pub mod test_keys;

use crate::error::GatewayError;

/// How the caller proved who they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMethod {
    /// SigV4 with a gateway-issued access key.
    SigV4,
    /// A bearer JWT.
    Jwt,
}

impl AuthMethod {
    /// `"sigv4"` or `"jwt"`, as in audit lines and the Cedar context.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            AuthMethod::SigV4 => "sigv4",
            AuthMethod::Jwt => "jwt",
        }
    }
}

/// An authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The principal: a gateway key's `principal`, or `JWT_PRINCIPAL_PREFIX` and a
    /// token's principal claim (`jwt:alice`), so that the two never coincide.
    pub principal: String,
    /// The groups the principal belongs to.
    pub groups: Vec<String>,
    /// How they authenticated.
    pub method: AuthMethod,
    /// For SigV4: the signature, which a replayed request repeats. `None` for JWT.
    pub replay_key: Option<crate::limits::ReplayKey>,
    /// For SigV4: the credential scope's region, which picks the upstream region.
    /// `None` for JWT.
    pub signed_region: Option<String>,
}

/// Which identity scheme an `Authorization` header uses, without checking it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme<'a> {
    /// `AWS4-HMAC-SHA256 ...`.
    SigV4,
    /// `Bearer <token>`: the token.
    Bearer(&'a str),
}

/// Classifies the `Authorization` header value.
///
/// # Errors
/// [`GatewayError::UnrecognizedClient`] for an unknown scheme.
pub fn scheme(value: &str) -> Result<Scheme<'_>, GatewayError> {
    if value.starts_with("AWS4-") {
        return Ok(Scheme::SigV4);
    }
    match value.split_once(' ') {
        Some((word, token)) if word.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
            Ok(Scheme::Bearer(token.trim()))
        }
        _ => Err(GatewayError::UnrecognizedClient(
            "the Authorization header is neither SigV4 nor a Bearer token".to_owned(),
        )),
    }
}

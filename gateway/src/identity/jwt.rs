//! Bearer JWTs from an OIDC issuer or Cloudflare Access, verified with `jsonwebtoken`
//! against the issuer's JWKS: RS256 or ES256 only, `iss` and `aud` as configured, `exp`
//! required and `nbf` honoured against the time the caller passes (with a leeway).
//! The principal and groups come from configurable claims; the principal is prefixed
//! (`JWT_PRINCIPAL_PREFIX`, `jwt:` by default) so that a token's subject is never a
//! gateway key's principal: `sub: root` is `User::"jwt:root"`, not the key `root`.
//!
//! Three steps: [`prepare`] (parse, algorithm, key lookup), the signature check —
//! WebCrypto in the Worker, `jsonwebtoken`'s RustCrypto provider natively
//! ([`verify_signature`]) — and [`accept`] (claims against the caller's clock).
//!
//! The JWKS itself is fetched and cached by the pipeline; [`prepare`] says
//! [`JwtRefusal::UnknownKey`] when the token names a key the cached set lacks, so the
//! shell can fetch the set again once (key rotation) and retry.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, JwkSet};
use jsonwebtoken::Algorithm;
use serde_json::Value;

use super::{AuthMethod, Identity};

/// The algorithms accepted: what OIDC providers and Cloudflare Access sign with.
pub const ALGORITHMS: &[Algorithm] = &[Algorithm::RS256, Algorithm::ES256];

/// How bearer tokens are checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JwtConfig {
    /// The required `iss`.
    pub issuer: String,
    /// Accepted `aud` values (one must match).
    pub audiences: Vec<String>,
    /// Where the issuer's JWKS is (the shell fetches it).
    pub jwks_url: String,
    /// The claim naming the principal (`sub`; `email` for Cloudflare Access).
    pub principal_claim: String,
    /// Put before the claim's value to make the principal (`jwt:`): gateway key
    /// principals may not start with it, so the two never name the same principal.
    pub principal_prefix: String,
    /// The claim listing groups (an array of strings, or one string).
    pub groups_claim: String,
    /// Allowed clock difference for `exp` and `nbf`, in seconds.
    pub leeway_secs: u64,
    /// Shortest time between two JWKS fetches forced by an unknown `kid` (key
    /// rotation), in seconds; it bounds what a flood of made-up kids can cost.
    pub jwks_refresh_secs: u64,
}

/// Why a token was refused. Messages name the rule, never the token.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JwtRefusal {
    /// Not three base64url parts with a JSON header.
    #[error("the bearer token is not a well-formed JWT")]
    Malformed,
    /// `alg` is not RS256 or ES256.
    #[error("the bearer token's algorithm {0} is not accepted (RS256 or ES256)")]
    UnsupportedAlgorithm(String),
    /// The header lists critical extensions (`crit`), none of which the gateway
    /// understands: RFC 7515 §4.1.11 says such a token must be refused.
    #[error("the bearer token's header lists critical extensions the gateway does not understand")]
    UnsupportedCritical,
    /// The JWKS has no key for the token's `kid` (or for its algorithm, without `kid`).
    #[error("the bearer token's signing key {0:?} is not in the issuer's key set")]
    UnknownKey(String),
    /// The signature does not verify.
    #[error("the bearer token's signature is invalid")]
    BadSignature,
    /// `exp` is past (beyond the leeway).
    #[error("the bearer token expired at {} (now {})", iso(*exp), iso(*now))]
    Expired {
        /// The token's `exp`.
        exp: u64,
        /// The gateway's time.
        now: u64,
    },
    /// `nbf` is in the future (beyond the leeway).
    #[error("the bearer token is not valid before {} (now {})", iso(*nbf), iso(*now))]
    NotYetValid {
        /// The token's `nbf`.
        nbf: u64,
        /// The gateway's time.
        now: u64,
    },
    /// `iss` is not the configured issuer.
    #[error("the bearer token's issuer is not accepted")]
    WrongIssuer,
    /// No `aud` value is accepted.
    #[error("the bearer token's audience is not accepted")]
    WrongAudience,
    /// A required claim is missing or has the wrong type.
    #[error("the bearer token's {0} claim is missing or malformed")]
    Claim(String),
}

/// Unix seconds as ISO 8601 UTC (`2026-12-03T22:49:13Z`) for a message; `@<seconds>`
/// past the year 9999.
fn iso(secs: u64) -> String {
    ssm_edge_core::time::format_iso8601(secs).unwrap_or_else(|_| format!("@{secs}"))
}

impl JwtRefusal {
    /// Whether the token is expired (answered as `ExpiredTokenException`).
    #[must_use]
    pub fn is_expiry(&self) -> bool {
        matches!(self, JwtRefusal::Expired { .. })
    }
}

fn key_for<'a>(set: &'a JwkSet, kid: Option<&str>, alg: Algorithm) -> Result<&'a Jwk, JwtRefusal> {
    let fits = |jwk: &Jwk| {
        jwk.common
            .key_algorithm
            .is_none_or(|a| a.to_string() == format!("{alg:?}"))
    };
    match kid {
        Some(kid) => set
            .find(kid)
            .filter(|jwk| fits(jwk))
            .ok_or_else(|| JwtRefusal::UnknownKey(kid.chars().take(64).collect())),
        None => {
            // No kid: accept only an unambiguous key.
            let mut candidates = set.keys.iter().filter(|jwk| {
                fits(jwk)
                    && matches!(
                        (&jwk.algorithm, alg),
                        (AlgorithmParameters::RSA(_), Algorithm::RS256)
                            | (AlgorithmParameters::EllipticCurve(_), Algorithm::ES256)
                    )
            });
            match (candidates.next(), candidates.next()) {
                (Some(jwk), None) => Ok(jwk),
                _ => Err(JwtRefusal::UnknownKey(String::new())),
            }
        }
    }
}

fn number(claims: &Value, name: &str) -> Result<Option<u64>, JwtRefusal> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
            .map(Some)
            .ok_or_else(|| JwtRefusal::Claim(name.to_owned())),
    }
}

/// A well-formed token from a known key, whose signature is still to be checked.
#[derive(Clone, Debug)]
pub struct SignedToken {
    /// RS256 or ES256.
    pub alg: Algorithm,
    /// The issuer's key the token names.
    pub jwk: Jwk,
    /// `base64url(header) "." base64url(payload)`: what was signed.
    pub signing_input: String,
    /// The signature bytes (PKCS#1 v1.5 for RS256, raw `r || s` for ES256).
    pub signature: Vec<u8>,
    /// The claims, not to be trusted before the signature is.
    claims: Value,
}

impl SignedToken {
    /// The public key as a minimal JWK (`kty`, `n`/`e` or `crv`/`x`/`y`), the form
    /// WebCrypto's `importKey("jwk", ...)` takes.
    #[must_use]
    pub fn public_jwk(&self) -> Value {
        match &self.jwk.algorithm {
            AlgorithmParameters::RSA(rsa) => {
                serde_json::json!({ "kty": "RSA", "n": rsa.n, "e": rsa.e })
            }
            AlgorithmParameters::EllipticCurve(ec) => {
                serde_json::json!({ "kty": "EC", "crv": "P-256", "x": ec.x, "y": ec.y })
            }
            _ => Value::Null,
        }
    }
}

/// Parses `token`, checks its algorithm and finds its key in `jwks`.
///
/// # Errors
/// [`JwtRefusal::Malformed`], [`JwtRefusal::UnsupportedAlgorithm`],
/// [`JwtRefusal::UnsupportedCritical`] or [`JwtRefusal::UnknownKey`].
pub fn prepare(token: &str, jwks: &JwkSet) -> Result<SignedToken, JwtRefusal> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| JwtRefusal::Malformed)?;
    if !ALGORITHMS.contains(&header.alg) {
        return Err(JwtRefusal::UnsupportedAlgorithm(format!(
            "{:?}",
            header.alg
        )));
    }
    if header.crit.is_some() {
        return Err(JwtRefusal::UnsupportedCritical);
    }
    let jwk = key_for(jwks, header.kid.as_deref(), header.alg)?.clone();
    let (signing_input, signature) = token.rsplit_once('.').ok_or(JwtRefusal::Malformed)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| JwtRefusal::Malformed)?;
    let claims: Value = jsonwebtoken::dangerous::insecure_decode_claims(token)
        .map_err(|_| JwtRefusal::Malformed)?;
    if !claims.is_object() {
        return Err(JwtRefusal::Malformed);
    }
    Ok(SignedToken {
        alg: header.alg,
        jwk,
        signing_input: signing_input.to_owned(),
        signature,
        claims,
    })
}

/// Checks the claims of a token whose signature verified: `iss`, `aud`, `exp`, `nbf`
/// at `now` (unix seconds), then reads the principal (the configured prefix and the
/// principal claim's value) and groups.
///
/// # Errors
/// The first failed check, as a [`JwtRefusal`].
pub fn accept(token: &SignedToken, config: &JwtConfig, now: u64) -> Result<Identity, JwtRefusal> {
    let claims = &token.claims;
    let exp = number(claims, "exp")?.ok_or_else(|| JwtRefusal::Claim("exp".to_owned()))?;
    match claims.get("iss") {
        None | Some(Value::Null) => return Err(JwtRefusal::Claim("iss".to_owned())),
        Some(Value::String(iss)) if *iss == config.issuer => {}
        Some(_) => return Err(JwtRefusal::WrongIssuer),
    }
    let accepted = |aud: &Value| {
        aud.as_str()
            .is_some_and(|a| config.audiences.iter().any(|c| c == a))
    };
    match claims.get("aud") {
        None | Some(Value::Null) => return Err(JwtRefusal::Claim("aud".to_owned())),
        Some(Value::Array(list)) if list.iter().any(accepted) => {}
        Some(aud) if accepted(aud) => {}
        Some(_) => return Err(JwtRefusal::WrongAudience),
    }
    if exp.saturating_add(config.leeway_secs) < now {
        return Err(JwtRefusal::Expired { exp, now });
    }
    if let Some(nbf) = number(claims, "nbf")? {
        if nbf > now.saturating_add(config.leeway_secs) {
            return Err(JwtRefusal::NotYetValid { nbf, now });
        }
    }

    let subject = claims
        .get(&config.principal_claim)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| JwtRefusal::Claim(config.principal_claim.clone()))?;
    let principal = format!("{}{subject}", config.principal_prefix);
    let groups = match claims.get(&config.groups_claim) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(g)) => vec![g.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|g| g.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| JwtRefusal::Claim(config.groups_claim.clone()))?,
        Some(_) => return Err(JwtRefusal::Claim(config.groups_claim.clone())),
    };
    Ok(Identity {
        principal,
        groups: groups.into_iter().filter(|g| !g.is_empty()).collect(),
        method: AuthMethod::Jwt,
        replay_key: None,
        signed_region: None,
    })
}

/// Verifies the signature with `jsonwebtoken`'s RustCrypto provider: the native path
/// (tests, tools). The Worker verifies with WebCrypto instead, at no wasm cost.
#[cfg(not(target_arch = "wasm32"))]
#[must_use]
pub fn verify_signature(token: &SignedToken) -> bool {
    use jsonwebtoken::{crypto, DecodingKey};
    let Ok(key) = DecodingKey::from_jwk(&token.jwk) else {
        return false;
    };
    let signature = URL_SAFE_NO_PAD.encode(&token.signature);
    crypto::verify(&signature, token.signing_input.as_bytes(), &key, token.alg).unwrap_or(false)
}

/// [`prepare`], [`verify_signature`] and [`accept`] in one call (native).
///
/// # Errors
/// The first failed check, as a [`JwtRefusal`].
#[cfg(not(target_arch = "wasm32"))]
pub fn verify(
    token: &str,
    config: &JwtConfig,
    jwks: &JwkSet,
    now: u64,
) -> Result<Identity, JwtRefusal> {
    let signed = prepare(token, jwks)?;
    if !verify_signature(&signed) {
        return Err(JwtRefusal::BadSignature);
    }
    accept(&signed, config, now)
}

/// Parses a JWKS document.
///
/// # Errors
/// When the document is not a JWKS.
pub fn parse_jwks(json: &str) -> Result<JwkSet, serde_json::Error> {
    serde_json::from_str(json)
}

#[cfg(test)]
mod tests;

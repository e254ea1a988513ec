//! SigV4 verification of incoming requests, for gateways that accept AWS-signed calls.
//!
//! [`verify`] recomputes the signature with the very code [`crate::sign`] signs with
//! ([`CanonicalRequest`]), over exactly the headers the client listed in
//! `SignedHeaders`, and compares in constant time. It never panics, whatever the input.
//!
//! ```
//! use ssm_edge_core::request::HttpRequest;
//! use ssm_edge_core::sign::{sign, Credentials, SecretAccessKey, SigningParams};
//! use ssm_edge_core::verify::{verify, ErrorDialect, Refusal, VerifyConfig};
//!
//! let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
//! let mut request = HttpRequest {
//!     method: "POST".into(),
//!     url: "https://ssm.us-east-1.amazonaws.com/".into(),
//!     headers: vec![("X-Amz-Target".into(), "AmazonSSM.ListCommands".into())],
//!     body: b"{}".to_vec(),
//! };
//! let creds = Credentials::new("AKIDEXAMPLE", secret, None);
//! let _ = sign(&mut request, &SigningParams::new(&creds, "us-east-1", "ssm", 1_795_678_693), None).unwrap();
//!
//! // The gateway: a closure works as the lookup; the second tuple item is returned on success.
//! let lookup = |akid: &str| (akid == "AKIDEXAMPLE").then(|| (SecretAccessKey::new(secret), "team-a"));
//! let config = VerifyConfig::new("us-east-1", "ssm");
//! let ok = verify(&request, &config, 1_795_678_700, &lookup, None).unwrap();
//! assert_eq!((ok.access_key_id.as_str(), ok.principal), ("AKIDEXAMPLE", "team-a"));
//!
//! let refusal = verify(&request, &config, 1_795_678_693 + 301, &lookup, None).unwrap_err();
//! assert!(matches!(refusal, Refusal::SignatureExpired { .. }));
//! let answer = refusal.aws_error(ErrorDialect::AwsJson);
//! assert_eq!((answer.code, answer.status), ("InvalidSignatureException", 400));
//! assert_eq!(answer.message, "Signature expired: 20261126T073813Z is now earlier than 20261126T073814Z (20261126T074314Z - 5 min.)");
//! ```
//!
//! # What is checked, in order
//!
//! 1. exactly one `Authorization` header, parsed strictly ([`Authorization::parse`]);
//! 2. `host` and `x-amz-date` are in `SignedHeaders`;
//! 3. exactly one `X-Amz-Date`, a strict amz-date (the `Date` header alternative of
//!    SigV4 is not accepted: every AWS SDK sends `X-Amz-Date`);
//! 4. the scope: date = day of `X-Amz-Date`, terminator `aws4_request`, region (one
//!    of the configured ones) and service as configured;
//! 5. `X-Amz-Date` within `now ± max_skew_secs` (default ±5 min, as AWS);
//! 6. every name in `SignedHeaders` is on the request; `host`, `x-amz-date`,
//!    `x-amz-security-token`, `x-amz-content-sha256`, `x-amz-target` and
//!    `content-type` appear at most once; and **policy**: `content-type`, every
//!    `x-amz-*` header and every header of [`VerifyConfig::signed_if_present`] present
//!    on the request must be signed (SDKs always sign them;
//!    otherwise a captured signature would let `X-Amz-Target` or `Content-Type` be
//!    swapped — a different operation over the same signed body);
//! 7. the access key id is known to the [`SecretLookup`];
//! 8. a signed `X-Amz-Content-Sha256` equals the SHA-256 of the body;
//! 9. the signature recomputed over the client's `SignedHeaders` (path normalized and
//!    double-encoded, as for every non-S3 service) equals the one sent, compared in
//!    constant time (`subtle`).
//!
//! Each failure is a distinct [`Refusal`]; [`Refusal::aws_error`] gives the AWS error
//! code, HTTP status and message to answer with (see [`refusal`]'s table).

use alloc::string::String;
use hmac::Mac;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

mod authorization;
pub mod refusal;

#[cfg(test)]
mod tests;

pub use authorization::Authorization;
pub use refusal::{AwsError, Component, ErrorDialect, Refusal, SignedHeadersDefect};

use crate::request::HttpRequest;
use crate::sign::{
    hex32, hex_str, write_string_to_sign, CanonicalRequest, CredentialScope, SecretAccessKey,
    SigningKey, SigningKeyCache, SigningSettings, SCOPE_TERMINATOR,
};
use crate::time::AmzDate;

/// AWS's allowed clock skew: 5 minutes.
pub const DEFAULT_MAX_SKEW_SECS: u64 = 300;

/// Headers that must appear at most once.
const SINGLE_VALUED: &[&str] = &[
    "host",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
    "x-amz-target",
    "content-type",
];

/// Where the verifier finds secrets: the gateway's key store.
pub trait SecretLookup {
    /// Whatever the gateway wants back on success (a principal, a tenant, `()`).
    type Principal;

    /// The secret access key of `access_key_id` and its principal, or `None` when the
    /// key is unknown (or disabled).
    fn secret_for(&self, access_key_id: &str) -> Option<(SecretAccessKey, Self::Principal)>;
}

impl<F, P> SecretLookup for F
where
    F: Fn(&str) -> Option<(SecretAccessKey, P)>,
{
    type Principal = P;

    fn secret_for(&self, access_key_id: &str) -> Option<(SecretAccessKey, P)> {
        self(access_key_id)
    }
}

/// The regions a verifier takes in the credential scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeRegions<'a> {
    /// Exactly this region.
    One(&'a str),
    /// Any of these (a gateway serving several regions: the signed one is the caller's
    /// choice, returned as [`Verified::region`]).
    AnyOf(&'a [String]),
}

impl ScopeRegions<'_> {
    fn allows(&self, region: &str) -> bool {
        match self {
            ScopeRegions::One(one) => *one == region,
            ScopeRegions::AnyOf(all) => all.iter().any(|r| r == region),
        }
    }

    /// The regions, comma-separated (for the refusal).
    fn listed(&self) -> String {
        match self {
            ScopeRegions::One(one) => String::from(*one),
            ScopeRegions::AnyOf(all) => all.join(", "),
        }
    }
}

/// What a verifier expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifyConfig<'a> {
    /// The region(s) requests may be scoped to, e.g. `us-east-1`.
    pub regions: ScopeRegions<'a>,
    /// The service requests must be scoped to, e.g. `ssm`.
    pub service: &'a str,
    /// Allowed distance between `X-Amz-Date` and `now`, either way, in seconds.
    pub max_skew_secs: u64,
    /// Headers (lowercase) that, like `x-amz-*`, must be signed when present: the ones
    /// that change what the receiver does (a gateway's account selector).
    pub signed_if_present: &'a [&'a str],
}

impl<'a> VerifyConfig<'a> {
    /// Expect this region and service, with AWS's ±5 minutes of skew.
    #[must_use]
    pub fn new(region: &'a str, service: &'a str) -> Self {
        VerifyConfig {
            regions: ScopeRegions::One(region),
            service,
            max_skew_secs: DEFAULT_MAX_SKEW_SECS,
            signed_if_present: &[],
        }
    }

    /// The same, taking any of `regions` instead.
    #[must_use]
    pub fn with_regions(mut self, regions: &'a [String]) -> Self {
        self.regions = ScopeRegions::AnyOf(regions);
        self
    }

    /// The same with another allowed skew.
    #[must_use]
    pub fn with_max_skew_secs(mut self, secs: u64) -> Self {
        self.max_skew_secs = secs;
        self
    }

    /// The same, also requiring `headers` (lowercase names) to be signed when present.
    #[must_use]
    pub fn with_signed_if_present(mut self, headers: &'a [&'a str]) -> Self {
        self.signed_if_present = headers;
        self
    }
}

/// A request whose signature checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct Verified<P> {
    /// The access key id that signed.
    pub access_key_id: String,
    /// What the [`SecretLookup`] returned with the secret.
    pub principal: P,
    /// The signing time (`X-Amz-Date`).
    pub signed_at: AmzDate,
    /// The signature's bytes, parsed from the header (whatever its spelling).
    pub signature: [u8; 32],
    /// The signed `Host` header's value, as received: what the signer meant to reach.
    pub host: String,
    /// The credential scope's region (one of the verifier's regions).
    pub region: String,
}

/// The `Host` header as signed: present exactly once (checked before the signature),
/// trimmed as canonicalization trims it.
fn signed_host(request: &HttpRequest) -> &str {
    request
        .header("host")
        .unwrap_or_default()
        .trim_matches([' ', '\t'])
}

fn count(request: &HttpRequest, name: &str) -> usize {
    request
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .count()
}

/// Verifies the SigV4 signature of `request` (its `url` built from the `Host` header,
/// path and query as received) at time `now` (unix seconds).
///
/// `cache` is a caller-owned [`SigningKeyCache`] (give it a capacity of a few keys on
/// a gateway with several clients); `None` derives the signing key every time.
///
/// # Errors
/// The first failed check, as a [`Refusal`] (see the module documentation).
pub fn verify<L>(
    request: &HttpRequest,
    config: &VerifyConfig<'_>,
    now: u64,
    lookup: &L,
    cache: Option<&mut SigningKeyCache>,
) -> Result<Verified<L::Principal>, Refusal>
where
    L: SecretLookup + ?Sized,
{
    // 1. Authorization.
    let mut authorizations = request
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("authorization"));
    let header = match (authorizations.next(), authorizations.next()) {
        (None, _) => return Err(Refusal::MissingAuthorization),
        (Some(_), Some(_)) => return Err(Refusal::MultipleAuthorization),
        (Some((_, value)), None) => value,
    };
    let auth = Authorization::parse(header)?;

    // 2. Mandatory signed headers.
    if auth.signed_headers.binary_search(&"host").is_err() {
        return Err(Refusal::HostNotSigned);
    }
    if auth.signed_headers.binary_search(&"x-amz-date").is_err() {
        return Err(Refusal::DateNotSigned);
    }

    // 3. X-Amz-Date.
    let amz_date = match count(request, "x-amz-date") {
        0 => return Err(Refusal::MissingDate),
        1 => request
            .header("x-amz-date")
            .and_then(|v| AmzDate::parse(v.trim_matches([' ', '\t'])).ok())
            .ok_or(Refusal::MalformedDate)?,
        _ => return Err(Refusal::DuplicateHeader("x-amz-date")),
    };

    // 4. Scope.
    if auth.date_stamp != amz_date.date_stamp() {
        return Err(Refusal::ScopeDateMismatch {
            scope_date: String::from(auth.date_stamp),
            amz_date,
        });
    }
    if auth.terminator != SCOPE_TERMINATOR {
        return Err(Refusal::WrongTerminator(String::from(auth.terminator)));
    }
    if !config.regions.allows(auth.region) {
        return Err(Refusal::WrongRegion {
            expected: config.regions.listed(),
            found: String::from(auth.region),
        });
    }
    if auth.service != config.service {
        return Err(Refusal::WrongService {
            expected: String::from(config.service),
            found: String::from(auth.service),
        });
    }

    // 5. Clock skew.
    let signed_at = amz_date.unix();
    if signed_at.saturating_add(config.max_skew_secs) < now {
        return Err(Refusal::SignatureExpired {
            signed_at: amz_date,
            now,
            max_skew_secs: config.max_skew_secs,
        });
    }
    if signed_at > now.saturating_add(config.max_skew_secs) {
        return Err(Refusal::SignatureNotYetCurrent {
            signed_at: amz_date,
            now,
            max_skew_secs: config.max_skew_secs,
        });
    }

    // 6. Header presence and policy.
    for name in &auth.signed_headers {
        if request.header(name).is_none() {
            return Err(Refusal::SignedHeaderMissing(String::from(*name)));
        }
    }
    let mut seen = [false; SINGLE_VALUED.len()];
    for (name, _) in &request.headers {
        if let Some(i) = SINGLE_VALUED
            .iter()
            .position(|s| name.eq_ignore_ascii_case(s))
        {
            if core::mem::replace(&mut seen[i], true) {
                return Err(Refusal::DuplicateHeader(SINGLE_VALUED[i]));
            }
        }
        let must_sign = name.eq_ignore_ascii_case("content-type")
            || name
                .get(..6)
                .is_some_and(|p| p.eq_ignore_ascii_case("x-amz-"))
            || config
                .signed_if_present
                .iter()
                .any(|h| name.eq_ignore_ascii_case(h));
        if must_sign
            && !auth
                .signed_headers
                .iter()
                .any(|signed| signed.eq_ignore_ascii_case(name))
        {
            return Err(Refusal::HeaderNotSigned(name.to_ascii_lowercase()));
        }
    }

    // 7. The secret.
    let (secret, principal) = lookup
        .secret_for(auth.access_key_id)
        .ok_or(Refusal::UnknownAccessKey)?;

    // 8. Body hash.
    let body_hash = hex32(&Sha256::digest(&request.body).into());
    let body_hash = hex_str(&body_hash);
    if let Some(claimed) = request.header("x-amz-content-sha256") {
        if claimed != body_hash {
            return Err(Refusal::ContentSha256Mismatch);
        }
    }

    // 9. Recompute and compare.
    let settings = SigningSettings::default();
    let creq =
        CanonicalRequest::with_signed_headers(request, &settings, &auth.signed_headers, body_hash)
            .map_err(|_| Refusal::InvalidRequest)?;
    let scope = CredentialScope {
        date_stamp: auth.date_stamp,
        region: auth.region,
        service: auth.service,
    };
    let mut mac = match cache {
        Some(cache) => cache
            .get_or_derive(
                secret.expose(),
                scope.date_stamp,
                scope.region,
                scope.service,
            )
            .mac(),
        None => SigningKey::derive(
            secret.expose(),
            scope.date_stamp,
            scope.region,
            scope.service,
        )
        .mac(),
    };
    write_string_to_sign(&mut mac, &amz_date, &scope, &creq.hash());
    let expected: [u8; 32] = mac.finalize().into_bytes().into();
    if !bool::from(expected.ct_eq(&auth.signature)) {
        return Err(Refusal::SignatureMismatch);
    }

    Ok(Verified {
        access_key_id: String::from(auth.access_key_id),
        principal,
        signed_at: amz_date,
        signature: auth.signature,
        host: String::from(signed_host(request)),
        region: String::from(auth.region),
    })
}

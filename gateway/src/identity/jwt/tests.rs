//! `verify` with real RS256 and ES256 tokens signed by the fixed test keys.

use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{json, Value};

use super::*;
use crate::identity::test_keys::{
    b64url, claims, ec_jwk, ec_key, ec_other_jwk, ec_other_key, jwks, rsa_jwk, rsa_key, token,
    AUDIENCE, ISSUER, JWKS_URL,
};

/// 2026-11-26T07:38:13Z.
const NOW: u64 = 1_795_678_693;

fn config() -> JwtConfig {
    JwtConfig {
        issuer: ISSUER.to_owned(),
        audiences: vec!["other-app".to_owned(), AUDIENCE.to_owned()],
        jwks_url: JWKS_URL.to_owned(),
        principal_claim: "sub".to_owned(),
        principal_prefix: "jwt:".to_owned(),
        groups_claim: "groups".to_owned(),
        leeway_secs: 60,
        jwks_refresh_secs: 30,
    }
}

/// The issuer's key set: the RSA key as `rsa-1`, the first EC key as `ec-1`.
fn issuer_keys() -> JwkSet {
    parse_jwks(&jwks(&[rsa_jwk("rsa-1"), ec_jwk("ec-1")])).expect("JWKS parses")
}

fn es256(claims: &Value) -> String {
    token(Algorithm::ES256, Some("ec-1"), claims, &ec_key())
}

fn check(token: &str) -> Result<Identity, JwtRefusal> {
    verify(token, &config(), &issuer_keys(), NOW)
}

fn with(mut claims: Value, name: &str, value: Value) -> Value {
    claims[name] = value;
    claims
}

fn without(mut claims: Value, name: &str) -> Value {
    claims.as_object_mut().expect("claims object").remove(name);
    claims
}

#[test]
fn valid_rs256_token_is_accepted() {
    let token = token(
        Algorithm::RS256,
        Some("rsa-1"),
        &claims("alice", &["on-call", "readers"], NOW),
        &rsa_key(),
    );
    let identity = check(&token).unwrap();
    assert_eq!(
        identity,
        Identity {
            principal: "jwt:alice".to_owned(),
            groups: vec!["on-call".to_owned(), "readers".to_owned()],
            method: AuthMethod::Jwt,
            replay_key: None,
            signed_region: None,
        }
    );
}

#[test]
fn valid_es256_token_is_accepted() {
    let identity = check(&es256(&claims("bob", &["admins"], NOW))).unwrap();
    assert_eq!(identity.principal, "jwt:bob");
    assert_eq!(identity.groups, vec!["admins".to_owned()]);
    assert_eq!(identity.method, AuthMethod::Jwt);
    assert_eq!(identity.replay_key, None);
}

#[test]
fn groups_may_be_one_string_absent_or_empty_entries() {
    let one = with(claims("bob", &[], NOW), "groups", json!("admins"));
    assert_eq!(
        check(&es256(&one)).unwrap().groups,
        vec!["admins".to_owned()]
    );

    let none = without(claims("bob", &[], NOW), "groups");
    assert!(check(&es256(&none)).unwrap().groups.is_empty());

    let empties = with(claims("bob", &[], NOW), "groups", json!(["", "ops", ""]));
    assert_eq!(
        check(&es256(&empties)).unwrap().groups,
        vec!["ops".to_owned()]
    );

    let not_strings = with(claims("bob", &[], NOW), "groups", json!(["ops", 7]));
    assert_eq!(
        check(&es256(&not_strings)).unwrap_err(),
        JwtRefusal::Claim("groups".to_owned())
    );
    let object = with(claims("bob", &[], NOW), "groups", json!({ "ops": true }));
    assert_eq!(
        check(&es256(&object)).unwrap_err(),
        JwtRefusal::Claim("groups".to_owned())
    );
}

#[test]
fn a_single_string_audience_is_accepted() {
    let claims = with(claims("bob", &[], NOW), "aud", json!(AUDIENCE));
    assert_eq!(check(&es256(&claims)).unwrap().principal, "jwt:bob");
    let list = with(claims, "aud", json!(["unrelated", AUDIENCE]));
    assert_eq!(check(&es256(&list)).unwrap().principal, "jwt:bob");
}

#[test]
fn expiry_is_checked_against_the_given_clock_with_leeway() {
    // Expired 30 s ago: within the 60 s leeway.
    let recent = with(claims("bob", &[], NOW), "exp", json!(NOW - 30));
    assert_eq!(check(&es256(&recent)).unwrap().principal, "jwt:bob");
    // Exactly at the edge of the leeway.
    let edge = with(claims("bob", &[], NOW), "exp", json!(NOW - 60));
    assert!(check(&es256(&edge)).is_ok());
    // Beyond it.
    let old = with(claims("bob", &[], NOW), "exp", json!(NOW - 61));
    let refusal = check(&es256(&old)).unwrap_err();
    assert_eq!(
        refusal,
        JwtRefusal::Expired {
            exp: NOW - 61,
            now: NOW
        }
    );
    assert!(refusal.is_expiry());
    // Times in the message are ISO 8601 UTC.
    assert_eq!(
        refusal.to_string(),
        "the bearer token expired at 2026-11-26T07:37:12Z (now 2026-11-26T07:38:13Z)"
    );
    // The library's own clock is not used: a token valid "now" in real time but
    // expired at the gateway's time is refused, and vice versa.
    let future_clock = verify(
        &es256(&claims("bob", &[], NOW)),
        &config(),
        &issuer_keys(),
        NOW + 361,
    );
    assert!(matches!(future_clock, Err(JwtRefusal::Expired { .. })));
}

#[test]
fn not_before_in_the_future_is_refused_beyond_leeway() {
    let soon = with(claims("bob", &[], NOW), "nbf", json!(NOW + 60));
    assert!(check(&es256(&soon)).is_ok());
    let later = with(claims("bob", &[], NOW), "nbf", json!(NOW + 61));
    let refusal = check(&es256(&later)).unwrap_err();
    assert_eq!(
        refusal,
        JwtRefusal::NotYetValid {
            nbf: NOW + 61,
            now: NOW
        }
    );
    assert_eq!(
        refusal.to_string(),
        "the bearer token is not valid before 2026-11-26T07:39:14Z (now 2026-11-26T07:38:13Z)"
    );
    let bad = with(claims("bob", &[], NOW), "nbf", json!("tomorrow"));
    assert_eq!(
        check(&es256(&bad)).unwrap_err(),
        JwtRefusal::Claim("nbf".to_owned())
    );
}

#[test]
fn wrong_issuer_and_audience_are_refused() {
    let iss = with(
        claims("bob", &[], NOW),
        "iss",
        json!("https://evil.example"),
    );
    assert_eq!(check(&es256(&iss)).unwrap_err(), JwtRefusal::WrongIssuer);
    let aud = with(claims("bob", &[], NOW), "aud", json!("someone-else"));
    assert_eq!(check(&es256(&aud)).unwrap_err(), JwtRefusal::WrongAudience);
}

#[test]
fn required_claims_must_be_present() {
    for name in ["exp", "iss", "aud", "sub"] {
        let claims = without(claims("bob", &[], NOW), name);
        assert_eq!(
            check(&es256(&claims)).unwrap_err(),
            JwtRefusal::Claim(name.to_owned()),
            "without {name}"
        );
    }
    let empty_sub = with(claims("bob", &[], NOW), "sub", json!(""));
    assert_eq!(
        check(&es256(&empty_sub)).unwrap_err(),
        JwtRefusal::Claim("sub".to_owned())
    );
    let numeric_sub = with(claims("bob", &[], NOW), "sub", json!(42));
    assert!(check(&es256(&numeric_sub)).is_err());
}

#[test]
fn principal_claim_is_configurable() {
    let mut config = config();
    config.principal_claim = "email".to_owned();
    config.groups_claim = "roles".to_owned();
    let claims = json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "00u1abcd",
        "email": "carol@example.com",
        "roles": ["on-call"],
        "groups": ["ignored"],
        "exp": NOW + 300,
    });
    let identity = verify(&es256(&claims), &config, &issuer_keys(), NOW).unwrap();
    assert_eq!(identity.principal, "jwt:carol@example.com");
    assert_eq!(identity.groups, vec!["on-call".to_owned()]);

    let no_email = without(claims, "email");
    assert_eq!(
        verify(&es256(&no_email), &config, &issuer_keys(), NOW).unwrap_err(),
        JwtRefusal::Claim("email".to_owned())
    );
}

#[test]
fn the_principal_is_the_prefix_and_the_claim() {
    // A token's `sub: root` is not the gateway key principal `root`.
    let root = es256(&claims("root", &["admins"], NOW));
    assert_eq!(check(&root).unwrap().principal, "jwt:root");
    let mut config = config();
    config.principal_prefix = "sso/".to_owned();
    let identity = verify(&root, &config, &issuer_keys(), NOW).unwrap();
    assert_eq!(identity.principal, "sso/root");
    // No prefix (JWT_PRINCIPAL_PREFIX=none): the claim alone, as before.
    config.principal_prefix = String::new();
    let identity = verify(&root, &config, &issuer_keys(), NOW).unwrap();
    assert_eq!(identity.principal, "root");
}

#[test]
fn unknown_kid_is_reported_for_a_refetch() {
    let token = token(
        Algorithm::ES256,
        Some("ec-rotated"),
        &claims("bob", &[], NOW),
        &ec_key(),
    );
    assert_eq!(
        check(&token).unwrap_err(),
        JwtRefusal::UnknownKey("ec-rotated".to_owned())
    );
    // Once the set has the key, the same token verifies.
    let rotated = parse_jwks(&jwks(&[ec_jwk("ec-rotated")])).unwrap();
    assert!(verify(&token, &config(), &rotated, NOW).is_ok());
}

#[test]
fn a_kid_whose_key_has_another_algorithm_is_unknown() {
    // The EC key's JWK says ES256; an RS256 token naming it finds no key.
    let token = token(
        Algorithm::RS256,
        Some("ec-1"),
        &claims("bob", &[], NOW),
        &rsa_key(),
    );
    assert_eq!(
        check(&token).unwrap_err(),
        JwtRefusal::UnknownKey("ec-1".to_owned())
    );
}

#[test]
fn without_kid_only_an_unambiguous_key_is_used() {
    let token = token(Algorithm::ES256, None, &claims("bob", &[], NOW), &ec_key());
    // One EC key in the set: it is the one.
    assert_eq!(check(&token).unwrap().principal, "jwt:bob");
    // Two EC keys: ambiguous.
    let two = parse_jwks(&jwks(&[ec_jwk("ec-1"), ec_other_jwk("ec-2")])).unwrap();
    assert_eq!(
        verify(&token, &config(), &two, NOW).unwrap_err(),
        JwtRefusal::UnknownKey(String::new())
    );
}

#[test]
fn tampered_payload_is_a_bad_signature() {
    let genuine = es256(&claims("bob", &[], NOW));
    let forged = es256(&claims("bob", &["admins"], NOW));
    let parts: Vec<&str> = genuine.split('.').collect();
    let forged_parts: Vec<&str> = forged.split('.').collect();
    // The admins payload under the genuine token's signature.
    let tampered = format!("{}.{}.{}", parts[0], forged_parts[1], parts[2]);
    assert_eq!(check(&tampered).unwrap_err(), JwtRefusal::BadSignature);

    let rsa = token(
        Algorithm::RS256,
        Some("rsa-1"),
        &claims("bob", &[], NOW),
        &rsa_key(),
    );
    let mut bytes = rsa.into_bytes();
    let last = bytes.len() - 3;
    bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
    let rsa = String::from_utf8(bytes).unwrap();
    assert_eq!(check(&rsa).unwrap_err(), JwtRefusal::BadSignature);
}

#[test]
fn a_token_signed_by_another_key_under_a_known_kid_is_refused() {
    let token = token(
        Algorithm::ES256,
        Some("ec-1"),
        &claims("mallory", &["admins"], NOW),
        &ec_other_key(),
    );
    assert_eq!(check(&token).unwrap_err(), JwtRefusal::BadSignature);
}

#[test]
fn hs256_is_not_accepted_even_with_a_public_key_as_secret() {
    // The classic confusion: HMAC keyed with the public key's text.
    let secret = EncodingKey::from_secret(crate::identity::test_keys::RSA_N.as_bytes());
    let token = token(
        Algorithm::HS256,
        Some("rsa-1"),
        &claims("bob", &[], NOW),
        &secret,
    );
    assert_eq!(
        check(&token).unwrap_err(),
        JwtRefusal::UnsupportedAlgorithm("HS256".to_owned())
    );
}

#[test]
fn a_token_with_critical_extensions_is_refused() {
    // Validly signed by the issuer's key, but `crit` names an extension the gateway does
    // not understand (RFC 7515 §4.1.11: the token must be refused).
    for crit in [json!(["x-unknown"]), json!(["exp"]), json!([])] {
        let mut header = jsonwebtoken::Header::new(Algorithm::ES256);
        header.kid = Some("ec-1".to_owned());
        header.crit = serde_json::from_value(crit.clone()).ok();
        let token = jsonwebtoken::encode(&header, &claims("bob", &[], NOW), &ec_key())
            .expect("test token signs");
        assert_eq!(
            check(&token).unwrap_err(),
            JwtRefusal::UnsupportedCritical,
            "{crit}"
        );
    }
}

#[test]
fn alg_none_and_garbage_are_refused() {
    let header = b64url(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = b64url(claims("bob", &["admins"], NOW).to_string().as_bytes());
    for token in [
        format!("{header}.{payload}."),
        format!("{header}.{payload}"),
    ] {
        let refusal = check(&token).unwrap_err();
        assert!(
            matches!(
                refusal,
                JwtRefusal::Malformed | JwtRefusal::UnsupportedAlgorithm(_)
            ),
            "{refusal:?}"
        );
    }
    // Another algorithm the library knows but the gateway does not accept.
    let ps256 = token(
        Algorithm::PS256,
        Some("rsa-1"),
        &claims("bob", &[], NOW),
        &rsa_key(),
    );
    assert_eq!(
        check(&ps256).unwrap_err(),
        JwtRefusal::UnsupportedAlgorithm("PS256".to_owned())
    );
    for garbage in ["", "abc", "a.b.c", "....."] {
        assert_eq!(
            check(garbage).unwrap_err(),
            JwtRefusal::Malformed,
            "{garbage:?}"
        );
    }
}

#[test]
fn refusal_messages_never_contain_the_token() {
    let token = es256(&with(claims("bob", &[], NOW), "exp", json!(NOW - 3600)));
    let message = check(&token).unwrap_err().to_string();
    assert!(message.contains("expired"), "{message}");
    for part in token.split('.') {
        assert!(!message.contains(part), "{message}");
    }
}

#[test]
fn jwks_documents_parse_or_fail() {
    assert_eq!(issuer_keys().keys.len(), 2);
    assert!(parse_jwks("{}").is_err());
    assert!(parse_jwks("not json").is_err());
}

#[test]
fn b64url_helper_matches_known_vectors() {
    // RFC 4648 test vectors, URL-safe alphabet, unpadded.
    assert_eq!(b64url(b""), "");
    assert_eq!(b64url(b"f"), "Zg");
    assert_eq!(b64url(b"fo"), "Zm8");
    assert_eq!(b64url(b"foo"), "Zm9v");
    assert_eq!(b64url(b"foobar"), "Zm9vYmFy");
    assert_eq!(b64url(&[0xfb, 0xff]), "-_8");
}

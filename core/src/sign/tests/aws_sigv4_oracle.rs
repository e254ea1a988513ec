//! aws-sigv4 (the AWS SDK for Rust's signer) as a byte-for-byte oracle: random
//! requests signed by both must get identical `Authorization`, `X-Amz-Date`,
//! `X-Amz-Security-Token` and `X-Amz-Content-Sha256` headers.

use alloc::string::String;
use proptest::prelude::*;

use super::gen::{aws_sigv4_sign, scenario};
use crate::sign::{sign, SigningKeyCache};

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 3000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn same_authorization_as_aws_sigv4(s in scenario()) {
        let (theirs, their_signature) = aws_sigv4_sign(&s);
        let creds = s.credentials();
        let mut ours = s.request.clone();
        let out = sign(&mut ours, &s.params(&creds), None).expect("we sign what aws-sigv4 signs");
        prop_assert_eq!(&out.signature, &their_signature);
        for name in ["authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256", "host"] {
            prop_assert_eq!(
                header(&ours.headers, name),
                header(&theirs.headers, name),
                "header {}", name
            );
        }
        prop_assert_eq!(ours.headers.len(), theirs.headers.len());

        // The cached path gives the same bytes.
        let mut cache = SigningKeyCache::new();
        let mut cached = s.request.clone();
        let again = sign(&mut cached, &s.params(&creds), Some(&mut cache)).unwrap();
        prop_assert_eq!(&again, &out);
        prop_assert_eq!(&cached, &ours);

        // Signed borrowed: the same signature, and the signed request's headers as
        // the owned request ends up with them, in order.
        let (by_ref, handed) = super::signed_by_ref(&s.request, &s.params(&creds)).unwrap();
        prop_assert_eq!(by_ref, out);
        prop_assert_eq!(handed, ours.headers);
    }
}

//! Any text as a SigV4 `Authorization` header value through `Authorization::parse`: never
//! panics; what it accepts has the documented shape and parses back to itself from its
//! canonical rendering; what it refuses maps to an AWS error in both dialects.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssm_edge_core::verify::{Authorization, ErrorDialect};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = std::str::from_utf8(data) else {
        return;
    };
    match Authorization::parse(value) {
        Ok(auth) => {
            assert!(!auth.access_key_id.is_empty());
            assert!(
                auth.date_stamp.len() == 8 && auth.date_stamp.bytes().all(|b| b.is_ascii_digit())
            );
            assert!(!auth.signed_headers.is_empty());
            for pair in auth.signed_headers.windows(2) {
                assert!(pair[0] < pair[1], "not strictly sorted: {pair:?}");
            }
            for name in &auth.signed_headers {
                assert!(!name.is_empty() && !name.bytes().any(|b| b.is_ascii_uppercase()));
                assert!(!name.contains([';', ',', ' ', '=']));
            }
            // The canonical rendering of what was parsed parses to the same thing.
            let canonical = format!(
                "AWS4-HMAC-SHA256 Credential={}/{}/{}/{}/{}, SignedHeaders={}, Signature={}",
                auth.access_key_id,
                auth.date_stamp,
                auth.region,
                auth.service,
                auth.terminator,
                auth.signed_headers.join(";"),
                hex(&auth.signature)
            );
            assert_eq!(
                Authorization::parse(&canonical).as_ref(),
                Ok(&auth),
                "{canonical:?}"
            );
        }
        Err(refusal) => {
            let _ = refusal.to_string();
            for dialect in [ErrorDialect::AwsJson, ErrorDialect::AwsQuery] {
                let answer = refusal.aws_error(dialect);
                assert!((400..500).contains(&answer.status));
                assert!(!answer.code.is_empty());
            }
        }
    }
});

//! Strict parsing of a SigV4 `Authorization` header:
//!
//! ```text
//! AWS4-HMAC-SHA256 Credential=AKID/20261126/us-east-1/ssm/aws4_request, SignedHeaders=a;b;c, Signature=<64 lowercase hex>
//! ```
//!
//! Accepted variations, as AWS accepts them: components in any order, separated by
//! `,` with optional spaces around it. Refused: another algorithm, a missing,
//! duplicated, empty or unknown component, a credential that is not exactly five
//! `/`-separated parts with a valid `YYYYMMDD` date, a `SignedHeaders` list that is not
//! lowercase / sorted / duplicate-free, and a signature that is not exactly 64
//! lowercase hex digits.

use alloc::vec::Vec;

use super::{Component, Refusal, SignedHeadersDefect};
use crate::sign::{is_access_key_id, is_token, ALGORITHM};
use crate::time::CivilDateTime;

/// A parsed `Authorization` header, borrowing from the header value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization<'a> {
    /// Access key id from `Credential=`.
    pub access_key_id: &'a str,
    /// `YYYYMMDD` from the credential scope (a valid calendar date).
    pub date_stamp: &'a str,
    /// Region from the credential scope.
    pub region: &'a str,
    /// Service from the credential scope.
    pub service: &'a str,
    /// Last scope part (must be `aws4_request`; checked by `verify`, not here).
    pub terminator: &'a str,
    /// `SignedHeaders`: lowercase, strictly increasing, non-empty names.
    pub signed_headers: Vec<&'a str>,
    /// The signature bytes (decoded from 64 lowercase hex digits).
    pub signature: [u8; 32],
}

impl<'a> Authorization<'a> {
    /// Parses an `Authorization` header value.
    ///
    /// # Errors
    /// The [`Refusal`] naming the first defect found: [`Refusal::UnsupportedAlgorithm`],
    /// [`Refusal::MalformedAuthorization`], [`Refusal::MissingComponent`],
    /// [`Refusal::DuplicateComponent`], [`Refusal::MalformedCredential`],
    /// [`Refusal::SignedHeadersNotCanonical`] or [`Refusal::MalformedSignature`].
    pub fn parse(value: &'a str) -> Result<Self, Refusal> {
        let value = value.trim_matches([' ', '\t']);
        let (algorithm, rest) = match value.split_once(' ') {
            Some((a, r)) => (a, r),
            None => (value, ""),
        };
        if algorithm != ALGORITHM {
            return Err(Refusal::UnsupportedAlgorithm);
        }
        let mut credential = None;
        let mut signed_headers = None;
        let mut signature = None;
        let rest = rest.trim_start_matches(' ');
        if !rest.is_empty() {
            for part in rest.split(',') {
                let part = part.trim_matches(' ');
                let (key, val) = part
                    .split_once('=')
                    .ok_or(Refusal::MalformedAuthorization)?;
                let (slot, component) = match key {
                    "Credential" => (&mut credential, Component::Credential),
                    "SignedHeaders" => (&mut signed_headers, Component::SignedHeaders),
                    "Signature" => (&mut signature, Component::Signature),
                    _ => return Err(Refusal::MalformedAuthorization),
                };
                if slot.replace(val).is_some() {
                    return Err(Refusal::DuplicateComponent(component));
                }
            }
        }
        let credential = credential.ok_or(Refusal::MissingComponent(Component::Credential))?;
        let signed_headers =
            signed_headers.ok_or(Refusal::MissingComponent(Component::SignedHeaders))?;
        let signature = signature.ok_or(Refusal::MissingComponent(Component::Signature))?;

        let mut parts = credential.split('/');
        let (Some(akid), Some(date), Some(region), Some(service), Some(terminator), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(Refusal::MalformedCredential);
        };
        if !is_access_key_id(akid) || !is_date_stamp(date) {
            return Err(Refusal::MalformedCredential);
        }

        Ok(Authorization {
            access_key_id: akid,
            date_stamp: date,
            region,
            service,
            terminator,
            signed_headers: parse_signed_headers(signed_headers)?,
            signature: parse_signature(signature)?,
        })
    }
}

/// `YYYYMMDD`, a real calendar date.
fn is_date_stamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let n = |r: core::ops::Range<usize>| {
        b[r].iter()
            .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'))
    };
    CivilDateTime {
        year: n(0..4),
        month: n(4..6) as u8,
        day: n(6..8) as u8,
        hour: 0,
        minute: 0,
        second: 0,
    }
    .to_unix()
    .is_ok()
}

fn parse_signed_headers(list: &str) -> Result<Vec<&str>, Refusal> {
    let mut names: Vec<&str> = Vec::with_capacity(8);
    for name in list.split(';') {
        if name.is_empty() {
            return Err(Refusal::SignedHeadersNotCanonical(
                SignedHeadersDefect::Empty,
            ));
        }
        if !is_token(name) {
            return Err(Refusal::SignedHeadersNotCanonical(
                SignedHeadersDefect::InvalidName,
            ));
        }
        if name.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(Refusal::SignedHeadersNotCanonical(
                SignedHeadersDefect::NotLowercase,
            ));
        }
        if let Some(previous) = names.last() {
            match (*previous).cmp(name) {
                core::cmp::Ordering::Less => {}
                core::cmp::Ordering::Equal => {
                    return Err(Refusal::SignedHeadersNotCanonical(
                        SignedHeadersDefect::Duplicate,
                    ))
                }
                core::cmp::Ordering::Greater => {
                    return Err(Refusal::SignedHeadersNotCanonical(
                        SignedHeadersDefect::Unsorted,
                    ))
                }
            }
        }
        names.push(name);
    }
    Ok(names)
}

fn parse_signature(hex: &str) -> Result<[u8; 32], Refusal> {
    let b = hex.as_bytes();
    if b.len() != 64 {
        return Err(Refusal::MalformedSignature);
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        _ => Err(Refusal::MalformedSignature),
    };
    let mut out = [0u8; 32];
    for (i, pair) in b.chunks_exact(2).enumerate() {
        out[i] = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::String;

    const SIG: &str = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

    fn header(cred: &str, signed: &str, sig: &str) -> String {
        format!("AWS4-HMAC-SHA256 Credential={cred}, SignedHeaders={signed}, Signature={sig}")
    }

    #[test]
    fn parses_the_canonical_form_and_tolerated_variants() {
        let canonical = header(
            "AKIDEXAMPLE/20261126/us-east-1/ssm/aws4_request",
            "content-type;host;x-amz-date;x-amz-target",
            SIG,
        );
        let a = Authorization::parse(&canonical).unwrap();
        assert_eq!(a.access_key_id, "AKIDEXAMPLE");
        assert_eq!(a.date_stamp, "20261126");
        assert_eq!(a.region, "us-east-1");
        assert_eq!(a.service, "ssm");
        assert_eq!(a.terminator, "aws4_request");
        assert_eq!(
            a.signed_headers,
            ["content-type", "host", "x-amz-date", "x-amz-target"]
        );
        assert_eq!(a.signature[0], 0x5f);
        assert_eq!(a.signature[31], 0x31);
        for variant in [
            // No space after commas (botocore's old form, some hand-rolled signers).
            format!("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-east-1/ssm/aws4_request,SignedHeaders=content-type;host;x-amz-date;x-amz-target,Signature={SIG}"),
            // Any order, extra spaces.
            format!("AWS4-HMAC-SHA256  Signature={SIG} ,  SignedHeaders=content-type;host;x-amz-date;x-amz-target,Credential=AKIDEXAMPLE/20261126/us-east-1/ssm/aws4_request "),
        ] {
            assert_eq!(Authorization::parse(&variant).unwrap(), a, "{variant}");
        }
    }

    #[test]
    fn refuses_each_defect_with_its_reason() {
        let cred = "AKID/20261126/us-east-1/ssm/aws4_request";
        let sh = "host;x-amz-date";
        let cases: &[(String, Refusal)] = &[
            (String::new(), Refusal::UnsupportedAlgorithm),
            (format!("AWS4-HMAC-SHA512 Credential={cred}, SignedHeaders={sh}, Signature={SIG}"), Refusal::UnsupportedAlgorithm),
            (format!("AWS4-ECDSA-P256-SHA256 Credential={cred}, SignedHeaders={sh}, Signature={SIG}"), Refusal::UnsupportedAlgorithm),
            (format!("aws4-hmac-sha256 Credential={cred}, SignedHeaders={sh}, Signature={SIG}"), Refusal::UnsupportedAlgorithm),
            (format!("AWS4-HMAC-SHA256,Credential={cred}, SignedHeaders={sh}, Signature={SIG}"), Refusal::UnsupportedAlgorithm),
            (String::from("AWS4-HMAC-SHA256"), Refusal::MissingComponent(Component::Credential)),
            (format!("AWS4-HMAC-SHA256 SignedHeaders={sh}, Signature={SIG}"), Refusal::MissingComponent(Component::Credential)),
            (format!("AWS4-HMAC-SHA256 Credential={cred}, Signature={SIG}"), Refusal::MissingComponent(Component::SignedHeaders)),
            (format!("AWS4-HMAC-SHA256 Credential={cred}, SignedHeaders={sh}"), Refusal::MissingComponent(Component::Signature)),
            (format!("AWS4-HMAC-SHA256 Credential={cred}, Credential={cred}, SignedHeaders={sh}, Signature={SIG}"), Refusal::DuplicateComponent(Component::Credential)),
            (format!("AWS4-HMAC-SHA256 Credential={cred}, SignedHeaders={sh}, SignedHeaders={sh}, Signature={SIG}"), Refusal::DuplicateComponent(Component::SignedHeaders)),
            (format!("AWS4-HMAC-SHA256 Credential={cred}, SignedHeaders={sh}, Signature={SIG}, Signature={SIG}"), Refusal::DuplicateComponent(Component::Signature)),
            (format!("AWS4-HMAC-SHA256 Credential={cred}, SignedHeaders={sh}, Signature={SIG},"), Refusal::MalformedAuthorization),
            (format!("AWS4-HMAC-SHA256 Credential={cred},, SignedHeaders={sh}, Signature={SIG}"), Refusal::MalformedAuthorization),
            (format!("AWS4-HMAC-SHA256 Credential {cred}, SignedHeaders={sh}, Signature={SIG}"), Refusal::MalformedAuthorization),
            (format!("AWS4-HMAC-SHA256 credential={cred}, SignedHeaders={sh}, Signature={SIG}"), Refusal::MalformedAuthorization),
            (format!("AWS4-HMAC-SHA256 Credential={cred}, SignedHeaders={sh}, Signature={SIG}, Extra=1"), Refusal::MalformedAuthorization),
            (header("AKID/20261126/us-east-1/ssm", sh, SIG), Refusal::MalformedCredential),
            (header("AKID/20261126/us-east-1/ssm/aws4_request/x", sh, SIG), Refusal::MalformedCredential),
            (header("/20261126/us-east-1/ssm/aws4_request", sh, SIG), Refusal::MalformedCredential),
            (header(" AKID/20261126/us-east-1/ssm/aws4_request", sh, SIG), Refusal::MalformedCredential),
            (header("AKID/2026112/us-east-1/ssm/aws4_request", sh, SIG), Refusal::MalformedCredential),
            (header("AKID/20261131/us-east-1/ssm/aws4_request", sh, SIG), Refusal::MalformedCredential),
            (header("AKID/2026-11-26/us-east-1/ssm/aws4_request", sh, SIG), Refusal::MalformedCredential),
            (header(cred, "", SIG), Refusal::SignedHeadersNotCanonical(SignedHeadersDefect::Empty)),
            (header(cred, "host;;x-amz-date", SIG), Refusal::SignedHeadersNotCanonical(SignedHeadersDefect::Empty)),
            (header(cred, "host;x-amz-date;", SIG), Refusal::SignedHeadersNotCanonical(SignedHeadersDefect::Empty)),
            (header(cred, "host;x amz", SIG), Refusal::SignedHeadersNotCanonical(SignedHeadersDefect::InvalidName)),
            (header(cred, "Host;x-amz-date", SIG), Refusal::SignedHeadersNotCanonical(SignedHeadersDefect::NotLowercase)),
            (header(cred, "x-amz-date;host", SIG), Refusal::SignedHeadersNotCanonical(SignedHeadersDefect::Unsorted)),
            (header(cred, "host;host;x-amz-date", SIG), Refusal::SignedHeadersNotCanonical(SignedHeadersDefect::Duplicate)),
            (header(cred, sh, &SIG[..63]), Refusal::MalformedSignature),
            (header(cred, sh, &format!("{SIG}0")), Refusal::MalformedSignature),
            (header(cred, sh, &SIG.to_ascii_uppercase()), Refusal::MalformedSignature),
            (header(cred, sh, &SIG.replace('a', "g")), Refusal::MalformedSignature),
            (header(cred, sh, ""), Refusal::MalformedSignature),
        ];
        for (value, expected) in cases {
            assert_eq!(
                Authorization::parse(value).as_ref(),
                Err(expected),
                "{value:?}"
            );
        }
    }

    #[test]
    fn never_panics_on_odd_bytes() {
        for value in [
            "\u{0}",
            "AWS4-HMAC-SHA256 \u{e9}=\u{e9}",
            "AWS4-HMAC-SHA256 Signature=\u{e9}\u{e9}",
            "AWS4-HMAC-SHA256 ======",
            "AWS4-HMAC-SHA256 Credential=////",
            "AWS4-HMAC-SHA256 Credential=a/2026\u{e9}26/r/s/t, SignedHeaders=host, Signature=00",
        ] {
            let _ = Authorization::parse(value);
        }
    }
}

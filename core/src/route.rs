//! The ssm-edge gateway's one extension to the SSM protocol: two request headers that
//! say where a call goes when one gateway serves several regions and accounts.
//!
//! - [`ACCOUNT_HEADER`] names an account by the alias the gateway was configured with
//!   (`X-Ssm-Edge-Account: staging`); without it the call goes to the gateway's own
//!   account, [`HOME_ACCOUNT`]. A SigV4 caller signs it (the gateway refuses it
//!   unsigned).
//! - [`REGION_HEADER`] names the region for callers that sign nothing (bearer tokens);
//!   a SigV4 caller's region is the one it signs for.
//!
//! [`crate::client::Client::with_account`] and
//! [`crate::client::Client::with_region_header`] add them; the gateway reads them.

/// The header that picks the account (an alias, or [`HOME_ACCOUNT`]).
pub const ACCOUNT_HEADER: &str = "X-Ssm-Edge-Account";

/// The header that picks the region, for callers that sign nothing.
pub const REGION_HEADER: &str = "X-Ssm-Edge-Region";

/// The account of the gateway's own credentials.
pub const HOME_ACCOUNT: &str = "default";

/// Whether `alias` can name an account: 1 to 63 lowercase ASCII letters, digits and
/// hyphens, not starting with a hyphen.
#[must_use]
pub fn is_account_alias(alias: &str) -> bool {
    (1..=63).contains(&alias.len())
        && alias
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !alias.starts_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases() {
        for ok in ["staging", "prod-eu", "a", "0", &"x".repeat(63)] {
            assert!(is_account_alias(ok), "{ok}");
        }
        for bad in [
            "",
            "-prod",
            "Prod",
            "prod eu",
            "prod_eu",
            "prød",
            &"x".repeat(64),
        ] {
            assert!(!is_account_alias(bad), "{bad}");
        }
    }
}

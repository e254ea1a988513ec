//! AWS credentials and secret values: redacted `Debug`, zeroed on drop.

use alloc::string::String;
use core::fmt;
use zeroize::Zeroize;

/// What `Debug` prints instead of a secret.
const REDACTED: &str = "** redacted **";

/// Prints [`REDACTED`] unquoted.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// AWS credentials used to sign a request.
///
/// `Debug` prints the access key id only; the secret access key and the session token
/// are never printed. Both are overwritten with zeros when the value is dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Access key id, e.g. `AKIDEXAMPLE` (not secret; it appears in `Authorization`).
    pub access_key_id: String,
    /// Secret access key. Never leaves this crate except through the caller.
    pub secret_access_key: String,
    /// Session token of temporary (STS) credentials; sent as `X-Amz-Security-Token`.
    pub session_token: Option<String>,
}

impl Credentials {
    /// Credentials from their parts.
    #[must_use]
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token,
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &Redacted)
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| Redacted),
            )
            .finish()
    }
}

impl Drop for Credentials {
    fn drop(&mut self) {
        self.secret_access_key.zeroize();
        if let Some(token) = self.session_token.as_mut() {
            token.zeroize();
        }
    }
}

/// A secret access key handed to [`crate::verify`] by a
/// [`SecretLookup`](crate::verify::SecretLookup). `Debug` is redacted and the bytes are
/// overwritten with zeros on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretAccessKey(String);

impl SecretAccessKey {
    /// Wraps a secret access key.
    #[must_use]
    pub fn new(secret: impl Into<String>) -> Self {
        SecretAccessKey(secret.into())
    }

    /// The secret itself. Do not log it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for SecretAccessKey {
    fn from(secret: String) -> Self {
        SecretAccessKey(secret)
    }
}

impl From<&str> for SecretAccessKey {
    fn from(secret: &str) -> Self {
        SecretAccessKey(String::from(secret))
    }
}

impl fmt::Debug for SecretAccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretAccessKey({REDACTED})")
    }
}

impl Drop for SecretAccessKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn debug_never_prints_secret_or_token() {
        let creds = Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            Some(String::from("SESSIONTOKENVALUE")),
        );
        for text in [format!("{creds:?}"), format!("{creds:#?}")] {
            assert!(text.contains("AKIDEXAMPLE"), "{text}");
            assert!(!text.contains("wJalr"), "{text}");
            assert!(!text.contains("EXAMPLEKEY"), "{text}");
            assert!(!text.contains("SESSIONTOKEN"), "{text}");
            assert!(text.contains("redacted"), "{text}");
        }
        let no_token = Credentials::new("AKID", "secret", None);
        assert_eq!(
            format!("{no_token:?}"),
            "Credentials { access_key_id: \"AKID\", secret_access_key: ** redacted **, session_token: None }"
        );
        let secret = SecretAccessKey::new("wJalrXUtnFEMI");
        assert_eq!(format!("{secret:?}"), "SecretAccessKey(** redacted **)");
        assert_eq!(secret.expose(), "wJalrXUtnFEMI");
    }
}

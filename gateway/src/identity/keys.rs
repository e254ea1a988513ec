//! Gateway-issued access keys: access key id → secret, principal and groups. Loaded
//! from the `GATEWAY_KEYS` secret (JSON); callers sign with them exactly as with AWS
//! keys, and the core verifies.

use serde::Deserialize;
use ssm_edge_core::sign::SecretAccessKey;
use ssm_edge_core::verify::SecretLookup;

/// One gateway-issued key.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GatewayKey {
    /// The access key id callers put in their credential scope.
    pub access_key_id: String,
    /// The secret; never printed.
    pub secret_access_key: String,
    /// The principal the key stands for.
    pub principal: String,
    /// The principal's groups.
    #[serde(default)]
    pub groups: Vec<String>,
}

impl std::fmt::Debug for GatewayKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayKey")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("principal", &self.principal)
            .field("groups", &self.groups)
            .finish()
    }
}

/// The gateway's key store.
#[derive(Clone, Debug, Default)]
pub struct GatewayKeys {
    keys: Vec<GatewayKey>,
}

/// Why `GATEWAY_KEYS` was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeysError {
    /// Not the expected JSON.
    #[error("GATEWAY_KEYS must be a JSON array of {{accessKeyId, secretAccessKey, principal, groups}}: {0}")]
    Json(String),
    /// An access key id appears twice.
    #[error("GATEWAY_KEYS: access key id {0:?} appears twice")]
    Duplicate(String),
    /// A principal starts with the prefix of principals from bearer tokens.
    #[error("GATEWAY_KEYS[{index}].principal: {principal:?} starts with JWT_PRINCIPAL_PREFIX {prefix:?}, which marks principals from bearer tokens (rename the principal, or set another prefix)")]
    TokenPrefix {
        /// Position in the array.
        index: usize,
        /// The principal.
        principal: String,
        /// The prefix.
        prefix: String,
    },
    /// A field is empty or malformed.
    #[error("GATEWAY_KEYS[{index}].{field}: {rule}")]
    Field {
        /// Position in the array.
        index: usize,
        /// The field.
        field: &'static str,
        /// The broken rule.
        rule: &'static str,
    },
}

impl GatewayKeys {
    /// Parses the `GATEWAY_KEYS` JSON.
    ///
    /// # Errors
    /// [`KeysError`] naming the entry, the field and the rule. The message never
    /// contains a secret.
    pub fn from_json(json: &str) -> Result<Self, KeysError> {
        let keys: Vec<GatewayKey> = serde_json::from_str(json).map_err(|e| {
            // serde's message can quote a value; keep only its position.
            KeysError::Json(format!(
                "invalid at line {} column {}",
                e.line(),
                e.column()
            ))
        })?;
        for (index, key) in keys.iter().enumerate() {
            let field = |field, rule| KeysError::Field { index, field, rule };
            if key.access_key_id.len() < 16
                || !key.access_key_id.bytes().all(|b| b.is_ascii_alphanumeric())
            {
                return Err(field("accessKeyId", "16 or more ASCII letters and digits"));
            }
            if key.secret_access_key.len() < 32 {
                return Err(field("secretAccessKey", "32 or more characters"));
            }
            if key.principal.is_empty() {
                return Err(field("principal", "must not be empty"));
            }
            if key.groups.iter().any(String::is_empty) {
                return Err(field("groups", "group names must not be empty"));
            }
            if keys[..index]
                .iter()
                .any(|k| k.access_key_id == key.access_key_id)
            {
                return Err(KeysError::Duplicate(key.access_key_id.clone()));
            }
        }
        Ok(GatewayKeys { keys })
    }

    /// Checks that no principal starts with `prefix`, the prefix of principals from
    /// bearer tokens (an empty prefix reserves nothing).
    ///
    /// # Errors
    /// [`KeysError::TokenPrefix`] naming the first such entry.
    pub fn check_token_prefix(&self, prefix: &str) -> Result<(), KeysError> {
        if prefix.is_empty() {
            return Ok(());
        }
        match self
            .keys
            .iter()
            .position(|k| k.principal.starts_with(prefix))
        {
            None => Ok(()),
            Some(index) => Err(KeysError::TokenPrefix {
                index,
                principal: self.keys[index].principal.clone(),
                prefix: prefix.to_owned(),
            }),
        }
    }

    /// Number of keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// The keys, in configuration order (a key's `Debug` redacts its secret).
    pub fn iter(&self) -> impl Iterator<Item = &GatewayKey> {
        self.keys.iter()
    }

    /// Whether no key is configured (SigV4 callers are then all refused).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

impl SecretLookup for GatewayKeys {
    type Principal = (String, Vec<String>);

    fn secret_for(&self, access_key_id: &str) -> Option<(SecretAccessKey, Self::Principal)> {
        self.keys
            .iter()
            .find(|k| k.access_key_id == access_key_id)
            .map(|k| {
                (
                    SecretAccessKey::new(k.secret_access_key.clone()),
                    (k.principal.clone(), k.groups.clone()),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "0123456789abcdef0123456789abcdef-secret";

    #[test]
    fn parses_and_looks_up() {
        let json = format!(
            r#"[{{"accessKeyId":"GWKEYALICE000001","secretAccessKey":"{SECRET}","principal":"alice","groups":["on-call"]}}]"#
        );
        let keys = GatewayKeys::from_json(&json).unwrap();
        let (secret, (principal, groups)) = keys.secret_for("GWKEYALICE000001").unwrap();
        assert_eq!(secret.expose(), SECRET);
        assert_eq!(
            (principal.as_str(), groups),
            ("alice", vec!["on-call".to_owned()])
        );
        assert!(keys.secret_for("GWKEYBOB00000001").is_none());
        assert!(!format!("{keys:?}").contains(SECRET));
    }

    #[test]
    fn refusals_name_the_field_and_never_the_secret() {
        let short = r#"[{"accessKeyId":"GWKEYALICE000001","secretAccessKey":"short-secret","principal":"alice"}]"#;
        let e = GatewayKeys::from_json(short).unwrap_err();
        assert_eq!(
            e.to_string(),
            "GATEWAY_KEYS[0].secretAccessKey: 32 or more characters"
        );
        let dup = format!(
            r#"[{{"accessKeyId":"GWKEYALICE000001","secretAccessKey":"{SECRET}","principal":"a"}},{{"accessKeyId":"GWKEYALICE000001","secretAccessKey":"{SECRET}","principal":"b"}}]"#
        );
        assert_eq!(
            GatewayKeys::from_json(&dup).unwrap_err(),
            KeysError::Duplicate("GWKEYALICE000001".into())
        );
        let typo = format!(
            r#"[{{"accessKeyId":"GWKEYALICE000001","secret":"{SECRET}","principal":"a"}}]"#
        );
        let e = GatewayKeys::from_json(&typo).unwrap_err().to_string();
        assert!(e.starts_with("GATEWAY_KEYS must be"), "{e}");
        assert!(!e.contains(SECRET), "{e}");
    }

    #[test]
    fn a_principal_may_not_look_like_one_from_a_token() {
        let json = format!(
            r#"[{{"accessKeyId":"GWKEYALICE000001","secretAccessKey":"{SECRET}","principal":"alice"}},{{"accessKeyId":"GWKEYROOT0000001","secretAccessKey":"{SECRET}","principal":"jwt:root"}}]"#
        );
        let keys = GatewayKeys::from_json(&json).unwrap();
        let e = keys.check_token_prefix("jwt:").unwrap_err();
        assert_eq!(
            e,
            KeysError::TokenPrefix {
                index: 1,
                principal: "jwt:root".into(),
                prefix: "jwt:".into()
            }
        );
        assert!(e.to_string().starts_with(
            r#"GATEWAY_KEYS[1].principal: "jwt:root" starts with JWT_PRINCIPAL_PREFIX "jwt:""#
        ));
        assert!(!e.to_string().contains(SECRET));
        assert_eq!(keys.check_token_prefix("sso/"), Ok(()));
        assert_eq!(keys.check_token_prefix(""), Ok(()));
    }
}

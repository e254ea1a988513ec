//! SigV4 signing-key derivation and a small caller-owned cache of derived keys.
//!
//! `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`
//! costs four HMACs (~16 SHA-256 blocks); a signing key is valid for one
//! (secret, day, region, service), so like aws4fetch we keep the last few.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use hmac::{Hmac, Mac};
use sha2::digest::generic_array::GenericArray;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// A keyed HMAC-SHA256 instance. HMAC takes keys of any length, so this cannot fail.
pub(crate) fn hmac(key: &[u8]) -> HmacSha256 {
    <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC accepts keys of any length")
}

/// HMAC-SHA256 of `data` under `key` (RFC 2104), on [`sha256_from`].
fn hmac_once(key: &[u8], data: &[u8]) -> [u8; 32] {
    let (inner, outer) = keyed_states(key);
    hmac_from(&inner, &outer, data)
}

/// HMAC from its keyed inner and outer states.
fn hmac_from(inner: &[u32; 8], outer: &[u32; 8], data: &[u8]) -> [u8; 32] {
    let inner = Zeroizing::new(sha256_from(*inner, 64, data));
    sha256_from(*outer, 64, &*inner)
}

/// SHA-256's initial state (FIPS 180-4, 5.3.3).
const SHA256_H0: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

fn compress(state: &mut [u32; 8], block: &[u8]) {
    sha2::compress256(
        state,
        core::slice::from_ref(GenericArray::from_slice(block)),
    );
}

/// SHA-256 of `data`, continued from `state` after `prefix` bytes (whole blocks) were
/// hashed. On `sha2`'s compression function, in one call and without `digest`'s
/// buffering: signing hashes whole byte strings only.
fn sha256_from(mut state: [u32; 8], prefix: u64, data: &[u8]) -> [u8; 32] {
    // Index loops rather than `chunks_exact` and `zip`, which opt-level z leaves as
    // iterator calls in the wasm.
    let whole = data.len() - data.len() % 64;
    let mut at = 0;
    while at < whole {
        compress(&mut state, &data[at..at + 64]);
        at += 64;
    }
    let rest = &data[whole..];
    let mut tail = [0u8; 128];
    tail[..rest.len()].copy_from_slice(rest);
    tail[rest.len()] = 0x80;
    let end = if rest.len() < 56 { 64 } else { 128 };
    let bits = (prefix + data.len() as u64) * 8;
    tail[end - 8..end].copy_from_slice(&bits.to_be_bytes());
    compress(&mut state, &tail[..64]);
    if end == 128 {
        compress(&mut state, &tail[64..]);
    }
    let mut out = [0u8; 32];
    for i in 0..8 {
        out[4 * i..4 * i + 4].copy_from_slice(&state[i].to_be_bytes());
    }
    out
}

/// SHA-256 of `data` (see [`sha256_from`]).
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    sha256_from(SHA256_H0, 0, data)
}

/// HMAC's inner and outer SHA-256 states after the key block: computed once per key,
/// they spare each MAC under a kept key two blocks.
fn keyed_states(key: &[u8]) -> ([u32; 8], [u32; 8]) {
    // The key as one zero-padded block (hashed first when longer than a block), so that
    // each pad is a fixed 64-byte loop: smaller in the wasm than zipping a slice.
    let mut block = Zeroizing::new([0u8; 64]);
    if key.len() > 64 {
        let hashed = Zeroizing::new(sha256(key));
        block[..32].copy_from_slice(&*hashed);
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    (keyed_state(&block, 0x36), keyed_state(&block, 0x5c))
}

/// SHA-256's state after the key block `key` XORed with `pad`.
fn keyed_state(key: &[u8; 64], pad: u8) -> [u32; 8] {
    let mut block = Zeroizing::new([0u8; 64]);
    for i in 0..64 {
        block[i] = key[i] ^ pad;
    }
    let mut state = SHA256_H0;
    compress(&mut state, &*block);
    state
}

/// A derived SigV4 signing key (`kSigning`) and its HMAC inner and outer states. Zeroed
/// on drop; `Debug` is redacted.
#[derive(Clone)]
pub(crate) struct SigningKey {
    key: [u8; 32],
    inner: [u32; 8],
    outer: [u32; 8],
}

impl SigningKey {
    /// Derives `kSigning` for a secret, a `YYYYMMDD` date stamp, a region and a service.
    pub(crate) fn derive(secret: &str, date_stamp: &str, region: &str, service: &str) -> Self {
        let mut k_secret = Zeroizing::new(Vec::with_capacity(4 + secret.len()));
        k_secret.extend_from_slice(b"AWS4");
        k_secret.extend_from_slice(secret.as_bytes());
        let mut k = Zeroizing::new(hmac_once(&k_secret, date_stamp.as_bytes()));
        *k = hmac_once(&*k, region.as_bytes());
        *k = hmac_once(&*k, service.as_bytes());
        let key = hmac_once(&*k, b"aws4_request");
        let (inner, outer) = keyed_states(&key);
        SigningKey { key, inner, outer }
    }

    /// A fresh HMAC keyed with this signing key.
    pub(crate) fn mac(&self) -> HmacSha256 {
        hmac(&self.key)
    }

    /// HMAC-SHA256 of `message` with this key, from the states kept with it: the two
    /// key blocks of every HMAC are not hashed again for each signature.
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 32] {
        hmac_from(&self.inner, &self.outer, message)
    }
}

impl Drop for SigningKey {
    fn drop(&mut self) {
        self.key.zeroize();
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(** redacted **)")
    }
}

/// Domain separation for the secret fingerprint kept by the cache. Short on purpose:
/// with a 40-character AWS secret it keeps the fingerprint, computed at every lookup,
/// to one SHA-256 block (55 bytes at most) instead of two.
const FINGERPRINT_CONTEXT: &[u8] = b"ssm-edge kc v2\0";

/// SHA-256 over a context string and the secret: identifies the secret in the cache
/// without keeping the secret itself.
fn fingerprint(secret: &str) -> [u8; 32] {
    let mut input = Zeroizing::new(Vec::with_capacity(FINGERPRINT_CONTEXT.len() + secret.len()));
    input.extend_from_slice(FINGERPRINT_CONTEXT);
    input.extend_from_slice(secret.as_bytes());
    sha256(&input)
}

struct Entry {
    fingerprint: [u8; 32],
    date_stamp: [u8; 8],
    region: String,
    service: String,
    key: SigningKey,
}

impl Drop for Entry {
    fn drop(&mut self) {
        self.fingerprint.zeroize();
    }
}

/// A caller-owned cache of derived SigV4 signing keys, keyed by (secret, day, region,
/// service). Pass it to [`sign`](crate::sign::sign) or [`verify`](crate::verify::verify)
/// to skip the four-HMAC key derivation on every request; keys roll over naturally
/// when the day changes.
///
/// The cache never stores the secret access key: it keeps a SHA-256 fingerprint of it
/// (with a fixed context prefix) and the derived key, both zeroed on drop. `Debug`
/// shows only the scopes it holds. It holds at most `capacity` entries (1 by default,
/// enough for a client with one identity; a gateway verifying several keys may want a
/// few) and replaces the oldest entry when full.
pub struct SigningKeyCache {
    entries: Vec<Entry>,
    capacity: usize,
    next_victim: usize,
}

impl SigningKeyCache {
    /// An empty cache holding one signing key.
    #[must_use]
    pub const fn new() -> Self {
        Self::with_capacity(1)
    }

    /// An empty cache holding up to `capacity` signing keys (at least 1).
    #[must_use]
    pub const fn with_capacity(capacity: usize) -> Self {
        SigningKeyCache {
            entries: Vec::new(),
            capacity: if capacity == 0 { 1 } else { capacity },
            next_victim: 0,
        }
    }

    /// Number of signing keys held.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// `true` when no key is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Maximum number of keys held.
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Drops (and zeroes) every held key, e.g. after a credential rotation.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.next_victim = 0;
    }

    /// The signing key for this scope, derived and stored on a miss.
    pub(crate) fn get_or_derive(
        &mut self,
        secret: &str,
        date_stamp: &str,
        region: &str,
        service: &str,
    ) -> &SigningKey {
        let fp = fingerprint(secret);
        let found = self.entries.iter().position(|e| {
            e.date_stamp.as_slice() == date_stamp.as_bytes()
                && e.region == region
                && e.service == service
                && bool::from(e.fingerprint.ct_eq(&fp))
        });
        let index = match found {
            Some(i) => i,
            None => {
                let mut date = [0u8; 8];
                if date_stamp.len() == 8 {
                    date.copy_from_slice(date_stamp.as_bytes());
                }
                let entry = Entry {
                    fingerprint: fp,
                    date_stamp: date,
                    region: String::from(region),
                    service: String::from(service),
                    key: SigningKey::derive(secret, date_stamp, region, service),
                };
                if self.entries.len() < self.capacity {
                    self.entries.push(entry);
                    self.entries.len() - 1
                } else {
                    let i = self.next_victim % self.entries.len();
                    self.entries[i] = entry;
                    self.next_victim = (i + 1) % self.capacity;
                    i
                }
            }
        };
        &self.entries[index].key
    }
}

impl Default for SigningKeyCache {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Scope<'a>(&'a Entry);
        impl fmt::Debug for Scope<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let date = core::str::from_utf8(&self.0.date_stamp).unwrap_or("?");
                write!(f, "{}/{}/{}", date, self.0.region, self.0.service)
            }
        }
        f.debug_struct("SigningKeyCache")
            .field("capacity", &self.capacity)
            .field(
                "scopes",
                &self.entries.iter().map(Scope).collect::<Vec<_>>(),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use sha2::Digest;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn sha256_and_keyed_hmac_agree_with_sha2_and_hmac() {
        let key = SigningKey::derive("secret", "20261126", "us-east-1", "ssm");
        // Every padding case: empty, up to 55 (one tail block), 56-63 (two), whole blocks.
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        for len in 0..data.len() {
            let m = &data[..len];
            assert_eq!(
                sha256(m),
                <[u8; 32]>::from(Sha256::digest(m)),
                "sha256 {len}"
            );
            let mut mac = hmac(&key.key);
            mac.update(m);
            let expected: [u8; 32] = mac.finalize().into_bytes().into();
            assert_eq!(key.sign(m), expected, "keyed hmac {len}");
            // Keys up to a block are padded, longer ones hashed first.
            let mut mac = hmac(m);
            mac.update(b"data");
            let expected: [u8; 32] = mac.finalize().into_bytes().into();
            assert_eq!(hmac_once(m, b"data"), expected, "hmac, key of {len} bytes");
        }
    }

    #[test]
    fn derives_the_documented_key() {
        // AWS's "Examples of how to derive a signing key for Signature Version 4":
        // secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20120215, us-east-1, iam.
        let k = SigningKey::derive(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20120215",
            "us-east-1",
            "iam",
        );
        assert_eq!(
            hex(&k.key),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
        assert_eq!(format!("{k:?}"), "SigningKey(** redacted **)");
    }

    #[test]
    fn cache_hits_misses_and_rollover() {
        let mut cache = SigningKeyCache::new();
        assert!(cache.is_empty());
        let a = cache
            .get_or_derive("secret-a", "20261126", "us-east-1", "ssm")
            .key;
        assert_eq!(cache.len(), 1);
        assert_eq!(
            cache
                .get_or_derive("secret-a", "20261126", "us-east-1", "ssm")
                .key,
            a
        );
        // Each part of the scope is part of the key.
        for (secret, date, region, service) in [
            ("secret-b", "20261126", "us-east-1", "ssm"),
            ("secret-a", "20261127", "us-east-1", "ssm"),
            ("secret-a", "20261126", "eu-west-1", "ssm"),
            ("secret-a", "20261126", "us-east-1", "sts"),
        ] {
            let k = cache.get_or_derive(secret, date, region, service).key;
            assert_ne!(k, a);
            assert_eq!(k, SigningKey::derive(secret, date, region, service).key);
            assert_eq!(cache.len(), 1);
        }
        let mut big = SigningKeyCache::with_capacity(2);
        let _ = big.get_or_derive("s1", "20261126", "r", "ssm");
        let _ = big.get_or_derive("s2", "20261126", "r", "ssm");
        let _ = big.get_or_derive("s1", "20261126", "r", "ssm");
        assert_eq!(big.len(), 2);
        let _ = big.get_or_derive("s3", "20261126", "r", "ssm");
        assert_eq!(big.len(), 2);
        assert_eq!(big.capacity(), 2);
        big.clear();
        assert!(big.is_empty());
        assert_eq!(SigningKeyCache::with_capacity(0).capacity(), 1);
    }

    #[test]
    fn cache_debug_shows_scopes_only() {
        let mut cache = SigningKeyCache::default();
        let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        let key = hex(&cache
            .get_or_derive(secret, "20261126", "us-east-1", "ssm")
            .key);
        let text = format!("{cache:?}");
        assert_eq!(
            text,
            "SigningKeyCache { capacity: 1, scopes: [20261126/us-east-1/ssm] }"
        );
        assert!(!text.contains("wJalr") && !text.contains(&key[..16]));
    }
}

//! Per-principal admission: a token bucket (rate limit) and a replay window for SigV4
//! signatures. Pure state transitions ([`admit_step`]); the Worker keeps the state in one
//! Durable Object per principal, so every isolate everywhere sees the same bucket: the
//! bucket as one small value, each recorded signature under its own key
//! ([`ReplayKey::storage_key`]), so an admission reads and writes a constant amount
//! whatever the principal's rate. And the request body's size limit, enforced while the
//! body is read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::MAX_BODY_BYTES;

/// A per-principal rate limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    /// Sustained requests per minute.
    pub per_minute: u32,
    /// Requests allowed at once (bucket size).
    pub burst: u32,
}

/// A token bucket's state.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TokenBucket {
    /// Tokens available at `updated_ms`.
    pub tokens: f64,
    /// When `tokens` was computed (unix milliseconds).
    pub updated_ms: u64,
}

impl TokenBucket {
    /// A full bucket at `now_ms`.
    #[must_use]
    pub fn full(limit: RateLimit, now_ms: u64) -> Self {
        TokenBucket {
            tokens: f64::from(limit.burst),
            updated_ms: now_ms,
        }
    }

    /// Takes one token at `now_ms`.
    ///
    /// # Errors
    /// When the bucket is empty: the milliseconds until a token is available.
    pub fn take(&mut self, limit: RateLimit, now_ms: u64) -> Result<(), u64> {
        let per_ms = f64::from(limit.per_minute) / 60_000.0;
        let elapsed = now_ms.saturating_sub(self.updated_ms) as f64;
        self.tokens = (self.tokens + elapsed * per_ms).min(f64::from(limit.burst));
        self.updated_ms = self.updated_ms.max(now_ms);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - self.tokens) / per_ms).ceil() as u64)
        }
    }
}

/// One SigV4 signature, as the replay window knows it: the access key, the signing
/// time and the signature's 32 bytes, parsed by the core's verifier. Two spellings of
/// one `Authorization` header (components reordered, other spacing) are one key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplayKey {
    /// The access key id that signed.
    pub access_key_id: String,
    /// The signing time (`X-Amz-Date`), unix seconds.
    pub signed_at: u64,
    /// The signature bytes, as 64 lowercase hex digits.
    pub signature: String,
}

impl ReplayKey {
    /// Where the Worker's Durable Object stores this signature's window end.
    #[must_use]
    pub fn storage_key(&self) -> String {
        format!(
            "{REPLAY_KEY_PREFIX}{}:{}:{}",
            self.access_key_id, self.signed_at, self.signature
        )
    }

    /// The key from what the verifier parsed.
    #[must_use]
    pub fn new(access_key_id: &str, signed_at: u64, signature: &[u8; 32]) -> Self {
        ReplayKey {
            access_key_id: access_key_id.to_owned(),
            signed_at,
            signature: crate::hex::encode(signature),
        }
    }
}

/// What the principal's admission check is asked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdmitRequest {
    /// The gateway's time.
    pub now_ms: u64,
    /// The rate limit to apply; `None` when off.
    pub rate_limit: Option<RateLimit>,
    /// A SigV4 signature to record; a second use within its window is a replay.
    pub replay_key: Option<ReplayKey>,
    /// Until when the signature could be accepted again (signing time + skew).
    pub replay_until_ms: u64,
}

/// What the principal's Durable Object is asked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "op")]
pub enum GateCommand {
    /// Admit a request (answered with an [`Admission`]).
    Admit(AdmitRequest),
    /// Forget a recorded signature (answered `Admitted`).
    #[serde(rename_all = "camelCase")]
    Forget {
        /// The replay key to forget.
        replay_key: ReplayKey,
    },
}

/// The answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "verdict")]
pub enum Admission {
    /// Go ahead.
    Admitted,
    /// Over the rate limit.
    Throttled {
        /// When to retry.
        retry_after_ms: u64,
    },
    /// The signature was seen before.
    Replayed,
}

/// The prefix of every recorded signature's storage key in the principal's Durable
/// Object (the rest is the key's parts; never parsed back).
pub const REPLAY_KEY_PREFIX: &str = "replay:";

/// The SigV4 signatures a principal used recently, each with the time until which it
/// could be accepted again (its signing time plus the allowed skew): the in-memory form
/// of what the Durable Object stores under [`ReplayKey::storage_key`]s.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplayLog {
    until_ms: BTreeMap<ReplayKey, u64>,
}

impl ReplayLog {
    /// Whether `key` was recorded and its window is still open at `now_ms`.
    #[must_use]
    pub fn seen(&self, key: &ReplayKey, now_ms: u64) -> bool {
        self.until_ms.get(key).is_some_and(|until| *until >= now_ms)
    }

    /// Drops every entry whose window ended before `now_ms`.
    pub fn drop_expired(&mut self, now_ms: u64) {
        self.until_ms.retain(|_, until| *until >= now_ms);
    }

    /// Remembers `key` until `until_ms` (the later time, if it was already there).
    pub fn record(&mut self, key: ReplayKey, until_ms: u64) {
        let until = self.until_ms.entry(key).or_insert(until_ms);
        *until = (*until).max(until_ms);
    }

    /// Forgets `key` (a request that failed upstream may be retried with it).
    pub fn forget(&mut self, key: &ReplayKey) {
        self.until_ms.remove(key);
    }

    /// How many signatures are remembered.
    #[must_use]
    pub fn len(&self) -> usize {
        self.until_ms.len()
    }

    /// Whether none is.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.until_ms.is_empty()
    }
}

impl GateCommand {
    /// The signature the command concerns, if any.
    #[must_use]
    pub fn replay_key(&self) -> Option<&ReplayKey> {
        match self {
            GateCommand::Admit(request) => request.replay_key.as_ref(),
            GateCommand::Forget { replay_key } => Some(replay_key),
        }
    }
}

/// What one command needs of the principal's stored state.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GateRead {
    /// The rate limit's bucket; `None` until the first rate-limited request.
    pub bucket: Option<TokenBucket>,
    /// Until when the command's signature ([`GateCommand::replay_key`]) was recorded,
    /// if it was (expired or not).
    pub recorded_until_ms: Option<u64>,
}

/// What to store after one command.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GateWrite {
    /// The bucket's new state, when it changed.
    pub bucket: Option<TokenBucket>,
    /// Record the command's signature until then.
    pub record_until_ms: Option<u64>,
    /// Remove the command's signature.
    pub forget: bool,
}

/// Applies one command to what it read, and says what to store.
///
/// `Admit`: a signature recorded and still in its window is a replay, refused without
/// spending a token; then the rate limit; a signature is recorded only when the request
/// is admitted (a throttled request's retry by the SDK legitimately resends it).
/// `Forget`: the signature is removed, answered `Admitted`.
#[must_use]
pub fn admit_step(read: GateRead, command: &GateCommand) -> (Admission, GateWrite) {
    let request = match command {
        GateCommand::Admit(request) => request,
        GateCommand::Forget { .. } => {
            let forget = GateWrite {
                forget: true,
                ..GateWrite::default()
            };
            return (Admission::Admitted, forget);
        }
    };
    if request.replay_key.is_some()
        && read
            .recorded_until_ms
            .is_some_and(|until| until >= request.now_ms)
    {
        return (Admission::Replayed, GateWrite::default());
    }
    let mut write = GateWrite::default();
    if let Some(limit) = request.rate_limit {
        let mut bucket = read
            .bucket
            .unwrap_or_else(|| TokenBucket::full(limit, request.now_ms));
        let taken = bucket.take(limit, request.now_ms);
        write.bucket = Some(bucket);
        if let Err(retry_after_ms) = taken {
            return (Admission::Throttled { retry_after_ms }, write);
        }
    }
    if request.replay_key.is_some() {
        write.record_until_ms = Some(request.replay_until_ms);
    }
    (Admission::Admitted, write)
}

/// Everything one principal's admission knows, in memory: its token bucket and its
/// replay log. The in-memory test host keeps one per principal; the Worker's Durable
/// Object stores the same facts under separate keys. Both change them only through
/// [`admit_step`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GateState {
    /// The rate limit's bucket; `None` until the first rate-limited request.
    pub bucket: Option<TokenBucket>,
    /// The signatures used recently.
    pub replays: ReplayLog,
}

impl GateState {
    /// Applies one command ([`admit_step`]) and answers it. Expired signatures are
    /// dropped as it goes.
    pub fn apply(&mut self, command: &GateCommand) -> Admission {
        if let GateCommand::Admit(request) = command {
            self.replays.drop_expired(request.now_ms);
        }
        let key = command.replay_key();
        let read = GateRead {
            bucket: self.bucket,
            recorded_until_ms: key.and_then(|key| self.replays.until_ms.get(key).copied()),
        };
        let (admission, write) = admit_step(read, command);
        if let Some(bucket) = write.bucket {
            self.bucket = Some(bucket);
        }
        if let Some(key) = key {
            if let Some(until) = write.record_until_ms {
                self.replays.record(key.clone(), until);
            }
            if write.forget {
                self.replays.forget(key);
            }
        }
        admission
    }
}

/// Whether a declared `Content-Length` is over [`MAX_BODY_BYTES`]: such a body is
/// refused without reading it. An unreadable value declares nothing (the body is then
/// read up to the limit).
#[must_use]
pub fn declared_too_large(content_length: Option<&str>) -> bool {
    content_length
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|n| n > MAX_BODY_BYTES as u64)
}

/// Appends one chunk of a body being read. `false` once the body is over
/// [`MAX_BODY_BYTES`]: stop reading; `body` then holds one byte more than the limit,
/// which is all the size check (413) needs.
pub fn append_within_limit(body: &mut Vec<u8>, chunk: &[u8]) -> bool {
    let room = (MAX_BODY_BYTES + 1).saturating_sub(body.len());
    body.extend_from_slice(&chunk[..chunk.len().min(room)]);
    body.len() <= MAX_BODY_BYTES
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: RateLimit = RateLimit {
        per_minute: 60,
        burst: 3,
    };

    #[test]
    fn bucket_allows_burst_then_refills_at_rate() {
        let mut bucket = TokenBucket::full(LIMIT, 0);
        for _ in 0..3 {
            bucket.take(LIMIT, 0).unwrap();
        }
        assert_eq!(bucket.take(LIMIT, 0), Err(1000));
        assert_eq!(bucket.take(LIMIT, 400), Err(600));
        bucket.take(LIMIT, 1000).unwrap();
        // Never more than the burst, however long idle.
        bucket.take(LIMIT, 10_000_000).unwrap();
        assert!(bucket.tokens <= 2.0);
    }

    fn key(n: u8) -> ReplayKey {
        ReplayKey::new("GWKEYALICE000001", 1_000, &[n; 32])
    }

    fn admit(now_ms: u64, replay_key: Option<ReplayKey>, until_ms: u64) -> GateCommand {
        GateCommand::Admit(AdmitRequest {
            now_ms,
            rate_limit: Some(LIMIT),
            replay_key,
            replay_until_ms: until_ms,
        })
    }

    #[test]
    fn a_replay_is_refused_without_spending_a_token() {
        let mut state = GateState::default();
        assert_eq!(
            state.apply(&admit(0, Some(key(1)), 300_000)),
            Admission::Admitted
        );
        assert_eq!(state.bucket.unwrap().tokens, 2.0);
        assert_eq!(
            state.apply(&admit(10, Some(key(1)), 300_000)),
            Admission::Replayed
        );
        assert_eq!(
            state.bucket.unwrap().tokens,
            2.0,
            "no token spent on a replay"
        );
        // Another signature is a new request.
        assert_eq!(
            state.apply(&admit(10, Some(key(2)), 300_000)),
            Admission::Admitted
        );
    }

    #[test]
    fn a_throttled_request_does_not_record_its_signature() {
        let mut state = GateState::default();
        for n in 0..3 {
            assert_eq!(
                state.apply(&admit(0, Some(key(n)), 300_000)),
                Admission::Admitted
            );
        }
        assert_eq!(
            state.apply(&admit(0, Some(key(9)), 300_000)),
            Admission::Throttled {
                retry_after_ms: 1000
            }
        );
        assert_eq!(state.replays.len(), 3);
        // The SDK's retry of the throttled request, a second later, is not a replay.
        assert_eq!(
            state.apply(&admit(1000, Some(key(9)), 300_000)),
            Admission::Admitted
        );
    }

    #[test]
    fn forget_lets_the_same_signature_in_again() {
        let mut state = GateState::default();
        assert_eq!(
            state.apply(&admit(0, Some(key(1)), 300_000)),
            Admission::Admitted
        );
        assert_eq!(
            state.apply(&GateCommand::Forget { replay_key: key(1) }),
            Admission::Admitted
        );
        assert!(state.replays.is_empty());
        assert_eq!(
            state.apply(&admit(5, Some(key(1)), 300_000)),
            Admission::Admitted
        );
        // Forgetting what is not there is harmless.
        let mut empty = GateState::default();
        assert_eq!(
            empty.apply(&GateCommand::Forget { replay_key: key(7) }),
            Admission::Admitted
        );
    }

    #[test]
    fn the_log_drops_expired_entries_as_it_goes() {
        let mut state = GateState::default();
        state.replays.record(key(1), 100);
        state.replays.record(key(2), 200);
        assert!(
            state.replays.seen(&key(1), 100),
            "open until its until_ms, inclusive"
        );
        assert!(!state.replays.seen(&key(1), 101));
        // The next admission drops what expired.
        let next = |now_ms| {
            GateCommand::Admit(AdmitRequest {
                now_ms,
                rate_limit: None,
                replay_key: None,
                replay_until_ms: 0,
            })
        };
        state.apply(&next(101));
        assert_eq!(state.replays.len(), 1, "the expired entry is gone");
        assert!(state.replays.seen(&key(2), 150));
        // Recording again keeps the later window.
        state.replays.record(key(2), 50);
        assert!(state.replays.seen(&key(2), 200));
        state.replays.forget(&key(2));
        assert!(state.replays.is_empty());
    }

    #[test]
    fn a_step_reads_and_writes_one_signature_and_the_bucket() {
        // What the Durable Object does: read the bucket and the command's signature,
        // store what the step says.
        let fresh = GateRead::default();
        let (admission, write) = admit_step(fresh, &admit(0, Some(key(1)), 300_000));
        assert_eq!(admission, Admission::Admitted);
        assert_eq!(write.record_until_ms, Some(300_000));
        assert_eq!(write.bucket.unwrap().tokens, 2.0);
        assert!(!write.forget);
        let recorded = GateRead {
            bucket: write.bucket,
            recorded_until_ms: Some(300_000),
        };
        assert_eq!(
            admit_step(recorded, &admit(300_000, Some(key(1)), 600_000)),
            (Admission::Replayed, GateWrite::default()),
            "a replay writes nothing, not even the bucket"
        );
        // A record whose window ended (the sweep has not run yet) is not a replay.
        let (admission, write) = admit_step(recorded, &admit(300_001, Some(key(1)), 600_001));
        assert_eq!(admission, Admission::Admitted);
        assert_eq!(write.record_until_ms, Some(600_001));
        // Bearer tokens have no signature: nothing recorded.
        let (_, write) = admit_step(fresh, &admit(0, None, 0));
        assert_eq!(write.record_until_ms, None);
        let (admission, write) = admit_step(recorded, &GateCommand::Forget { replay_key: key(1) });
        assert_eq!(admission, Admission::Admitted);
        assert!(write.forget && write.bucket.is_none() && write.record_until_ms.is_none());
    }

    #[test]
    fn storage_keys_tell_every_signature_apart() {
        let one = ReplayKey::new("GWKEYALICE000001", 1_000, &[1; 32]);
        let keys = [
            one.storage_key(),
            ReplayKey::new("GWKEYALICE000002", 1_000, &[1; 32]).storage_key(),
            ReplayKey::new("GWKEYALICE000001", 1_001, &[1; 32]).storage_key(),
            ReplayKey::new("GWKEYALICE000001", 1_000, &[2; 32]).storage_key(),
        ];
        let distinct: std::collections::BTreeSet<_> = keys.iter().collect();
        assert_eq!(distinct.len(), keys.len());
        assert!(keys.iter().all(|k| k.starts_with(REPLAY_KEY_PREFIX)));
        assert_eq!(one.storage_key(), one.clone().storage_key());
    }

    #[test]
    fn a_body_is_read_until_it_is_over_the_limit() {
        let mut body = Vec::new();
        let chunk = vec![b'x'; 16 * 1024];
        for _ in 0..4 {
            assert!(append_within_limit(&mut body, &chunk));
        }
        assert_eq!(body.len(), MAX_BODY_BYTES, "exactly the limit is fine");
        assert!(!append_within_limit(&mut body, b"y"));
        assert_eq!(body.len(), MAX_BODY_BYTES + 1);
        // A huge chunk is not kept whole.
        let mut body = Vec::new();
        assert!(!append_within_limit(
            &mut body,
            &vec![0; 10 * MAX_BODY_BYTES]
        ));
        assert_eq!(body.len(), MAX_BODY_BYTES + 1);
    }

    #[test]
    fn a_declared_length_over_the_limit_is_refused_before_reading() {
        assert!(!declared_too_large(None));
        assert!(!declared_too_large(Some("65536")));
        assert!(declared_too_large(Some("65537")));
        assert!(declared_too_large(Some(" 99999999999 ")));
        // Unreadable: read up to the limit instead.
        assert!(!declared_too_large(Some("lots")));
        assert!(!declared_too_large(Some("99999999999999999999999")));
    }
}

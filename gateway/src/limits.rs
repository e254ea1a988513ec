//! Per-principal admission: a token bucket (rate limit) and a replay window for SigV4
//! signatures. Pure state transitions; the Worker keeps the state in one Durable Object
//! per principal, so every isolate everywhere sees the same bucket. And the request
//! body's size limit, enforced while the body is read.

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

/// How many signatures one principal's replay log holds at once. Past that, a new
/// signature is throttled until the oldest one's window ends: the log is stored as one
/// value (2 MB at most in a SQLite-backed Durable Object; an entry takes about 150
/// bytes), and a principal signing more than this within one skew window (10 minutes
/// with the default `MAX_SKEW_SECS`) is over any sensible rate anyway.
pub const REPLAY_LOG_CAPACITY: usize = 10_000;

/// The SigV4 signatures a principal used recently, each with the time until which it
/// could be accepted again (its signing time plus the allowed skew). Expired entries are
/// dropped as the log is asked, so it never needs a separate sweep.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplayLog {
    until_ms: BTreeMap<ReplayKey, u64>,
}

impl ReplayLog {
    /// Whether `key` was recorded and its window is still open at `now_ms`. Drops every
    /// entry whose window ended before `now_ms`.
    pub fn seen(&mut self, key: &ReplayKey, now_ms: u64) -> bool {
        self.until_ms.retain(|_, until| *until >= now_ms);
        self.until_ms.contains_key(key)
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

    /// When the first remembered window ends, if any.
    fn earliest_until_ms(&self) -> Option<u64> {
        self.until_ms.values().copied().min()
    }
}

/// Stored as a list of `[key, untilMs]` pairs (a JSON object's keys are strings).
impl Serialize for ReplayLog {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.until_ms.iter())
    }
}

impl<'de> Deserialize<'de> for ReplayLog {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let entries = Vec::<(ReplayKey, u64)>::deserialize(deserializer)?;
        Ok(ReplayLog {
            until_ms: entries.into_iter().collect(),
        })
    }
}

/// Everything one principal's admission knows: its token bucket and its replay log.
/// The Worker stores it as one value in the principal's Durable Object; the in-memory
/// test host keeps one per principal. Both change it only through [`GateState::apply`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GateState {
    /// The rate limit's bucket; `None` until the first rate-limited request.
    pub bucket: Option<TokenBucket>,
    /// The signatures used recently.
    pub replays: ReplayLog,
}

impl GateState {
    /// Applies one command and answers it.
    ///
    /// `Admit`: a replay is refused without spending a token; then the rate limit; a
    /// signature is recorded only when the request is admitted (a throttled request's
    /// retry by the SDK legitimately resends it). A full replay log throttles new
    /// signatures until its oldest window ends. `Forget`: the signature is removed,
    /// answered `Admitted`.
    pub fn apply(&mut self, command: &GateCommand) -> Admission {
        match command {
            GateCommand::Admit(request) => self.admit(request),
            GateCommand::Forget { replay_key } => {
                self.replays.forget(replay_key);
                Admission::Admitted
            }
        }
    }

    fn admit(&mut self, request: &AdmitRequest) -> Admission {
        if let Some(key) = &request.replay_key {
            if self.replays.seen(key, request.now_ms) {
                return Admission::Replayed;
            }
            if self.replays.len() >= REPLAY_LOG_CAPACITY {
                let ends = self.replays.earliest_until_ms().unwrap_or(request.now_ms);
                return Admission::Throttled {
                    retry_after_ms: ends.saturating_sub(request.now_ms) + 1,
                };
            }
        }
        if let Some(limit) = request.rate_limit {
            let bucket = self
                .bucket
                .get_or_insert_with(|| TokenBucket::full(limit, request.now_ms));
            if let Err(retry_after_ms) = bucket.take(limit, request.now_ms) {
                return Admission::Throttled { retry_after_ms };
            }
        }
        if let Some(key) = &request.replay_key {
            self.replays.record(key.clone(), request.replay_until_ms);
        }
        Admission::Admitted
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
        let mut log = ReplayLog::default();
        log.record(key(1), 100);
        log.record(key(2), 200);
        assert!(log.seen(&key(1), 100), "open until its until_ms, inclusive");
        assert!(!log.seen(&key(1), 101));
        assert_eq!(log.len(), 1, "the expired entry is gone");
        assert!(log.seen(&key(2), 150));
        assert!(!log.seen(&key(3), 150));
        // Recording again keeps the later window.
        log.record(key(2), 50);
        assert!(log.seen(&key(2), 200));
        log.forget(&key(2));
        assert!(log.is_empty());
    }

    #[test]
    fn a_full_log_throttles_new_signatures_until_the_oldest_window_ends() {
        let mut state = GateState::default();
        for n in 0..REPLAY_LOG_CAPACITY {
            let signed_at = n as u64;
            let key = ReplayKey::new("GWKEYALICE000001", signed_at, &[0; 32]);
            state.replays.record(key, 1_000 + signed_at);
        }
        let full = |state: &mut GateState, now_ms| {
            state.apply(&GateCommand::Admit(AdmitRequest {
                now_ms,
                rate_limit: None,
                replay_key: Some(key(1)),
                replay_until_ms: now_ms + 300_000,
            }))
        };
        assert_eq!(
            full(&mut state, 900),
            Admission::Throttled {
                retry_after_ms: 101
            }
        );
        // One window ended: room for one more.
        assert_eq!(full(&mut state, 1_001), Admission::Admitted);
        assert_eq!(state.replays.len(), REPLAY_LOG_CAPACITY);
        // Requests without a signature (bearer tokens) are not held back by it.
        assert_eq!(
            state.apply(&GateCommand::Admit(AdmitRequest {
                now_ms: 1_001,
                rate_limit: None,
                replay_key: None,
                replay_until_ms: 0,
            })),
            Admission::Admitted
        );
    }

    #[test]
    fn the_state_round_trips_as_one_json_value() {
        let mut state = GateState::default();
        state.apply(&admit(0, Some(key(1)), 300_000));
        state.apply(&admit(0, Some(key(2)), 400_000));
        let json = serde_json::to_value(&state).unwrap();
        assert_eq!(json["replays"][0][1], 300_000);
        assert_eq!(
            json["replays"][0][0]["signature"],
            "01".repeat(32),
            "{json}"
        );
        let back: GateState = serde_json::from_value(json).unwrap();
        assert_eq!(back, state);
        let empty: GateState = serde_json::from_str(r#"{"bucket":null,"replays":[]}"#).unwrap();
        assert_eq!(empty, GateState::default());
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

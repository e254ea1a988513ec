//! Per-principal admission: a token bucket (rate limit) and a replay window for SigV4
//! signatures. Pure state transitions; the Worker keeps the state in one Durable Object
//! per principal, so every isolate everywhere sees the same bucket.

use serde::{Deserialize, Serialize};

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

/// What the principal's admission check is asked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdmitRequest {
    /// The gateway's time.
    pub now_ms: u64,
    /// The rate limit to apply; `None` when off.
    pub rate_limit: Option<RateLimit>,
    /// A SigV4 signature to record; a second use within its window is a replay.
    pub replay_key: Option<String>,
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
        replay_key: String,
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

/// The order of the checks, given whether the replay key was seen and the bucket:
/// a replay is refused without spending a token; a throttled request does not record
/// its signature (the SDK's retry may legitimately resend it).
pub fn admit(
    request: &AdmitRequest,
    seen_before: bool,
    bucket: &mut Option<TokenBucket>,
) -> Admission {
    if seen_before {
        return Admission::Replayed;
    }
    if let Some(limit) = request.rate_limit {
        let state = bucket.get_or_insert_with(|| TokenBucket::full(limit, request.now_ms));
        if let Err(retry_after_ms) = state.take(limit, request.now_ms) {
            return Admission::Throttled { retry_after_ms };
        }
    }
    Admission::Admitted
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

    #[test]
    fn replays_are_refused_before_spending_tokens() {
        let request = AdmitRequest {
            now_ms: 0,
            rate_limit: Some(LIMIT),
            replay_key: Some("sig".into()),
            replay_until_ms: 300_000,
        };
        let mut bucket = None;
        assert_eq!(admit(&request, true, &mut bucket), Admission::Replayed);
        assert!(bucket.is_none());
        assert_eq!(admit(&request, false, &mut bucket), Admission::Admitted);
        assert_eq!(bucket.unwrap().tokens, 2.0);
    }
}

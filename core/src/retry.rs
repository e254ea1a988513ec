//! Retry decisions as pure functions: operation × failure × attempt → wait or stop.
//!
//! The rules are botocore's *standard* mode — throttling codes, transient codes and
//! statuses (500/502/503/504), 3 attempts, truncated binary exponential backoff with
//! full jitter (`rand × min(base × 2^(attempt−1), 20 s)`, base 1 s for throttling and
//! 50 ms otherwise), `x-amz-retry-after` honoured up to 5 s beyond that, and a retry
//! quota — with one rule on top: **`SendCommand` is not idempotent**, so it is
//! retried only when the failure proves the command was not accepted (throttling,
//! an auth or clock-skew refusal, or a transport failure before any byte was sent),
//! never after a timeout or a 5xx once the request was sent.
//!
//! The caller supplies the random number and the clock, so every decision is
//! reproducible.

use crate::decode::ServiceError;
use crate::model::OperationName;

/// Attempts per call, first one included (botocore standard mode).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;

/// Longest wait between attempts, in milliseconds.
pub const MAX_BACKOFF_MS: u64 = 20_000;

const THROTTLING_BASE_MS: f64 = 1_000.0;
const BASE_MS: f64 = 50.0;
const RETRY_AFTER_MAX_EXTRA_MS: u64 = 5_000;

/// What went wrong with one attempt.
#[derive(Clone, Copy, Debug)]
pub enum Failure<'a> {
    /// The service (or something in front of it) answered with an error.
    Service(&'a ServiceError),
    /// No usable response arrived.
    Transport(Transport),
}

/// A failure below HTTP, classified by what it proves about the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// Nothing was sent: DNS failure, connection refused, TLS handshake failure.
    NotSent,
    /// The request may have reached the service: timeout, connection reset after
    /// sending, or a response cut short.
    MaybeSent,
}

/// The decision for one failed attempt.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Decision {
    /// Wait, then send again (re-signed: the time is part of the signature).
    Retry {
        /// How long to wait, in milliseconds.
        delay_ms: u64,
        /// When the failure was a clock-skew refusal: the server's clock minus the
        /// caller's, in seconds. Add it to the clock used for signing from now on.
        clock_offset_secs: Option<i64>,
    },
    /// Give up and report the failure.
    Stop(StopReason),
}

/// Why no further attempt is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The error is not one that a retry can fix.
    NotRetryable,
    /// The attempt budget is spent.
    AttemptsExhausted,
    /// A retry could run a non-idempotent operation twice.
    MayHaveExecuted,
    /// The shared retry quota is empty (the service is failing a lot).
    QuotaExhausted,
}

/// Everything a decision depends on.
#[derive(Clone, Copy, Debug)]
pub struct RetryContext<'a> {
    /// The operation that was attempted.
    pub operation: OperationName,
    /// Attempts made so far, the failed one included (1 after the first failure).
    pub attempt: u32,
    /// Attempts allowed in all, the first one included.
    pub max_attempts: u32,
    /// What went wrong.
    pub failure: Failure<'a>,
    /// The caller's clock (unix seconds), for clock-skew detection.
    pub now: u64,
    /// A uniformly distributed number in `[0, 1)`, for jitter.
    pub random: f64,
}

/// Decides whether and when to try again. Pure: same context, same decision.
#[must_use]
pub fn decide(ctx: &RetryContext<'_>) -> Decision {
    let (throttled, clock_offset_secs) = match ctx.failure {
        Failure::Service(error) => {
            let skew = error.clock_skew(ctx.now);
            let safe = error.is_throttling() || error.is_auth() || skew.is_some();
            let retryable = error.is_retryable() || skew.is_some();
            if !retryable {
                return Decision::Stop(StopReason::NotRetryable);
            }
            if !ctx.operation.is_idempotent() && !safe {
                return Decision::Stop(StopReason::MayHaveExecuted);
            }
            (error.is_throttling(), skew)
        }
        Failure::Transport(Transport::NotSent) => (false, None),
        Failure::Transport(Transport::MaybeSent) => {
            if !ctx.operation.is_idempotent() {
                return Decision::Stop(StopReason::MayHaveExecuted);
            }
            (false, None)
        }
    };
    if ctx.attempt >= ctx.max_attempts {
        return Decision::Stop(StopReason::AttemptsExhausted);
    }
    let mut delay_ms = backoff_ms(ctx.attempt, throttled, ctx.random);
    if let Failure::Service(ServiceError {
        retry_after_ms: Some(after),
        ..
    }) = ctx.failure
    {
        delay_ms = delay_ms.max((*after).min(delay_ms + RETRY_AFTER_MAX_EXTRA_MS));
    }
    if clock_offset_secs.is_some() {
        // The fix is a new clock, not patience: resend at once.
        delay_ms = 0;
    }
    Decision::Retry {
        delay_ms,
        clock_offset_secs,
    }
}

/// Full-jitter exponential backoff before attempt `attempt + 1`, in milliseconds.
#[must_use]
pub fn backoff_ms(attempt: u32, throttled: bool, random: f64) -> u64 {
    let base = if throttled {
        THROTTLING_BASE_MS
    } else {
        BASE_MS
    };
    let exp = attempt.saturating_sub(1).min(30);
    let ceiling = (base * f64::from(1u32 << exp)).min(MAX_BACKOFF_MS as f64);
    let random = if random.is_finite() {
        random.clamp(0.0, 1.0)
    } else {
        0.0
    };
    // `as` saturates; the product is within [0, MAX_BACKOFF_MS].
    (random * ceiling) as u64
}

/// botocore's retry quota: a bucket shared by all calls of one client, drained by
/// retries and refilled by successes, so a failing service is not hammered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryQuota {
    available: u32,
    max: u32,
}

/// What a retry took from the quota, to give back when the call succeeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct QuotaTicket(u32);

impl Default for RetryQuota {
    fn default() -> Self {
        RetryQuota::new(500)
    }
}

impl RetryQuota {
    const RETRY_COST: u32 = 14;
    const THROTTLING_RETRY_COST: u32 = 5;
    const NO_RETRY_INCREMENT: u32 = 1;

    /// A full quota of `capacity` (botocore: 500).
    #[must_use]
    pub fn new(capacity: u32) -> Self {
        RetryQuota {
            available: capacity,
            max: capacity,
        }
    }

    /// Units left.
    #[must_use]
    pub fn available(&self) -> u32 {
        self.available
    }

    /// Takes the cost of one retry, or `None` when the quota cannot pay for it.
    pub fn acquire(&mut self, failure: &Failure<'_>) -> Option<QuotaTicket> {
        let throttled = matches!(failure, Failure::Service(e) if e.is_throttling());
        let cost = if throttled {
            Self::THROTTLING_RETRY_COST
        } else {
            Self::RETRY_COST
        };
        let left = self.available.checked_sub(cost)?;
        self.available = left;
        Some(QuotaTicket(cost))
    }

    /// Records a successful call: gives back what its retries took, or a small
    /// increment when it needed none.
    pub fn on_success(&mut self, tickets: &[QuotaTicket]) {
        let refund = if tickets.is_empty() {
            Self::NO_RETRY_INCREMENT
        } else {
            tickets.iter().map(|t| t.0).sum()
        };
        self.available = self.available.saturating_add(refund).min(self.max);
    }
}

/// [`decide`], then charge `quota` when the decision is to retry.
#[must_use]
pub fn decide_with_quota(
    ctx: &RetryContext<'_>,
    quota: &mut RetryQuota,
) -> (Decision, Option<QuotaTicket>) {
    match decide(ctx) {
        retry @ Decision::Retry { .. } => match quota.acquire(&ctx.failure) {
            Some(ticket) => (retry, Some(ticket)),
            None => (Decision::Stop(StopReason::QuotaExhausted), None),
        },
        stop => (stop, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::ErrorCode;
    use alloc::string::String;

    fn error(code: &str, status: u16) -> ServiceError {
        ServiceError {
            code: ErrorCode::from(code),
            message: String::new(),
            status,
            request_id: None,
            server_time: None,
            retry_after_ms: None,
        }
    }

    fn ctx<'a>(op: OperationName, attempt: u32, failure: Failure<'a>) -> RetryContext<'a> {
        RetryContext {
            operation: op,
            attempt,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            failure,
            now: 1_764_000_000,
            random: 0.5,
        }
    }

    fn is_retry(d: Decision) -> bool {
        matches!(d, Decision::Retry { .. })
    }

    #[test]
    fn send_command_is_never_retried_once_it_may_have_run() {
        let op = OperationName::SendCommand;
        for status in [500, 502, 503, 504] {
            let e = error("InternalServerError", status);
            assert_eq!(
                decide(&ctx(op, 1, Failure::Service(&e))),
                Decision::Stop(StopReason::MayHaveExecuted)
            );
        }
        let e = error("RequestTimeout", 408);
        assert_eq!(
            decide(&ctx(op, 1, Failure::Service(&e))),
            Decision::Stop(StopReason::MayHaveExecuted)
        );
        assert_eq!(
            decide(&ctx(op, 1, Failure::Transport(Transport::MaybeSent))),
            Decision::Stop(StopReason::MayHaveExecuted)
        );
    }

    #[test]
    fn send_command_is_retried_when_the_failure_proves_it_was_not_accepted() {
        let op = OperationName::SendCommand;
        let throttled = error("ThrottlingException", 400);
        assert!(is_retry(decide(&ctx(op, 1, Failure::Service(&throttled)))));
        assert!(is_retry(decide(&ctx(
            op,
            1,
            Failure::Transport(Transport::NotSent)
        ))));
        let mut skew = error("InvalidSignatureException", 400);
        skew.server_time = Some(1_764_000_000 + 600);
        match decide(&ctx(op, 1, Failure::Service(&skew))) {
            Decision::Retry {
                delay_ms,
                clock_offset_secs,
            } => {
                assert_eq!(delay_ms, 0);
                assert_eq!(clock_offset_secs, Some(600));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn signature_error_without_skew_is_not_retried() {
        let mut e = error("InvalidSignatureException", 400);
        e.server_time = Some(1_764_000_000 + 10);
        assert_eq!(
            decide(&ctx(OperationName::ListCommands, 1, Failure::Service(&e))),
            Decision::Stop(StopReason::NotRetryable)
        );
    }

    #[test]
    fn reads_retry_transient_failures_until_attempts_run_out() {
        let op = OperationName::ListCommands;
        let e = error("InternalServerError", 500);
        assert!(is_retry(decide(&ctx(op, 1, Failure::Service(&e)))));
        assert!(is_retry(decide(&ctx(op, 2, Failure::Service(&e)))));
        assert_eq!(
            decide(&ctx(op, 3, Failure::Service(&e))),
            Decision::Stop(StopReason::AttemptsExhausted)
        );
        assert!(is_retry(decide(&ctx(
            op,
            1,
            Failure::Transport(Transport::MaybeSent)
        ))));
    }

    #[test]
    fn modelled_client_errors_are_not_retried() {
        for code in [
            "InvalidInstanceId",
            "InvalidDocument",
            "InvalidParameters",
            "ValidationException",
        ] {
            let e = error(code, 400);
            assert_eq!(
                decide(&ctx(
                    OperationName::GetCommandInvocation,
                    1,
                    Failure::Service(&e)
                )),
                Decision::Stop(StopReason::NotRetryable),
                "{code}"
            );
        }
    }

    #[test]
    fn a_429_with_an_unmodelled_code_is_throttling() {
        let e = error("SomethingNew", 429);
        assert!(e.is_throttling());
        let e = error("InvalidInstanceId", 429);
        assert!(!e.is_throttling());
    }

    #[test]
    fn backoff_is_full_jitter_and_capped() {
        assert_eq!(backoff_ms(1, false, 1.0), 50);
        assert_eq!(backoff_ms(2, false, 1.0), 100);
        assert_eq!(backoff_ms(3, false, 0.5), 100);
        assert_eq!(backoff_ms(1, true, 1.0), 1_000);
        assert_eq!(backoff_ms(5, true, 1.0), 16_000);
        assert_eq!(backoff_ms(6, true, 1.0), 20_000);
        assert_eq!(backoff_ms(40, true, 1.0), 20_000);
        assert_eq!(backoff_ms(1, true, 0.0), 0);
        assert_eq!(backoff_ms(1, true, f64::NAN), 0);
        assert_eq!(backoff_ms(1, true, 7.0), 1_000);
    }

    #[test]
    fn retry_after_header_raises_the_delay_within_bounds() {
        let mut e = error("ThrottlingException", 400);
        e.retry_after_ms = Some(3_000);
        let d = decide(&ctx(OperationName::ListCommands, 1, Failure::Service(&e)));
        assert_eq!(
            d,
            Decision::Retry {
                delay_ms: 3_000,
                clock_offset_secs: None
            }
        );
        e.retry_after_ms = Some(60_000);
        let d = decide(&ctx(OperationName::ListCommands, 1, Failure::Service(&e)));
        assert_eq!(
            d,
            Decision::Retry {
                delay_ms: 500 + 5_000,
                clock_offset_secs: None
            }
        );
    }

    #[test]
    fn quota_drains_and_refills() {
        let mut quota = RetryQuota::new(30);
        let e = error("InternalServerError", 500);
        let c = ctx(OperationName::ListCommands, 1, Failure::Service(&e));
        let (d1, t1) = decide_with_quota(&c, &mut quota);
        let (d2, t2) = decide_with_quota(&c, &mut quota);
        assert!(is_retry(d1) && is_retry(d2));
        assert_eq!(quota.available(), 2);
        let (d3, t3) = decide_with_quota(&c, &mut quota);
        assert_eq!(d3, Decision::Stop(StopReason::QuotaExhausted));
        assert!(t3.is_none());
        quota.on_success(&[t1.unwrap(), t2.unwrap()]);
        assert_eq!(quota.available(), 30);
        quota.on_success(&[]);
        assert_eq!(quota.available(), 30);
    }
}

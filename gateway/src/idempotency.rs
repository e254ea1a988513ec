//! `Idempotency-Key` on `SendCommand`: the first request with a key runs; its result is
//! stored for 24 hours and a repeat with the same body gets it back instead of running
//! the command again; a repeat with another body is refused. Pure state transitions;
//! the Worker keeps each key's record in a Durable Object, which serializes requests
//! with the same key.

use serde::{Deserialize, Serialize};

/// How long a result is kept.
pub const RETENTION_MS: u64 = 24 * 3600 * 1000;

/// After this long an unfinished first request is presumed lost.
pub const IN_FLIGHT_MS: u64 = 120_000;

/// Longest accepted key.
pub const MAX_KEY_LEN: usize = 255;

/// Checks a client's key: 1 to 255 visible ASCII characters.
///
/// # Errors
/// The broken rule.
pub fn check_key(key: &str) -> Result<(), &'static str> {
    if key.is_empty() || key.len() > MAX_KEY_LEN {
        return Err("must be 1 to 255 characters");
    }
    if !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("must be visible ASCII characters (no spaces)");
    }
    Ok(())
}

/// A response kept for repeats.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: String,
    /// The body (UTF-8 JSON for SSM).
    pub body: String,
    /// The first response's request id.
    pub request_id: String,
}

/// A key's record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum Record {
    /// The first request is running.
    InFlight {
        /// SHA-256 of its body, hex.
        body_sha256: String,
        /// When it started.
        started_ms: u64,
    },
    /// The first request finished.
    Done {
        /// SHA-256 of its body, hex.
        body_sha256: String,
        /// Its response.
        response: StoredResponse,
        /// When it finished.
        finished_ms: u64,
    },
}

/// What the Durable Object is asked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "op")]
pub enum Command {
    /// Claim the key for a request with this body.
    Begin {
        /// SHA-256 of the body, hex.
        body_sha256: String,
        /// The gateway's time.
        now_ms: u64,
    },
    /// Store the result of the claimed request.
    Finish {
        /// SHA-256 of the body, hex.
        body_sha256: String,
        /// The response.
        response: StoredResponse,
        /// The gateway's time.
        now_ms: u64,
    },
    /// Give the key back: the request provably did not run.
    Release,
}

/// The answer to [`Command::Begin`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "outcome")]
pub enum Begin {
    /// The key is this request's: run it, then `Finish` or `Release`.
    Proceed,
    /// Seen before with this body: answer this.
    Replay {
        /// The stored response.
        response: StoredResponse,
    },
    /// Seen before with another body.
    Mismatch,
    /// The first request is still running.
    InProgress,
    /// The first request never finished; its outcome is unknown.
    Unknown,
}

/// Applies `command` to the key's `record` (`None`: never seen or expired) and returns
/// the answer for `Begin` (`Proceed` for the others).
pub fn apply(record: &mut Option<Record>, command: Command) -> Begin {
    match command {
        Command::Begin {
            body_sha256,
            now_ms,
        } => {
            let expired = match record {
                Some(Record::InFlight { started_ms, .. }) => {
                    now_ms.saturating_sub(*started_ms) > RETENTION_MS
                }
                Some(Record::Done { finished_ms, .. }) => {
                    now_ms.saturating_sub(*finished_ms) > RETENTION_MS
                }
                None => true,
            };
            if expired {
                *record = Some(Record::InFlight {
                    body_sha256,
                    started_ms: now_ms,
                });
                return Begin::Proceed;
            }
            match record.as_ref() {
                Some(Record::Done {
                    body_sha256: first,
                    response,
                    ..
                }) => {
                    if *first == body_sha256 {
                        Begin::Replay {
                            response: response.clone(),
                        }
                    } else {
                        Begin::Mismatch
                    }
                }
                Some(Record::InFlight {
                    body_sha256: first,
                    started_ms,
                }) => {
                    if *first != body_sha256 {
                        Begin::Mismatch
                    } else if now_ms.saturating_sub(*started_ms) > IN_FLIGHT_MS {
                        Begin::Unknown
                    } else {
                        Begin::InProgress
                    }
                }
                None => Begin::Proceed,
            }
        }
        Command::Finish {
            body_sha256,
            response,
            now_ms,
        } => {
            *record = Some(Record::Done {
                body_sha256,
                response,
                finished_ms: now_ms,
            });
            Begin::Proceed
        }
        Command::Release => {
            *record = None;
            Begin::Proceed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn begin(hash: &str, now_ms: u64) -> Command {
        Command::Begin {
            body_sha256: hash.into(),
            now_ms,
        }
    }

    fn response() -> StoredResponse {
        StoredResponse {
            status: 200,
            content_type: "application/x-amz-json-1.1".into(),
            body: r#"{"Command":{"CommandId":"c1"}}"#.into(),
            request_id: "r1".into(),
        }
    }

    #[test]
    fn first_runs_repeat_replays_other_body_is_refused() {
        let mut record = None;
        assert_eq!(apply(&mut record, begin("a", 0)), Begin::Proceed);
        assert_eq!(apply(&mut record, begin("a", 10)), Begin::InProgress);
        assert_eq!(apply(&mut record, begin("b", 10)), Begin::Mismatch);
        apply(
            &mut record,
            Command::Finish {
                body_sha256: "a".into(),
                response: response(),
                now_ms: 20,
            },
        );
        assert_eq!(
            apply(&mut record, begin("a", 30)),
            Begin::Replay {
                response: response()
            }
        );
        assert_eq!(apply(&mut record, begin("b", 30)), Begin::Mismatch);
        // After 24 h the key is fresh again.
        assert_eq!(
            apply(&mut record, begin("b", 20 + RETENTION_MS + 1)),
            Begin::Proceed
        );
    }

    #[test]
    fn lost_first_request_is_unknown_and_release_frees_the_key() {
        let mut record = None;
        apply(&mut record, begin("a", 0));
        assert_eq!(
            apply(&mut record, begin("a", IN_FLIGHT_MS + 1)),
            Begin::Unknown
        );
        apply(&mut record, Command::Release);
        assert_eq!(
            apply(&mut record, begin("a", IN_FLIGHT_MS + 2)),
            Begin::Proceed
        );
    }

    #[test]
    fn keys_are_checked() {
        assert!(check_key("deploy-2026-11-26-001").is_ok());
        assert!(check_key("").is_err());
        assert!(check_key("has space").is_err());
        assert!(check_key(&"k".repeat(256)).is_err());
    }
}

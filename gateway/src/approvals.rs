//! Two-person approval of SendCommand: the records and their one state machine, with no
//! I/O. The Worker keeps the records in the `ApprovalDesk` Durable Object (one for the
//! gateway) and the native tests in memory; both run [`apply`].
//!
//! A record holds the canonical SendCommand body the policy decided on (the core's
//! serialization of the parsed input): approving runs exactly those bytes.
//!
//! Their JSON (the Durable Object's storage and its messages) uses serde's default,
//! externally tagged enums: internally tagged ones buffer through serde's `Content`,
//! ~70 KB of code in the Worker.
//!
//! ```text
//! Pending ──claim (one approver, once)──► Running ──finish──► Done (the upstream's answer)
//!    │ └──reject (an approver, or the requester withdrawing)──► Rejected
//!    └──its time passes (APPROVAL_TTL_SECS)──► Expired
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::idempotency::StoredResponse;

/// `APPROVAL_TTL_SECS` when unset: a request waits an hour.
pub const DEFAULT_TTL_SECS: u64 = 3600;

/// How long a decided approval is kept (for `GetApproval` and the requester's repeat).
pub const KEPT_MS: u64 = 7 * 24 * 3600 * 1000;

/// How long an expired one is kept: a day, as nothing came of it.
pub const EXPIRED_KEPT_MS: u64 = 24 * 3600 * 1000;

/// How many pending requests one requester may have at once: each is stored whole (up
/// to 64 KiB) and every operation reads them, so one principal must not fill the store.
pub const MAX_PENDING_PER_REQUESTER: usize = 20;

/// How many approvals `ListApprovals` returns at most (the newest).
pub const LIST_LIMIT: usize = 100;

/// Who asked, as the policy saw them when they asked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Requester {
    /// The principal (`alice`, `jwt:alice`).
    pub principal: String,
    /// Their groups then.
    pub groups: Vec<String>,
    /// `sigv4` or `jwt`.
    pub auth_method: String,
    /// Their address, when the platform gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
}

/// A SendCommand waiting for, or past, its approval.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Approval {
    /// The approval id (a UUID).
    pub id: String,
    /// Who asked.
    pub requester: Requester,
    /// The upstream region and account alias the command goes to.
    pub region: String,
    /// See `region`.
    pub account: String,
    /// The canonical SendCommand body: what runs when approved.
    pub body: String,
    /// Hex SHA-256 of `body`.
    pub body_sha256: String,
    /// The idempotency scope of the requester's `Idempotency-Key` (their principal, the
    /// key and the route), when they sent one: their repeat with it finds this record,
    /// and the answer of the approved run is kept under it as any idempotent answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_scope: Option<String>,
    /// Unix milliseconds.
    pub created_ms: u64,
    /// When a pending request expires.
    pub expires_ms: u64,
    /// Where it stands.
    pub state: State,
}

/// Where an approval stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum State {
    /// Waiting for an approver.
    Pending,
    /// Approved; the SendCommand is being forwarded.
    Running {
        /// The approver.
        approver: String,
        /// When.
        at_ms: u64,
    },
    /// Approved and forwarded: the upstream's answer (a success with the CommandId, or
    /// its refusal, or the gateway's "outcome unknown").
    Done {
        /// The approver.
        approver: String,
        /// When it was approved.
        at_ms: u64,
        /// The answer the requester's repeat gets.
        response: StoredResponse,
    },
    /// Rejected by an approver, or withdrawn by the requester.
    Rejected {
        /// Who.
        by: String,
        /// When.
        at_ms: u64,
        /// Their words (may be empty).
        reason: String,
    },
    /// Nobody decided in time.
    Expired {
        /// When it expired.
        at_ms: u64,
    },
}

impl State {
    /// Every state's name, in [`State::name`]'s order.
    pub const NAMES: &'static [&'static str] = ssm_edge_core::model::ApprovalState::VALUES;

    /// The state's name as the API gives it (one of [`State::NAMES`]).
    #[must_use]
    pub fn name(&self) -> &'static str {
        Self::NAMES[match self {
            State::Pending => 0,
            State::Running { .. } => 1,
            State::Done { .. } => 2,
            State::Rejected { .. } => 3,
            State::Expired { .. } => 4,
        }]
    }

    /// When it is dropped (`None` while pending or running).
    fn dropped_at_ms(&self) -> Option<u64> {
        match self {
            State::Pending | State::Running { .. } => None,
            State::Done { at_ms, .. } | State::Rejected { at_ms, .. } => Some(at_ms + KEPT_MS),
            State::Expired { at_ms } => Some(at_ms + EXPIRED_KEPT_MS),
        }
    }
}

/// What to do with the records. Newtype variants where one value does (each struct
/// variant is one more deserializer in the Worker).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Op {
    /// Files `approval`, unless the requester filed one with the same `Idempotency-Key`
    /// before (and it has not expired): then that one is the answer.
    Request(Box<Approval>),
    /// One record, by id.
    Get(String),
    /// The newest records ([`LIST_LIMIT`]).
    List,
    /// `Pending` → `Running` by `approver`: succeeds once, whoever asks second sees
    /// `NotPending`.
    Claim {
        /// The approval id.
        id: String,
        /// The approver.
        approver: String,
    },
    /// `Running` → `Done` with the upstream's answer.
    Finish {
        /// The approval id.
        id: String,
        /// The answer.
        response: StoredResponse,
    },
    /// `Pending` → `Rejected`.
    Reject {
        /// The approval id.
        id: String,
        /// The approver rejecting, or the requester withdrawing.
        by: String,
        /// Their words.
        reason: String,
    },
}

/// The outcome of an [`Op`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    /// `Request` filed a new record.
    Filed(Approval),
    /// `Request` found the requester's earlier record with the same key and body.
    Earlier(Approval),
    /// `Request` found the requester's key used with another body.
    KeyReused,
    /// `Request` refused: the requester has [`MAX_PENDING_PER_REQUESTER`] pending.
    TooManyPending,
    /// `Get`, `Claim`, `Finish`, `Reject` done: the record as it now is.
    Found(Approval),
    /// `Claim` or `Reject` of a record that is not pending (`Finish`: not running), as
    /// it is.
    NotPending(Approval),
    /// No such record (or no longer kept).
    Missing,
    /// `List`: the records, newest first.
    Listed(Vec<Approval>),
}

/// An [`Op`]'s answer, and the pending records that expired on the way (each is audited
/// once, by whoever noticed it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reply {
    /// The outcome.
    pub outcome: Outcome,
    /// Pending records past their time, now `Expired`.
    pub expired: Vec<Approval>,
}

/// Applies `op` at `now_ms` to `records` (by id). First expires pending records past
/// their time and drops ended ones kept long enough ([`KEPT_MS`], [`EXPIRED_KEPT_MS`]).
pub fn apply(records: &mut BTreeMap<String, Approval>, op: Op, now_ms: u64) -> Reply {
    let mut expired = Vec::new();
    records.retain(|_, a| {
        if a.state == State::Pending && a.expires_ms <= now_ms {
            a.state = State::Expired {
                at_ms: a.expires_ms,
            };
            expired.push(a.clone());
        }
        a.state.dropped_at_ms().is_none_or(|at| now_ms < at)
    });
    let outcome = match op {
        Op::Request(approval) => request(records, *approval),
        Op::Get(id) => records
            .get(&id)
            .map_or(Outcome::Missing, |a| Outcome::Found(a.clone())),
        Op::List => {
            let mut approvals: Vec<Approval> = records.values().cloned().collect();
            approvals.sort_by(|a, b| b.created_ms.cmp(&a.created_ms).then(a.id.cmp(&b.id)));
            approvals.truncate(LIST_LIMIT);
            Outcome::Listed(approvals)
        }
        Op::Claim { id, approver } => transition(records, &id, |state| match state {
            State::Pending => Some(State::Running {
                approver,
                at_ms: now_ms,
            }),
            _ => None,
        }),
        Op::Finish { id, response } => transition(records, &id, |state| match state {
            State::Running { approver, at_ms } => Some(State::Done {
                approver: approver.clone(),
                at_ms: *at_ms,
                response,
            }),
            _ => None,
        }),
        Op::Reject { id, by, reason } => transition(records, &id, |state| match state {
            State::Pending => Some(State::Rejected {
                by,
                at_ms: now_ms,
                reason,
            }),
            _ => None,
        }),
    };
    Reply { outcome, expired }
}

fn request(records: &mut BTreeMap<String, Approval>, approval: Approval) -> Outcome {
    let earlier = approval.idempotency_scope.as_ref().and_then(|scope| {
        records.values().find(|a| {
            a.requester.principal == approval.requester.principal
                && a.idempotency_scope.as_ref() == Some(scope)
                && !matches!(a.state, State::Expired { .. })
        })
    });
    match earlier {
        Some(a) if a.body_sha256 == approval.body_sha256 => Outcome::Earlier(a.clone()),
        Some(_) => Outcome::KeyReused,
        None if records
            .values()
            .filter(|a| {
                a.state == State::Pending && a.requester.principal == approval.requester.principal
            })
            .count()
            >= MAX_PENDING_PER_REQUESTER =>
        {
            Outcome::TooManyPending
        }
        None => {
            records.insert(approval.id.clone(), approval.clone());
            Outcome::Filed(approval)
        }
    }
}

/// Moves record `id` to the state `next` gives for its current one (`None`: not from
/// that state).
fn transition(
    records: &mut BTreeMap<String, Approval>,
    id: &str,
    next: impl FnOnce(&State) -> Option<State>,
) -> Outcome {
    let Some(approval) = records.get_mut(id) else {
        return Outcome::Missing;
    };
    match next(&approval.state) {
        Some(state) => {
            approval.state = state;
            Outcome::Found(approval.clone())
        }
        None => Outcome::NotPending(approval.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTL: u64 = DEFAULT_TTL_SECS * 1000;

    fn approval(id: &str, who: &str, key: Option<&str>, body: &str, now_ms: u64) -> Approval {
        Approval {
            id: id.into(),
            requester: Requester {
                principal: who.into(),
                groups: vec!["on-call".into()],
                auth_method: "sigv4".into(),
                source_ip: None,
            },
            region: "us-east-1".into(),
            account: "default".into(),
            body: body.into(),
            body_sha256: format!("sha-of-{body}"),
            idempotency_scope: key.map(|k| format!("{who}\n{k}")),
            created_ms: now_ms,
            expires_ms: now_ms + TTL,
            state: State::Pending,
        }
    }

    fn answer() -> StoredResponse {
        StoredResponse {
            status: 200,
            content_type: "application/x-amz-json-1.1".into(),
            body: r#"{"Command":{"CommandId":"c-1"}}"#.into(),
            request_id: "up-1".into(),
        }
    }

    fn state_of(records: &BTreeMap<String, Approval>, id: &str) -> &'static str {
        records[id].state.name()
    }

    /// `who` approving `a1`.
    fn claim(who: &str) -> Op {
        Op::Claim {
            id: "a1".into(),
            approver: who.into(),
        }
    }

    #[test]
    fn one_claim_wins_and_the_answer_is_kept() {
        let mut records = BTreeMap::new();
        let filed = apply(
            &mut records,
            Op::Request(Box::new(approval("a1", "alice", None, "{}", 0))),
            0,
        );
        assert!(matches!(filed.outcome, Outcome::Filed(_)));
        assert!(matches!(
            apply(&mut records, claim("root"), 10).outcome,
            Outcome::Found(_)
        ));
        // The second approver at the same moment: not pending any more.
        let second = apply(&mut records, claim("admin-2"), 10).outcome;
        let Outcome::NotPending(approval) = second else {
            panic!("{second:?}");
        };
        assert_eq!(
            approval.state,
            State::Running {
                approver: "root".into(),
                at_ms: 10
            }
        );
        let finish = Op::Finish {
            id: "a1".into(),
            response: answer(),
        };
        assert!(matches!(
            apply(&mut records, finish.clone(), 20).outcome,
            Outcome::Found(_)
        ));
        assert!(matches!(
            apply(&mut records, finish, 21).outcome,
            Outcome::NotPending(_)
        ));
        assert!(matches!(
            apply(&mut records, claim("root"), 22).outcome,
            Outcome::NotPending(_)
        ));
        let State::Done {
            approver, response, ..
        } = &records["a1"].state
        else {
            panic!("{:?}", records["a1"].state);
        };
        assert_eq!((approver.as_str(), response), ("root", &answer()));
    }

    #[test]
    fn the_same_key_finds_the_earlier_request_another_body_is_refused() {
        let mut records = BTreeMap::new();
        let first = approval("a1", "alice", Some("k1"), "{1}", 0);
        apply(&mut records, Op::Request(Box::new(first)), 0);
        let again = apply(
            &mut records,
            Op::Request(Box::new(approval("a2", "alice", Some("k1"), "{1}", 5))),
            5,
        );
        assert!(
            matches!(&again.outcome, Outcome::Earlier(approval) if approval.id == "a1"),
            "{again:?}"
        );
        let other = apply(
            &mut records,
            Op::Request(Box::new(approval("a3", "alice", Some("k1"), "{2}", 6))),
            6,
        );
        assert_eq!(other.outcome, Outcome::KeyReused);
        // Another principal's key of the same name is theirs.
        let bob = apply(
            &mut records,
            Op::Request(Box::new(approval("a4", "bob", Some("k1"), "{2}", 7))),
            7,
        );
        assert!(matches!(bob.outcome, Outcome::Filed(_)));
        assert_eq!(records.len(), 2);
    }

    #[test]
    fn pending_requests_expire_and_are_reported_once() {
        let mut records = BTreeMap::new();
        apply(
            &mut records,
            Op::Request(Box::new(approval("a1", "alice", Some("k1"), "{1}", 0))),
            0,
        );
        let before = apply(&mut records, Op::List, TTL - 1);
        assert!(before.expired.is_empty());
        let at = apply(&mut records, Op::List, TTL);
        assert_eq!(at.expired.len(), 1);
        assert_eq!(state_of(&records, "a1"), "Expired");
        assert!(apply(&mut records, Op::List, TTL + 1).expired.is_empty());
        // An expired request is not approved, and its key files a new one.
        assert!(matches!(
            apply(&mut records, claim("root"), TTL + 2).outcome,
            Outcome::NotPending(_)
        ));
        let renewed = apply(
            &mut records,
            Op::Request(Box::new(approval(
                "a2",
                "alice",
                Some("k1"),
                "{1}",
                TTL + 3,
            ))),
            TTL + 3,
        );
        assert!(matches!(renewed.outcome, Outcome::Filed(_)));
        // Expired records are dropped a day after they expired.
        let later = apply(&mut records, Op::Get("a1".into()), TTL + EXPIRED_KEPT_MS);
        assert_eq!(later.outcome, Outcome::Missing);
    }

    #[test]
    fn reject_only_while_pending() {
        let mut records = BTreeMap::new();
        apply(
            &mut records,
            Op::Request(Box::new(approval("a1", "alice", None, "{}", 0))),
            0,
        );
        let reject = || Op::Reject {
            id: "a1".into(),
            by: "root".into(),
            reason: "not on a Friday".into(),
        };
        assert!(matches!(
            apply(&mut records, reject(), 1).outcome,
            Outcome::Found(_)
        ));
        assert_eq!(
            records["a1"].state,
            State::Rejected {
                by: "root".into(),
                at_ms: 1,
                reason: "not on a Friday".into()
            }
        );
        assert!(matches!(
            apply(&mut records, reject(), 2).outcome,
            Outcome::NotPending(_)
        ));
        assert!(matches!(
            apply(&mut records, claim("root"), 3).outcome,
            Outcome::NotPending(_)
        ));
        assert_eq!(
            apply(&mut records, Op::Get("nope".into()), 4).outcome,
            Outcome::Missing
        );
    }

    #[test]
    fn one_requester_has_at_most_so_many_pending() {
        let mut records = BTreeMap::new();
        let file = |records: &mut BTreeMap<String, Approval>, id: &str, who: &str| {
            apply(
                records,
                Op::Request(Box::new(approval(id, who, None, "{}", 0))),
                0,
            )
            .outcome
        };
        for n in 0..MAX_PENDING_PER_REQUESTER {
            let outcome = file(&mut records, &format!("a{n}"), "alice");
            assert!(matches!(outcome, Outcome::Filed(_)), "{n}: {outcome:?}");
        }
        assert_eq!(
            file(&mut records, "one-more", "alice"),
            Outcome::TooManyPending
        );
        assert!(matches!(file(&mut records, "b1", "bob"), Outcome::Filed(_)));
        // A decided one makes room.
        apply(
            &mut records,
            Op::Reject {
                id: "a0".into(),
                by: "root".into(),
                reason: String::new(),
            },
            1,
        );
        assert!(matches!(
            file(&mut records, "one-more", "alice"),
            Outcome::Filed(_)
        ));
        // Decided records stay a week.
        let kept = apply(&mut records, Op::Get("a0".into()), 1 + KEPT_MS - 1);
        assert!(matches!(kept.outcome, Outcome::Found(_)));
        let gone = apply(&mut records, Op::Get("a0".into()), 1 + KEPT_MS);
        assert_eq!(gone.outcome, Outcome::Missing);
    }

    #[test]
    fn records_survive_a_json_round_trip() {
        let mut a = approval("a1", "alice", Some("k"), "{}", 0);
        a.state = State::Done {
            approver: "root".into(),
            at_ms: 5,
            response: answer(),
        };
        let text = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<Approval>(&text).unwrap(), a);
        let op = claim("root");
        let text = serde_json::to_string(&op).unwrap();
        assert_eq!(serde_json::from_str::<Op>(&text).unwrap(), op);
    }
}

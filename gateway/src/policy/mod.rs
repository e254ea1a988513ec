//! Authorization with Cedar: the shipped schema ([`SCHEMA`]), policies loaded from
//! configuration and validated against it, and one [`PolicyEngine::decide`] per call.
//!
//! Deny by default: a call is allowed only when some `permit` matches, no `forbid`
//! does, and no policy fails to evaluate (Cedar skips such a policy; the gateway
//! denies, so a failing `forbid` cannot let a call through). A `SendCommand` the policy
//! cannot bound (a `*` target value, `tag-key` or resource-group targets) must also be
//! permitted as `SendCommandUnbounded`, which no shipped policy does. A call naming a
//! foreign document (another account's, region's or partition's ARN; see [`document`]
//! for the rules) must also be permitted as `UseForeignDocument`, which no shipped
//! policy does either.
//!
//! A `forbid` may carry `@reason("...")`, the words a caller it refuses is told
//! ([`Decision::reasons`]); loading checks every reason ([`reason_rule`]) and reports
//! every syntax and schema problem at its line and column ([`diagnostics`]).

mod approval;
mod compiled;
mod context;
pub mod diagnostics;
pub mod document;
mod load;
mod summary;

use std::collections::{BTreeSet, HashMap};

use cedar_policy::{
    AuthorizationError, Authorizer, Decision as CedarDecision, Entities, Entity, PolicyId,
    PolicySet, Request,
};

pub use approval::{PendingRequest, APPROVE_COMMAND, REQUEST_SEND_COMMAND};
pub use compiled::{compile, MAGIC};
#[cfg(test)]
pub(crate) use context::every_send_command_member;
pub use context::{
    CallFacts, Caller, EntityTypes, FactsError, IpValues, READ_OUTPUT, SEND_COMMAND_MEMBERS,
    USE_FOREIGN_DOCUMENT,
};
pub use diagnostics::{Position, Problem, Problems};
pub use document::{Document, DocumentArn, Owner, UpstreamScope};
pub use load::{reason_rule, MAX_REASON_CHARS, REASON};
pub use summary::schema_summary;

use crate::call::ParsedCall;
use crate::identity::Identity;

/// The shipped Cedar schema (`gateway/src/policy/ssm.cedarschema`), the text people read
/// and edit.
pub const SCHEMA: &str = include_str!("ssm.cedarschema");

/// The same schema in Cedar's JSON form (`ssm.cedarschema.json`), which [`compile`] and
/// `make check-policy` load (a test keeps the two equal; `make regen` rewrites the JSON).
/// The Worker carries neither: it loads compiled policies.
pub const SCHEMA_JSON: &str = include_str!("ssm.cedarschema.json");

/// The shipped example policies (`gateway/policies/*.cedar`), used when the
/// configuration names none.
pub const SHIPPED_POLICIES: &[(&str, &str)] = &[
    (
        "gateway/policies/10-read-only.cedar",
        include_str!("../../policies/10-read-only.cedar"),
    ),
    (
        "gateway/policies/20-on-call-restart.cedar",
        include_str!("../../policies/20-on-call-restart.cedar"),
    ),
    (
        "gateway/policies/30-admins.cedar",
        include_str!("../../policies/30-admins.cedar"),
    ),
    (
        "gateway/policies/40-ticket-comment.cedar",
        include_str!("../../policies/40-ticket-comment.cedar"),
    ),
    (
        "gateway/policies/50-destinations-for-admins.cedar",
        include_str!("../../policies/50-destinations-for-admins.cedar"),
    ),
    (
        "gateway/policies/60-approvals.cedar",
        include_str!("../../policies/60-approvals.cedar"),
    ),
];

/// The shipped policies compiled (`shipped.compiled.cedar`, written by `make
/// check-policy`; a test checks it is current): what the Worker loads when `POLICIES` is
/// unset.
pub const SHIPPED_COMPILED: &str = include_str!("shipped.compiled.cedar");

/// Why policies could not be loaded. Each variant names the source; [`Problems`] name
/// every problem found with its place (`file:line:column`, the line and a caret).
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The schema itself does not parse (a build defect).
    #[error("the Cedar schema does not parse: {0}")]
    Schema(String),
    /// Sources do not parse (or hold templates): every syntax error of every source.
    #[error("{0}")]
    Syntax(Problems),
    /// Two policies share an id.
    #[error("{source_name}: policy id {id:?} is used twice")]
    DuplicateId {
        /// File name or configuration key.
        source_name: String,
        /// The id.
        id: String,
    },
    /// Policies break the schema (strict validation) or carry a bad `@reason`: every
    /// such problem.
    #[error("{0}")]
    Validation(Problems),
    /// No policy at all: everything would be denied.
    #[error("no policies configured: every request would be denied")]
    Empty,
    /// Cedar source where compiled policies belong (the Worker does not validate).
    #[error(
        "holds Cedar source; the gateway loads compiled policies: run `make check-policy \
         POLICY_FILES=\"your/*.cedar\"` (it validates them and writes policies.compiled.cedar) \
         and set this to what it wrote"
    )]
    NotCompiled,
    /// Compiled policies the gateway cannot use as they are, and why.
    #[error("compiled policies that cannot be used: {0}")]
    Compiled(String),
}

impl PolicyError {
    /// Whether the text names the sources (every variant but [`PolicyError::Schema`] and
    /// [`PolicyError::Empty`] does).
    #[must_use]
    pub fn names_source(&self) -> bool {
        !matches!(
            self,
            PolicyError::Schema(_)
                | PolicyError::Empty
                | PolicyError::NotCompiled
                | PolicyError::Compiled(_)
        )
    }
}

/// Who decided, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct Decision {
    /// Whether the call may proceed.
    pub allowed: bool,
    /// The ids of the policies that decided: the matching permits when allowed, the
    /// matching forbids when a forbid denied, empty when nothing permitted.
    pub policy_ids: Vec<String>,
    /// When a forbid denied: the `@reason`s of the forbids that decided, in the order of
    /// their ids, each once. Empty otherwise (allowed, nothing permitted, a policy
    /// failed to evaluate), and for forbids without one.
    pub reasons: Vec<String>,
    /// Which action was decided last (`UseForeignDocument` or `SendCommandUnbounded`
    /// when that check denied).
    pub action: &'static str,
    /// The resource as a refusal names it: `document/<DocumentName as given>` (also for
    /// an ARN) or `fleet`.
    pub resource: String,
    /// The document the call names, classified (SendCommand, DescribeDocument, GetDocument).
    pub document: Option<Document>,
}

/// A validated policy set, ready to decide.
pub struct PolicyEngine {
    policies: PolicySet,
    /// The schema's actions, each with its groups (Cedar decides `action in` with them).
    actions: HashMap<String, Entity>,
    authorizer: Authorizer,
    types: EntityTypes,
    /// Callers' addresses as Cedar values, made once each.
    ips: IpValues,
}

impl std::fmt::Debug for PolicyEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicyEngine")
            .field("policies", &self.policy_ids())
            .finish_non_exhaustive()
    }
}

impl PolicyEngine {
    /// Parses the policies in `sources` (name, Cedar text), gives each the id of its
    /// `@id("...")` annotation (or `<name>#<n>`), checks each `@reason("...")` (see
    /// [`reason_rule`]), validates the set against [`SCHEMA`] in strict mode, and loads
    /// it as the Worker does: [`compile`], then [`PolicyEngine::load`].
    ///
    /// # Errors
    /// [`PolicyError`] naming the source and, for syntax, schema and `@reason` problems,
    /// every one found with its line and column.
    pub fn new<'a>(
        sources: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, PolicyError> {
        Self::load_fresh(&compile(sources)?)
    }

    /// Loads a text [`compile`] just wrote, in this build (`make check-policy`).
    ///
    /// # Errors
    /// As [`PolicyEngine::load`].
    pub fn load_fresh(compiled: &str) -> Result<Self, PolicyError> {
        let types = EntityTypes::new();
        Ok(Self::from_loaded(
            compiled::load_fresh(compiled, &types)?,
            types,
        ))
    }

    /// Loads policies [`compile`] wrote (the Worker's way: no schema, no validation).
    ///
    /// # Errors
    /// [`PolicyError::NotCompiled`] for Cedar source, [`PolicyError::Compiled`] for a
    /// text compiled against another schema or edited since.
    pub fn load(compiled: &str) -> Result<Self, PolicyError> {
        let types = EntityTypes::new();
        Ok(Self::from_loaded(compiled::load(compiled, &types)?, types))
    }

    fn from_loaded(loaded: compiled::Loaded, types: EntityTypes) -> Self {
        PolicyEngine {
            policies: loaded.policies,
            actions: loaded.actions,
            authorizer: Authorizer::new(),
            types,
            ips: IpValues::default(),
        }
    }

    /// The shipped example policies, compiled ([`SHIPPED_COMPILED`]).
    ///
    /// # Errors
    /// Only if the shipped files are broken (a test checks they are not).
    pub fn shipped() -> Result<Self, PolicyError> {
        Self::load(SHIPPED_COMPILED)
    }

    /// [`SCHEMA`] converted to Cedar's JSON schema form (for `make regen`).
    ///
    /// # Errors
    /// Only if the shipped schema is broken.
    pub fn schema_as_json() -> Result<String, PolicyError> {
        let (fragment, _warnings) = cedar_policy::SchemaFragment::from_cedarschema_str(SCHEMA)
            .map_err(|e| PolicyError::Schema(e.to_string()))?;
        let value = fragment
            .to_json_value()
            .map_err(|e| PolicyError::Schema(e.to_string()))?;
        serde_json::to_string_pretty(&value).map_err(|e| PolicyError::Schema(e.to_string()))
    }

    /// The ids of the loaded policies, sorted.
    #[must_use]
    pub fn policy_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .policies
            .policies()
            .map(|p| p.id().to_string())
            .collect();
        ids.sort();
        ids
    }

    /// The policies with a `@reason`, and the reason, sorted by id.
    #[must_use]
    pub fn policy_reasons(&self) -> Vec<(String, String)> {
        let mut reasons: Vec<(String, String)> = self
            .policies
            .policies()
            .filter_map(|p| Some((p.id().to_string(), p.annotation(REASON)?.to_owned())))
            .collect();
        reasons.sort();
        reasons
    }

    /// Decides whether `identity` may make `call` given `caller` facts (documents are
    /// classified against `caller.route`: the region and account the call goes to).
    ///
    /// The call's own action is decided first; then, only while allowed,
    /// `UseForeignDocument` for a foreign document and `SendCommandUnbounded` for
    /// targets the policy cannot bound. The last check made is the decision.
    pub fn decide(&self, identity: &Identity, call: &ParsedCall, caller: &Caller) -> Decision {
        self.decide_facts(identity, &CallFacts::of(call, caller))
    }

    /// Decides a read of command output on the document the command ran (see
    /// [`CallFacts::of_output`]), as [`PolicyEngine::decide`] decides a call.
    pub fn decide_output(
        &self,
        identity: &Identity,
        read: &crate::output::OutputRead,
        document_name: &str,
        caller: &Caller,
    ) -> Decision {
        self.decide_facts(identity, &CallFacts::of_output(read, document_name, caller))
    }

    fn decide_facts(&self, identity: &Identity, facts: &CallFacts) -> Decision {
        let mut decision = self.decide_action(identity, facts.action, facts);
        if decision.allowed && facts.foreign() {
            decision = self.decide_action(identity, USE_FOREIGN_DOCUMENT, facts);
        }
        if decision.allowed && facts.unbounded {
            decision = self.decide_action(identity, "SendCommandUnbounded", facts);
        }
        decision
    }

    fn decide_action(
        &self,
        identity: &Identity,
        action: &'static str,
        facts: &CallFacts,
    ) -> Decision {
        let decision = |allowed: bool, ids: Vec<String>, reasons: Vec<String>| Decision {
            allowed,
            policy_ids: ids,
            reasons,
            action,
            resource: facts.resource_text(),
            document: facts.document().cloned(),
        };
        let Some((request, entities)) = self.request(identity, action, facts) else {
            return decision(false, Vec::new(), Vec::new());
        };
        let (allowed, ids, reasons) = self.authorize(&request, &entities);
        decision(allowed, ids, reasons)
    }

    /// Cedar's answer: allowed, the policies that decided, the deciding forbids'
    /// reasons. A policy that fails to evaluate denies, named.
    fn authorize(
        &self,
        request: &Request,
        entities: &Entities,
    ) -> (bool, Vec<String>, Vec<String>) {
        let response = self
            .authorizer
            .is_authorized(request, &self.policies, entities);
        // A policy whose evaluation fails (an attribute or tag read without `has`, or
        // Cedar's recursion limit on a very long condition) is skipped by Cedar, which
        // would let a failing `forbid` open the door: the gateway denies instead, naming
        // the failed policies.
        let failed: BTreeSet<String> = response
            .diagnostics()
            .errors()
            .map(|e| match e {
                AuthorizationError::PolicyEvaluationError(e) => e.policy_id().to_string(),
            })
            .collect();
        if !failed.is_empty() {
            return (false, failed.into_iter().collect(), Vec::new());
        }
        let ids: BTreeSet<String> = response
            .diagnostics()
            .reason()
            .map(ToString::to_string)
            .collect();
        let ids: Vec<String> = ids.into_iter().collect();
        if response.decision() == CedarDecision::Allow {
            return (true, ids, Vec::new());
        }
        let reasons = self.reasons(&ids);
        (false, ids, reasons)
    }

    /// The `@reason`s of the policies `ids` (in that order), each once.
    fn reasons(&self, ids: &[String]) -> Vec<String> {
        let mut reasons: Vec<String> = Vec::new();
        for id in ids {
            let reason = self.policies.annotation(&PolicyId::new(id), REASON);
            if let Some(reason) = reason.filter(|r| !reasons.iter().any(|known| known == r)) {
                reasons.push(reason.to_owned());
            }
        }
        reasons
    }

    /// The Cedar request and entities. The Worker has no schema to check them against:
    /// builds with debug assertions (every test, fuzz target and `cargo run`) check every
    /// decision's request against it ([`assert_fits_schema`]).
    fn request(
        &self,
        identity: &Identity,
        action: &'static str,
        facts: &CallFacts,
    ) -> Option<(Request, Entities)> {
        let types = &self.types;
        let context = facts.context_for(action, types, &self.ips).ok()?;
        let principal = types.user(&identity.principal);
        let request = Request::new(
            principal,
            types.action(action),
            facts.resource_uid(types),
            context,
            None,
        )
        .ok()?;
        let mut entities = facts.entities(identity, types).ok()?;
        #[cfg(debug_assertions)]
        assert_fits_schema(&request, &entities);
        entities.extend(self.actions.get(action).cloned());
        let entities = Entities::from_entities(entities, None).ok()?;
        Some((request, entities))
    }
}

/// Panics unless `request` and `entities` fit the shipped schema: the context and
/// entities are built by code ([`CallFacts`]), and a value of another type than the
/// schema says could make a policy's comparison false where it was meant to match.
#[cfg(debug_assertions)]
fn assert_fits_schema(request: &Request, entities: &[Entity]) {
    use std::sync::OnceLock;
    static SCHEMA: OnceLock<cedar_policy::Schema> = OnceLock::new();
    let schema = SCHEMA.get_or_init(|| {
        cedar_policy::Schema::from_json_str(SCHEMA_JSON).expect("the shipped schema parses")
    });
    let (Some(principal), Some(action), Some(resource)) =
        (request.principal(), request.action(), request.resource())
    else {
        panic!("a request without principal, action or resource");
    };
    let context = request.context().expect("a context").clone();
    if let Err(e) = Request::new(
        principal.clone(),
        action.clone(),
        resource.clone(),
        context,
        Some(schema),
    ) {
        panic!("the request does not fit the schema: {e}");
    }
    if let Err(e) = Entities::from_entities(entities.to_vec(), Some(schema)) {
        panic!("the entities do not fit the schema: {e}");
    }
}

#[cfg(test)]
mod tests;

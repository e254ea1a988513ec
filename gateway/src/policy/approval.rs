//! The policy's part in two-person approval: who may ask for a SendCommand that
//! SendCommand itself does not permit (`RequestSendCommand`), and who may approve it
//! (`ApproveCommand`, on an `Approval` resource that carries the request as the
//! SendCommand policy saw it).

use cedar_policy::{Context, Entities, Entity, RestrictedExpression};

use super::context::{CallFacts, Caller, FactsError};
use super::{Decision, PolicyEngine, USE_FOREIGN_DOCUMENT};
use crate::call::ParsedCall;
use crate::identity::Identity;

/// The action of asking for approval.
pub const REQUEST_SEND_COMMAND: &str = "RequestSendCommand";

/// The action of approving (or rejecting) someone else's request.
pub const APPROVE_COMMAND: &str = "ApproveCommand";

/// A pending request as an approver's decision sees it.
#[derive(Debug)]
pub struct PendingRequest<'a> {
    /// The approval id.
    pub id: &'a str,
    /// Who asked, with the groups they had then.
    pub requester: &'a Identity,
    /// The SendCommand, parsed from the stored body.
    pub call: &'a ParsedCall,
    /// The requester's facts when they asked (their address, the route; the time).
    pub requester_caller: &'a Caller,
}

impl PolicyEngine {
    /// Whether `identity` may ask for `call` (a SendCommand) to be approved:
    /// `RequestSendCommand`, then, while allowed, `UseForeignDocument` for a foreign
    /// document and `SendCommandUnbounded` for unbounded targets, as [`Self::decide`].
    pub fn decide_request(
        &self,
        identity: &Identity,
        call: &ParsedCall,
        caller: &Caller,
    ) -> Decision {
        let facts = CallFacts::of(call, caller);
        let mut decision = self.decide_action(identity, REQUEST_SEND_COMMAND, &facts);
        if decision.allowed && facts.foreign() {
            decision = self.decide_action(identity, USE_FOREIGN_DOCUMENT, &facts);
        }
        if decision.allowed && facts.unbounded {
            decision = self.decide_action(identity, "SendCommandUnbounded", &facts);
        }
        decision
    }

    /// Whether `approver` (with `approver_caller` facts) may approve `pending`. Says
    /// nothing of self-approval, which the gateway refuses before asking.
    pub fn decide_approval(
        &self,
        approver: &Identity,
        approver_caller: &Caller,
        pending: &PendingRequest<'_>,
    ) -> Decision {
        let facts = CallFacts::of(pending.call, pending.requester_caller);
        let decision = |allowed, policy_ids, reasons| Decision {
            allowed,
            policy_ids,
            reasons,
            action: APPROVE_COMMAND,
            resource: format!("approval/{}", pending.id),
            document: facts.document().cloned(),
        };
        let Ok((request, entities)) =
            self.approval_request(approver, approver_caller, pending, &facts)
        else {
            return decision(false, Vec::new(), Vec::new());
        };
        let (allowed, ids, reasons) = self.authorize(&request, &entities);
        decision(allowed, ids, reasons)
    }

    fn approval_request(
        &self,
        approver: &Identity,
        approver_caller: &Caller,
        pending: &PendingRequest<'_>,
        facts: &CallFacts,
    ) -> Result<(cedar_policy::Request, Entities), FactsError> {
        let types = &self.types;
        let route = &approver_caller.route;
        let context = Context::from_pairs([
            (
                "caller".to_owned(),
                approver_caller
                    .expression(&self.ips)
                    .map_err(not_for_cedar)?,
            ),
            (
                "region".to_owned(),
                RestrictedExpression::new_string(route.region.clone()),
            ),
            (
                "account".to_owned(),
                RestrictedExpression::new_string(route.account.clone()),
            ),
            (
                "accountId".to_owned(),
                RestrictedExpression::new_string(route.account_id.clone().unwrap_or_default()),
            ),
        ])
        .map_err(not_for_cedar)?;
        let resource = types.approval(pending.id);
        let request = cedar_policy::Request::new(
            types.user(&approver.principal),
            types.action(APPROVE_COMMAND),
            resource.clone(),
            context,
            None,
        )
        .map_err(not_for_cedar)?;
        // The requester, the document, the request's Parameters and TagTargets; then the
        // approver and their groups (each entity once), the Approval, the action.
        let mut entities = facts.entities(pending.requester, types)?;
        for entity in types.principal_entities(approver) {
            if !entities.iter().any(|e| e.uid() == entity.uid()) {
                entities.push(entity);
            }
        }
        let attrs = [
            (
                "requester".to_owned(),
                RestrictedExpression::new_entity_uid(types.user(&pending.requester.principal)),
            ),
            (
                "document".to_owned(),
                RestrictedExpression::new_entity_uid(facts.resource_uid(types)),
            ),
            (
                "request".to_owned(),
                facts.context_record("SendCommand", types, &self.ips)?,
            ),
        ];
        entities.push(
            Entity::new(resource, attrs.into_iter().collect(), Default::default())
                .map_err(not_for_cedar)?,
        );
        #[cfg(debug_assertions)]
        super::assert_fits_schema(&request, &entities);
        entities.extend(self.actions.get(APPROVE_COMMAND).cloned());
        let entities = Entities::from_entities(entities, None).map_err(not_for_cedar)?;
        Ok((request, entities))
    }
}

/// Why an approval's request could not be put to Cedar. Cedar's own error is not
/// displayed: its `Display` links Cedar's expression printer into the Worker (~10 KB),
/// and none can happen for a call the core parsed.
fn not_for_cedar<E>(_: E) -> FactsError {
    FactsError::new("the approval's request cannot be put to Cedar".into())
}

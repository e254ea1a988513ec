//! What a call looks like to Cedar: resource, context record and request entities.
//!
//! Built with Cedar's typed constructors (`RestrictedExpression`, `Entity`), not from
//! JSON: parsing Cedar's JSON value format was 70 % of a decision's time (see
//! docs/benchmarks.md). The request is still checked against the schema.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use cedar_policy::{
    ActionConstraint, Context, Entity, EntityId, EntityTypeName, EntityUid, PolicySet,
    PrincipalConstraint, ResourceConstraint, RestrictedExpression,
};

use super::document::{Document, UpstreamScope};
use crate::call::ParsedCall;
use crate::fields::CallFields;
use crate::identity::Identity;
use crate::output::OutputRead;
use crate::route::Route;

mod send;
#[cfg(test)]
pub(crate) use send::every_send_command_member;
use send::SendFacts;
pub use send::SEND_COMMAND_MEMBERS;

/// Facts about the caller that are not in the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// `"sigv4"` or `"jwt"`.
    pub auth_method: &'static str,
    /// The client's address as the platform reports it; ignored unless it parses as
    /// an IP address.
    pub source_ip: Option<String>,
    /// Unix seconds at the gateway.
    pub now: u64,
    /// Where the call goes (region and account): `context.region`, `context.account`,
    /// `context.accountId`; documents are classified against it.
    pub route: Route,
    /// The gateway's `OUTPUT_LOG_GROUP`: a SendCommand's `context.outputLogGroup`.
    pub output_log_group: Option<String>,
}

/// The schema's entity types, parsed once per engine.
#[derive(Clone, Debug)]
pub struct EntityTypes {
    user: EntityTypeName,
    group: EntityTypeName,
    document: EntityTypeName,
    fleet: EntityTypeName,
    parameters: EntityTypeName,
    tag_targets: EntityTypeName,
    approval: EntityTypeName,
    action: EntityTypeName,
}

/// The schema's entity type names as Cedar policy scopes, two to a policy (never
/// authorized with: only read back by [`EntityTypes::new`]).
///
/// Cedar's API makes an `EntityTypeName` from text two ways: `EntityTypeName::from_str`,
/// which checks the name with a `regex::Regex` built on first use, or its policy parser.
/// Loading the policies needs the parser anyway; the regex would be extra code compiled
/// and run on a Worker's first request (~8 ms of a cold start, docs/benchmarks.md).
const TYPE_NAMES: &str = r#"
permit (principal is User, action == Action::"types", resource is Group);
permit (principal is Document, action, resource is Fleet);
permit (principal is Parameters, action, resource is TagTargets);
permit (principal is Approval, action, resource is Fleet);
"#;

impl EntityTypes {
    /// The shipped schema's type names, read from [`TYPE_NAMES`] with Cedar's parser.
    ///
    /// # Panics
    /// Never: the text is a constant that parses and names every type (a test checks).
    #[must_use]
    pub fn new() -> Self {
        let set: PolicySet = TYPE_NAMES.parse().expect("TYPE_NAMES parses");
        let mut names: HashMap<String, EntityTypeName> = HashMap::new();
        let mut keep = |name: &EntityTypeName| {
            names.insert(name.to_string(), name.clone());
        };
        for policy in set.policies() {
            if let PrincipalConstraint::Is(name) = policy.principal_constraint() {
                keep(&name);
            }
            if let ActionConstraint::Eq(uid) = policy.action_constraint() {
                keep(uid.type_name());
            }
            if let ResourceConstraint::Is(name) = policy.resource_constraint() {
                keep(&name);
            }
        }
        let mut name = |n: &str| names.remove(n).expect("TYPE_NAMES names every type");
        EntityTypes {
            user: name("User"),
            group: name("Group"),
            document: name("Document"),
            fleet: name("Fleet"),
            parameters: name("Parameters"),
            tag_targets: name("TagTargets"),
            approval: name("Approval"),
            action: name("Action"),
        }
    }

    /// `Action::"<name>"`.
    #[must_use]
    pub fn action(&self, name: &str) -> EntityUid {
        EntityUid::from_type_name_and_id(self.action.clone(), EntityId::new(name))
    }

    /// `User::"<principal>"`.
    #[must_use]
    pub fn user(&self, principal: &str) -> EntityUid {
        EntityUid::from_type_name_and_id(self.user.clone(), EntityId::new(principal))
    }

    /// `Approval::"<id>"`.
    #[must_use]
    pub fn approval(&self, id: &str) -> EntityUid {
        EntityUid::from_type_name_and_id(self.approval.clone(), EntityId::new(id))
    }

    /// The user `identity` and its groups, as entities.
    #[must_use]
    pub fn principal_entities(&self, identity: &Identity) -> Vec<Entity> {
        let groups: HashSet<EntityUid> = identity
            .groups
            .iter()
            .map(|g| EntityUid::from_type_name_and_id(self.group.clone(), EntityId::new(g)))
            .collect();
        let mut entities: Vec<Entity> = groups
            .iter()
            .map(|g| Entity::new_no_attrs(g.clone(), HashSet::new()))
            .collect();
        entities.push(Entity::new_no_attrs(self.user(&identity.principal), groups));
        entities
    }
}

impl Default for EntityTypes {
    fn default() -> Self {
        Self::new()
    }
}

/// The id of the per-request `Parameters` and `TagTargets` entities.
const REQUEST_ENTITY: &str = "request";

/// The action a foreign document must also be permitted as.
pub const USE_FOREIGN_DOCUMENT: &str = "UseForeignDocument";

/// The action of reading a command's output (CloudWatch Logs' `GetLogEvents`,
/// `DescribeLogStreams`).
pub const READ_OUTPUT: &str = "ReadOutput";

#[derive(Clone, Debug, PartialEq, Eq)]
enum Resource {
    Document(Document),
    Fleet,
}

#[derive(Debug)]
enum Shape {
    /// A listing or lookup whose members the policy does not see (ReadContext).
    Read,
    /// A document read's version and format, a tag listing's resource: each given
    /// field as a context attribute of the same name.
    Fields(Box<CallFields>),
    Cancel {
        command_id: String,
        instance_ids: Vec<String>,
    },
    Send(Box<SendFacts>),
    /// A read of a command's output (CloudWatch Logs), on the command's document.
    Output(Box<OutputRead>),
}

/// The Cedar view of one call.
#[derive(Debug)]
pub struct CallFacts {
    /// The Cedar action id (the operation name).
    pub action: &'static str,
    /// Whether `SendCommandUnbounded` must be permitted too.
    pub unbounded: bool,
    resource: Resource,
    caller: Caller,
    shape: Shape,
}

fn string(s: &str) -> RestrictedExpression {
    RestrictedExpression::new_string(s.to_owned())
}

fn strings<'a>(items: impl IntoIterator<Item = &'a String>) -> RestrictedExpression {
    RestrictedExpression::new_set(items.into_iter().map(|s| string(s)))
}

fn record(
    pairs: Vec<(&str, RestrictedExpression)>,
) -> Result<RestrictedExpression, cedar_policy::ExpressionConstructionError> {
    RestrictedExpression::new_record(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)))
}

/// `ip("…")` values for callers' addresses, each made once. Cedar's
/// `RestrictedExpression::new_ip` parses the function name `ip` with its policy parser
/// (building the lexer's regex) every time: ~5 µs, a seventh of a SendCommand decision.
/// Callers repeat (a dashboard polls from one address), so the values are kept, at most
/// [`IpValues::CAPACITY`] of them: a full cache starts again empty.
#[derive(Debug, Default)]
pub struct IpValues(std::sync::Mutex<HashMap<IpAddr, RestrictedExpression>>);

impl IpValues {
    /// How many addresses are kept.
    pub const CAPACITY: usize = 1024;

    /// `ip("<ip>")`.
    pub fn of(&self, ip: IpAddr) -> RestrictedExpression {
        let mut known = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(value) = known.get(&ip) {
            return value.clone();
        }
        if known.len() >= Self::CAPACITY {
            known.clear();
        }
        let value = RestrictedExpression::new_ip(ip.to_string());
        known.insert(ip, value.clone());
        value
    }
}

impl Caller {
    pub(super) fn expression(
        &self,
        ips: &IpValues,
    ) -> Result<RestrictedExpression, cedar_policy::ExpressionConstructionError> {
        let long = |n: u64| RestrictedExpression::new_long(n as i64);
        let mut pairs = vec![
            ("authMethod", string(self.auth_method)),
            ("hour", long((self.now / 3600) % 24)),
            ("minute", long((self.now / 60) % 60)),
            // 1970-01-01 was a Thursday (ISO 4).
            ("weekday", long(((self.now / 86_400) + 3) % 7 + 1)),
        ];
        if let Some(ip) = self
            .source_ip
            .as_deref()
            .and_then(|s| s.trim().parse::<IpAddr>().ok())
        {
            pairs.push(("sourceIp", ips.of(ip)));
        }
        record(pairs)
    }
}

/// Why the facts could not be put to Cedar (never for calls the core parsed; the
/// decision is then a denial).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FactsError(String);

impl FactsError {
    pub(super) fn new(text: String) -> Self {
        FactsError(text)
    }
}

fn facts_error(e: impl std::fmt::Display) -> FactsError {
    FactsError(e.to_string())
}

impl CallFacts {
    /// Builds the facts for `call`; documents are classified against the caller's route
    /// (its region, and its account: without an account id, every document ARN naming
    /// an account is foreign).
    #[must_use]
    pub fn of(call: &ParsedCall, caller: &Caller) -> Self {
        let scope = caller.route.scope();
        let scope = Some(&scope);
        let action = call.operation().as_str();
        let facts = |resource, shape| CallFacts {
            action,
            unbounded: false,
            resource,
            caller: caller.clone(),
            shape,
        };
        let document = |name: &Option<String>| {
            Resource::Document(Document::classify(
                name.as_deref().unwrap_or_default(),
                scope,
            ))
        };
        // Every operation by name, no catch-all: a new one must say what its policy sees.
        match call {
            ParsedCall::SendCommand(input) => Self::send_command(input, caller, scope),
            ParsedCall::DescribeDocument(input) => facts(
                document(&input.name),
                Shape::Fields(Box::new(CallFields::of_describe_document(input))),
            ),
            ParsedCall::GetDocument(input) => facts(
                document(&input.name),
                Shape::Fields(Box::new(CallFields::of_get_document(input))),
            ),
            ParsedCall::ListTagsForResource(input) => facts(
                Resource::Fleet,
                Shape::Fields(Box::new(CallFields::of_list_tags_for_resource(input))),
            ),
            ParsedCall::CancelCommand(input) => facts(
                Resource::Fleet,
                Shape::Cancel {
                    command_id: input.command_id.clone().unwrap_or_default(),
                    instance_ids: input.instance_ids.clone().unwrap_or_default(),
                },
            ),
            ParsedCall::ListCommands(_)
            | ParsedCall::ListCommandInvocations(_)
            | ParsedCall::GetCommandInvocation(_)
            | ParsedCall::DescribeInstanceInformation(_)
            | ParsedCall::ListDocuments(_) => facts(Resource::Fleet, Shape::Read),
        }
    }

    /// The facts of a read of command output ([`OutputRead`]): the action
    /// `ReadOutput`, on the document the command ran (`document_name`, as SSM records
    /// the command: never as the caller names it).
    #[must_use]
    pub fn of_output(read: &OutputRead, document_name: &str, caller: &Caller) -> Self {
        let scope = caller.route.scope();
        CallFacts {
            action: READ_OUTPUT,
            unbounded: false,
            resource: Resource::Document(Document::classify(document_name, Some(&scope))),
            caller: caller.clone(),
            shape: Shape::Output(Box::new(read.clone())),
        }
    }

    /// The document the call names (SendCommand, DescribeDocument, GetDocument).
    #[must_use]
    pub fn document(&self) -> Option<&Document> {
        match &self.resource {
            Resource::Document(document) => Some(document),
            Resource::Fleet => None,
        }
    }

    /// Whether the call must also be permitted as [`USE_FOREIGN_DOCUMENT`].
    #[must_use]
    pub fn foreign(&self) -> bool {
        self.document().is_some_and(Document::is_foreign)
    }

    /// The resource as refusals name it: `document/<DocumentName as given>` or `fleet`.
    #[must_use]
    pub fn resource_text(&self) -> String {
        match &self.resource {
            Resource::Document(document) => format!("document/{}", document.given),
            Resource::Fleet => "fleet".to_owned(),
        }
    }

    /// The resource's entity uid.
    #[must_use]
    pub fn resource_uid(&self, types: &EntityTypes) -> EntityUid {
        let (ty, id) = match &self.resource {
            Resource::Document(document) => (&types.document, document.entity_id()),
            Resource::Fleet => (&types.fleet, "default"),
        };
        EntityUid::from_type_name_and_id(ty.clone(), EntityId::new(id))
    }

    fn request_entity(ty: &EntityTypeName) -> EntityUid {
        EntityUid::from_type_name_and_id(ty.clone(), EntityId::new(REQUEST_ENTITY))
    }

    /// The context record of the call's own action.
    ///
    /// # Errors
    /// Only for values Cedar cannot hold (none from a parsed call).
    pub fn context(&self, types: &EntityTypes, ips: &IpValues) -> Result<Context, FactsError> {
        self.context_for(self.action, types, ips)
    }

    /// The context record for `action`: the call's own, or for
    /// [`USE_FOREIGN_DOCUMENT`] the caller and the operation.
    ///
    /// # Errors
    /// Only for values Cedar cannot hold (none from a parsed call).
    pub fn context_for(
        &self,
        action: &str,
        types: &EntityTypes,
        ips: &IpValues,
    ) -> Result<Context, FactsError> {
        let pairs = self.context_pairs(action, types, ips)?;
        Context::from_pairs(pairs.into_iter().map(|(k, v)| (k.to_owned(), v))).map_err(facts_error)
    }

    /// [`CallFacts::context_for`] as a record value (an `Approval`'s `request`).
    ///
    /// # Errors
    /// Only for values Cedar cannot hold (none from a parsed call).
    pub fn context_record(
        &self,
        action: &str,
        types: &EntityTypes,
        ips: &IpValues,
    ) -> Result<RestrictedExpression, FactsError> {
        record(self.context_pairs(action, types, ips)?).map_err(facts_error)
    }

    fn context_pairs(
        &self,
        action: &str,
        types: &EntityTypes,
        ips: &IpValues,
    ) -> Result<Vec<(&'static str, RestrictedExpression)>, FactsError> {
        let caller = self.caller.expression(ips).map_err(facts_error)?;
        let route = &self.caller.route;
        let mut pairs: Vec<(&str, RestrictedExpression)> = vec![
            ("caller", caller),
            ("region", string(&route.region)),
            ("account", string(&route.account)),
            (
                "accountId",
                string(route.account_id.as_deref().unwrap_or_default()),
            ),
        ];
        if action == USE_FOREIGN_DOCUMENT {
            let operation = match &self.shape {
                Shape::Output(read) => read.operation.as_str(),
                _ => self.action,
            };
            pairs.push(("operation", string(operation)));
        } else {
            match &self.shape {
                Shape::Read => {}
                Shape::Fields(fields) => {
                    let given = [
                        ("documentVersion", &fields.document_version),
                        ("versionName", &fields.version_name),
                        ("documentFormat", &fields.document_format),
                        ("resourceType", &fields.resource_type),
                        ("resourceId", &fields.resource_id),
                    ];
                    pairs.extend(
                        given
                            .into_iter()
                            .filter_map(|(name, value)| Some((name, string(value.as_ref()?)))),
                    );
                }
                Shape::Cancel {
                    command_id,
                    instance_ids,
                } => {
                    pairs.push(("commandId", string(command_id)));
                    pairs.push(("instanceIds", strings(instance_ids)));
                }
                Shape::Send(send) => self.send_context(send, types, &mut pairs)?,
                Shape::Output(read) => pairs.extend([
                    ("operation", string(read.operation.as_str())),
                    ("commandId", string(&read.command_id)),
                    ("instanceId", string(&read.instance_id)),
                    ("logGroupName", string(&read.log_group)),
                    ("unmask", RestrictedExpression::new_bool(read.unmask)),
                ]),
            }
        }
        Ok(pairs)
    }

    /// The resource entity: a `Document` with its name, owner and ARN parts, or the
    /// fleet.
    fn resource_entity(&self, types: &EntityTypes) -> Result<Entity, FactsError> {
        let uid = self.resource_uid(types);
        let Resource::Document(document) = &self.resource else {
            return Ok(Entity::new_no_attrs(uid, HashSet::new()));
        };
        let mut attrs = vec![
            ("name".to_owned(), string(&document.name)),
            ("owner".to_owned(), string(document.owner.as_str())),
        ];
        if let Some(arn) = &document.arn {
            attrs.extend([
                ("partition".to_owned(), string(&arn.partition)),
                ("region".to_owned(), string(&arn.region)),
                ("account".to_owned(), string(&arn.account)),
                ("arn".to_owned(), string(&document.given)),
            ]);
        }
        Entity::new_with_tags(uid, attrs, [], []).map_err(facts_error)
    }

    /// The request's entities: the user and its groups, the resource, and the
    /// `Parameters` and `TagTargets` of a `SendCommand`.
    ///
    /// # Errors
    /// Only for values Cedar cannot hold (none from a parsed call).
    pub fn entities(
        &self,
        identity: &Identity,
        types: &EntityTypes,
    ) -> Result<Vec<Entity>, FactsError> {
        let mut entities = types.principal_entities(identity);
        entities.push(self.resource_entity(types)?);
        if let Shape::Send(send) = &self.shape {
            entities.extend(send.entities(types)?);
        }
        Ok(entities)
    }
}

#[cfg(test)]
mod type_name_tests {
    use cedar_policy::{EntityTypeName, Schema};

    use super::EntityTypes;
    use crate::policy::SCHEMA;

    /// The names read from `TYPE_NAMES` are those `EntityTypeName::from_str` makes, and
    /// each entity type is one the schema declares.
    #[test]
    fn entity_types_are_the_schemas_names_as_cedar_parses_them() {
        let types = EntityTypes::new();
        let (schema, _) = Schema::from_cedarschema_str(SCHEMA).expect("the schema parses");
        let declared: Vec<String> = schema.entity_types().map(ToString::to_string).collect();
        let entity_types = [
            (&types.user, "User"),
            (&types.group, "Group"),
            (&types.document, "Document"),
            (&types.fleet, "Fleet"),
            (&types.parameters, "Parameters"),
            (&types.tag_targets, "TagTargets"),
            (&types.approval, "Approval"),
        ];
        for (got, name) in entity_types {
            assert_eq!(got, &name.parse::<EntityTypeName>().unwrap(), "{name}");
            assert!(
                declared.iter().any(|d| d == name),
                "{name} is not in the schema"
            );
        }
        assert_eq!(types.action, "Action".parse::<EntityTypeName>().unwrap());
    }
}

#[cfg(test)]
mod ip_value_tests {
    use std::net::{IpAddr, Ipv4Addr};

    use cedar_policy::RestrictedExpression;

    use super::IpValues;

    /// Kept values are the ones Cedar makes, for IPv4, IPv6 and mapped addresses, on
    /// the first call and the next; the cache never holds more than its capacity.
    #[test]
    fn ip_values_are_cedars_and_bounded() {
        let ips = IpValues::default();
        for text in ["10.1.2.3", "2001:db8::1", "::ffff:10.0.0.1"] {
            let ip: IpAddr = text.parse().unwrap();
            let cedar = RestrictedExpression::new_ip(ip.to_string());
            assert_eq!(ips.of(ip), cedar, "{text}, made");
            assert_eq!(ips.of(ip), cedar, "{text}, kept");
        }
        for n in 0..u32::try_from(IpValues::CAPACITY).unwrap() + 10 {
            let ip = IpAddr::from(Ipv4Addr::from(n));
            assert_eq!(ips.of(ip), RestrictedExpression::new_ip(ip.to_string()));
            assert!(ips.0.lock().unwrap().len() <= IpValues::CAPACITY);
        }
    }
}

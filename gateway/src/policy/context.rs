//! What a call looks like to Cedar: resource, context record and request entities.
//!
//! Built with Cedar's typed constructors (`RestrictedExpression`, `Entity`), not from
//! JSON: parsing Cedar's JSON value format was 70 % of a decision's time (see
//! docs/benchmarks.md). The request is still checked against the schema.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::net::IpAddr;

use cedar_policy::{Context, Entity, EntityId, EntityTypeName, EntityUid, RestrictedExpression};
use ssm_edge_core::model::SendCommandInput;

use crate::call::ParsedCall;
use crate::identity::Identity;

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
}

/// The schema's entity types, parsed once (parsing a name runs Cedar's parser).
#[derive(Clone, Debug)]
pub struct EntityTypes {
    user: EntityTypeName,
    group: EntityTypeName,
    document: EntityTypeName,
    fleet: EntityTypeName,
    parameters: EntityTypeName,
    tag_targets: EntityTypeName,
    action: EntityTypeName,
}

impl EntityTypes {
    /// Parses the type names of the shipped schema.
    ///
    /// # Panics
    /// Never: the names are constants that parse (a test checks).
    #[must_use]
    pub fn new() -> Self {
        let name = |n: &str| {
            n.parse::<EntityTypeName>()
                .expect("a valid Cedar type name")
        };
        EntityTypes {
            user: name("User"),
            group: name("Group"),
            document: name("Document"),
            fleet: name("Fleet"),
            parameters: name("Parameters"),
            tag_targets: name("TagTargets"),
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
}

impl Default for EntityTypes {
    fn default() -> Self {
        Self::new()
    }
}

/// The name a document is known by in policies: `DocumentName` as sent, or the name
/// part of a document ARN (`arn:aws:ssm:us-east-1:123456789012:document/Ops-Restart`
/// → `Ops-Restart`), so a rule about a name cannot be sidestepped with its ARN.
#[must_use]
pub fn document_name(raw: &str) -> &str {
    if raw.starts_with("arn:") {
        if let Some((_, name)) = raw.split_once(":document/") {
            return name;
        }
    }
    raw
}

/// The id of the per-request `Parameters` and `TagTargets` entities.
const REQUEST_ENTITY: &str = "request";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ResourceType {
    Document,
    Fleet,
}

/// A SendCommand as Cedar sees it.
#[derive(Debug)]
struct SendFacts {
    instance_ids: BTreeSet<String>,
    keys: BTreeSet<String>,
    tag_targets: BTreeMap<String, BTreeSet<String>>,
    parameters: BTreeMap<String, Vec<String>>,
    comment: String,
    timeout_seconds: i64,
    max_concurrency: String,
    max_errors: String,
    document_version: String,
    output_to_s3: bool,
    notifications: bool,
}

#[derive(Debug)]
enum Shape {
    Read,
    Cancel {
        command_id: String,
        instance_ids: Vec<String>,
    },
    Send(Box<SendFacts>),
}

/// The Cedar view of one call.
#[derive(Debug)]
pub struct CallFacts {
    /// The Cedar action id (the operation name).
    pub action: &'static str,
    /// Whether `SendCommandUnbounded` must be permitted too.
    pub unbounded: bool,
    resource: (ResourceType, String),
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

impl Caller {
    fn expression(
        &self,
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
            pairs.push(("sourceIp", RestrictedExpression::new_ip(ip.to_string())));
        }
        record(pairs)
    }
}

/// Why the facts could not be put to Cedar (never for calls the core parsed; the
/// decision is then a denial).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FactsError(String);

fn facts_error(e: impl std::fmt::Display) -> FactsError {
    FactsError(e.to_string())
}

impl CallFacts {
    /// Builds the facts for `call`.
    #[must_use]
    pub fn of(call: &ParsedCall, caller: &Caller) -> Self {
        let action = call.operation().as_str();
        let read = |resource| CallFacts {
            action,
            unbounded: false,
            resource,
            caller: caller.clone(),
            shape: Shape::Read,
        };
        match call {
            ParsedCall::Read(_) => read((ResourceType::Fleet, "default".to_owned())),
            ParsedCall::DescribeDocument(input) => read((
                ResourceType::Document,
                document_name(input.name.as_deref().unwrap_or_default()).to_owned(),
            )),
            ParsedCall::CancelCommand(input) => CallFacts {
                action,
                unbounded: false,
                resource: (ResourceType::Fleet, "default".to_owned()),
                caller: caller.clone(),
                shape: Shape::Cancel {
                    command_id: input.command_id.clone().unwrap_or_default(),
                    instance_ids: input.instance_ids.clone().unwrap_or_default(),
                },
            },
            ParsedCall::SendCommand(input) => Self::send_command(input, caller),
        }
    }

    fn send_command(input: &SendCommandInput, caller: &Caller) -> Self {
        let mut instance_ids: BTreeSet<String> =
            input.instance_ids.iter().flatten().cloned().collect();
        let mut keys = BTreeSet::new();
        if input.instance_ids.is_some() {
            keys.insert("InstanceIds".to_owned());
        }
        let mut tag_targets: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut unbounded = instance_ids.iter().any(|id| id.contains('*'));
        for target in input.targets.iter().flatten() {
            let key = target.key.clone().unwrap_or_default();
            let values = target.values.iter().flatten();
            unbounded |= target.values.iter().flatten().any(|v| v.contains('*'));
            if key == "InstanceIds" {
                instance_ids.extend(values.cloned());
            } else if let Some(tag) = key.strip_prefix("tag:") {
                tag_targets
                    .entry(tag.to_owned())
                    .or_default()
                    .extend(values.cloned());
            } else {
                // tag-key, resource-groups:*: the gateway cannot tell which instances.
                unbounded = true;
            }
            keys.insert(key);
        }
        let send = SendFacts {
            instance_ids,
            keys,
            tag_targets,
            parameters: input
                .parameters
                .as_ref()
                .map(|p| p.0.clone())
                .unwrap_or_default(),
            comment: input.comment.clone().unwrap_or_default(),
            timeout_seconds: i64::from(input.timeout_seconds.unwrap_or(3600)),
            max_concurrency: input
                .max_concurrency
                .clone()
                .unwrap_or_else(|| "50".to_owned()),
            max_errors: input.max_errors.clone().unwrap_or_else(|| "0".to_owned()),
            document_version: input.document_version.clone().unwrap_or_default(),
            output_to_s3: input.output_s3_bucket_name.is_some(),
            notifications: input.notification_config.is_some() || input.service_role_arn.is_some(),
        };
        CallFacts {
            action: "SendCommand",
            unbounded,
            resource: (
                ResourceType::Document,
                document_name(input.document_name.as_deref().unwrap_or_default()).to_owned(),
            ),
            caller: caller.clone(),
            shape: Shape::Send(Box::new(send)),
        }
    }

    /// The resource's entity uid.
    #[must_use]
    pub fn resource_uid(&self, types: &EntityTypes) -> EntityUid {
        let ty = match self.resource.0 {
            ResourceType::Document => &types.document,
            ResourceType::Fleet => &types.fleet,
        };
        EntityUid::from_type_name_and_id(ty.clone(), EntityId::new(&self.resource.1))
    }

    fn request_entity(ty: &EntityTypeName) -> EntityUid {
        EntityUid::from_type_name_and_id(ty.clone(), EntityId::new(REQUEST_ENTITY))
    }

    /// The context record.
    ///
    /// # Errors
    /// Only for values Cedar cannot hold (none from a parsed call).
    pub fn context(&self, types: &EntityTypes) -> Result<Context, FactsError> {
        let caller = self.caller.expression().map_err(facts_error)?;
        let pairs: Vec<(&str, RestrictedExpression)> = match &self.shape {
            Shape::Read => vec![("caller", caller)],
            Shape::Cancel {
                command_id,
                instance_ids,
            } => vec![
                ("caller", caller),
                ("commandId", string(command_id)),
                ("instanceIds", strings(instance_ids)),
            ],
            Shape::Send(send) => {
                let targets = record(vec![
                    ("instanceIds", strings(&send.instance_ids)),
                    ("keys", strings(&send.keys)),
                    (
                        "tags",
                        RestrictedExpression::new_entity_uid(Self::request_entity(
                            &types.tag_targets,
                        )),
                    ),
                    ("unbounded", RestrictedExpression::new_bool(self.unbounded)),
                ])
                .map_err(facts_error)?;
                vec![
                    ("caller", caller),
                    ("targets", targets),
                    (
                        "parameters",
                        RestrictedExpression::new_entity_uid(Self::request_entity(
                            &types.parameters,
                        )),
                    ),
                    ("parameterNames", strings(send.parameters.keys())),
                    ("comment", string(&send.comment)),
                    (
                        "timeoutSeconds",
                        RestrictedExpression::new_long(send.timeout_seconds),
                    ),
                    ("maxConcurrency", string(&send.max_concurrency)),
                    ("maxErrors", string(&send.max_errors)),
                    ("documentVersion", string(&send.document_version)),
                    (
                        "outputToS3",
                        RestrictedExpression::new_bool(send.output_to_s3),
                    ),
                    (
                        "notifications",
                        RestrictedExpression::new_bool(send.notifications),
                    ),
                ]
            }
        };
        Context::from_pairs(pairs.into_iter().map(|(k, v)| (k.to_owned(), v))).map_err(facts_error)
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
        let groups: HashSet<EntityUid> = identity
            .groups
            .iter()
            .map(|g| EntityUid::from_type_name_and_id(types.group.clone(), EntityId::new(g)))
            .collect();
        let mut entities: Vec<Entity> = groups
            .iter()
            .map(|g| Entity::new_no_attrs(g.clone(), HashSet::new()))
            .collect();
        entities.push(Entity::new_no_attrs(
            types.user(&identity.principal),
            groups,
        ));
        entities.push(Entity::new_no_attrs(
            self.resource_uid(types),
            HashSet::new(),
        ));
        if let Shape::Send(send) = &self.shape {
            let tags = |map: Vec<(String, RestrictedExpression)>, ty: &EntityTypeName| {
                Entity::new_with_tags(Self::request_entity(ty), [], [], map).map_err(facts_error)
            };
            entities.push(tags(
                send.parameters
                    .iter()
                    .map(|(k, v)| (k.clone(), strings(v)))
                    .collect(),
                &types.parameters,
            )?);
            entities.push(tags(
                send.tag_targets
                    .iter()
                    .map(|(k, v)| (k.clone(), strings(v)))
                    .collect(),
                &types.tag_targets,
            )?);
        }
        Ok(entities)
    }
}

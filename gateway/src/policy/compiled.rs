//! Compiled policies: what `make check-policy` writes and what the Worker loads.
//!
//! Parsing the schema and validating policies against it was most of a cold Worker's
//! first answer (docs/benchmarks.md), and their code most of its upload. So they run
//! once, before deployment: [`compile`] parses, names, checks and validates the sources,
//! then writes them out as one Cedar text in which every policy carries its id
//! (`@id("...")`), under a header that records what it was checked against. The Worker
//! only parses that text ([`load`]); it carries no schema parser and no validator.
//!
//! ```text
//! // ssm-edge compiled policies, format 1
//! // from 10-read-only.cedar, 20-on-call-restart.cedar: edit those, then `make check-policy`
//! // schema sha256:<the shipped schema's digest>
//! // body sha256:<the digest of every byte after this line>
//! // actions {"CancelCommand":["RunCommand"],…}
//! @id("read-only-for-everyone")
//! permit (…);
//! ```
//!
//! The schema digest refuses policies validated against another version of the schema
//! (a gateway upgrade that changed it), the body digest refuses hand edits that skipped
//! validation. The `actions` line is the schema's action hierarchy, which Cedar needs
//! as entities to decide `action in Action::"ReadOnly"`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;

use cedar_policy::{Entity, PolicyId, PolicySet, Schema};
use sha2::{Digest, Sha256};

use super::context::EntityTypes;
use super::{load, PolicyError, SCHEMA, SCHEMA_JSON, SHIPPED_COMPILED};

/// The first line of every compiled policy text.
pub const MAGIC: &str = "// ssm-edge compiled policies, format 1";

/// What every compiled text starts with, whatever its format.
const MAGIC_STEM: &str = "// ssm-edge compiled policies";

const SCHEMA_LINE: &str = "// schema sha256:";
const BODY_LINE: &str = "// body sha256:";
const ACTIONS_LINE: &str = "// actions ";

/// Each action's parents (action groups), as the schema declares them.
type ActionParents = BTreeMap<String, Vec<String>>;

/// A loaded compiled text: the policies, named, and the action entities.
pub(super) struct Loaded {
    pub policies: PolicySet,
    /// Each action's entity, by action id, with all its ancestors (a request needs only
    /// its own action's).
    pub actions: HashMap<String, Entity>,
}

/// Parses, names, checks and validates `sources` (name, Cedar text) as
/// [`PolicyEngine::new`](super::PolicyEngine::new) describes, and writes the compiled
/// text the Worker loads.
///
/// # Errors
/// Every problem of every source ([`PolicyError`]).
pub fn compile<'a>(
    sources: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<String, PolicyError> {
    let sources: Vec<(&str, &str)> = sources.into_iter().collect();
    let schema =
        Schema::from_json_str(SCHEMA_JSON).map_err(|e| PolicyError::Schema(e.to_string()))?;
    let policies = load::load(sources.iter().copied(), &schema)?;
    let body = body(&policies, &action_parents(&schema)?)?;
    let names: Vec<String> = sources.iter().map(|(name, _)| one_line(name)).collect();
    let text = format!(
        "{MAGIC}\n// from {}: edit those, then `make check-policy`\n{SCHEMA_LINE}{}\n{BODY_LINE}{}\n{body}",
        names.join(", "),
        digest(SCHEMA),
        digest(&body),
    );
    // What is written must load as what was checked: same ids, same policies.
    let loaded = load_fresh(&text, &EntityTypes::new())?;
    let same = |set: &PolicySet| {
        let mut ids: Vec<String> = set.policies().map(|p| p.id().to_string()).collect();
        ids.sort();
        ids
    };
    if same(&loaded.policies) != same(&policies) {
        return Err(PolicyError::Compiled(
            "the compiled text does not load as the checked policies (a defect)".to_owned(),
        ));
    }
    Ok(text)
}

/// Loads a compiled text: checks its header against this gateway's schema and its body
/// against its digest, then parses the policies (no validation: [`compile`] did it).
///
/// # Errors
/// [`PolicyError::NotCompiled`] for Cedar source; [`PolicyError::Compiled`] for another
/// format, another schema, an edited body or (never for what [`compile`] wrote) a
/// policy without an id.
pub(super) fn load(text: &str, types: &EntityTypes) -> Result<Loaded, PolicyError> {
    load_checked(text, types, schema_digest())
}

/// [`load`] for a text this build compiled: checked against this build's schema, not
/// the shipped text's digest (after a schema change, the shipped text is what
/// `make check-policy` is about to replace).
pub(super) fn load_fresh(text: &str, types: &EntityTypes) -> Result<Loaded, PolicyError> {
    load_checked(text, types, &digest(SCHEMA))
}

/// [`load`], for a text compiled against the schema whose digest is `schema`.
fn load_checked(text: &str, types: &EntityTypes, schema: &str) -> Result<Loaded, PolicyError> {
    let (header, body) = split(text)?;
    if header_field(&header, SCHEMA_LINE) != Some(schema) {
        return Err(compiled(
            "they were checked against another version of the gateway's schema: compile \
             them again with this version's `make check-policy`",
        ));
    }
    if header_field(&header, BODY_LINE) != Some(digest(body).as_str()) {
        return Err(compiled(
            "they were changed after `make check-policy` wrote them: edit the .cedar \
             sources and compile again",
        ));
    }
    let (actions, policies) = body.split_once('\n').unwrap_or((body, ""));
    let actions = actions
        .strip_prefix(ACTIONS_LINE)
        .and_then(|json| serde_json::from_str::<ActionParents>(json).ok())
        .ok_or_else(|| compiled("the actions line is missing or broken"))?;
    Ok(Loaded {
        policies: named(policies)?,
        actions: action_entities(&actions, types),
    })
}

/// The value of the header line that starts with `prefix`.
fn header_field<'a>(header: &[&'a str], prefix: &str) -> Option<&'a str> {
    header.iter().find_map(|line| line.strip_prefix(prefix))
}

/// This gateway's schema digest: the one its shipped policies were compiled with (a test
/// checks they are current, so it is the digest of [`SCHEMA`]). Read there, the Worker
/// need not carry the schema's text.
fn schema_digest() -> &'static str {
    split(SHIPPED_COMPILED)
        .ok()
        .and_then(|(header, _)| header_field(&header, SCHEMA_LINE))
        .unwrap_or("")
}

/// The header lines (through the body line) and the body.
fn split(text: &str) -> Result<(Vec<&str>, &str), PolicyError> {
    let first = text.lines().next().unwrap_or("");
    if !first.starts_with(MAGIC_STEM) {
        return Err(PolicyError::NotCompiled);
    }
    if first != MAGIC {
        return Err(compiled(
            "they are in another format than this gateway reads: compile them again with \
             this version's `make check-policy`",
        ));
    }
    let mut header = Vec::new();
    let mut rest = text;
    while let Some((line, after)) = rest.split_once('\n') {
        header.push(line);
        rest = after;
        if line.starts_with(BODY_LINE) {
            return Ok((header, rest));
        }
    }
    Err(compiled("the header has no body line"))
}

/// The policies of a compiled body, each under the id its `@id` gives.
fn named(text: &str) -> Result<PolicySet, PolicyError> {
    // The body is what `compile` wrote (its digest matched), so this fails only for a
    // gateway whose Cedar reads it otherwise; the Worker does not carry Cedar's error
    // rendering for it.
    let parsed = PolicySet::from_str(text).map_err(|_| {
        compiled(
            "the policies do not parse: compile them again with this version's `make check-policy`",
        )
    })?;
    let mut named = PolicySet::new();
    for policy in parsed.policies() {
        let id = policy
            .annotation("id")
            .ok_or_else(|| compiled("a policy has no @id"))?;
        named
            .add(policy.new_id(PolicyId::new(id)))
            .map_err(|_| compiled(&format!("the policy id {id:?} is used twice")))?;
    }
    if parsed.templates().next().is_some() {
        return Err(compiled("a policy template is not supported"));
    }
    if named.is_empty() {
        return Err(PolicyError::Empty);
    }
    Ok(named)
}

/// The body: the actions line, then every policy under its id, in id order.
fn body(policies: &PolicySet, actions: &ActionParents) -> Result<String, PolicyError> {
    let actions = serde_json::to_string(actions).map_err(|e| compiled(&e.to_string()))?;
    let mut all: Vec<_> = policies.policies().collect();
    all.sort_by_key(|p| p.id().to_string());
    let mut body = format!("{ACTIONS_LINE}{actions}\n");
    for policy in all {
        let id: &str = policy.id().as_ref();
        // A policy's id is its `@id` when it has one (see `load`); else it gets one.
        if policy.annotation("id") != Some(id) {
            body.push_str(&format!("@id(\"{}\")\n", id.escape_debug()));
        }
        body.push_str(policy.to_string().trim());
        body.push_str("\n\n");
    }
    Ok(body)
}

/// The schema's actions, each with its parents.
fn action_parents(schema: &Schema) -> Result<ActionParents, PolicyError> {
    let entities = schema
        .action_entities()
        .map_err(|e| PolicyError::Schema(e.to_string()))?;
    let mut actions = ActionParents::new();
    for entity in entities.iter() {
        let (uid, _, parents) = entity.clone().into_inner();
        let mut parents: Vec<String> = parents
            .iter()
            .map(|p| p.id().unescaped().to_owned())
            .collect();
        parents.sort();
        actions.insert(uid.id().unescaped().to_owned(), parents);
    }
    Ok(actions)
}

/// The action entities Cedar decides `action in …` with, each with every ancestor (so
/// that a request can carry its own action alone, without the groups' entities).
fn action_entities(actions: &ActionParents, types: &EntityTypes) -> HashMap<String, Entity> {
    actions
        .keys()
        .map(|action| {
            let mut ancestors = HashSet::new();
            let mut todo: Vec<&String> = actions.get(action).into_iter().flatten().collect();
            while let Some(parent) = todo.pop() {
                if ancestors.insert(types.action(parent)) {
                    todo.extend(actions.get(parent).into_iter().flatten());
                }
            }
            let entity = Entity::new_no_attrs(types.action(action), ancestors);
            (action.clone(), entity)
        })
        .collect()
}

fn digest(text: &str) -> String {
    crate::hex::encode(&Sha256::digest(text.as_bytes()))
}

fn compiled(rule: &str) -> PolicyError {
    PolicyError::Compiled(rule.to_owned())
}

/// A source name on one line (it goes into a `//` comment).
fn one_line(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

//! Loading policy sources: parse every source, name every policy, check every
//! `@reason`, validate the set against the schema, and report every problem found with
//! its place ([`diagnostics`](super::diagnostics)), not only the first.

use std::collections::HashMap;
use std::str::FromStr;

use cedar_policy::{Policy, PolicyId, PolicySet, Schema, ValidationMode, Validator};

use super::diagnostics::{Problem, Problems};
use super::PolicyError;

/// The annotation whose text a refusal by that policy shows the caller.
pub const REASON: &str = "reason";

/// The longest `@reason`, in characters.
pub const MAX_REASON_CHARS: usize = 200;

/// One named source.
struct Source<'a> {
    name: &'a str,
    text: &'a str,
}

/// Problems with the index of the source they are in, to be put in reading order.
#[derive(Default)]
struct Found(Vec<(usize, Problem)>);

impl Found {
    fn push(&mut self, source: usize, problem: Problem) {
        self.0.push((source, problem));
    }

    /// By source as given, then by place in it (problems without a place last).
    fn into_problems(mut self) -> Problems {
        self.0.sort_by_key(|(source, p)| {
            let place = p
                .position
                .as_ref()
                .map_or((usize::MAX, 0), |at| (at.line, at.column));
            (*source, place)
        });
        Problems(self.0.into_iter().map(|(_, p)| p).collect())
    }
}

/// What loading has gathered so far.
#[derive(Default)]
struct Loading {
    policies: PolicySet,
    /// Which source each policy id came from, for the validator's errors.
    origin: HashMap<String, usize>,
    /// Syntax errors and templates: the set is incomplete, so it is not validated.
    syntax: Found,
    /// Bad `@reason`s and schema errors.
    invalid: Found,
}

/// Parses, names and validates the policies of `sources` (see
/// [`PolicyEngine::new`](super::PolicyEngine::new)).
pub(super) fn load<'a>(
    sources: impl IntoIterator<Item = (&'a str, &'a str)>,
    schema: &Schema,
) -> Result<PolicySet, PolicyError> {
    let sources: Vec<Source<'a>> = sources
        .into_iter()
        .map(|(name, text)| Source { name, text })
        .collect();
    let mut loading = Loading::default();
    for (index, source) in sources.iter().enumerate() {
        loading.add(index, source)?;
    }
    if !loading.syntax.0.is_empty() {
        return Err(PolicyError::Syntax(loading.syntax.into_problems()));
    }
    if loading.policies.is_empty() {
        return Err(PolicyError::Empty);
    }
    loading.validate(&sources, schema);
    if !loading.invalid.0.is_empty() {
        return Err(PolicyError::Validation(loading.invalid.into_problems()));
    }
    Ok(loading.policies)
}

impl Loading {
    /// Parses one source and adds its policies, named, noting every problem.
    fn add(&mut self, index: usize, source: &Source<'_>) -> Result<(), PolicyError> {
        let parsed = match PolicySet::from_str(source.text) {
            Ok(parsed) => parsed,
            Err(errors) => {
                for error in errors.iter() {
                    let what = "Cedar syntax error";
                    let problem = Problem::from_diagnostic(source.name, source.text, what, error);
                    self.syntax.push(index, problem);
                }
                return Ok(());
            }
        };
        for template in parsed.templates() {
            let text = template.to_cedar();
            let span = source.text.find(&text).map(|at| (at, text.len()));
            let message = "policy templates are not supported".to_owned();
            let problem = Problem::at(source.name, source.text, span, message);
            self.syntax.push(index, problem);
        }
        let mut all: Vec<_> = parsed.policies().cloned().collect();
        all.sort_by_key(|p| p.id().to_string());
        for (n, policy) in all.into_iter().enumerate() {
            let id = policy
                .annotation("id")
                .map_or_else(|| format!("{}#{n}", source.name), str::to_owned);
            if let Some(problem) = reason_problem(source, &policy, &id) {
                self.invalid.push(index, problem);
            }
            if self
                .policies
                .add(policy.new_id(PolicyId::new(&id)))
                .is_err()
            {
                return Err(PolicyError::DuplicateId {
                    source_name: source.name.to_owned(),
                    id,
                });
            }
            self.origin.insert(id, index);
        }
        Ok(())
    }

    /// Validates the set in strict mode, noting every error at its place.
    fn validate(&mut self, sources: &[Source<'_>], schema: &Schema) {
        let result =
            Validator::new(schema.clone()).validate(&self.policies, ValidationMode::Strict);
        for error in result.validation_errors() {
            let id = error.policy_id().to_string();
            // Every policy came from a source; should one not, its error has no place.
            let (index, source) = match self.origin.get(&id) {
                Some(&i) => (i, &sources[i]),
                None => (usize::MAX, &UNKNOWN),
            };
            let what = format!("policy {id:?} does not validate against the schema");
            let problem = Problem::from_diagnostic(source.name, source.text, &what, error);
            self.invalid.push(index, problem);
        }
    }
}

/// The source of a policy whose source is not known (never, in practice).
const UNKNOWN: Source<'static> = Source {
    name: "policies",
    text: "",
};

/// What is wrong with a policy's `@reason`, if anything: it must say something, in at
/// most [`MAX_REASON_CHARS`] characters, on one line.
#[must_use]
pub fn reason_rule(reason: &str) -> Option<String> {
    let chars = reason.chars().count();
    if reason.trim().is_empty() {
        Some("is empty: say what the caller must change, or leave @reason out".to_owned())
    } else if chars > MAX_REASON_CHARS {
        Some(format!(
            "is {chars} characters long; at most {MAX_REASON_CHARS} are allowed"
        ))
    } else {
        reason
            .chars()
            .find(|c| c.is_control())
            .map(|c| format!("contains the control character U+{:04X}", u32::from(c)))
    }
}

/// A problem with `policy`'s `@reason`, placed at the annotation when it can be found.
fn reason_problem(source: &Source<'_>, policy: &Policy, id: &str) -> Option<Problem> {
    let rule = reason_rule(policy.annotation(REASON)?)?;
    let span = policy.to_cedar().and_then(|text| {
        let start = source.text.find(&text)?;
        let at = text.find("@reason")?;
        Some((start + at, "@reason".len()))
    });
    let message = format!("policy {id:?}: @{REASON} {rule}");
    Some(Problem::at(source.name, source.text, span, message))
}

//! Starting a gateway from its variables, with every configuration problem at once (the
//! Cedar policies included). The Worker starts here, and so does `make check-config`.

use super::{Config, ConfigError};
use crate::pipeline::{Gateway, StartError};
use crate::policy::PolicyEngine;

impl Gateway {
    /// Reads the configuration through `get` (see [`Config::from_lookup`]) and loads the
    /// compiled policies. When variables are broken, `POLICIES` is still loaded, so that
    /// one run names every problem.
    ///
    /// # Errors
    /// Every problem, each naming its variable once and the rule.
    pub fn start(get: impl Fn(&str) -> Option<String>) -> Result<Self, Vec<ConfigError>> {
        match Config::from_lookup(&get) {
            Ok(config) => Gateway::new(config).map_err(|e| vec![start_problem(e)]),
            Err(mut problems) => {
                if let Some(text) = get("POLICIES").filter(|t| !t.trim().is_empty()) {
                    if let Err(e) = PolicyEngine::load(&text) {
                        problems.push(start_problem(e.into()));
                    }
                }
                Err(problems)
            }
        }
    }
}

/// A start error as one configuration problem; the policy engine's message is kept
/// whole (it names the source, `POLICIES`, itself where it can).
fn start_problem(error: StartError) -> ConfigError {
    match error {
        StartError::Config(e) => e,
        StartError::Policy(e) => ConfigError {
            name: "POLICIES",
            rule: e.to_string(),
        },
    }
}

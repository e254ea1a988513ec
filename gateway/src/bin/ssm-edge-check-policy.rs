//! `make check-policy`: parses Cedar policy files and validates them against the
//! gateway's schema (strict mode), exactly as the gateway does when it starts.
//!
//! ```text
//! ssm-edge-check-policy gateway/policies/*.cedar
//! ssm-edge-check-policy --schema          # prints the schema
//! ssm-edge-check-policy --schema-json     # prints it in Cedar's JSON form
//! ```
//! After a successful check it prints the policies' ids, the `@reason` each refusing
//! policy gives callers, and what policies can see: each entity's attributes and each
//! action's resource and context (the Document's owner and ARN parts, every SendCommand
//! field). Exit status 0 when every policy validates; 1 otherwise, with every problem
//! found as `file:line:column: message`, the line and a caret under the column.

use std::process::ExitCode;

use ssm_edge_gateway::policy::{schema_summary, PolicyEngine, SCHEMA};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--schema") {
        print!("{SCHEMA}");
        return ExitCode::SUCCESS;
    }
    if args.iter().any(|a| a == "--schema-json") {
        return match PolicyEngine::schema_as_json() {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        };
    }
    if args.is_empty() {
        eprintln!("usage: ssm-edge-check-policy FILE.cedar... | --schema | --schema-json");
        return ExitCode::from(2);
    }
    let mut sources = Vec::new();
    for path in &args {
        match std::fs::read_to_string(path) {
            Ok(text) => sources.push((path.clone(), text)),
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    match PolicyEngine::new(sources.iter().map(|(n, t)| (n.as_str(), t.as_str()))) {
        Ok(engine) => {
            let ids = engine.policy_ids();
            println!(
                "{} policies from {} files validate against the schema: {}",
                ids.len(),
                sources.len(),
                ids.join(", ")
            );
            let reasons = engine.policy_reasons();
            if !reasons.is_empty() {
                println!("\nWhat a refusal by each tells the caller (@reason):");
                for (id, reason) in reasons {
                    println!("  {id}: {reason}");
                }
            }
            match schema_summary() {
                Ok(summary) => {
                    println!("\nWhat policies can see (`?`: optional, test with `has`):\n{summary}")
                }
                Err(e) => eprintln!("{e}"),
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

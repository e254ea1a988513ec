//! `make check-policy`: parses Cedar policy files, validates them against the gateway's
//! schema (strict mode) and writes them compiled: the form the Worker loads.
//!
//! ```text
//! ssm-edge-check-policy [--out FILE] gateway/policies/*.cedar
//! ssm-edge-check-policy --schema          # prints the schema
//! ssm-edge-check-policy --schema-json     # prints it in Cedar's JSON form
//! ```
//! After a successful check it writes the compiled policies to `FILE` (`-`: standard
//! output, and nothing else is printed) and prints the policies' ids, the `@reason` each
//! refusing policy gives callers, and what policies can see: each entity's attributes
//! and each action's resource and context (the Document's owner and ARN parts, every
//! SendCommand field). Exit status 0 when every policy validates; 1 otherwise, with
//! every problem found as `file:line:column: message`, the line and a caret under the
//! column, and nothing written.

use std::process::ExitCode;

use ssm_edge_gateway::policy::{compile, schema_summary, PolicyEngine, SCHEMA};

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
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
            Err(e) => fail(&e),
        };
    }
    let out = match args.iter().position(|a| a == "--out") {
        Some(at) if at + 1 < args.len() => {
            let out = args.remove(at + 1);
            args.remove(at);
            Some(out)
        }
        Some(_) => return usage(),
        None => None,
    };
    if args.is_empty() {
        return usage();
    }
    let mut sources = Vec::new();
    for path in &args {
        match std::fs::read_to_string(path) {
            Ok(text) => sources.push((path.clone(), text)),
            Err(e) => return fail(&format!("{path}: {e}")),
        }
    }
    let compiled = match compile(sources.iter().map(|(n, t)| (n.as_str(), t.as_str()))) {
        Ok(compiled) => compiled,
        Err(e) => return fail(&e),
    };
    match out.as_deref() {
        Some("-") => {
            print!("{compiled}");
            return ExitCode::SUCCESS;
        }
        Some(path) => {
            if let Err(e) = std::fs::write(path, &compiled) {
                return fail(&format!("{path}: {e}"));
            }
        }
        None => {}
    }
    let engine = match PolicyEngine::load_fresh(&compiled) {
        Ok(engine) => engine,
        Err(e) => return fail(&e),
    };
    report(&engine, sources.len(), out.as_deref());
    ExitCode::SUCCESS
}

/// What was checked and written, the reasons callers get, and the schema's summary.
fn report(engine: &PolicyEngine, files: usize, out: Option<&str>) {
    let ids = engine.policy_ids();
    println!(
        "{} policies from {files} files validate against the schema: {}",
        ids.len(),
        ids.join(", ")
    );
    if let Some(path) = out {
        println!("Compiled into {path}: set the Worker's POLICIES to it (README, \"Deploy\").");
    }
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
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: ssm-edge-check-policy [--out FILE|-] FILE.cedar... | --schema | --schema-json"
    );
    ExitCode::from(2)
}

fn fail(error: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("{error}");
    ExitCode::FAILURE
}

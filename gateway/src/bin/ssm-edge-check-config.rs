//! `make check-config [CONFIG=gateway/.dev.vars]`: checks the gateway's configuration
//! before `wrangler dev` says "Ready" (the Worker itself reads it at its first request),
//! with the same code the Worker starts from ([`Gateway::start`]).
//!
//! ```text
//! ssm-edge-check-config [FILE] [--wrangler gateway/wrangler.toml] [--env] [--json]
//! ```
//! Sources, later ones winning: the `[vars]` of `--wrangler`, `FILE` (a `.dev.vars` or
//! `--env-file`, read as wrangler reads it: see [`ssm_edge_gateway::config::dotenv`]),
//! then with `--env` the process environment. Every problem is printed, one line each,
//! naming the variable once and its rule; exit status 1 if there is any, else 0 and a
//! summary of what is configured. Secrets are never printed: only their lengths, and
//! gateway keys by access key id. `--json` prints `{"problems": […], "summary": …}`.
//! Exit status 2 for a usage error or an unreadable file.

use std::process::ExitCode;

use serde::Serialize;
use ssm_edge_gateway::config::summary::Summary;
use ssm_edge_gateway::config::{dotenv, ConfigError, VARIABLES};
use ssm_edge_gateway::Gateway;

const USAGE: &str =
    "usage: ssm-edge-check-config [FILE] [--wrangler wrangler.toml] [--env] [--json]";

#[derive(Default)]
struct Args {
    file: Option<String>,
    wrangler: Option<String>,
    env: bool,
    json: bool,
}

fn args() -> Result<Args, String> {
    let mut out = Args::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--env" => out.env = true,
            "--json" => out.json = true,
            "--wrangler" => out.wrangler = Some(args.next().ok_or(USAGE)?),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            a if a.starts_with('-') => return Err(format!("unknown option {a}\n{USAGE}")),
            _ if out.file.is_some() => return Err(USAGE.to_owned()),
            _ => out.file = Some(arg),
        }
    }
    if out.file.is_none() && out.wrangler.is_none() && !out.env {
        return Err(USAGE.to_owned());
    }
    Ok(out)
}

/// The variables as the Worker would see them, and warnings about the files.
#[derive(Default)]
struct Sources {
    vars: Vec<(String, String)>,
    warnings: Vec<String>,
    env: bool,
    /// `[vars]` values that are not strings.
    typed: Vec<ConfigError>,
}

impl Sources {
    fn set(&mut self, name: String, value: String) {
        match self.vars.iter_mut().find(|(k, _)| *k == name) {
            Some(slot) => slot.1 = value,
            None => self.vars.push((name, value)),
        }
    }

    fn get(&self, name: &str) -> Option<String> {
        let env = self.env.then(|| std::env::var(name).ok()).flatten();
        env.or_else(|| {
            self.vars
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    /// The `[vars]` type problems of variables no later source set.
    fn type_problems(&self) -> Vec<ConfigError> {
        let set_later = |name| self.get(name).is_some();
        self.typed
            .iter()
            .filter(|p| !set_later(p.name))
            .cloned()
            .collect()
    }

    fn warn_unknown(&mut self, path: &str, names: impl Iterator<Item = String>) {
        for name in names {
            if !VARIABLES.contains(&name.as_str()) {
                self.warnings.push(format!(
                    "{path}: {name} is not a variable the gateway reads (a typo?)"
                ));
            }
        }
    }

    /// The `[vars]` of a wrangler.toml. A value that is not a string reads as unset in
    /// the Worker (`Env::var` takes strings only): a problem, unless a later source sets
    /// the variable.
    fn wrangler(&mut self, path: &str) -> Result<(), String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        let doc = toml_edit::Document::parse(text).map_err(|e| format!("{path}: {e}"))?;
        let Some(vars) = doc.as_table().get("vars").and_then(|v| v.as_table_like()) else {
            return Ok(());
        };
        let mut names = Vec::new();
        for (name, item) in vars.iter() {
            names.push(name.to_owned());
            match (item.as_str(), VARIABLES.iter().find(|v| **v == name)) {
                (Some(value), _) => self.set(name.to_owned(), value.to_owned()),
                (None, Some(known)) => self.typed.push(ConfigError {
                    name: known,
                    rule: format!(
                        "in {path} [vars] a value must be a string (quote it): the Worker reads this {} as unset",
                        item.type_name()
                    ),
                }),
                (None, None) => {}
            }
        }
        self.warn_unknown(path, names.into_iter());
        Ok(())
    }

    fn dotenv(&mut self, path: &str) -> Result<(), String> {
        let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                format!("{path}: no such file (make check-config CONFIG=path/to/.dev.vars)")
            }
            _ => format!("{path}: {e}"),
        })?;
        let file = dotenv::parse(&text);
        for (line, text) in &file.ignored {
            let shown: String = text.chars().take(40).collect();
            self.warnings.push(format!(
                "{path}:{line}: not a NAME=value line, ignored by wrangler: {shown:?}"
            ));
        }
        self.warn_unknown(path, file.vars.iter().map(|(k, _)| k.clone()));
        for (name, value) in file.vars {
            self.set(name, value);
        }
        Ok(())
    }
}

/// One problem, for `--json`.
#[derive(Serialize)]
struct Problem {
    variable: &'static str,
    message: String,
}

#[derive(Serialize)]
struct Report<'a> {
    problems: Vec<Problem>,
    warnings: &'a [String],
    summary: Option<Summary>,
}

fn main() -> ExitCode {
    let args = match args() {
        Ok(args) => args,
        Err(usage) => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    let mut sources = Sources {
        env: args.env,
        ..Sources::default()
    };
    let read = args
        .wrangler
        .as_deref()
        .map_or(Ok(()), |path| sources.wrangler(path))
        .and_then(|()| args.file.as_deref().map_or(Ok(()), |p| sources.dotenv(p)));
    if let Err(e) = read {
        eprintln!("{e}");
        return ExitCode::from(2);
    }
    let mut problems = sources.type_problems();
    let lookup = |name: &str| sources.get(name);
    let summary = match Gateway::start(lookup) {
        Ok(gateway) if problems.is_empty() => Some(Summary::new(&gateway, lookup)),
        Ok(_) => None,
        Err(found) => {
            problems.extend(found);
            None
        }
    };
    let report = Report {
        problems: problems
            .iter()
            .map(|p| Problem {
                variable: p.name,
                message: p.to_string(),
            })
            .collect(),
        warnings: &sources.warnings,
        summary,
    };
    print(&report, args.json);
    if report.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn print(report: &Report<'_>, json: bool) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(report).unwrap_or_default()
        );
        return;
    }
    for warning in report.warnings {
        eprintln!("warning: {warning}");
    }
    for problem in &report.problems {
        eprintln!("{}", problem.message);
    }
    match &report.summary {
        Some(summary) => println!("configuration OK\n{summary}"),
        None => eprintln!(
            "{} configuration problem(s); the gateway would answer every request with InternalServerError",
            report.problems.len()
        ),
    }
}

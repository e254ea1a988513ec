//! The compiled form: what `make check-policy` writes is what loads, and nothing else does.

use super::*;
use crate::policy::{compile, SHIPPED_COMPILED};

#[test]
fn the_shipped_compiled_policies_are_current() {
    let compiled = compile(SHIPPED_POLICIES.iter().copied()).unwrap();
    assert!(
        compiled == SHIPPED_COMPILED,
        "gateway/src/policy/shipped.compiled.cedar is stale: run `make check-policy`"
    );
    // Which makes its schema line this gateway's schema digest.
    let digest = crate::hex::encode(&<sha2::Sha256 as sha2::Digest>::digest(SCHEMA.as_bytes()));
    assert!(SHIPPED_COMPILED.contains(&format!("\n// schema sha256:{digest}\n")));
}

#[test]
fn cedar_source_is_refused_with_the_command_that_compiles_it() {
    let Err(error) = PolicyEngine::load(SHIPPED_POLICIES[0].1) else {
        panic!("Cedar source loaded");
    };
    assert!(matches!(error, PolicyError::NotCompiled), "{error:?}");
    assert!(error.to_string().contains("make check-policy"), "{error}");
}

#[test]
fn an_edit_after_compiling_is_refused() {
    // Widening a permit by hand skips validation: the body digest no longer matches.
    let edited = SHIPPED_COMPILED.replacen("Group::\"admins\"", "Group::\"everyone\"", 1);
    assert_ne!(edited, SHIPPED_COMPILED);
    let Err(PolicyError::Compiled(rule)) = PolicyEngine::load(&edited) else {
        panic!("an edited compiled text loaded");
    };
    assert!(rule.contains("changed after `make check-policy`"), "{rule}");
    // So is a body whose digest line was "fixed" to match another body.
    let other = SHIPPED_COMPILED.replacen("body sha256:", "body sha256:0", 1);
    assert!(PolicyEngine::load(&other).is_err());
}

#[test]
fn policies_checked_against_another_schema_are_refused() {
    let start = SHIPPED_COMPILED.find("// schema sha256:").unwrap() + "// schema sha256:".len();
    let mut other = SHIPPED_COMPILED.to_owned();
    other.replace_range(start..start + 8, "00000000");
    let Err(PolicyError::Compiled(rule)) = PolicyEngine::load(&other) else {
        panic!("a text for another schema loaded");
    };
    assert!(
        rule.contains("another version of the gateway's schema"),
        "{rule}"
    );
}

#[test]
fn another_format_is_refused() {
    let other = SHIPPED_COMPILED.replacen("format 1", "format 2", 1);
    let Err(PolicyError::Compiled(rule)) = PolicyEngine::load(&other) else {
        panic!("format 2 loaded");
    };
    assert!(rule.contains("another format"), "{rule}");
}

#[test]
fn every_id_survives_compiling() {
    // Unannotated policies get `<source>#<n>`; ids with quotes and other characters are
    // written as Cedar strings.
    let text = r#"
        permit (principal, action == Action::"ListCommands", resource);
        @id("quote \" backslash \\ tab 	 é")
        permit (principal, action == Action::"ListDocuments", resource);
    "#;
    let compiled = compile([("team \"ops\".cedar", text)]).unwrap();
    let engine = PolicyEngine::load(&compiled).unwrap();
    assert_eq!(
        engine.policy_ids(),
        // (as Cedar displays ids: escaped)
        [
            r#"quote \" backslash \\ tab \t é"#,
            r#"team \"ops\".cedar#0"#
        ]
    );
    assert_eq!(
        engine.policy_ids(),
        PolicyEngine::new([("team \"ops\".cedar", text)])
            .unwrap()
            .policy_ids()
    );
}

#[test]
fn action_groups_come_from_the_compiled_text() {
    // `action in Action::"ReadOnly"` needs the schema's action hierarchy, which the
    // Worker gets from the compiled text's actions line, not from a schema.
    let text = r#"@id("reads") permit (principal, action in Action::"ReadOnly", resource);"#;
    let engine = PolicyEngine::load(&compile([("reads.cedar", text)]).unwrap()).unwrap();
    let read = call(OperationName::ListCommands, &json!({}));
    assert!(decide(&engine, &bob(), &read).allowed);
    assert!(!decide(&engine, &bob(), &send(&restart())).allowed);
}

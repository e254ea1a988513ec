//! Positions from byte offsets, the text of a problem, and what loading reports.

use super::*;
use crate::policy::{PolicyEngine, PolicyError};

#[test]
fn positions_count_lines_and_characters() {
    let text = "ab\ncdé fg\r\nhi";
    let at = |offset, len| Position::at(text, offset, len);
    assert_eq!(
        at(0, 1),
        Position {
            line: 1,
            column: 1,
            line_text: "ab".into(),
            width: 1
        }
    );
    // `f` is the 6th byte of line 2 but its 5th character: é is two bytes.
    let f = text.find('f').unwrap();
    assert_eq!((at(f, 2).line, at(f, 2).column, at(f, 2).width), (2, 5, 2));
    // The line break is not part of the line, nor of the underline.
    assert_eq!(at(f, 100).line_text, "cdé fg");
    assert_eq!(at(f, 100).width, 2);
    // Inside é: that character.
    let e = text.find('é').unwrap();
    assert_eq!(at(e + 1, 1).column, 3);
    assert_eq!(
        (at(text.len() - 1, 0).line, at(text.len() - 1, 0).column),
        (3, 2)
    );
    // The end of the text is just after its last visible character.
    let ended = "permit (principal\n\n";
    let end = Position::at(ended, ended.len(), 0);
    assert_eq!(
        (end.line, end.column, end.line_text.as_str()),
        (1, 18, "permit (principal")
    );
    assert_eq!(Position::at("", 5, 0).column, 1);
}

#[test]
fn a_problem_shows_its_line_and_a_caret() {
    let text = "permit (\n\tprincipal actoin, resource\n);";
    let problem = Problem {
        help: Some("add a comma".into()),
        ..Problem::at(
            "p.cedar",
            text,
            Some((text.find("actoin").unwrap(), 6)),
            "Cedar syntax error: unexpected token `actoin`".into(),
        )
    };
    assert_eq!(
        problem.to_string(),
        "p.cedar:2:12: Cedar syntax error: unexpected token `actoin`\n  |\n2 | \tprincipal actoin, resource\n  | \t          ^^^^^^\n  = help: add a comma"
    );
    let nowhere = Problem::at("p.cedar", text, None, "no place".into());
    assert_eq!(nowhere.to_string(), "p.cedar: no place");
}

fn problems_of(error: &PolicyError) -> &Problems {
    match error {
        PolicyError::Syntax(problems) | PolicyError::Validation(problems) => problems,
        other => panic!("expected problems, got {other:?}"),
    }
}

#[test]
fn a_missing_parenthesis_is_reported_where_it_shows() {
    let text = "// restart only with a ticket\n@id(\"x\")\nforbid (principal, action, resource\nwhen { context.comment like \"CHG-*\" };\n";
    let error = PolicyEngine::new([("ticket.cedar", text)]).unwrap_err();
    let problems = problems_of(&error);
    assert_eq!(problems.0.len(), 1, "{error}");
    let at = problems.0[0].position.as_ref().unwrap();
    assert_eq!((at.line, at.column, at.width), (4, 1, 4));
    let shown = error.to_string();
    assert!(
        shown.starts_with("ticket.cedar:4:1: Cedar syntax error: unexpected token `when`"),
        "{shown}"
    );
    assert!(shown.contains("`)`"), "what was expected is said: {shown}");
    assert!(
        shown.ends_with("4 | when { context.comment like \"CHG-*\" };\n  | ^^^^"),
        "{shown}"
    );
}

#[test]
fn every_broken_source_is_reported() {
    let one = "permit (principal, action, resource";
    let two =
        "@id(\"ok\") permit (principal, action, resource);\n\npermit (principal action, resource);";
    let error = PolicyEngine::new([("one.cedar", one), ("two.cedar", two)]).unwrap_err();
    let problems = problems_of(&error);
    let places: Vec<(&str, usize, usize)> = problems
        .0
        .iter()
        .map(|p| {
            let at = p.position.as_ref().unwrap();
            (p.source_name.as_str(), at.line, at.column)
        })
        .collect();
    assert_eq!(
        places,
        [("one.cedar", 1, 36), ("two.cedar", 3, 19)],
        "{error}"
    );
    assert!(error.to_string().ends_with("(2 problems)"), "{error}");
}

#[test]
fn every_schema_error_is_reported_with_its_place() {
    let first = "@id(\"reads-nope\")\npermit (principal, action == Action::\"SendCommand\", resource)\nwhen { context.nope == \"x\" };\n";
    let second = "@id(\"compares\") permit (principal, action == Action::\"SendCommand\", resource)\n  when { context.comment > 3 };\n";
    let error = PolicyEngine::new([("first.cedar", first), ("second.cedar", second)]).unwrap_err();
    let PolicyError::Validation(problems) = &error else {
        panic!("expected schema errors, got {error:?}");
    };
    assert_eq!(problems.0.len(), 2, "{error}");
    let nope = &problems.0[0];
    assert_eq!(nope.source_name, "first.cedar");
    let at = nope.position.as_ref().unwrap();
    assert_eq!((at.line, at.column), (3, 8));
    assert!(nope.message.contains("reads-nope"), "{}", nope.message);
    assert!(nope.message.contains("nope"), "{}", nope.message);
    // Cedar's suggestion comes along.
    assert!(nope.help.is_some(), "{error}");
    let compares = &problems.0[1];
    assert_eq!(compares.source_name, "second.cedar");
    assert_eq!(compares.position.as_ref().unwrap().line, 2);
    assert!(
        compares.message.contains("compares"),
        "{}",
        compares.message
    );
}

#[test]
fn a_template_is_reported_where_it_is() {
    let text = "\n\npermit (principal == ?principal, action, resource);";
    let error = PolicyEngine::new([("t.cedar", text)]).unwrap_err();
    let problem = &problems_of(&error).0[0];
    assert!(problem.message.contains("templates"), "{error}");
    assert_eq!(problem.position.as_ref().unwrap().line, 3);
}

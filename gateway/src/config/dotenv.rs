//! `.dev.vars` / `--env-file` files as wrangler reads them: with the `dotenv` package's
//! `parse` (wrangler 4 bundles dotenv 16; its `LINE` expression is copied below).
//!
//! - `KEY=value` or `KEY: value`, an optional `export ` before the key; keys are
//!   letters, digits, `_`, `.` and `-`.
//! - `'…'`, `"…"` and `` `…` `` values may span lines (multi-line JSON); the quotes are
//!   removed, and inside `"…"` the two characters `\n` become a newline (`\r`: a
//!   carriage return). Nothing else is unescaped: `\'` stays `\'`.
//! - An unquoted value ends at `#` or the end of the line and is trimmed; `#` starts a
//!   comment after a value or on a line of its own.
//! - A later line for the same key wins; a line that is not an assignment is ignored by
//!   wrangler, and reported here ([`DotEnv::ignored`]).
//!
//! `wrangler dev --env-file` (not `.dev.vars`) then expands `$NAME` / `${NAME}` with
//! `dotenv-expand`; that step is not reproduced (the gateway's values need no `$`).

use std::sync::OnceLock;

use regex::Regex;

/// dotenv 16's `LINE`, with JavaScript's `\w` written out (ASCII only).
const LINE: &str = r#"(?m)(?:^|^)\s*(?:export\s+)?([0-9A-Za-z_.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)"#;

/// A parsed file: the variables in file order (a repeated key keeps its first place and
/// its last value), and the lines no assignment covered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DotEnv {
    /// `(name, value)`, each name once.
    pub vars: Vec<(String, String)>,
    /// `(line number, text)` of non-blank, non-comment lines wrangler ignores.
    pub ignored: Vec<(usize, String)>,
}

impl DotEnv {
    /// The value of `name`, if the file sets it.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses a file's text as wrangler does.
///
/// # Panics
/// Never: the expression is a constant that compiles.
#[must_use]
pub fn parse(text: &str) -> DotEnv {
    static LINE_RE: OnceLock<Regex> = OnceLock::new();
    let re = LINE_RE.get_or_init(|| Regex::new(LINE).expect("dotenv's LINE compiles"));
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = DotEnv::default();
    let mut covered = vec![false; text.len() + 1];
    for caps in re.captures_iter(&text) {
        let whole = caps.get(0).expect("group 0");
        covered[whole.start()..whole.end()].fill(true);
        let key = caps[1].to_owned();
        let value = unquote(caps.get(2).map_or("", |m| m.as_str()));
        match out.vars.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => out.vars.push((key, value)),
        }
    }
    let mut offset = 0;
    for (index, line) in text.split('\n').enumerate() {
        let trimmed = line.trim();
        let uncovered = !covered[offset..offset + line.len()].iter().all(|c| *c);
        if uncovered && !trimmed.is_empty() && !trimmed.starts_with('#') {
            out.ignored.push((index + 1, line.to_owned()));
        }
        offset += line.len() + 1;
    }
    out
}

/// dotenv's value step: trim, remove matching outer quotes, and in a `"…"` value turn
/// `\n` and `\r` into the characters.
fn unquote(raw: &str) -> String {
    let value = raw.trim();
    let quote = value.chars().next();
    let mut value = match quote {
        Some(q @ ('\'' | '"' | '`')) if value.len() >= 2 && value.ends_with(q) => {
            value[1..value.len() - 1].to_owned()
        }
        _ => value.to_owned(),
    };
    if quote == Some('"') {
        value = value.replace("\\n", "\n").replace("\\r", "\r");
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_comments_and_quotes() {
        let file = parse(
            "# a comment\n\
             A=plain value  # trailing comment\n\
             export B = 'single # not a comment'\n\
             C=\"line\\nbreak\"\n\
             D: colon\n\
             E=\n\
             F='it\\'s'\n\
             A=again\r\n\
             G=a#b\n",
        );
        let get = |k| file.get(k);
        assert_eq!(get("A"), Some("again"));
        assert_eq!(get("B"), Some("single # not a comment"));
        assert_eq!(get("C"), Some("line\nbreak"));
        assert_eq!(get("D"), Some("colon"));
        assert_eq!(get("E"), Some(""));
        // dotenv does not unescape \' (the backslash stays).
        assert_eq!(get("F"), Some("it\\'s"));
        assert_eq!(get("G"), Some("a"));
        assert_eq!(file.vars[0].0, "A");
        assert!(file.ignored.is_empty(), "{:?}", file.ignored);
    }

    #[test]
    fn quoted_values_span_lines() {
        let file = parse(
            "GATEWAY_KEYS='[\n  {\"accessKeyId\": \"GWKEY\"}\n]'\nPOLICIES=\"permit (\n  principal, action, resource\n);\"\nNEXT=1\n",
        );
        assert_eq!(
            file.get("GATEWAY_KEYS"),
            Some("[\n  {\"accessKeyId\": \"GWKEY\"}\n]")
        );
        assert_eq!(
            file.get("POLICIES"),
            Some("permit (\n  principal, action, resource\n);")
        );
        assert_eq!(file.get("NEXT"), Some("1"));
        assert!(file.ignored.is_empty(), "{:?}", file.ignored);
    }

    #[test]
    fn an_unclosed_quote_is_kept_and_stray_lines_are_reported() {
        let file = parse("A='unclosed\nthis is not an assignment\nB=2\n");
        // Like dotenv: the unquoted alternative takes the rest of the line, quote included.
        assert_eq!(file.get("A"), Some("'unclosed"));
        assert_eq!(file.get("B"), Some("2"));
        assert_eq!(
            file.ignored,
            vec![(2, "this is not an assignment".to_owned())]
        );
    }
}

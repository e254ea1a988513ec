//! Hand-written matchers for the service model's `pattern` constraints on inputs.
//!
//! Smithy specifies `@pattern` as an ECMA-262 regular expression (with the `u` flag)
//! that is **not implicitly anchored**: a value conforms when the expression matches
//! anywhere in it (`RegExp.prototype.test`). A regex engine costs too much wasm size,
//! so each pattern gets one small function here that accepts and refuses exactly what
//! the expression does. The ECMA facts they rely on:
//!
//! - without the `m` flag, `^` is the start of the input and `$` its end only;
//! - `.` is any code point except the line terminators `\n`, `\r`, U+2028, U+2029;
//! - `\s` is WhiteSpace + LineTerminator: TAB, VT, FF, U+FEFF, any `Zs`, and the
//!   four line terminators (not U+0085, not U+180E, not U+200B);
//! - `\w` is ASCII `[A-Za-z0-9_]` even with `u` (no `i` flag here);
//! - `\p{L}`, `\p{N}`, `\p{Z}` are the Unicode general-category groups, from
//!   `unicode_sets` (compact tables generated from `unicode-general-category`).
//!
//! `tests/tests/pattern_oracle.rs` checks every matcher against node's `RegExp` on
//! millions of strings, including every single code point.
//!
//! The npm package's wasm (feature `host-patterns`) has JavaScript at hand, so it asks
//! JavaScript's `RegExp` instead, with the model's text of each pattern (the package's
//! `PATTERNS`, generated from the same model): the matchers and the Unicode table would
//! be 2 KB gzip of the package. What is checked, and the problem a mismatch gives, is
//! decided here either way.

// With `host-patterns` the matchers below are not called: the host matches instead.
#![cfg_attr(feature = "host-patterns", allow(dead_code, unused_imports))]

use super::unicode_sets::{is_letter_number_or_separator, is_space_separator};
use crate::text;

/// A `pattern` constraint from the SSM service model, named by its shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pattern {
    /// `AlarmName`: `^(?!\s*$).+`
    AlarmName,
    /// `DocumentARN`: `^[a-zA-Z0-9_\-.:/]{3,128}$`
    DocumentArn,
    /// `DocumentVersion`: `([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)`
    DocumentVersion,
    /// `DocumentVersionName`: `^[a-zA-Z0-9_\-.]{1,128}$`
    DocumentVersionName,
    /// `InstanceId`: `(^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)`
    InstanceId,
    /// `MaxConcurrency`: `^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$`
    MaxConcurrency,
    /// `MaxErrors`: `^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$`
    MaxErrors,
    /// `TargetKey`: `^[\p{L}\p{Z}\p{N}_.:/=\-@]*$|resource-groups:ResourceTypeFilters|resource-groups:Name`
    TargetKey,
    /// `ApprovalId` (the gateway's): a UUID in hex digits.
    ApprovalId,
    /// `ApprovalReason` (the gateway's): no control character.
    ApprovalReason,
    /// `LogGroupName` (CloudWatch Logs): `[\.\-_/#A-Za-z0-9]+`
    LogGroupName,
    /// `LogGroupIdentifier` (CloudWatch Logs): `[\w#+=/:,.@-]*`
    LogGroupIdentifier,
    /// `LogStreamName` (CloudWatch Logs): `[^:*]*`
    LogStreamName,
}

impl Pattern {
    /// Every pattern, in declaration order: the generated list, in the order of the
    /// package's `PATTERNS` too (a test checks that it is the declaration order).
    pub const ALL: [Pattern; 13] = super::shapes::PATTERN_ORDER;

    /// The name of the model shape that carries this pattern (e.g. `"DocumentARN"`).
    #[must_use]
    pub const fn shape_name(self) -> &'static str {
        match self {
            Pattern::AlarmName => "AlarmName",
            Pattern::DocumentArn => "DocumentARN",
            Pattern::DocumentVersion => "DocumentVersion",
            Pattern::DocumentVersionName => "DocumentVersionName",
            Pattern::InstanceId => "InstanceId",
            Pattern::MaxConcurrency => "MaxConcurrency",
            Pattern::MaxErrors => "MaxErrors",
            Pattern::TargetKey => "TargetKey",
            Pattern::ApprovalId => "ApprovalId",
            Pattern::ApprovalReason => "ApprovalReason",
            Pattern::LogGroupName => "LogGroupName",
            Pattern::LogGroupIdentifier => "LogGroupIdentifier",
            Pattern::LogStreamName => "LogStreamName",
        }
    }

    /// The pattern carried by the model shape named `name` (exact, case-sensitive),
    /// or `None` when no shape of that name has a matcher here.
    #[must_use]
    pub fn from_shape_name(name: &str) -> Option<Pattern> {
        Pattern::ALL.into_iter().find(|p| p.shape_name() == name)
    }

    /// The pattern's name in problems for programs (`InstanceId`, `DocumentArn`, …).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Pattern::AlarmName => "AlarmName",
            Pattern::DocumentArn => "DocumentArn",
            Pattern::DocumentVersion => "DocumentVersion",
            Pattern::DocumentVersionName => "DocumentVersionName",
            Pattern::InstanceId => "InstanceId",
            Pattern::MaxConcurrency => "MaxConcurrency",
            Pattern::MaxErrors => "MaxErrors",
            Pattern::TargetKey => "TargetKey",
            Pattern::ApprovalId => "ApprovalId",
            Pattern::ApprovalReason => "ApprovalReason",
            Pattern::LogGroupName => "LogGroupName",
            Pattern::LogGroupIdentifier => "LogGroupIdentifier",
            Pattern::LogStreamName => "LogStreamName",
        }
    }

    /// The model's regular expression, verbatim.
    #[must_use]
    pub const fn regex(self) -> &'static str {
        match self {
            Pattern::AlarmName => r"^(?!\s*$).+",
            Pattern::DocumentArn => r"^[a-zA-Z0-9_\-.:/]{3,128}$",
            Pattern::DocumentVersion => r"([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)",
            Pattern::DocumentVersionName => r"^[a-zA-Z0-9_\-.]{1,128}$",
            Pattern::InstanceId => r"(^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)",
            Pattern::MaxConcurrency => r"^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$",
            Pattern::MaxErrors => r"^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$",
            Pattern::TargetKey => {
                r"^[\p{L}\p{Z}\p{N}_.:/=\-@]*$|resource-groups:ResourceTypeFilters|resource-groups:Name"
            }
            Pattern::ApprovalId => {
                r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
            }
            Pattern::ApprovalReason => r"^[^\u0000-\u001F\u007F-\u009F]*$",
            Pattern::LogGroupName => r"[\.\-_/#A-Za-z0-9]+",
            Pattern::LogGroupIdentifier => r"[\w#+=/:,.@-]*",
            Pattern::LogStreamName => r"[^:*]*",
        }
    }

    /// Whether `value` matches (ECMA-262 semantics, unanchored search, as Smithy specifies).
    #[must_use]
    pub fn is_match(self, value: &str) -> bool {
        #[cfg(feature = "host-patterns")]
        return host::is_match(self, value);
        #[cfg(not(feature = "host-patterns"))]
        return self.matches_here(value);
    }

    /// [`Pattern::is_match`] by the matchers below.
    fn matches_here(self, value: &str) -> bool {
        match self {
            Pattern::AlarmName => alarm_name(value),
            Pattern::DocumentArn => document_arn(value),
            Pattern::DocumentVersion => document_version(value),
            Pattern::DocumentVersionName => document_version_name(value),
            Pattern::InstanceId => instance_id(value),
            Pattern::MaxConcurrency => max_concurrency(value),
            Pattern::MaxErrors => max_errors(value),
            Pattern::TargetKey => target_key(value),
            Pattern::ApprovalId => approval_id(value),
            Pattern::ApprovalReason => !value.chars().any(char::is_control),
            // Unanchored `[…]+`: one allowed character anywhere is a match.
            Pattern::LogGroupName => value.bytes().any(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'/' | b'#')
            }),
            // Unanchored `[…]*` matches the empty string at offset 0: every value.
            Pattern::LogGroupIdentifier | Pattern::LogStreamName => true,
        }
    }
}

/// The npm package's matcher: the host's regular expressions (`host-patterns`).
#[cfg(feature = "host-patterns")]
mod host {
    use super::Pattern;

    extern "Rust" {
        /// Whether `value` matches the pattern at `index` of [`Pattern::ALL`]: defined by
        /// the wasm crate (`wasm/src/abi.rs`), which asks JavaScript's `RegExp`.
        fn ssm_edge_host_pattern_match(index: u32, value: &str) -> bool;
    }

    #[allow(unsafe_code)]
    pub(super) fn is_match(pattern: Pattern, value: &str) -> bool {
        // SAFETY: the function only reads `value` (see its definition); `Pattern` is
        // fieldless, so `as u32` is its position in `Pattern::ALL` (a test checks).
        unsafe { ssm_edge_host_pattern_match(pattern as u32, value) }
    }
}

/// `^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`
fn approval_id(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// `^(?!\s*$).+`
///
/// `^` pins both parts to offset 0. The lookahead `\s*$` succeeds there exactly when
/// the whole input is whitespace (`$` is the end of input), so it is refused then;
/// `.+` needs one first code point that is not a line terminator, and nothing after
/// it is constrained (there is no closing `$`).
fn alarm_name(s: &str) -> bool {
    match s.chars().next() {
        Some(first) => !is_line_terminator(first) && !s.chars().all(is_ecma_whitespace),
        None => false,
    }
}

/// `^[a-zA-Z0-9_\-.:/]{3,128}$`
fn document_arn(s: &str) -> bool {
    // All allowed characters are ASCII, so bytes and code points count the same.
    (3..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':' | b'/'))
}

/// `([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)`
///
/// The first two alternatives are unanchored: any value *containing* `$LATEST` or
/// `$DEFAULT` matches.
fn document_version(s: &str) -> bool {
    text::contains(s, "$LATEST") || text::contains(s, "$DEFAULT") || is_positive_integer(s)
}

/// `^[a-zA-Z0-9_\-.]{1,128}$`
fn document_version_name(s: &str) -> bool {
    (1..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// `(^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)`
fn instance_id(s: &str) -> bool {
    let all_word = |rest: &str| rest.bytes().all(is_ecma_word_byte);
    if let Some(rest) = s.strip_prefix("i-") {
        matches!(rest.len(), 8 | 17) && all_word(rest)
    } else if let Some(rest) = s.strip_prefix("mi-") {
        rest.len() == 17 && all_word(rest)
    } else {
        false
    }
}

/// `^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$`
fn max_concurrency(s: &str) -> bool {
    is_positive_integer(s) || is_percentage(s, false)
}

/// `^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$`
fn max_errors(s: &str) -> bool {
    is_positive_integer(s) || s == "0" || is_percentage(s, true)
}

/// `^[\p{L}\p{Z}\p{N}_.:/=\-@]*$|resource-groups:ResourceTypeFilters|resource-groups:Name`
///
/// The first alternative matches the whole input (including the empty string); the
/// last two are unanchored, so any value *containing* them matches.
fn target_key(s: &str) -> bool {
    s.chars().all(|c| {
        matches!(c, '_' | '.' | ':' | '/' | '=' | '-' | '@') || is_letter_number_or_separator(c)
    }) || text::contains(s, "resource-groups:ResourceTypeFilters")
        || text::contains(s, "resource-groups:Name")
}

/// `[1-9][0-9]*` over the whole input.
fn is_positive_integer(s: &str) -> bool {
    match s.as_bytes().split_first() {
        Some((first, rest)) => matches!(first, b'1'..=b'9') && rest.iter().all(u8::is_ascii_digit),
        None => false,
    }
}

/// `[1-9][0-9]%|[1-9]%|100%` over the whole input; with `zero`, `[0-9]%` instead of `[1-9]%`.
fn is_percentage(s: &str, zero: bool) -> bool {
    match s.strip_suffix('%').map(str::as_bytes) {
        Some([d]) => d.is_ascii_digit() && (zero || *d != b'0'),
        Some([t, u]) => matches!(t, b'1'..=b'9') && u.is_ascii_digit(),
        Some(b"100") => true,
        _ => false,
    }
}

/// ECMA `\w` (no `i` flag): `[A-Za-z0-9_]`.
fn is_ecma_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// ECMA LineTerminator: LF, CR, LINE SEPARATOR, PARAGRAPH SEPARATOR.
fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// ECMA `\s`: WhiteSpace (TAB, VT, FF, ZWNBSP U+FEFF, any `Zs`) or LineTerminator.
fn is_ecma_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\u{b}' | '\u{c}' | '\u{feff}')
        || is_line_terminator(c)
        || is_space_separator(c)
}

#[cfg(test)]
mod tests {
    use super::Pattern;
    use super::Pattern::*;
    use alloc::string::String;

    #[test]
    fn a_patterns_number_is_its_place_in_all_and_in_the_packages_list() {
        // The npm package's host matcher (`host-patterns`) gets `pattern as u32` and
        // looks the regular expression up by that position in model.js's `PATTERNS`,
        // which lists them in the generated order that `ALL` is.
        for (i, p) in Pattern::ALL.into_iter().enumerate() {
            assert_eq!(p as usize, i, "{p:?}");
        }
    }

    fn accepts(p: Pattern, values: &[&str]) {
        for v in values {
            assert!(p.is_match(v), "{p:?} should accept {v:?}");
        }
    }

    fn refuses(p: Pattern, values: &[&str]) {
        for v in values {
            assert!(!p.is_match(v), "{p:?} should refuse {v:?}");
        }
    }

    fn repeat(c: char, n: usize) -> String {
        core::iter::repeat_n(c, n).collect()
    }

    #[test]
    fn shape_names_round_trip() {
        for p in Pattern::ALL {
            assert_eq!(Pattern::from_shape_name(p.shape_name()), Some(p));
        }
        assert_eq!(Pattern::from_shape_name("DocumentArn"), None);
        assert_eq!(Pattern::from_shape_name(""), None);
        assert_eq!(Pattern::from_shape_name("DocumentARN"), Some(DocumentArn));
    }

    #[test]
    fn regex_is_the_models_text() {
        assert_eq!(InstanceId.regex(), "(^i-(\\w{8}|\\w{17})$)|(^mi-\\w{17}$)");
        assert_eq!(
            TargetKey.regex(),
            "^[\\p{L}\\p{Z}\\p{N}_.:/=\\-@]*$|resource-groups:ResourceTypeFilters|resource-groups:Name"
        );
    }

    #[test]
    fn alarm_name() {
        accepts(
            AlarmName,
            &[
                "a",
                "my-alarm",
                " a",
                "a ",
                "\u{a0}x",
                "x\n",
                "x\n\n",
                "日本",
                "a\u{2028}",
                "\u{85}",
            ],
        );
        accepts(AlarmName, &["\u{180e}", "\u{200b}", " \u{200b} "]);
        refuses(
            AlarmName,
            &["", " ", "   ", "\t", "\u{a0}", "\u{3000}", "\u{feff}"],
        );
        refuses(
            AlarmName,
            &["\u{b}\u{c}", "\u{2000}\u{200a}\u{202f}\u{205f}\u{1680}"],
        );
        // A line terminator first: `.` cannot match it.
        refuses(
            AlarmName,
            &["\n", "\nabc", "\rabc", "\u{2028}abc", "\u{2029}x"],
        );
    }

    #[test]
    fn document_arn() {
        let max = repeat('a', 128);
        let over = repeat('a', 129);
        accepts(
            DocumentArn,
            &[
                "abc",
                "AWS-RunShellScript",
                "arn:aws:ssm:us-east-1:123456789012:document/My_Doc.v1",
                &max,
            ],
        );
        refuses(
            DocumentArn,
            &["", "ab", &over, "a b c", "abc\n", "abç", "ab$", "ab#c"],
        );
    }

    #[test]
    fn document_version() {
        accepts(
            DocumentVersion,
            &[
                "$LATEST",
                "$DEFAULT",
                "1",
                "10",
                "9999999999999999999999",
                "x$LATEST",
                "$LATEST\n",
            ],
        );
        accepts(DocumentVersion, &["a$DEFAULTb", "\u{3000}$LATEST"]);
        refuses(
            DocumentVersion,
            &[
                "", "0", "01", "1a", " 1", "1\n", "LATEST", "$latest", "$ LATEST",
            ],
        );
        refuses(DocumentVersion, &["١", "$LATES", "-1", "1.0"]);
    }

    #[test]
    fn document_version_name() {
        let max = repeat('Z', 128);
        let over = repeat('Z', 129);
        accepts(DocumentVersionName, &["a", "v1.2-beta_3", &max]);
        refuses(
            DocumentVersionName,
            &["", &over, "v1 2", "v1:2", "v1/2", "é", "a\n"],
        );
    }

    #[test]
    fn instance_id() {
        accepts(
            InstanceId,
            &[
                "i-01234567",
                "i-0123456789abcdef0",
                "i-________",
                "mi-0123456789abcdef0",
                "i-ABCDEFGH",
            ],
        );
        refuses(
            InstanceId,
            &[
                "i-",
                "i-0123456",
                "i-012345678",
                "i-0123456789abcdef",
                "i-0123456789abcdef01",
                "mi-01234567",
                "mi-0123456789abcdef",
                "i-0123456-",
                "i-0123456é",
                "xi-01234567",
                "i-01234567\n",
                " i-01234567",
                "I-01234567",
            ],
        );
    }

    #[test]
    fn max_concurrency() {
        accepts(
            MaxConcurrency,
            &[
                "1",
                "50",
                "100",
                "1000000000000",
                "1%",
                "9%",
                "10%",
                "99%",
                "100%",
            ],
        );
        refuses(
            MaxConcurrency,
            &[
                "", "0", "0%", "01", "05%", "101%", "1000%", "%", "1.5", "-1", " 1", "1 ", "٣",
            ],
        );
    }

    #[test]
    fn max_errors() {
        accepts(
            MaxErrors,
            &[
                "0", "1", "25", "0%", "1%", "9%", "10%", "99%", "100%", "1000",
            ],
        );
        refuses(
            MaxErrors,
            &[
                "", "00", "01", "00%", "05%", "101%", "200%", "%", "-0", "0 ", "\u{660}",
            ],
        );
    }

    #[test]
    fn target_key() {
        accepts(
            TargetKey,
            &[
                "",
                "InstanceIds",
                "tag:Name",
                "tag-key",
                "key=value@x/y.z_w",
                "tag:Umgebung-Zürich",
                "tag:環境",
                "tag:Ωμέγα",
                "tag:١٢٣",
                "tag:Ⅻ½²",
                "tag:a b\u{3000}c\u{a0}d",
                "\u{2028}\u{2029}",
                "resource-groups:Name",
                "resource-groups:ResourceTypeFilters",
                "!!resource-groups:Name!!",
                "\nresource-groups:ResourceTypeFilters\n",
            ],
        );
        refuses(
            TargetKey,
            &[
                "tag:a\tb",
                "tag:a\nb",
                "tag:a+b",
                "tag:a#b",
                "tag:e\u{301}",
                "tag:😀",
                "tag:\u{200b}",
                "resource-groups:name!",
                "resource-groups:Nam!",
                "tag:\u{e000}",
            ],
        );
    }
}

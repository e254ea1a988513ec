//! Cross-implementation oracle for the hand-written `pattern` matchers
//! (`ssm_edge_core::validate::Pattern`): node's ECMA-262 `RegExp` with the `u` flag,
//! run on the model's own regex text (read from botocore's SSM service model), must
//! agree with our matcher on every string of a large deterministic corpus:
//!
//! - every Unicode scalar value, alone and in a few pattern-specific frames
//!   (exhaustive for the character classes: `\s`, `.`, `\w`, `\p{L}\p{Z}\p{N}`);
//! - valid values, edge cases and random mutations of them;
//! - random ASCII, random pattern-alphabet strings and random Unicode (letters of many
//!   scripts, digits of many kinds, `Zs`, line terminators, format characters,
//!   combining marks, emoji, private use, noncharacters, unassigned code points).
//!
//! Unicode versions: our matchers take general categories from `unicode-general-category`,
//! node from its ICU. When the two Unicode versions differ, code points assigned in
//! one and unassigned in the other are expected to differ; they are listed by asking
//! both sides which code points are `Cn`, excluded from the random corpus, and
//! allowed to differ (only them) in the exhaustive pass. Any other difference, such
//! as a general category that changed between versions, fails the test.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;
use ssm_edge_core::validate::Pattern;
use unicode_general_category::{get_general_category, GeneralCategory};

/// Random corpus size per pattern (on top of the exhaustive single-code-point pass).
const RANDOM_PER_PATTERN: usize = 40_000;

// ---------------------------------------------------------------------------
// The model

fn service_model() -> Value {
    let out = ssm_edge_tests::python_output("botocore_ssm_model.py", &[]);
    serde_json::from_slice(&out).expect("the service model is JSON")
}

/// Shape name → (pattern, first member path reaching it), over the operations' inputs.
fn input_patterns(model: &Value) -> BTreeMap<String, (String, String)> {
    let shapes = &model["shapes"];
    let mut seen = BTreeSet::new();
    let mut found = BTreeMap::new();
    // The operations ssm-edge sends; every `pattern` reachable from their inputs needs a matcher.
    for op in ssm_edge_core::model::OperationName::ALL
        .iter()
        .map(|o| o.as_str())
    {
        let input = model["operations"][op]["input"]["shape"]
            .as_str()
            .unwrap_or_else(|| panic!("operation {op} has no input shape in the model"));
        walk(shapes, input, op.to_string(), &mut seen, &mut found);
    }
    found
}

fn walk(
    shapes: &Value,
    name: &str,
    path: String,
    seen: &mut BTreeSet<String>,
    found: &mut BTreeMap<String, (String, String)>,
) {
    if !seen.insert(name.to_string()) {
        return;
    }
    let shape = &shapes[name];
    assert!(shape.is_object(), "shape {name} is missing from the model");
    if let Some(pattern) = shape["pattern"].as_str() {
        found.insert(name.to_string(), (pattern.to_string(), path.clone()));
    }
    let target = |v: &Value| v["shape"].as_str().expect("member has a shape").to_string();
    if let Some(members) = shape["members"].as_object() {
        for (member, v) in members {
            walk(shapes, &target(v), format!("{path}.{member}"), seen, found);
        }
    }
    for (part, suffix) in [("member", "[]"), ("key", ".<key>"), ("value", ".<value>")] {
        if shape.get(part).is_some() {
            walk(
                shapes,
                &target(&shape[part]),
                format!("{path}{suffix}"),
                seen,
                found,
            );
        }
    }
}

#[test]
fn every_input_pattern_has_a_matcher_with_the_models_text() {
    let found = input_patterns(&service_model());
    for (shape, (pattern, path)) in &found {
        let ours = Pattern::from_shape_name(shape).unwrap_or_else(|| {
            panic!("the model has pattern {pattern:?} on shape {shape} (at {path}), and there is no matcher for it")
        });
        assert_eq!(
            ours.regex(),
            pattern,
            "Pattern::{ours:?}.regex() is not the model's text"
        );
    }
    let ours: BTreeSet<&str> = Pattern::ALL.iter().map(|p| p.shape_name()).collect();
    let theirs: BTreeSet<&str> = found.keys().map(String::as_str).collect();
    assert_eq!(
        ours, theirs,
        "Pattern::ALL and the model's input patterns differ"
    );
    println!(
        "{} input patterns in the model, all with matchers",
        found.len()
    );
}

// ---------------------------------------------------------------------------
// node

struct NodeAnswer {
    unicode: String,
    results: Vec<Vec<bool>>,
}

/// What node tests a regex on.
enum Case<'a> {
    /// These strings.
    Strings(&'a [String]),
    /// `before + c + after` for every scalar value `c`, in code point order (node
    /// builds them itself: no 1.1M-string JSON round trip).
    Frame(&'a str, &'a str),
}

/// `new RegExp(pattern, 'u').test(s)` for every (pattern, case), in node.
fn node_test(cases: &[(&str, Case<'_>)]) -> NodeAnswer {
    let script = ssm_edge_tests::workspace_root().join("tests/js/regexp_oracle.js");
    let request = serde_json::json!({
        "cases": cases
            .iter()
            .map(|(pattern, case)| match case {
                Case::Strings(strings) => serde_json::json!({ "pattern": pattern, "strings": strings }),
                Case::Frame(before, after) => serde_json::json!({ "pattern": pattern, "frame": [before, after] }),
            })
            .collect::<Vec<_>>(),
    });
    let body = serde_json::to_vec(&request).expect("encode request");
    let mut child = Command::new("node")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn node (v20+ must be on PATH)");
    let mut stdin = child.stdin.take().expect("node stdin");
    let writer = std::thread::spawn(move || stdin.write_all(&body));
    let out = child.wait_with_output().expect("wait for node");
    writer
        .join()
        .expect("writer thread")
        .expect("write to node");
    assert!(
        out.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: Value = serde_json::from_slice(&out.stdout).expect("node answers JSON");
    let results: Vec<Vec<bool>> = answer["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            r.as_str()
                .expect("bits")
                .bytes()
                .map(|b| b == b'1')
                .collect()
        })
        .collect();
    assert_eq!(results.len(), cases.len(), "node answered every case");
    for ((_, case), bits) in cases.iter().zip(&results) {
        let expected = match case {
            Case::Strings(strings) => strings.len(),
            Case::Frame(..) => SCALARS,
        };
        assert_eq!(bits.len(), expected, "node answered for every string");
    }
    NodeAnswer {
        unicode: answer["unicode"].as_str().unwrap_or("?").to_string(),
        results,
    }
}

/// How many Unicode scalar values there are.
const SCALARS: usize = 0x11_0000 - 0x800;

fn all_scalars() -> impl Iterator<Item = char> {
    (0..=0x10_FFFFu32).filter_map(char::from_u32)
}

/// Code points that are unassigned (`Cn`) on exactly one side: node's Unicode
/// version and `unicode-general-category`' differ on them, by design of versions.
/// Returns them with node's Unicode version.
fn version_skew() -> (BTreeSet<char>, String) {
    let answer = node_test(&[(r"^\p{Cn}$", Case::Frame("", ""))]);
    let skew = all_scalars()
        .zip(&answer.results[0])
        .filter(|(c, node_cn)| {
            **node_cn != (get_general_category(*c) == GeneralCategory::Unassigned)
        })
        .map(|(c, _)| c)
        .collect();
    (skew, answer.unicode)
}

// ---------------------------------------------------------------------------
// The corpus

/// SplitMix64: small, deterministic, good enough to spread a corpus.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        ssm_edge_tests::splitmix64(&mut self.0)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next() % u64::from(hi - lo + 1)) as u32
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Ranges of code points by kind, each inclusive.
const LETTERS: &[(u32, u32)] = &[
    (0x41, 0x5A),       // Latin capital
    (0x61, 0x7A),       // Latin small
    (0xC0, 0xFF),       // Latin-1 letters (and × ÷)
    (0x100, 0x17F),     // Latin Extended-A
    (0x1C4, 0x1CC),     // Lt digraphs among Lu/Ll
    (0x2B0, 0x2FF),     // modifier letters (Lm) and modifier symbols (Sk)
    (0x370, 0x3FF),     // Greek
    (0x400, 0x4FF),     // Cyrillic (with combining Me 0488..0489)
    (0x531, 0x58A),     // Armenian
    (0x5D0, 0x5F4),     // Hebrew
    (0x620, 0x6FF),     // Arabic (letters, digits, marks)
    (0x900, 0x97F),     // Devanagari
    (0x980, 0x9FF),     // Bengali
    (0xB80, 0xBFF),     // Tamil
    (0xE00, 0xE7F),     // Thai
    (0x10A0, 0x10FF),   // Georgian
    (0x1200, 0x137F),   // Ethiopic
    (0x13A0, 0x13FF),   // Cherokee
    (0x1800, 0x18AF),   // Mongolian (incl. U+180E)
    (0x1F00, 0x1FFF),   // Greek Extended (incl. Lt 1F88..)
    (0x2D30, 0x2D7F),   // Tifinagh
    (0x3040, 0x30FF),   // Hiragana, Katakana
    (0x4E00, 0x9FFF),   // CJK
    (0xAC00, 0xD7A3),   // Hangul syllables
    (0xFF21, 0xFF5A),   // fullwidth Latin
    (0x10400, 0x1044F), // Deseret
    (0x1D400, 0x1D7FF), // mathematical alphanumerics (letters and digits)
    (0x20000, 0x2A6DF), // CJK extension B
];

const NUMBERS: &[(u32, u32)] = &[
    (0x30, 0x39),       // ASCII digits
    (0xB2, 0xB3),       // superscripts (No)
    (0xB9, 0xB9),       // superscript one
    (0xBC, 0xBE),       // vulgar fractions
    (0x660, 0x669),     // Arabic-Indic digits
    (0x6F0, 0x6F9),     // extended Arabic-Indic digits
    (0x966, 0x96F),     // Devanagari digits
    (0xE50, 0xE59),     // Thai digits
    (0x2070, 0x2089),   // super/subscripts
    (0x2150, 0x2189),   // fractions, Roman numerals (Nl)
    (0x2460, 0x24FF),   // circled numbers (No) and letters (So)
    (0x3007, 0x3007),   // ideographic zero (Nl)
    (0xFF10, 0xFF19),   // fullwidth digits
    (0x1D360, 0x1D378), // counting rods
    (0x1D7CE, 0x1D7FF), // mathematical digits
    (0x1F100, 0x1F10C), // digit full stops / commas
];

const SPACES_AND_FORMAT: &[(u32, u32)] = &[
    (0x9, 0xD),       // TAB LF VT FF CR
    (0x20, 0x20),     // space
    (0x85, 0x85),     // NEL: White_Space but not ECMA \s
    (0xA0, 0xA0),     // no-break space
    (0xAD, 0xAD),     // soft hyphen (Cf)
    (0x1680, 0x1680), // ogham space mark
    (0x180E, 0x180E), // Mongolian vowel separator (Cf since Unicode 6.3)
    (0x2000, 0x200F), // Zs run, ZWSP, ZWNJ, ZWJ, LRM, RLM
    (0x2028, 0x202F), // LS, PS, bidi controls, NNBSP
    (0x205F, 0x2064), // MMSP, word joiner, invisible operators
    (0x3000, 0x3000), // ideographic space
    (0xFEFF, 0xFEFF), // ZWNBSP (BOM)
];

const MARKS_SYMBOLS_OTHER: &[(u32, u32)] = &[
    (0x0, 0x1F),          // C0 controls
    (0x21, 0x2F),         // ASCII punctuation
    (0x3A, 0x40),         // ASCII punctuation
    (0x5B, 0x60),         // ASCII punctuation
    (0x7B, 0x7F),         // ASCII punctuation, DEL
    (0x80, 0x9F),         // C1 controls
    (0xA1, 0xBF),         // Latin-1 punctuation and symbols
    (0x300, 0x36F),       // combining diacritics (Mn)
    (0x483, 0x489),       // Cyrillic combining (Mn, Me)
    (0x1AB0, 0x1AFF),     // combining extended
    (0x2010, 0x2027),     // general punctuation
    (0x20A0, 0x20C1),     // currency
    (0x20D0, 0x20F0),     // combining for symbols (Mn, Me)
    (0x2190, 0x22FF),     // arrows, math
    (0x2600, 0x27BF),     // misc symbols, dingbats
    (0x3001, 0x303F),     // CJK punctuation
    (0xD7FC, 0xD7FF),     // unassigned just below the surrogates
    (0xE000, 0xF8FF),     // private use
    (0xFDD0, 0xFDEF),     // noncharacters
    (0xFE00, 0xFE0F),     // variation selectors
    (0xFE20, 0xFE2F),     // combining half marks
    (0xFFF0, 0xFFFF),     // specials, noncharacters
    (0x1F1E6, 0x1F1FF),   // regional indicators
    (0x1F300, 0x1F64F),   // emoji
    (0x1F3FB, 0x1F3FF),   // skin tones
    (0x1F900, 0x1F9FF),   // emoji
    (0x1FBF0, 0x1FBF9),   // segmented digits (Nd)
    (0xE0001, 0xE007F),   // tags
    (0xF0000, 0xFFFFD),   // supplementary private use
    (0x10FFFE, 0x10FFFF), // noncharacters
];

struct Corpus<'a> {
    rng: Rng,
    /// Code points left out: the Unicode-version skew.
    excluded: &'a BTreeSet<char>,
    /// Characters this pattern cares about.
    alphabet: Vec<char>,
}

impl Corpus<'_> {
    fn pick_in(&mut self, ranges: &[(u32, u32)]) -> char {
        loop {
            let (lo, hi) = *self.rng.pick(ranges);
            if let Some(c) = char::from_u32(self.rng.range(lo, hi)) {
                if !self.excluded.contains(&c) {
                    return c;
                }
            }
        }
    }

    fn any_scalar(&mut self) -> char {
        self.pick_in(&[(0, 0x10_FFFF)])
    }

    /// One character from a broad mix of kinds.
    fn char(&mut self) -> char {
        match self.rng.below(10) {
            0..=2 => *self.rng.pick(&self.alphabet),
            3 => self.pick_in(&[(0x20, 0x7E)]),
            4 => self.pick_in(LETTERS),
            5 => self.pick_in(NUMBERS),
            6 => self.pick_in(SPACES_AND_FORMAT),
            7 | 8 => self.pick_in(MARKS_SYMBOLS_OTHER),
            _ => self.any_scalar(),
        }
    }

    fn string_of(&mut self, len: usize, mut next: impl FnMut(&mut Self) -> char) -> String {
        (0..len).map(|_| next(self)).collect()
    }

    fn random_len(&mut self) -> usize {
        if self.rng.chance(10) {
            self.rng.below(12) + 122 // around the 128 limits
        } else {
            self.rng.below(20)
        }
    }

    fn mutate(&mut self, seed: &str) -> String {
        let mut chars: Vec<char> = seed.chars().collect();
        for _ in 0..=self.rng.below(3) {
            let at = self.rng.below(chars.len() + 1);
            match self.rng.below(9) {
                0 | 1 => {
                    let c = self.char();
                    chars.insert(at, c);
                }
                2 | 3 if at < chars.len() => {
                    chars.remove(at);
                }
                4 | 5 if at < chars.len() => {
                    chars[at] = self.char();
                }
                6 => chars.truncate(at),
                7 => {
                    // Repeat a slice (lengths around limits, doubled tokens).
                    let end = (at + 1 + self.rng.below(8)).min(chars.len());
                    let piece: Vec<char> = chars[at.min(end)..end].to_vec();
                    for _ in 0..self.rng.below(20) {
                        chars.splice(at..at, piece.iter().copied());
                    }
                }
                _ => {
                    let c = self.char();
                    if self.rng.chance(50) {
                        chars.insert(0, c);
                    } else {
                        chars.push(c);
                    }
                }
            }
        }
        chars.into_iter().collect()
    }

    fn generate(&mut self, seeds: &[String], n: usize) -> Vec<String> {
        let mut out: Vec<String> = seeds.to_vec();
        while out.len() < n {
            let s = match self.rng.below(20) {
                0..=8 => {
                    let seed = self.rng.pick(seeds).clone();
                    self.mutate(&seed)
                }
                9 => {
                    let (a, b) = (self.rng.pick(seeds).clone(), self.rng.pick(seeds).clone());
                    format!("{a}{b}")
                }
                10..=12 => {
                    let len = self.random_len();
                    let alphabet = self.alphabet.clone();
                    self.string_of(len, |c| *c.rng.pick(&alphabet))
                }
                13 | 14 => {
                    let len = self.random_len();
                    self.string_of(len, |c| c.pick_in(&[(0x9, 0xD), (0x20, 0x7E)]))
                }
                15..=18 => {
                    let len = self.rng.below(12);
                    self.string_of(len, Self::char)
                }
                _ => {
                    let len = self.rng.below(6);
                    self.string_of(len, Self::any_scalar)
                }
            };
            out.push(s);
        }
        out
    }
}

/// Valid values, edge cases and near misses: the seeds of a pattern's corpus.
fn seeds(p: Pattern) -> Vec<String> {
    let a = |n: usize| "a".repeat(n);
    let w = |n: usize| {
        "0123456789abcdef_XYZ"
            .chars()
            .cycle()
            .take(n)
            .collect::<String>()
    };
    let mut v: Vec<String> = match p {
        Pattern::AlarmName => [
            "my-alarm",
            "CPUUtilization > 80%",
            "Alarm 日本",
            "a",
            " x",
            "x ",
            "\u{a0}",
            "\u{3000}",
            "\t \n",
            "\nalarm",
            "alarm\n",
            "\u{2028}",
            "x\u{2029}",
            "\u{feff}",
            "\u{85}",
            "\u{180e}",
            "\u{200b}",
            "   a   ",
            "\r\n",
            " \u{1680}\u{2000}\u{200a}\u{202f}\u{205f}",
        ]
        .map(String::from)
        .to_vec(),
        Pattern::DocumentArn => [
            "AWS-RunShellScript",
            "AWS-RunPowerShellScript",
            "arn:aws:ssm:us-east-1:123456789012:document/MyDoc",
            "arn:aws:ssm:us-east-1::document/AWS-RunShellScript",
            "abc",
            "ab",
            "My_Doc.v1-2",
            "doc name",
            "doc$1",
        ]
        .map(String::from)
        .into_iter()
        .chain([a(127), a(128), a(129), a(2), a(3)])
        .collect(),
        Pattern::DocumentVersion => [
            "$LATEST",
            "$DEFAULT",
            "1",
            "10",
            "0",
            "01",
            "$latest",
            "LATEST",
            "x$LATESTy",
            "123456789012345678901234567890",
            "$LATES",
            "$DEFAUL",
            "1a",
            "$$DEFAULT",
            "9\n",
        ]
        .map(String::from)
        .to_vec(),
        Pattern::DocumentVersionName => ["v1", "Release_2024-01.1", "", "v 1", "a.b"]
            .map(String::from)
            .into_iter()
            .chain([a(127), a(128), a(129)])
            .collect(),
        Pattern::InstanceId => {
            let mut v: Vec<String> = ["i-", "mi-", "I-01234567", "i-ABCDEFGH", "i-________"]
                .map(String::from)
                .to_vec();
            for n in [7, 8, 9, 16, 17, 18] {
                v.push(format!("i-{}", w(n)));
                v.push(format!("mi-{}", w(n)));
            }
            v
        }
        Pattern::MaxConcurrency | Pattern::MaxErrors => [
            "0", "1", "9", "10", "50", "99", "100", "101", "1000", "0%", "1%", "9%", "10%", "50%",
            "99%", "100%", "101%", "01", "05%", "00", "00%", "%", "1.5", "-1", "1 ", "1%%",
        ]
        .map(String::from)
        .to_vec(),
        Pattern::TargetKey => [
            "InstanceIds",
            "tag:Name",
            "tag-key",
            "resource-groups:Name",
            "resource-groups:ResourceTypeFilters",
            "tag:Umgebung",
            "tag:環境",
            "tag:cost center",
            "key=value@x/y.z_w",
            "tag:a+b",
            "",
            "tag:١٢٣",
            "tag:Ⅻ",
            "x resource-groups:Name y",
            "resource-groups:Nam",
            "resource-groups:ResourceTypeFilter",
            "tag:\u{2028}",
        ]
        .map(String::from)
        .to_vec(),
        Pattern::ApprovalId => [
            "5f0c7e59-2a7e-4d0e-9a51-3c1b1c1f0a11",
            "5F0C7E59-2A7E-4D0E-9A51-3C1B1C1F0A11",
            "5f0c7e59-2a7e-4d0e-9a51-3c1b1c1f0a1",
            "5f0c7e59-2a7e-4d0e-9a51-3c1b1c1f0a111",
            "5f0c7e592a7e-4d0e-9a51-3c1b1c1f0a11-",
            "5f0c7e59-2a7e-4d0e-9a51-3c1b1c1f0a1g",
            "5f0c7e59_2a7e_4d0e_9a51_3c1b1c1f0a11",
            " 5f0c7e59-2a7e-4d0e-9a51-3c1b1c1f0a11",
            "",
        ]
        .map(String::from)
        .to_vec(),
        Pattern::ApprovalReason => [
            "",
            "not on a Friday",
            "a\nb",
            "\t",
            "\u{7f}",
            "\u{85}",
            "\u{9f}",
            "\u{a0}",
            "\u{2028}",
            "日本語",
        ]
        .map(String::from)
        .to_vec(),
        Pattern::LogGroupName | Pattern::LogGroupIdentifier | Pattern::LogStreamName => [
            "",
            "/aws/ssm/AWS-RunShellScript",
            "aws/ssm/AWS-RunShellScript",
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/ssm/x",
            "0b7c-4f/i-0123456789abcdef0/aws-runShellScript/stdout",
            "a b",
            " ",
            "*",
            ":",
            "a:*",
            "日本語",
            "\n",
        ]
        .map(String::from)
        .to_vec(),
    };
    v.sort();
    v.dedup();
    v
}

/// Characters a pattern's regex talks about, to make dense random strings.
fn alphabet(p: Pattern) -> Vec<char> {
    let s = match p {
        Pattern::AlarmName => "ab \t\n\r\u{b}\u{c}\u{a0}\u{3000}\u{2028}\u{2029}\u{feff}\u{85}",
        Pattern::DocumentArn => "aZ09_-.:/ $",
        Pattern::DocumentVersion => "$LATESTDEFAULT0123456789 x",
        Pattern::DocumentVersionName => "aZ09_-. :",
        Pattern::InstanceId => "im-0123456789abcdefABC_ ",
        Pattern::MaxConcurrency | Pattern::MaxErrors => "0123456789% .-",
        Pattern::TargetKey => "azN:_./=-@ \u{a0}\u{3000}日١Ⅻ+#\t",
        Pattern::ApprovalId => "0123456789abcdefABCDEFg-",
        Pattern::ApprovalReason => "a \t\n\u{7f}\u{80}\u{9f}\u{a0}\u{2028}",
        Pattern::LogGroupName | Pattern::LogGroupIdentifier | Pattern::LogStreamName => {
            "aZ09.-_/#:*@+=, \t\n日"
        }
    };
    s.chars().collect()
}

/// Every scalar value in frames that make a pattern's result depend on that one character.
fn exhaustive_frames(p: Pattern) -> &'static [(&'static str, &'static str)] {
    match p {
        // `.`/line terminators at the start; `\s` alone and after a space.
        Pattern::AlarmName => &[("", ""), ("", "x"), (" ", "")],
        Pattern::DocumentArn => &[("ab", "")],
        Pattern::DocumentVersion => &[("", ""), ("1", "")],
        Pattern::DocumentVersionName => &[("", "")],
        Pattern::InstanceId => &[("i-0123456", ""), ("mi-0123456789abcdef", "")],
        Pattern::MaxConcurrency => &[("", ""), ("", "%")],
        Pattern::MaxErrors => &[("", ""), ("1", "%")],
        Pattern::TargetKey => &[("", ""), ("tag:", "")],
        Pattern::ApprovalId => &[("5f0c7e59-2a7e-4d0e-9a51-3c1b1c1f0a1", "")],
        Pattern::ApprovalReason => &[("", ""), ("a", "b")],
        Pattern::LogGroupName | Pattern::LogGroupIdentifier | Pattern::LogStreamName => {
            &[("", ""), (" ", "*")]
        }
    }
}

fn show(s: &str) -> String {
    let codes: Vec<String> = s.chars().map(|c| format!("U+{:04X}", c as u32)).collect();
    format!("{s:?} [{}]", codes.join(" "))
}

#[test]
fn matchers_agree_with_node_regexp() {
    let found = input_patterns(&service_model());
    let (skew, node_unicode) = version_skew();
    // Today: node 20.20 has Unicode 17.0 and unicode-general-category 1.1 has 16.0, so the
    // skew is the code points new in Unicode 17 (assigned in node, unassigned in the
    // crate). It must stay a version difference, never a broken table.
    assert!(
        skew.len() < 20_000,
        "{} code points differ in being assigned between node (Unicode {node_unicode}) and unicode-general-category {:?}",
        skew.len(),
        unicode_general_category::UNICODE_VERSION
    );

    let new_in_node = skew
        .iter()
        .filter(|c| get_general_category(**c) == GeneralCategory::Unassigned)
        .count();
    let mut ranges: Vec<(char, char)> = Vec::new();
    for &c in &skew {
        match ranges.last_mut() {
            Some((_, end)) if u32::from(*end) + 1 == u32::from(c) => *end = c,
            _ => ranges.push((c, c)),
        }
    }
    println!(
        "version skew: {} code points assigned only by unicode-general-category {:?}, {new_in_node} only by \
         node's Unicode {node_unicode}; {} ranges, first: {}",
        skew.len() - new_in_node,
        unicode_general_category::UNICODE_VERSION,
        ranges.len(),
        ranges
            .iter()
            .take(12)
            .map(|(a, b)| format!("U+{:04X}..U+{:04X}", u32::from(*a), u32::from(*b)))
            .collect::<Vec<_>>()
            .join(", ")
    );

    let mut compared = 0usize;
    let mut mismatches: Vec<String> = Vec::new();
    let mut allowed_skew = 0usize;
    for (shape, (regex, _)) in &found {
        let p = Pattern::from_shape_name(shape).expect("checked by the other test");

        // Exhaustive: every scalar value in each frame.
        let frames = exhaustive_frames(p);
        let cases: Vec<(&str, Case<'_>)> = frames
            .iter()
            .map(|(before, after)| (regex.as_str(), Case::Frame(before, after)))
            .collect();
        let answer = node_test(&cases);
        let mut s = String::new();
        for ((before, after), bits) in frames.iter().zip(&answer.results) {
            for (c, node) in all_scalars().zip(bits) {
                s.clear();
                s.push_str(before);
                s.push(c);
                s.push_str(after);
                compared += 1;
                if p.is_match(&s) != *node {
                    if skew.contains(&c) {
                        allowed_skew += 1;
                    } else {
                        mismatches.push(format!("{shape}: node says {node} for {}", show(&s)));
                    }
                }
            }
        }

        // Random, skew-free.
        let mut corpus = Corpus {
            rng: Rng(0x5353_4D2D_4544_4745 ^ (p as u64).wrapping_mul(0x1000_0000_01B3)),
            excluded: &skew,
            alphabet: alphabet(p),
        };
        let strings = corpus.generate(&seeds(p), RANDOM_PER_PATTERN);
        let answer = node_test(&[(regex.as_str(), Case::Strings(&strings))]);
        let accepted = answer.results[0].iter().filter(|b| **b).count();
        for (s, node) in strings.iter().zip(&answer.results[0]) {
            compared += 1;
            if p.is_match(s) != *node {
                mismatches.push(format!("{shape}: node says {node} for {}", show(s)));
            }
        }
        println!(
            "{shape}: {} exhaustive ({} frames) + {} random strings ({accepted} matching)",
            frames.len() * SCALARS,
            frames.len(),
            strings.len(),
        );
    }
    println!(
        "compared {compared} strings with node's RegExp (Unicode {node_unicode}) vs unicode-general-category \
         {:?}; {} code points excluded as version skew ({allowed_skew} exhaustive-pass differences on them)",
        unicode_general_category::UNICODE_VERSION,
        skew.len(),
    );
    assert!(
        mismatches.is_empty(),
        "{} disagreements with node's RegExp, first ones:\n{}",
        mismatches.len(),
        mismatches
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

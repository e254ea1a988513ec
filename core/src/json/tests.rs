//! The reader against serde_json (the reader it replaced, and the one the gateway's
//! policy engine uses): the same texts accepted, the same values read.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use proptest::prelude::*;

use super::*;

mod reference;

/// serde_json's reading of `text`, in our terms (`None`: refused).
fn serde_reading(text: &[u8]) -> Option<Value<'static>> {
    fn convert(v: serde_json::Value) -> Value<'static> {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => n.as_i64().map_or(Value::Number, Value::Int),
            serde_json::Value::String(s) => Value::String(Cow::Owned(s)),
            serde_json::Value::Array(items) => {
                Value::Array(items.into_iter().map(convert).collect())
            }
            serde_json::Value::Object(members) => Value::Object(
                members
                    .into_iter()
                    .map(|(k, v)| (Cow::Owned(k), convert(v)))
                    .collect(),
            ),
        }
    }
    serde_json::from_slice::<serde_json::Value>(text)
        .ok()
        .map(convert)
}

/// Members sorted, so values compare whatever order serde_json's map keeps.
fn sorted(v: Value<'_>) -> Value<'_> {
    match v {
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        Value::Object(mut members) => {
            members.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(members.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        other => other,
    }
}

#[test]
fn agrees_with_serde_json_on_values_and_refusals() {
    let deep_ok = alloc::format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    let too_deep = alloc::format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
    let texts: Vec<&[u8]> = vec![
        b"{}",
        b" {} \n",
        b"[]",
        b"null",
        b"true",
        b"false",
        b"0",
        b"-0",
        b"12",
        b"-12",
        b"9223372036854775807",
        b"9223372036854775808",
        b"-9223372036854775808",
        b"-9223372036854775809",
        b"1.5",
        b"1e3",
        b"1E+3",
        b"-1e-3",
        b"1.0",
        br#""a\"b\\c\/d\b\f\n\r\t""#,
        br#""\u00e9\u20AC\ud83d\ude00""#,
        "\"caf\u{e9} \u{1F600}\"".as_bytes(),
        br#"{"a":1,"b":[true,null,{"c":"d"}],"e":{}}"#,
        br#"{"DocumentName":"AWS-RunShellScript","Parameters":{"commands":["uptime"]}}"#,
        // refused by both
        b"",
        b" ",
        b"{",
        b"}",
        b"[",
        b"[1,]",
        b"{\"a\":1,}",
        b"{\"a\"}",
        b"{a:1}",
        b"01",
        b"-",
        b"1.",
        b".5",
        b"1e",
        b"+1",
        b"NaN",
        b"Infinity",
        b"nul",
        b"truex",
        b"{} {}",
        b"{}x",
        b"\"abc",
        b"\"\\x\"",
        b"\"\\u12\"",
        b"\"\\ud800\"",
        b"\"\\udc00\"",
        b"\"\\ud800\\u0041\"",
        b"\"a\nb\"",
        b"\"a\tb\"",
        b"\"\x01\"",
        b"\"\xff\"",
        b"\"\xc3\"",
        b"[1 2]",
        b"{\"a\" 1}",
        b"\xef\xbb\xbf{}",
        deep_ok.as_bytes(),
        too_deep.as_bytes(),
    ];
    for text in texts {
        let ours = parse(text).ok().map(sorted);
        let theirs = serde_reading(text).map(sorted);
        assert_eq!(ours, theirs, "{:?}", String::from_utf8_lossy(text));
    }
}

#[test]
fn a_member_named_twice_is_refused_with_the_steps_to_it() {
    let e = parse(br#"{"a":{"b":[1,{"c":1,"\u0063":2}]}}"#).unwrap_err();
    assert_eq!(
        e.kind,
        ParseErrorKind::DuplicateMember(vec![
            Step::Member("a".into()),
            Step::Member("b".into()),
            Step::Index(1),
            Step::Member("c".into()),
        ])
    );
    // Past the scan limit the set finds it too.
    let mut many = String::from("{");
    for i in 0..40 {
        many.push_str(&alloc::format!("\"m{i}\":{i},"));
    }
    many.push_str("\"m3\":0}");
    let e = parse(many.as_bytes()).unwrap_err();
    assert_eq!(
        e.kind,
        ParseErrorKind::DuplicateMember(vec![Step::Member("m3".into())])
    );
    // Reading a service's answer, the last one counts (as botocore reads it).
    let v = parse_keeping_last(many.as_bytes()).unwrap();
    assert_eq!(v.get("m3"), Some(&Value::Int(0)));
    assert_eq!(v.get("m39"), Some(&Value::Int(39)));
}

#[test]
fn errors_say_where_reading_stopped() {
    let e = parse(b"{\n  \"a\": tru\n}").unwrap_err();
    assert_eq!((e.kind, e.line, e.column), (ParseErrorKind::Syntax, 2, 8));
    let e = parse(b"{}  x").unwrap_err();
    assert_eq!((e.line, e.column), (1, 5));
}

#[test]
fn the_writer_escapes_what_json_needs_and_reads_back() {
    let mut w = Writer::new();
    w.begin_object()
        .key("s")
        .string("q\"b\\n\n\u{1}\u{1F600}")
        .key("n")
        .int(i64::MIN)
        .key("l")
        .begin_array()
        .int(0)
        .bool(true)
        .null()
        .begin_object()
        .end_object()
        .end_array()
        .end_object();
    let text = w.finish();
    assert_eq!(
        text,
        "{\"s\":\"q\\\"b\\\\n\\n\\u0001\u{1F600}\",\"n\":-9223372036854775808,\"l\":[0,true,null,{}]}"
    );
    assert_eq!(
        parse(text.as_bytes()).unwrap().get("n"),
        Some(&Value::Int(i64::MIN))
    );
    assert_eq!(
        serde_reading(text.as_bytes()).map(sorted),
        parse(text.as_bytes()).ok().map(sorted)
    );
}

#[test]
fn strings_without_escapes_are_borrowed_from_the_text() {
    let text = r#"{"plain":"caf\u00e9","café":"x\ny"}"#.as_bytes();
    let Ok(Value::Object(members)) = parse(text) else {
        panic!("an object")
    };
    let borrowed = |s: &Cow<'_, str>| matches!(s, Cow::Borrowed(_));
    assert!(borrowed(&members[0].0) && borrowed(&members[1].0));
    assert_eq!(members[1].0, "caf\u{e9}");
    for (_, v) in &members {
        let Value::String(s) = v else {
            panic!("a string")
        };
        assert!(!borrowed(s), "escaped strings are decoded into their own");
    }
    assert_eq!(members[0].1.as_str(), Some("caf\u{e9}"));
    assert_eq!(members[1].1.as_str(), Some("x\ny"));
}

/// Pieces of JSON text, valid and not, for the differential test below.
fn scalar() -> impl Strategy<Value = String> {
    let string_piece = prop_oneof![
        "[a-c]{0,3}",
        Just(String::from("\\\"")),
        Just(String::from("\\n")),
        Just(String::from("\\/")),
        Just(String::from("\\u0063")),
        Just(String::from("\\u00e9")),
        Just(String::from("\\ud83d\\ude00")),
        Just(String::from("\\ud800")),
        Just(String::from("\\udc00x")),
        Just(String::from("\\x")),
        Just(String::from("\u{e9}\u{1F600}\u{2028}")),
        Just(String::from("\t")),
    ];
    prop_oneof![
        Just(String::from("null")),
        Just(String::from("true")),
        Just(String::from("false")),
        prop_oneof![
            Just("0"),
            Just("-0"),
            Just("12"),
            Just("-7"),
            Just("1.5"),
            Just("1e3"),
            Just("-1E-3"),
            Just("01"),
            Just("1."),
            Just("9223372036854775808"),
            Just("-9223372036854775808"),
        ]
        .prop_map(String::from),
        proptest::collection::vec(string_piece, 0..4)
            .prop_map(|pieces| alloc::format!("\"{}\"", pieces.concat())),
    ]
}

/// JSON-like text: nested arrays and objects whose few names often repeat.
fn json_text() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        Just("\"a\""),
        Just("\"b\""),
        Just("\"\\u0061\""),
        Just("\"caf\u{e9}\""),
        Just("\"\""),
    ];
    let space = prop_oneof![Just(""), Just(" "), Just("\n  "), Just("\t\r")];
    scalar().prop_recursive(5, 64, 8, move |inner| {
        prop_oneof![
            proptest::collection::vec((inner.clone(), space.clone()), 0..5).prop_map(|items| {
                let items: Vec<String> = items.into_iter().map(|(v, s)| v + s).collect();
                alloc::format!("[{}]", items.join(","))
            }),
            proptest::collection::vec((name.clone(), inner, space.clone()), 0..6).prop_map(
                |members| {
                    let members: Vec<String> = members
                        .into_iter()
                        .map(|(n, v, s)| alloc::format!("{s}{n}{s}:{v}"))
                        .collect();
                    alloc::format!("{{{}}}", members.join(","))
                }
            ),
        ]
    })
}

/// A few edits of `text`'s bytes: removed, replaced, inserted (often bytes JSON cares
/// about, or not UTF-8), or the text cut short.
fn mutated() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        proptest::sample::select(b"\"\\{}[],: \n0-eE.u/tnf\x01\x7f\xc3\xa9\xff\xed\xa0".to_vec()),
        any::<u8>(),
    ];
    let edit = (any::<proptest::sample::Index>(), 0u8..4, byte);
    (json_text(), proptest::collection::vec(edit, 0..4)).prop_map(|(text, edits)| {
        let mut bytes = text.into_bytes();
        for (at, kind, b) in edits {
            let i = at.index(bytes.len() + 1);
            match kind {
                0 if i < bytes.len() => drop(bytes.remove(i)),
                1 if i < bytes.len() => bytes[i] = b,
                2 => bytes.insert(i, b),
                _ => bytes.truncate(i),
            }
        }
        bytes
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 4000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// The reader reads every text exactly as the owned reader it replaced: the same
    /// value, or the same refusal at the same line and column (duplicate members with
    /// the same steps), keeping the first or the last of a repeated member.
    #[test]
    fn reads_as_the_reader_it_replaced(text in mutated()) {
        prop_assert_eq!(parse(&text), reference::parse(&text));
        prop_assert_eq!(parse_keeping_last(&text), reference::parse_keeping_last(&text));
    }

    /// Unedited texts, valid or not, are read as serde_json reads them (duplicate
    /// members: the last counts, as in `parse_keeping_last`).
    #[test]
    fn reads_as_serde_json(text in json_text()) {
        let ours = parse_keeping_last(text.as_bytes()).ok().map(sorted);
        prop_assert_eq!(ours, serde_reading(text.as_bytes()).map(sorted));
    }
}

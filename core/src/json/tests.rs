//! The reader against serde_json (the reader it replaced, and the one the gateway's
//! policy engine uses): the same texts accepted, the same values read.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::*;

/// serde_json's reading of `text`, in our terms (`None`: refused).
fn serde_reading(text: &[u8]) -> Option<Value> {
    fn convert(v: serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => n.as_i64().map_or(Value::Number, Value::Int),
            serde_json::Value::String(s) => Value::String(s),
            serde_json::Value::Array(items) => {
                Value::Array(items.into_iter().map(convert).collect())
            }
            serde_json::Value::Object(members) => {
                Value::Object(members.into_iter().map(|(k, v)| (k, convert(v))).collect())
            }
        }
    }
    serde_json::from_slice::<serde_json::Value>(text)
        .ok()
        .map(convert)
}

/// Members sorted, so values compare whatever order serde_json's map keeps.
fn sorted(v: Value) -> Value {
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

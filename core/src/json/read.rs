//! The reader: recursive descent over bytes, one pass, no allocation beyond the value.
//! Strings without escapes (nearly all of them) are borrowed from the text; only the
//! arrays, objects and escaped strings are allocated.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use super::{Step, Value, MAX_DEPTH};

/// Why text is not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong.
    pub kind: ParseErrorKind,
    /// Line (from 1) where reading stopped.
    pub line: u64,
    /// Column (from 1, in bytes) where reading stopped.
    pub column: u64,
}

/// What is wrong with the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// Not JSON (or nested deeper than [`MAX_DEPTH`], or followed by more than whitespace).
    Syntax,
    /// An object names a member twice; the steps lead to the second one.
    DuplicateMember(Vec<Step>),
}

/// Parses `text` as one JSON value; an object that names a member twice is refused.
///
/// # Errors
/// Where and why the text stops being acceptable.
pub fn parse(text: &[u8]) -> Result<Value<'_>, ParseError> {
    Reader::new(text, true).document()
}

/// Parses `text` as one JSON value, a member named twice keeping its last value (as
/// botocore reads service responses).
///
/// # Errors
/// Where the text stops being JSON.
pub fn parse_keeping_last(text: &[u8]) -> Result<Value<'_>, ParseError> {
    let mut value = parse_keeping_all(text)?;
    keep_last(&mut value);
    Ok(value)
}

/// Parses `text` as one JSON value keeping every member as read: unlike [`Value`]'s
/// usual objects, a name may repeat (the last is the one botocore would read). For
/// callers that look up a few members themselves: merging repeats (`keep_last`) is then
/// code the npm package's wasm does without.
pub(crate) fn parse_keeping_all(text: &[u8]) -> Result<Value<'_>, ParseError> {
    Reader::new(text, false).document()
}

/// Objects up to this many members are checked for duplicates by a scan as each member
/// arrives; larger ones are sorted once when they close (linear-logarithmic).
const SCAN_LIMIT: usize = 16;

struct Reader<'a> {
    text: &'a [u8],
    at: usize,
    depth: usize,
    /// Refuse a repeated member name (else keep every member).
    strict: bool,
}

/// An object's members as read.
type Members<'a> = Vec<(Cow<'a, str>, Value<'a>)>;

type Read<T> = Result<T, ParseErrorKind>;

impl<'a> Reader<'a> {
    fn new(text: &'a [u8], strict: bool) -> Self {
        Reader {
            text,
            at: 0,
            depth: 0,
            strict,
        }
    }

    fn document(mut self) -> Result<Value<'a>, ParseError> {
        let value = self.value().and_then(|v| {
            self.skip_space();
            if self.at == self.text.len() {
                Ok(v)
            } else {
                Err(ParseErrorKind::Syntax)
            }
        });
        value.map_err(|kind| self.error(kind))
    }

    fn error(&self, kind: ParseErrorKind) -> ParseError {
        let before = &self.text[..self.at.min(self.text.len())];
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let lines = before.iter().filter(|&&b| b == b'\n').count();
        ParseError {
            kind,
            line: lines as u64 + 1,
            column: (before.len() - line_start) as u64 + 1,
        }
    }

    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    fn expect(&mut self, literal: &[u8]) -> Read<()> {
        if self.text[self.at..].starts_with(literal) {
            self.at += literal.len();
            Ok(())
        } else {
            Err(ParseErrorKind::Syntax)
        }
    }

    fn value(&mut self) -> Read<Value<'a>> {
        self.skip_space();
        match self.peek().ok_or(ParseErrorKind::Syntax)? {
            b'n' => self.expect(b"null").map(|()| Value::Null),
            b't' => self.expect(b"true").map(|()| Value::Bool(true)),
            b'f' => self.expect(b"false").map(|()| Value::Bool(false)),
            b'"' => self.string().map(Value::String),
            b'[' => self.nested(Self::array),
            b'{' => self.nested(Self::object),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(ParseErrorKind::Syntax),
        }
    }

    fn nested(&mut self, read: fn(&mut Self) -> Read<Value<'a>>) -> Read<Value<'a>> {
        if self.depth == MAX_DEPTH {
            return Err(ParseErrorKind::Syntax);
        }
        self.depth += 1;
        self.at += 1; // the opening bracket
        let value = read(self);
        self.depth -= 1;
        value
    }

    fn array(&mut self) -> Read<Value<'a>> {
        let mut items = Vec::new();
        self.skip_space();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(Value::Array(items));
        }
        loop {
            let item = self
                .value()
                .map_err(|e| within(e, || Step::Index(items.len())))?;
            items.push(item);
            self.skip_space();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(ParseErrorKind::Syntax),
            }
        }
    }

    fn object(&mut self) -> Read<Value<'a>> {
        let mut members: Members<'a> = Vec::new();
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_space();
            if self.peek() != Some(b'"') {
                return Err(ParseErrorKind::Syntax);
            }
            let name = self.string()?;
            self.skip_space();
            if self.peek() != Some(b':') {
                return Err(ParseErrorKind::Syntax);
            }
            self.at += 1;
            let value = self
                .value()
                .map_err(|e| within(e, || Step::Member(String::from(&*name))))?;
            members.push((name, value));
            // Small objects are checked as each member arrives; large ones once, sorted,
            // when they close, so a hostile body of thousands of members stays cheap.
            if self.strict && members.len() <= SCAN_LIMIT {
                let (last, earlier) = members.split_last().expect("just pushed");
                if earlier.iter().any(|(n, _)| *n == last.0) {
                    return Err(duplicate(&members, members.len() - 1));
                }
            }
            self.skip_space();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    if self.strict && members.len() > SCAN_LIMIT {
                        if let Some(at) = first_duplicate(&members) {
                            return Err(duplicate(&members, at));
                        }
                    }
                    return Ok(Value::Object(members));
                }
                _ => return Err(ParseErrorKind::Syntax),
            }
        }
    }

    /// Member `at` repeats an earlier name: refused, or (reading a service's answer)
    /// the earlier value replaced by the later one.
    fn number(&mut self) -> Read<Value<'a>> {
        let start = self.at;
        let digits = |r: &mut Self| {
            let from = r.at;
            while let Some(b'0'..=b'9') = r.peek() {
                r.at += 1;
            }
            r.at - from
        };
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        let int_start = self.at;
        match digits(self) {
            0 => return Err(ParseErrorKind::Syntax),
            n if n > 1 && self.text[int_start] == b'0' => return Err(ParseErrorKind::Syntax),
            _ => {}
        }
        let mut integral = true;
        if self.peek() == Some(b'.') {
            self.at += 1;
            integral = false;
            if digits(self) == 0 {
                return Err(ParseErrorKind::Syntax);
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            integral = false;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            if digits(self) == 0 {
                return Err(ParseErrorKind::Syntax);
            }
        }
        if !integral {
            return Ok(Value::Number);
        }
        Ok(parse_i64(&self.text[start..self.at]).map_or(Value::Number, Value::Int))
    }

    fn string(&mut self) -> Read<Cow<'a, str>> {
        self.at += 1; // the opening quote
        let mut start = self.at;
        // Filled only from the first escape on: a string without one (nearly all) is
        // a slice of the text.
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(&byte) = self.text.get(self.at) else {
                self.at = start; // unterminated: reading stopped where the run began
                return Err(ParseErrorKind::Syntax);
            };
            match byte {
                b'"' => {
                    let text = &self.text[start..self.at];
                    self.at += 1;
                    if out.is_empty() {
                        // No escape (each writes at least one byte).
                        return core::str::from_utf8(text)
                            .map(Cow::Borrowed)
                            .map_err(|_| ParseErrorKind::Syntax);
                    }
                    out.extend_from_slice(text);
                    return String::from_utf8(out)
                        .map(Cow::Owned)
                        .map_err(|_| ParseErrorKind::Syntax);
                }
                b'\\' => {
                    out.extend_from_slice(&self.text[start..self.at]);
                    self.at += 1;
                    self.escape(&mut out)?;
                    start = self.at;
                }
                0..=0x1f => return Err(ParseErrorKind::Syntax), // a raw control character
                _ => self.at += 1,
            }
        }
    }

    fn escape(&mut self, out: &mut Vec<u8>) -> Read<()> {
        let byte = self.peek().ok_or(ParseErrorKind::Syntax)?;
        self.at += 1;
        let simple = match byte {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let c = self.unicode_escape()?;
                let mut buf = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                return Ok(());
            }
            _ => return Err(ParseErrorKind::Syntax),
        };
        out.push(simple);
        Ok(())
    }

    /// After `\u`: four hex digits, a surrogate pair as two escapes; a lone surrogate
    /// is refused (it is no character, and readers would each replace it differently).
    fn unicode_escape(&mut self) -> Read<char> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                self.expect(b"\\u")?;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(ParseErrorKind::Syntax);
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(ParseErrorKind::Syntax),
            _ => first,
        };
        char::from_u32(code).ok_or(ParseErrorKind::Syntax)
    }

    fn hex4(&mut self) -> Read<u32> {
        let digits = self
            .text
            .get(self.at..self.at + 4)
            .ok_or(ParseErrorKind::Syntax)?;
        let mut value = 0;
        for &d in digits {
            let nibble = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return Err(ParseErrorKind::Syntax),
            };
            value = value * 16 + u32::from(nibble);
        }
        self.at += 4;
        Ok(value)
    }
}

/// `e`, an error inside the value at `step`, with `step` added to a duplicate's steps.
/// The refusal of `members[at]`, a repeated name. The steps to this object are added
/// as the error leaves each level.
#[cold]
fn duplicate(members: &Members<'_>, at: usize) -> ParseErrorKind {
    ParseErrorKind::DuplicateMember(alloc::vec![Step::Member(String::from(&*members[at].0))])
}

/// Merges every object's repeated names, at every depth: a name keeps the place of its
/// first occurrence and the value of its last (as the reader used to merge them while
/// reading). Sorted once per object, so thousands of members stay cheap.
fn keep_last(value: &mut Value<'_>) {
    let members = match value {
        Value::Array(items) => return items.iter_mut().for_each(keep_last),
        Value::Object(members) => members,
        _ => return,
    };
    members.iter_mut().for_each(|(_, v)| keep_last(v));
    let mut order: Vec<usize> = (0..members.len()).collect();
    crate::sort::sort_by(&mut order, |&a, &b| (&members[a].0, a) < (&members[b].0, b));
    let mut keep = alloc::vec![true; members.len()];
    let mut merges = Vec::new();
    for run in order.chunk_by(|&a, &b| members[a].0 == members[b].0) {
        if let [first, .., last] = *run {
            merges.push((first, last));
            run[1..].iter().for_each(|&later| keep[later] = false);
        }
    }
    for (first, last) in merges {
        members[first].1 = core::mem::replace(&mut members[last].1, Value::Null);
    }
    let mut at = 0;
    members.retain(|_| {
        at += 1;
        keep[at - 1]
    });
}

#[cold]
fn within(e: ParseErrorKind, step: impl FnOnce() -> Step) -> ParseErrorKind {
    match e {
        ParseErrorKind::DuplicateMember(mut steps) => {
            steps.insert(0, step());
            ParseErrorKind::DuplicateMember(steps)
        }
        syntax => syntax,
    }
}

/// The index of a member whose name an earlier member already has, if any.
fn first_duplicate(members: &[(Cow<'_, str>, Value<'_>)]) -> Option<usize> {
    let mut order: Vec<usize> = (0..members.len()).collect();
    // By name, then position: of two equal names the later one comes second.
    crate::sort::sort_by(&mut order, |&a, &b| (&members[a].0, a) < (&members[b].0, b));
    order
        .windows(2)
        .find(|pair| members[pair[0]].0 == members[pair[1]].0)
        .map(|pair| pair[1])
}

/// `-?[0-9]+` as an `i64`, or `None` when it does not fit.
fn parse_i64(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let mut value: i64 = 0;
    for &d in digits {
        let d = i64::from(d - b'0');
        value = value.checked_mul(10)?;
        value = if negative {
            value.checked_sub(d)?
        } else {
            value.checked_add(d)?
        };
    }
    // serde_json reads `-0` as the float -0.0, not the integer 0: so do we, so that no
    // reader of a body sees an integer where another sees a float.
    (value != 0 || !negative).then_some(value)
}

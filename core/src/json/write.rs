//! The writer: JSON text built member by member, without `core::fmt`.

use alloc::string::String;

/// Builds JSON text. Commas are placed by the writer; the caller opens and closes
/// arrays and objects in order and names each member with [`Writer::key`].
#[derive(Debug, Default)]
pub struct Writer {
    out: String,
    /// Whether the next member or item needs a comma before it.
    after_value: bool,
}

impl Writer {
    /// An empty writer.
    #[must_use]
    pub fn new() -> Self {
        Writer::default()
    }

    fn separate(&mut self) {
        if self.after_value {
            self.out.push(',');
        }
        self.after_value = true;
    }

    /// `{`
    pub fn begin_object(&mut self) -> &mut Self {
        self.separate();
        self.out.push('{');
        self.after_value = false;
        self
    }

    /// `}`
    pub fn end_object(&mut self) -> &mut Self {
        self.out.push('}');
        self.after_value = true;
        self
    }

    /// `[`
    pub fn begin_array(&mut self) -> &mut Self {
        self.separate();
        self.out.push('[');
        self.after_value = false;
        self
    }

    /// `]`
    pub fn end_array(&mut self) -> &mut Self {
        self.out.push(']');
        self.after_value = true;
        self
    }

    /// The name of the next member of the open object.
    pub fn key(&mut self, name: &str) -> &mut Self {
        self.separate();
        push_string(&mut self.out, name);
        self.out.push(':');
        self.after_value = false;
        self
    }

    /// A string value.
    pub fn string(&mut self, value: &str) -> &mut Self {
        self.separate();
        push_string(&mut self.out, value);
        self
    }

    /// An integer value.
    pub fn int(&mut self, value: i64) -> &mut Self {
        self.separate();
        push_int(&mut self.out, value);
        self
    }

    /// `true` or `false`.
    pub fn bool(&mut self, value: bool) -> &mut Self {
        self.separate();
        self.out.push_str(if value { "true" } else { "false" });
        self
    }

    /// `null`.
    pub fn null(&mut self) -> &mut Self {
        self.separate();
        self.out.push_str("null");
        self
    }

    /// The text written.
    #[must_use]
    pub fn finish(self) -> String {
        self.out
    }
}

/// `value` as a JSON string literal: `"`, `\` and control characters escaped.
pub fn push_string(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let b = c as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX[b >> 4]));
                out.push(char::from(HEX[b & 15]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `value` in decimal, without `core::fmt` (whose machinery is kilobytes of wasm).
pub fn push_int(out: &mut String, value: i64) {
    if value < 0 {
        out.push('-');
    }
    push_uint(out, value.unsigned_abs());
}

/// `value` in decimal.
pub fn push_uint(out: &mut String, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    for &d in &digits[at..] {
        out.push(char::from(d));
    }
}

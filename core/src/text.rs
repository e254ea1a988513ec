//! Text helpers written out: searching and splitting at ASCII bytes, and lossy UTF-8.
//!
//! Hand-written because `str`'s pattern machinery (`CharSearcher`, `memchr`, the
//! Two-Way searcher, `Split`) and `Utf8Chunks` are ~2.2 KB of the npm package's wasm,
//! for inputs of a few hundred bytes. An ASCII byte never occurs inside a multi-byte
//! UTF-8 sequence, so every piece cut at one is still a `str`.

use alloc::borrow::Cow;
use alloc::string::String;

/// The position of the first `byte` in `s`.
#[must_use]
pub fn find(s: &str, byte: u8) -> Option<usize> {
    s.bytes().position(|b| b == byte)
}

/// Whether `s` holds `byte`.
#[must_use]
pub fn has(s: &str, byte: u8) -> bool {
    find(s, byte).is_some()
}

/// `s.split_once(byte)`: the text before the first `byte` and after it.
#[must_use]
pub fn split_once(s: &str, byte: u8) -> Option<(&str, &str)> {
    let at = find(s, byte)?;
    Some((&s[..at], &s[at + 1..]))
}

/// `s.split(byte)`: the pieces between the `byte`s (one more than there are `byte`s).
pub fn split(s: &str, byte: u8) -> Split<'_> {
    Split {
        rest: Some(s),
        byte,
    }
}

/// Whether `needle` occurs in `s` (`s.contains(needle)`), by a scan of byte windows.
#[must_use]
pub fn contains(s: &str, needle: &str) -> bool {
    needle.is_empty()
        || s.as_bytes()
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
}

/// `String::from_utf8_lossy`: each maximal ill-formed subsequence becomes one U+FFFD
/// (the rule `std` and WHATWG's decoder follow), found with `from_utf8`'s error
/// positions.
#[must_use]
pub fn from_utf8_lossy(bytes: &[u8]) -> Cow<'_, str> {
    let mut rest = bytes;
    let mut out = String::new();
    loop {
        match core::str::from_utf8(rest) {
            Ok(valid) if out.is_empty() => return Cow::Borrowed(valid),
            Ok(valid) => {
                out.push_str(valid);
                return Cow::Owned(out);
            }
            Err(error) => {
                let (valid, after) = rest.split_at(error.valid_up_to());
                out.push_str(core::str::from_utf8(valid).unwrap_or_default());
                out.push('\u{FFFD}');
                rest = &after[error.error_len().map_or(after.len(), usize::from)..];
            }
        }
    }
}

/// The iterator of [`split`].
#[derive(Clone, Debug)]
pub struct Split<'a> {
    rest: Option<&'a str>,
    byte: u8,
}

impl<'a> Iterator for Split<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        Some(match split_once(rest, self.byte) {
            Some((piece, after)) => {
                self.rest = Some(after);
                piece
            }
            None => {
                self.rest = None;
                rest
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// Each helper against the `str` method it replaces, on ASCII and multi-byte text.
    #[test]
    fn agree_with_str() {
        let texts = [
            "",
            ":",
            "::",
            "a",
            "a:b",
            ":a",
            "a:",
            "a::b",
            "é:ü::日本:",
            "no separator",
            "🦀:🦀",
        ];
        for s in texts {
            assert_eq!(
                split(s, b':').collect::<Vec<_>>(),
                s.split(':').collect::<Vec<_>>(),
                "{s:?}"
            );
            assert_eq!(split_once(s, b':'), s.split_once(':'), "{s:?}");
            assert_eq!(find(s, b':'), s.find(':'), "{s:?}");
            assert_eq!(has(s, b':'), s.contains(':'), "{s:?}");
            for needle in ["", ":", "::", "日本", "a:b", "no separator!"] {
                assert_eq!(contains(s, needle), s.contains(needle), "{s:?} {needle:?}");
            }
        }
    }

    /// Lossy decoding as `std`'s, on every ill-formed shape: lone continuation bytes,
    /// truncated sequences (in the middle and at the end), overlongs, surrogates, bytes
    /// past U+10FFFF, and a corpus of every two-byte string.
    #[test]
    fn lossy_agrees_with_std() {
        let cases: [&[u8]; 12] = [
            b"",
            b"plain",
            "é日🦀".as_bytes(),
            b"\x80",
            b"a\x80b",
            b"\xe6\x97",
            b"a\xe6\x97b",
            b"\xf0\x9f\xa6",
            b"\xc0\xaf",
            b"\xed\xa0\x80",
            b"\xf4\x90\x80\x80",
            b"\xff\xfe{}\x8f",
        ];
        for bytes in cases {
            assert_eq!(
                from_utf8_lossy(bytes),
                String::from_utf8_lossy(bytes),
                "{bytes:?}"
            );
        }
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                let bytes = [a, b, b'x', a];
                assert_eq!(
                    from_utf8_lossy(&bytes),
                    String::from_utf8_lossy(&bytes),
                    "{bytes:?}"
                );
            }
        }
        assert!(matches!(from_utf8_lossy(b"ok"), Cow::Borrowed("ok")));
    }
}

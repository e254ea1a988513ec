//! Shared by the structured targets.

use std::fmt;

use libfuzzer_sys::arbitrary::{self, Arbitrary, Unstructured};

/// Bytes that, as the last field of an input, take all the remaining bytes (`Vec<u8>`
/// would read a continuation byte before each one), so a seed is its knobs followed by
/// a body verbatim.
pub struct Body(pub Vec<u8>);

impl<'a> Arbitrary<'a> for Body {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Body(<&[u8]>::arbitrary(u)?.to_vec()))
    }

    fn arbitrary_take_rest(u: Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Body(u.take_rest().to_vec()))
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b{:?}", String::from_utf8_lossy(&self.0))
    }
}

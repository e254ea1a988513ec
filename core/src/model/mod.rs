//! Rust types for the inputs and outputs of the Run Command operations,
//! generated from botocore's copy of the SSM service model
//! (`core/codegen/gen_model.py` → `generated.rs`). JSON member names and shapes are
//! exactly the model's; every member is optional so that a missing required member
//! is reported by [`crate::validate`] with its path instead of failing to parse.
//!
//! Timestamps are epoch seconds (floats) on the wire ([`EpochSeconds`]);
//! `GetCommandInvocation`'s execution times are strings, as the model says.
//! Shapes the model marks sensitive (`Parameters`, `IPAddress`) are wrapped in
//! [`Sensitive`], whose `Debug` never prints the value.

#[cfg(feature = "model")]
use core::fmt;

#[cfg(feature = "model")]
use serde::de::DeserializeOwned;
#[cfg(feature = "model")]
use serde::{Deserialize, Serialize};

#[cfg(feature = "model")]
use crate::validate::Validate;

#[cfg(feature = "model")]
mod generated;
mod operations;

#[cfg(feature = "model")]
pub use generated::*;
pub use operations::*;

#[cfg(feature = "model")]
/// A point in time as the service sends it: seconds since the Unix epoch, as a float.
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EpochSeconds(pub f64);

#[cfg(feature = "model")]
/// A value the model marks sensitive. `Debug` prints a placeholder, never the value;
/// serialization is transparent.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sensitive<T>(pub T);

#[cfg(feature = "model")]
impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("*** sensitive data redacted ***")
    }
}

#[cfg(feature = "model")]
impl<T> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Sensitive(value)
    }
}

#[cfg(feature = "model")]
/// `SendCommand`'s `Parameters`: document parameter name → values. Sensitive.
pub type Parameters = Sensitive<
    alloc::collections::BTreeMap<alloc::string::String, alloc::vec::Vec<alloc::string::String>>,
>;

#[cfg(feature = "model")]
/// One modelled operation: its name and its input and output types.
pub trait Operation {
    /// The operation.
    const NAME: OperationName;
    /// What the caller sends.
    type Input: Serialize + DeserializeOwned + Validate + crate::validate::Schema;
    /// What the service answers on success.
    type Output: DeserializeOwned;
}

impl OperationName {
    /// Whether sending the request twice has the same effect as sending it once.
    ///
    /// Every modelled operation but `SendCommand` only reads, except
    /// `CancelCommand`, whose repeat cancels what is already cancelling. A second
    /// `SendCommand` runs the command a second time. The gateway's `ApproveCommand`
    /// and `RejectCommand` decide once: a repeat of one that was done is refused as
    /// no longer pending, so retrying it would turn a success into an error.
    #[must_use]
    pub const fn is_idempotent(self) -> bool {
        !matches!(
            self,
            OperationName::SendCommand
                | OperationName::ApproveCommand
                | OperationName::RejectCommand
        )
    }
}

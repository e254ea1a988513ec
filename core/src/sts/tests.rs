//! Unit tests of `sts`: inputs and ARNs, request bytes, answers.

mod input;
mod request;
mod response;

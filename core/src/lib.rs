//! # ssm-edge-core
//!
//! The sans-IO heart of ssm-edge: everything needed to speak AWS Systems Manager
//! Run Command (`SendCommand` and the calls around it) without touching a clock,
//! a socket or a random number generator. Callers pass the time, move the bytes
//! and supply randomness; this crate owns every protocol fact.
//!
//! The pipeline, one module per step:
//!
//! ```text
//! input ─► validate ─► endpoint ─► request (awsJson1.1) ─► sign (SigV4) ─► bytes out
//!          decode ◄──────────────────────────────────────────────────────── bytes in
//!          retry (pure decision)      verify (incoming SigV4, for gateways)
//! ```
//!
//! `#![no_std]` + `alloc`; the default `std` feature only adds `std::error::Error` impls.
//! The `sts` feature adds the `sts` module: STS `AssumeRole` (query-protocol request,
//! XML answer).
#![no_std]
// No unsafe code, but for the one call of the host's pattern matcher that the npm
// package's build makes (`host-patterns`); the gateway's and native builds forbid it.
#![cfg_attr(not(feature = "host-patterns"), forbid(unsafe_code))]
#![cfg_attr(feature = "host-patterns", deny(unsafe_code))]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[macro_use]
mod macros;

pub mod arn;
pub mod client;
pub mod decode;
pub mod endpoint;
pub mod json;
pub mod model;
pub mod request;
pub mod retry;
pub mod route;
pub mod sign;
mod sort;
#[cfg(feature = "sts")]
pub mod sts;
pub mod text;
pub mod time;
pub mod validate;
pub mod verify;

//! ssm-edge's gateway: an SSM-protocol (awsJson1.1) proxy for Cloudflare Workers.
//!
//! Callers use any AWS SDK with the gateway as endpoint. Each request is authenticated
//! (SigV4 with a gateway-issued key, verified by the core, or a bearer JWT), validated
//! by the core, authorized by Cedar policies, admitted by a per-principal rate limit,
//! deduplicated by `Idempotency-Key`, then re-signed with the upstream credentials and
//! forwarded; one audit line records it.
//!
//! Everything here is plain Rust tested natively ([`pipeline::Gateway`] over a
//! [`pipeline::Host`]); `worker.rs` (wasm32 only) adapts Worker requests, Durable
//! Objects and `fetch` to it.

pub mod approvals;
pub mod audit;
pub mod call;
pub mod config;
pub mod cors;
pub mod error;
pub mod fields;
pub mod hex;
pub mod idempotency;
pub mod identity;
pub mod limits;
pub mod output;
pub mod pipeline;
pub mod policy;
pub mod route;
pub mod scrub;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

#[cfg(target_arch = "wasm32")]
mod worker;

pub use config::Config;
pub use pipeline::{Gateway, Host, Incoming, Outgoing};

//! The gateway's principle, for arbitrary bodies: what it forwards is the core's
//! serialization of exactly the input its policy decided on, never the caller's bytes.
//!
//! The body goes through the functions the gateway's pipeline runs (`call::parse`, the
//! input the Cedar context is built from; `ParsedCall::start` and the core `Client`'s
//! signed request, what is sent upstream). For every accepted body:
//! - the forwarded body parses back to an input equal to the decided one;
//! - it is canonical: parsing and starting it again gives the same bytes (one body per
//!   input, whatever the caller's spelling: member order, escapes, white space, nulls).
//!
//! Input: the first byte picks the operation (`OperationName::SSM[b % SSM.len()]`), the
//! rest is the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssm_edge_core::client::Client;
use ssm_edge_core::endpoint::{EndpointConfig, Endpoints};
use ssm_edge_core::model::OperationName;
use ssm_edge_core::sign::Credentials;
use ssm_edge_gateway::call::parse;

/// Thu, 26 Nov 2026 07:38:13 GMT.
const NOW: u64 = 1_795_678_693;

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    let operation = OperationName::SSM[usize::from(first) % OperationName::SSM.len()];
    let Ok(decided) = parse(operation, body) else {
        return;
    };
    let endpoint = Endpoints::resolve(&EndpointConfig::new("us-east-1")).expect("an endpoint");
    let mut client = Client::new(endpoint, Credentials::new("AKIDFUZZ", "fuzz-secret", None));
    let mut call = decided.start().expect("a decided input serializes");
    let request = client
        .request(&mut call, NOW)
        .expect("the upstream request signs");
    assert_eq!(
        request.body,
        call.body(),
        "the signed request sends the call's body"
    );

    let forwarded = parse(operation, &request.body)
        .unwrap_or_else(|e| panic!("the forwarded body does not parse back: {e}"));
    assert_eq!(forwarded, decided, "the forwarded body means another input");
    let again = forwarded.start().expect("serializes");
    assert_eq!(
        again.body(),
        request.body,
        "the forwarded body is not canonical"
    );
});

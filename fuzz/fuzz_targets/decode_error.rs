//! Any response — status, headers, body — through the core's response decoding:
//! `decode_error` and `decode::<SendCommand>` / `decode::<ListCommands>` never panic, and
//! agree with each other.
//!
//! Input (arbitrary): status, now, headers (the ones decoding reads, or any), then the
//! body as the rest of the bytes, so a seed is a few prefix bytes and a real body.
#![no_main]

mod common;

use common::Body;
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use ssm_edge_core::decode::{decode, decode_error, HttpResponse, ResponseError};
use ssm_edge_core::model::{ListCommands, SendCommand};

#[derive(Arbitrary, Debug)]
enum Name {
    RequestId,
    Date,
    RetryAfter,
    ContentType,
    Other(String),
}

#[derive(Arbitrary, Debug)]
struct Input {
    status: u16,
    now: u64,
    headers: Vec<(Name, String)>,
    body: Body,
}

fuzz_target!(|input: Input| {
    let headers = input
        .headers
        .into_iter()
        .map(|(name, value)| {
            let name = match name {
                Name::RequestId => "x-amzn-RequestId".to_owned(),
                Name::Date => "Date".to_owned(),
                Name::RetryAfter => "x-amz-retry-after".to_owned(),
                Name::ContentType => "Content-Type".to_owned(),
                Name::Other(name) => name,
            };
            (name, value)
        })
        .collect();
    let response = HttpResponse {
        status: input.status,
        headers,
        body: input.body.0,
    };

    let error = decode_error(&response);
    assert_eq!(error.status, response.status);
    assert_eq!(error.request_id.as_deref(), response.request_id());
    let _ = error.to_string();
    let _ = (error.fault(), error.is_retryable(), error.is_auth());
    let _ = error.clock_skew(input.now);

    let sent = decode::<SendCommand>(&response);
    let listed = decode::<ListCommands>(&response);
    if (200..300).contains(&response.status) {
        for e in [sent.err(), listed.err()].into_iter().flatten() {
            let _ = e.to_string();
            assert!(
                matches!(e, ResponseError::MalformedBody { status, .. } if status == response.status),
                "a 2xx decoded to {e:?}"
            );
        }
    } else {
        for result in [sent.map(|_| ()), listed.map(|_| ())] {
            assert_eq!(result, Err(ResponseError::Service(error.clone())));
        }
    }
});

//! The whole pipeline as one sans-IO state machine, like `quinn-proto`: a [`Client`]
//! turns an input into signed requests and responses into outputs, and decides
//! retries; the caller only moves bytes, reads the clock, draws random numbers and
//! sleeps.
//!
//! ```text
//! let mut call = client.start::<SendCommand>(&input)?;       // validate + serialize once
//! loop {
//!     let request = client.request(&mut call, now())?;      // sign this attempt
//!     match send(request) {                                  // your HTTP client
//!         Ok(response) => match client.response::<SendCommand>(&mut call, &response, now(), rand()) {
//!             Outcome::Done(output) => break Ok(output),
//!             Outcome::Retry { delay_ms } => sleep(delay_ms),
//!             Outcome::Failed(error) => break Err(error),
//!         },
//!         Err(e) => match client.transport_failure(&mut call, classify(e), now(), rand()) { … },
//!     }
//! }
//! ```
//!
//! The client keeps what must outlive one call: the signing-key cache (keys are
//! derived once a day), the clock offset learnt from clock-skew refusals, and the
//! retry quota.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::decode::{self, HttpResponse, ResponseError, ServiceError};
use crate::endpoint::Endpoints;
#[cfg(feature = "model")]
use crate::model::Operation;
use crate::model::OperationName;
#[cfg(feature = "model")]
use crate::request::BuildError;
use crate::request::{self, HttpRequest};
use crate::retry::{
    self, Decision, Failure, QuotaTicket, RetryContext, RetryQuota, StopReason, Transport,
};
use crate::sign::{self, Credentials, SignError, SigningKeyCache, SigningParams};

/// A sans-IO client of SSM (and of CloudWatch Logs, where command output is) for one
/// endpoint configuration and one set of credentials.
#[derive(Debug)]
pub struct Client {
    endpoints: Endpoints,
    credentials: Credentials,
    keys: SigningKeyCache,
    clock_offset_secs: i64,
    quota: RetryQuota,
    max_attempts: u32,
    /// [`crate::route::ACCOUNT_HEADER`] of every request, when set.
    account: Option<String>,
    /// Whether every request names its region in [`crate::route::REGION_HEADER`].
    region_header: bool,
}

/// One call in progress: the operation, its serialized input and what its attempts
/// have spent.
#[derive(Debug)]
#[must_use]
pub struct Call {
    operation: OperationName,
    body: Vec<u8>,
    attempts: u32,
    tickets: Vec<QuotaTicket>,
}

impl Call {
    /// Validates `input` (every problem at once) and serializes it, once per call: the
    /// bytes every attempt sends are the ones validated. Any [`Client`] can run it.
    ///
    /// # Errors
    /// [`BuildError`] when the input breaks the model's rules.
    #[cfg(feature = "model")]
    pub fn new<O: Operation>(input: &O::Input) -> Result<Call, BuildError> {
        let body = serde_json::to_vec(input).map_err(|_| BuildError::Serialize)?;
        crate::validate::check_json(O::NAME, &body)?;
        Ok(Call {
            operation: O::NAME,
            body,
            attempts: 0,
            tickets: Vec::new(),
        })
    }

    /// The operation called.
    #[must_use]
    pub fn operation(&self) -> OperationName {
        self.operation
    }

    /// Attempts sent so far.
    #[must_use]
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The body every attempt sends: the core's serialization of the input.
    #[must_use]
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

/// What to do after an attempt.
#[derive(Debug)]
#[must_use]
pub enum Outcome<T> {
    /// The call succeeded.
    Done(T),
    /// Wait this long, then ask [`Client::request`] for the next attempt.
    Retry {
        /// Milliseconds to wait.
        delay_ms: u64,
    },
    /// The call failed for good.
    Failed(CallError),
}

/// Why a call failed, with how many attempts it made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallError {
    /// What went wrong last.
    pub kind: CallErrorKind,
    /// Attempts sent.
    pub attempts: u32,
    /// Why no further attempt was made.
    pub stop: StopReason,
}

/// The failure behind a [`CallError`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallErrorKind {
    /// The service answered with an error.
    Service(ServiceError),
    /// A 2xx whose body is not the operation's output.
    Response(ResponseError),
    /// No usable response arrived.
    Transport(Transport),
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            CallErrorKind::Service(e) => e.fmt(f)?,
            CallErrorKind::Response(e) => e.fmt(f)?,
            CallErrorKind::Transport(Transport::NotSent) => {
                f.write_str("the request could not be sent")?;
            }
            CallErrorKind::Transport(Transport::MaybeSent) => {
                f.write_str("no response arrived (the request may have been processed)")?;
            }
        }
        let n = self.attempts;
        write!(f, " after {n} attempt{}", if n == 1 { "" } else { "s" })
    }
}

#[cfg(feature = "std")]
impl std::error::Error for CallError {}

impl Client {
    /// A client with botocore's standard retry settings (3 attempts, quota of 500).
    #[must_use]
    pub fn new(endpoints: Endpoints, credentials: Credentials) -> Self {
        Client {
            endpoints,
            credentials,
            // One signing key per service: SSM's and CloudWatch Logs' calls alternate.
            keys: SigningKeyCache::with_capacity(2),
            clock_offset_secs: 0,
            quota: RetryQuota::default(),
            max_attempts: retry::DEFAULT_MAX_ATTEMPTS,
            account: None,
            region_header: false,
        }
    }

    /// Sends every request to the ssm-edge gateway account `alias`
    /// ([`crate::route::ACCOUNT_HEADER`], signed with the rest).
    ///
    /// # Errors
    /// `alias` when it is not an account alias ([`crate::route::is_account_alias`]).
    pub fn with_account(mut self, alias: &str) -> Result<Self, &str> {
        if !crate::route::is_account_alias(alias) {
            return Err(alias);
        }
        self.account = Some(String::from(alias));
        Ok(self)
    }

    /// Names the endpoint's region in [`crate::route::REGION_HEADER`] too, for an
    /// ssm-edge gateway that cannot read it from a signature (bearer tokens).
    #[must_use]
    pub fn with_region_header(mut self) -> Self {
        self.region_header = true;
        self
    }

    /// Sets the number of attempts per call, the first included (at least 1).
    #[must_use]
    pub fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts.max(1);
        self
    }

    /// Replaces the credentials (e.g. refreshed temporary credentials).
    pub fn set_credentials(&mut self, credentials: Credentials) {
        self.credentials = credentials;
    }

    /// The endpoints requests go to, by service.
    #[must_use]
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// Seconds added to the caller's clock when signing, learnt from clock-skew refusals.
    #[must_use]
    pub fn clock_offset_secs(&self) -> i64 {
        self.clock_offset_secs
    }

    /// Validates `input` (every problem at once) and serializes it, once per call.
    ///
    /// # Errors
    /// [`BuildError`] when the input breaks the model's rules.
    #[cfg(feature = "model")]
    pub fn start<O: Operation>(&self, input: &O::Input) -> Result<Call, BuildError> {
        Call::new::<O>(input)
    }

    /// Validates `json` as the input of `operation` (every problem at once, with the
    /// tables: no typed model needed) and starts a call that sends that text byte for
    /// byte: what was checked is what is sent.
    ///
    /// # Errors
    /// Every problem in `json`.
    pub fn start_json(
        &self,
        operation: OperationName,
        json: Vec<u8>,
    ) -> Result<Call, crate::validate::ValidationError> {
        crate::validate::check_json(operation, &json)?;
        Ok(Call {
            operation,
            body: json,
            attempts: 0,
            tickets: Vec::new(),
        })
    }

    /// The signed request for the next attempt of `call`, signed at `now` (unix
    /// seconds, the caller's clock) plus the learnt clock offset.
    ///
    /// # Errors
    /// [`SignError`] when the credentials or endpoint cannot be signed with.
    pub fn request(&mut self, call: &mut Call, now: u64) -> Result<HttpRequest, SignError> {
        let mut headers = Vec::with_capacity(8);
        let url = self.sign_call(call, now, &mut |name, value| {
            headers.push((String::from(name), String::from(value)));
        })?;
        Ok(HttpRequest {
            method: String::from(request::METHOD),
            url,
            headers,
            body: call.body.clone(),
        })
    }

    /// [`Client::request`] without building it: returns the URL and hands each header
    /// of the signed request to `header`, in order; the method is `POST` and the body
    /// is the call's. Nothing of the request is copied but the URL.
    ///
    /// # Errors
    /// As [`Client::request`]; `header` is called only when signing succeeds.
    pub fn sign_call(
        &mut self,
        call: &mut Call,
        now: u64,
        header: &mut dyn FnMut(&str, &str),
    ) -> Result<String, SignError> {
        let endpoint = self.endpoints.of(call.operation.service());
        let url = request::url(&endpoint.url);
        let mut headers = Vec::with_capacity(4);
        headers.extend(request::headers(call.operation));
        if let Some(account) = &self.account {
            headers.push((crate::route::ACCOUNT_HEADER, account.as_str()));
        }
        if self.region_header {
            headers.push((crate::route::REGION_HEADER, &endpoint.signing_region));
        }
        let time = now.saturating_add_signed(self.clock_offset_secs);
        let params = SigningParams::new(
            &self.credentials,
            &endpoint.signing_region,
            endpoint.signing_name,
            time,
        );
        let unsigned = sign::RequestRef {
            method: request::METHOD,
            url: &url,
            headers: &headers,
            body: &call.body,
        };
        let _ = sign::sign_ref(unsigned, &params, Some(&mut self.keys), None, header)?;
        call.attempts += 1;
        Ok(url)
    }

    /// Handles the response to the last attempt of `call`, decoding the output.
    ///
    /// # Panics
    /// When `call` was started for another operation than `O` (a programming error).
    #[cfg(feature = "model")]
    pub fn response<O: Operation>(
        &mut self,
        call: &mut Call,
        response: &HttpResponse,
        now: u64,
        random: f64,
    ) -> Outcome<O::Output> {
        assert_eq!(
            call.operation,
            O::NAME,
            "response decoded as another operation"
        );
        self.handle(call, response, now, random, decode::decode::<O>)
    }

    /// Handles the response to the last attempt of `call` without decoding a
    /// successful output: for callers that parse the JSON themselves (JavaScript's
    /// `JSON.parse`), so the output types need not be compiled in.
    pub fn response_raw(
        &mut self,
        call: &mut Call,
        response: &HttpResponse,
        now: u64,
        random: f64,
    ) -> Outcome<()> {
        self.handle(call, response, now, random, |r| {
            if (200..300).contains(&r.status) {
                Ok(())
            } else {
                Err(ResponseError::Service(decode::decode_error(r)))
            }
        })
    }

    fn handle<T>(
        &mut self,
        call: &mut Call,
        response: &HttpResponse,
        now: u64,
        random: f64,
        decode: impl FnOnce(&HttpResponse) -> Result<T, ResponseError>,
    ) -> Outcome<T> {
        match decode(response) {
            Ok(output) => {
                self.quota.on_success(&call.tickets);
                Outcome::Done(output)
            }
            Err(ResponseError::Service(error)) => {
                let delay = self.decide(call, Failure::Service(&error), now, random);
                delay.map_or_else(
                    |stop| {
                        Outcome::Failed(CallError {
                            kind: CallErrorKind::Service(error),
                            attempts: call.attempts,
                            stop,
                        })
                    },
                    |delay_ms| Outcome::Retry { delay_ms },
                )
            }
            // The service acted (2xx) but we cannot read its answer: never resend.
            Err(malformed) => Outcome::Failed(CallError {
                kind: CallErrorKind::Response(malformed),
                attempts: call.attempts,
                stop: StopReason::NotRetryable,
            }),
        }
    }

    /// Handles a transport failure of the last attempt of `call`.
    pub fn transport_failure<T>(
        &mut self,
        call: &mut Call,
        failure: Transport,
        now: u64,
        random: f64,
    ) -> Outcome<T> {
        let delay = self.decide(call, Failure::Transport(failure), now, random);
        delay.map_or_else(
            |stop| {
                Outcome::Failed(CallError {
                    kind: CallErrorKind::Transport(failure),
                    attempts: call.attempts,
                    stop,
                })
            },
            |delay_ms| Outcome::Retry { delay_ms },
        )
    }

    /// The delay before the next attempt, or why there is none. Not generic over the
    /// output type: one copy in wasm for every `Outcome<T>`.
    fn decide(
        &mut self,
        call: &mut Call,
        failure: Failure<'_>,
        now: u64,
        random: f64,
    ) -> Result<u64, StopReason> {
        let ctx = RetryContext {
            operation: call.operation,
            attempt: call.attempts,
            max_attempts: self.max_attempts,
            failure,
            now: now.saturating_add_signed(self.clock_offset_secs),
            random,
        };
        match retry::decide_with_quota(&ctx, &mut self.quota) {
            (
                Decision::Retry {
                    delay_ms,
                    clock_offset_secs,
                },
                ticket,
            ) => {
                if let Some(offset) = clock_offset_secs {
                    self.clock_offset_secs = self.clock_offset_secs.saturating_add(offset);
                }
                call.tickets.extend(ticket);
                Ok(delay_ms)
            }
            (Decision::Stop(stop), _) => Err(stop),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::EndpointConfig;
    use crate::model::{
        GetLogEvents, GetLogEventsInput, ListCommands, ListCommandsInput, SendCommand,
        SendCommandInput,
    };
    use alloc::string::String;
    use alloc::vec;

    const NOW: u64 = 1_795_678_693; // Thu, 26 Nov 2026 07:38:13 GMT

    fn client() -> Client {
        let endpoints = Endpoints::resolve(&EndpointConfig::new("eu-west-1")).unwrap();
        Client::new(
            endpoints,
            Credentials::new("AKIDEXAMPLE", "SECRET-SENTINEL", None),
        )
    }

    fn reply(status: u16, body: &str, date: Option<&str>) -> HttpResponse {
        let mut headers = vec![(String::from("x-amzn-RequestId"), String::from("r-1"))];
        if let Some(date) = date {
            headers.push((String::from("Date"), String::from(date)));
        }
        HttpResponse {
            status,
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    fn send_input() -> SendCommandInput {
        SendCommandInput {
            document_name: Some("AWS-RunShellScript".into()),
            instance_ids: Some(vec!["i-0123456789abcdef0".into()]),
            ..Default::default()
        }
    }

    #[test]
    fn a_call_signs_each_attempt_and_decodes_the_answer() {
        let mut client = client();
        let mut call = client
            .start::<ListCommands>(&ListCommandsInput::default())
            .unwrap();
        let req = client.request(&mut call, NOW).unwrap();
        assert_eq!(req.url, "https://ssm.eu-west-1.amazonaws.com/");
        assert_eq!(req.header("x-amz-date"), Some("20261126T073813Z"));
        assert!(req.header("authorization").unwrap().starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/eu-west-1/ssm/aws4_request"
        ));
        let out = client.response::<ListCommands>(&mut call, &reply(500, "", None), NOW, 1.0);
        assert!(matches!(out, Outcome::Retry { delay_ms: 50 }), "{out:?}");
        let _ = client.request(&mut call, NOW + 1).unwrap();
        match client.response::<ListCommands>(
            &mut call,
            &reply(200, r#"{"Commands":[]}"#, None),
            NOW,
            0.5,
        ) {
            Outcome::Done(out) => assert_eq!(out.commands, Some(vec![])),
            other => panic!("{other:?}"),
        }
        assert_eq!(call.attempts(), 2);
    }

    #[test]
    fn logs_calls_go_to_logs_signed_as_logs() {
        let mut client = client();
        let input = GetLogEventsInput {
            log_group_name: Some("/aws/ssm/AWS-RunShellScript".into()),
            log_stream_name: Some("c-1/i-0123456789abcdef0/aws-runShellScript/stdout".into()),
            start_from_head: Some(true),
            ..Default::default()
        };
        let mut logs = client.start::<GetLogEvents>(&input).unwrap();
        let req = client.request(&mut logs, NOW).unwrap();
        assert_eq!(req.url, "https://logs.eu-west-1.amazonaws.com/");
        assert_eq!(
            req.header("x-amz-target"),
            Some("Logs_20140328.GetLogEvents")
        );
        assert!(req.header("authorization").unwrap().starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/eu-west-1/logs/aws4_request"
        ));
        // SSM's calls on the same client still go to SSM.
        let mut list = client
            .start::<ListCommands>(&ListCommandsInput::default())
            .unwrap();
        let req = client.request(&mut list, NOW).unwrap();
        assert!(req
            .header("authorization")
            .unwrap()
            .contains("/eu-west-1/ssm/"));
        // A stream name is required, as the model says.
        let err = client
            .start::<GetLogEvents>(&GetLogEventsInput::default())
            .unwrap_err();
        assert!(alloc::format!("{err}").contains("logStreamName"), "{err}");
    }

    #[test]
    fn route_headers_are_sent_and_signed() {
        let mut routed = client()
            .with_account("staging")
            .unwrap()
            .with_region_header();
        let mut call = routed
            .start::<ListCommands>(&ListCommandsInput::default())
            .unwrap();
        let req = routed.request(&mut call, NOW).unwrap();
        assert_eq!(req.header("x-ssm-edge-account"), Some("staging"));
        assert_eq!(req.header("x-ssm-edge-region"), Some("eu-west-1"));
        let authorization = req.header("authorization").unwrap();
        assert!(
            authorization.contains("x-ssm-edge-account;x-ssm-edge-region"),
            "{authorization}"
        );
        assert_eq!(client().with_account("Prod eu").unwrap_err(), "Prod eu");
        // Without them, nothing is added.
        let mut plain = client();
        let mut call = plain
            .start::<ListCommands>(&ListCommandsInput::default())
            .unwrap();
        let req = plain.request(&mut call, NOW).unwrap();
        assert!(req.header("x-ssm-edge-account").is_none());
    }

    #[test]
    fn send_command_is_not_resent_after_a_5xx_or_a_timeout() {
        let mut client = client();
        let mut call = client.start::<SendCommand>(&send_input()).unwrap();
        let _ = client.request(&mut call, NOW).unwrap();
        match client.response::<SendCommand>(&mut call, &reply(503, "", None), NOW, 0.5) {
            Outcome::Failed(e) => {
                assert_eq!(e.stop, StopReason::MayHaveExecuted);
                assert_eq!(e.attempts, 1);
            }
            other => panic!("{other:?}"),
        }
        let mut call = client.start::<SendCommand>(&send_input()).unwrap();
        let _ = client.request(&mut call, NOW).unwrap();
        let out: Outcome<()> = client.transport_failure(&mut call, Transport::MaybeSent, NOW, 0.5);
        assert!(matches!(
            out,
            Outcome::Failed(CallError {
                stop: StopReason::MayHaveExecuted,
                ..
            })
        ));
        let out: Outcome<()> = client.transport_failure(&mut call, Transport::NotSent, NOW, 0.5);
        assert!(matches!(out, Outcome::Retry { .. }), "{out:?}");
    }

    #[test]
    fn clock_skew_refusal_corrects_the_signing_clock() {
        let mut client = client();
        let mut call = client.start::<SendCommand>(&send_input()).unwrap();
        let slow_clock = NOW - 3_600;
        let _ = client.request(&mut call, slow_clock).unwrap();
        let refusal = reply(
            400,
            r#"{"__type":"InvalidSignatureException","message":"Signature expired"}"#,
            Some("Thu, 26 Nov 2026 07:38:13 GMT"),
        );
        let out = client.response::<SendCommand>(&mut call, &refusal, slow_clock, 0.5);
        assert!(matches!(out, Outcome::Retry { delay_ms: 0 }), "{out:?}");
        assert_eq!(client.clock_offset_secs(), 3_600);
        let req = client.request(&mut call, slow_clock).unwrap();
        assert_eq!(req.header("x-amz-date"), Some("20261126T073813Z"));
    }

    #[test]
    fn invalid_input_never_becomes_a_request() {
        let client = client();
        let err = client
            .start::<SendCommand>(&SendCommandInput::default())
            .unwrap_err();
        assert!(matches!(err, BuildError::Invalid(_)));
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let shown = alloc::format!("{:?}", client());
        assert!(!shown.contains("SECRET-SENTINEL"), "{shown}");
    }
}

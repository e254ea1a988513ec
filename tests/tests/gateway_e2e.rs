//! The gateway Worker end to end: the built Worker (`gateway/build/worker`, from
//! `bash scripts/build-gateway.sh`) runs on workerd through `tests/gateway/serve.mjs`,
//! in front of moto (signature checking on), and `tests/python/gateway_suite.py` drives
//! it with boto3 and raw HTTP: policy decisions, validation, SigV4 and JWT
//! authentication, key rotation, rate limiting, idempotency, CORS and the audit log.

use std::time::Duration;

use ssm_edge_tests::{run_gateway_suite, MotoSsm};

#[test]
fn gateway_suite_against_moto() {
    let moto = MotoSsm::start();
    run_gateway_suite(
        "gateway_suite.py",
        &[
            ("MOTO_URL", &moto.endpoint),
            ("MOTO_REGION", &moto.region),
            ("MOTO_ACCESS_KEY_ID", &moto.access_key_id),
            ("MOTO_SECRET_ACCESS_KEY", &moto.secret_access_key),
        ],
        // The suite takes well under a minute; this only stops a hung run.
        Duration::from_secs(300),
    );
}

//! The gateway Worker under attack and failure (`tests/python/gateway_hardening.py`): the
//! built Worker on workerd in front of the local SSM emulator (`tests/local-ssm`), whose
//! fault modes and execution counter prove that every upstream failure gets the right
//! AWS answer, that only safe calls are retried and that a SendCommand never runs twice;
//! a corpus of tampered SigV4 requests and bad JWTs, all refused before the upstream;
//! and sentinel secrets searched for in every answer, audit line and log.

use std::time::Duration;

use ssm_edge_tests::run_gateway_suite;

#[test]
fn gateway_faults_tampering_and_secrets() {
    // About a minute on 2 shared cores; this only stops a hung run.
    run_gateway_suite("gateway_hardening.py", &[], Duration::from_secs(300));
}

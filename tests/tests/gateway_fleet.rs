//! One gateway for every region and account (issue 14, `tests/python/gateway_fleet.py`):
//! boto3 through the built Worker on workerd to the local SSM emulator serving two
//! regions, four role accounts besides the gateway's own, and STS AssumeRole. Proves
//! where each call ran (the emulator's per-account/region counters), that role
//! credentials are cached and renewed, that a refused or throttled AssumeRole is a clear
//! AWS error, that unserved regions and accounts never reach the upstream, and that
//! policies can tell accounts apart.

use std::time::Duration;

use ssm_edge_tests::run_gateway_suite;

#[test]
fn gateway_regions_accounts_and_roles() {
    // About 20 s on 2 shared cores; this only stops a hung run.
    run_gateway_suite("gateway_fleet.py", &[], Duration::from_secs(300));
}

//! SigV4 sign/verify benchmarks (being written).
fn main() {}

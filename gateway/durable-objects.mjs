// The gateway's Durable Object bindings (binding name -> class), for the local runs
// that start workerd through Miniflare (tests/gateway/serve.mjs, gateway/bench/latency.mjs).
// The same pairs are wrangler.toml's [durable_objects] bindings: a gateway test
// (worker_bindings_match_wrangler_toml) keeps the two equal.
export const DURABLE_OBJECTS = {
  PRINCIPAL_GATE: "PrincipalGate",
  IDEMPOTENCY: "IdempotencyStore",
  APPROVALS: "ApprovalDesk",
};

// Peer test vector: one fixed, typical SendCommand signed with SigV4 by every independent
// JavaScript signer we compare against (the same ones wasm/bench/run.sh times), which must
// all agree, and by the `ssm-edge` package, which must produce that same Authorization header.
//
// Run:  node --test wasm/test/peer-vector.test.mjs
// Needs: the package built into wasm/pkg (`bash wasm/build.sh`) and the peers installed in
// wasm/bench (`npm ci --prefix wasm/bench`; wasm/bench/run.sh does it). The peers are resolved
// from wasm/bench/node_modules with createRequire on wasm/bench/package.json, so they stay out
// of tests/js; if that folder is not installed, the test is skipped and says so.

import { test, mock } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";

const benchDir = new URL("../bench/", import.meta.url);
const pkgEntry = new URL("../pkg/node.js", import.meta.url);
const peersInstalled = existsSync(new URL("node_modules/aws4/package.json", benchDir));
const requirePeer = createRequire(new URL("package.json", benchDir));
const skip = peersInstalled ? false : "peers not installed: run `npm ci --prefix wasm/bench`";

// ---- The vector ---------------------------------------------------------------------------
const TIME = "2026-11-26T07:38:13Z";
const AMZ_DATE = "20261126T073813Z";
const REGION = "us-east-1";
const HOST = `ssm.${REGION}.amazonaws.com`;
const URL_ = `https://${HOST}/`;
const CREDENTIALS = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  // A session token with the characters that matter (`/`, `+`, `=`) as STS issues them.
  sessionToken: "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+example+SessionToken==",
};
// Members in the order the AWS SDK (3.1169) serializes SendCommandRequest, so that every
// signer, the SDK's own pipeline included, signs a byte-identical body.
const INPUT = {
  DocumentName: "AWS-RunShellScript",
  InstanceIds: ["i-0123456789abcdef0", "i-0fedcba9876543210"],
  TimeoutSeconds: 600,
  Comment: "ssm-edge peer vector",
  Parameters: { commands: ["uname -a", "df -h /"] },
};
const BODY = JSON.stringify(INPUT);
const HEADERS = { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonSSM.SendCommand" };
const SIGNED_HEADERS = "content-type;host;x-amz-date;x-amz-security-token;x-amz-target";
const CREDENTIAL = `${CREDENTIALS.accessKeyId}/20261126/${REGION}/ssm/aws4_request`;
// The expected signature, pinned so that a change shared by every signer would still show.
const SIGNATURE = "88700eab222af80f5a827fec648f1862dd01708d6d4f9abbdf6a2e68ba13cedc";
const AUTHORIZATION = `AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders=${SIGNED_HEADERS}, Signature=${SIGNATURE}`;

const lower = (headers) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));

// ---- The signers --------------------------------------------------------------------------

/** SigV4 written out from the specification with node:crypto: the canonical request in plain sight. */
function byHand(body = BODY) {
  const sha = (s) => createHash("sha256").update(s).digest("hex");
  const hmac = (k, s) => createHmac("sha256", k).update(s).digest();
  const canonical = [
    "POST",
    "/",
    "",
    `content-type:${HEADERS["content-type"]}`,
    `host:${HOST}`,
    `x-amz-date:${AMZ_DATE}`,
    `x-amz-security-token:${CREDENTIALS.sessionToken}`,
    `x-amz-target:${HEADERS["x-amz-target"]}`,
    "",
    SIGNED_HEADERS,
    sha(body),
  ].join("\n");
  const scope = `20261126/${REGION}/ssm/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", AMZ_DATE, scope, sha(canonical)].join("\n");
  let key = hmac(`AWS4${CREDENTIALS.secretAccessKey}`, "20261126");
  for (const part of [REGION, "ssm", "aws4_request"]) key = hmac(key, part);
  const signature = createHmac("sha256", key).update(toSign).digest("hex");
  return `AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders=${SIGNED_HEADERS}, Signature=${signature}`;
}

/** aws4: Content-Length (which it adds) is left out of the signature, as SSM needs no such header. */
function byAws4() {
  const aws4 = requirePeer("aws4");
  const signed = aws4.sign(
    {
      host: HOST, method: "POST", path: "/", service: "ssm", region: REGION,
      headers: { ...HEADERS, "X-Amz-Date": AMZ_DATE }, body: BODY,
      extraHeadersToIgnore: { "content-length": true },
    },
    CREDENTIALS,
  );
  return lower(signed.headers);
}

/** @smithy/signature-v4 (the AWS SDK v3 signer), with the given SHA-256 implementation. */
async function bySmithy(Sha256) {
  const { SignatureV4 } = requirePeer("@smithy/signature-v4");
  const signer = new SignatureV4({ credentials: CREDENTIALS, region: REGION, service: "ssm", sha256: Sha256, applyChecksum: false });
  const signed = await signer.sign(
    { method: "POST", protocol: "https:", hostname: HOST, path: "/", query: {}, headers: { ...HEADERS, host: HOST }, body: BODY },
    { signingDate: new Date(TIME) },
  );
  return lower(signed.headers);
}

/**
 * aws4fetch's AwsV4Signer (WebCrypto). By default it leaves content-type out of the signed
 * headers (its UNSIGNABLE_HEADERS); `allHeaders: true` signs the vector's set.
 */
async function byAws4fetch() {
  const { AwsV4Signer } = requirePeer("aws4fetch");
  const signed = await new AwsV4Signer({
    url: URL_, method: "POST", headers: HEADERS, body: BODY, service: "ssm", region: REGION, datetime: AMZ_DATE,
    allHeaders: true, ...CREDENTIALS,
  }).sign();
  return Object.fromEntries(signed.headers);
}

/**
 * The AWS SDK's whole pipeline: SSMClient + SendCommandCommand, stopped right after signing.
 * By default the SDK also signs its own bookkeeping headers (amz-sdk-invocation-id,
 * amz-sdk-request, content-length) and x-amz-content-sha256: a middleware drops the former
 * just before the signer, and `applyChecksum: false` (passed through the client config to
 * its SignatureV4) the latter, so the signed set is the vector's. The clock is the mocked `Date`.
 */
async function byAwsSdk() {
  const { SSMClient, SendCommandCommand } = requirePeer("@aws-sdk/client-ssm");
  const client = new SSMClient({ region: REGION, credentials: CREDENTIALS, maxAttempts: 1, applyChecksum: false });
  const keep = new Set(["content-type", "host", "x-amz-target"]);
  client.middlewareStack.addRelativeTo(
    (next) => (args) => {
      for (const name of Object.keys(args.request.headers)) {
        if (!keep.has(name.toLowerCase())) delete args.request.headers[name];
      }
      return next(args);
    },
    { relation: "before", toMiddleware: "httpSigningMiddleware", name: "peerVectorStripHeaders" },
  );
  let captured;
  const stop = new Error("captured");
  client.middlewareStack.addRelativeTo(
    () => (args) => {
      captured = args.request;
      throw stop;
    },
    { relation: "after", toMiddleware: "httpSigningMiddleware", name: "peerVectorCapture" },
  );
  await assert.rejects(client.send(new SendCommandCommand(INPUT)), (e) => e === stop);
  client.destroy();
  const body = typeof captured.body === "string" ? captured.body : new TextDecoder().decode(captured.body);
  assert.equal(body, BODY, "the SDK serialized the input to a different body");
  assert.equal(`${captured.protocol}//${captured.hostname}${captured.path}`, URL_);
  return lower(captured.headers);
}

/** Runs `fn` with `Date` fixed at the vector's time. */
async function atVectorTime(fn) {
  mock.timers.enable({ apis: ["Date"], now: Date.parse(TIME) });
  try {
    return await fn();
  } finally {
    mock.timers.reset();
  }
}

async function loadPackage() {
  assert.ok(existsSync(pkgEntry), "wasm/pkg is not built: run `bash wasm/build.sh`");
  return import(pkgEntry.href);
}

// ---- The tests ----------------------------------------------------------------------------

test("the by-hand SigV4 of the vector gives the pinned Authorization", () => {
  assert.equal(byHand(), AUTHORIZATION);
});

test("independent JavaScript signers agree on the vector", { skip }, async (t) => {
  const { Sha256 } = requirePeer("@aws-crypto/sha256-js");
  const { Sha256Node } = requirePeer("@smithy/core/checksum");
  const peers = {
    "aws4": () => byAws4(),
    "@smithy/signature-v4 + @aws-crypto/sha256-js": () => bySmithy(Sha256),
    "@smithy/signature-v4 + node:crypto (Sha256Node, the SDK's in Node)": () => bySmithy(Sha256Node),
    "aws4fetch AwsV4Signer": () => byAws4fetch(),
    "@aws-sdk/client-ssm SSMClient pipeline": () => atVectorTime(byAwsSdk),
  };
  for (const [name, sign] of Object.entries(peers)) {
    await t.test(name, async () => {
      const headers = await sign();
      assert.equal(headers.authorization, AUTHORIZATION);
      assert.equal(headers["x-amz-date"], AMZ_DATE);
      assert.equal(headers["x-amz-security-token"], CREDENTIALS.sessionToken);
    });
  }
});

test("ssm-edge signRequest produces the peers' Authorization", async () => {
  const { signRequest } = await loadPackage();
  const signed = await signRequest({
    url: URL_, method: "POST", headers: HEADERS, body: BODY,
    credentials: CREDENTIALS, region: REGION, service: "ssm", date: new Date(TIME),
  });
  const headers = lower(signed.headers);
  assert.equal(headers.authorization, AUTHORIZATION);
  assert.equal(headers["x-amz-date"], AMZ_DATE);
  assert.equal(headers["x-amz-security-token"], CREDENTIALS.sessionToken);
  assert.equal(signed.body, BODY);
  assert.equal(signed.url, URL_);
});

// A binary body is signed over its bytes (here not UTF-8), a view over its own bytes only,
// and comes back as given; no body is the empty one. The oracle is the by-hand signature
// (node:crypto) over the same bytes.
test("ssm-edge signRequest signs binary bodies over their bytes", async () => {
  const { signRequest } = await loadPackage();
  const bytes = Buffer.concat([Buffer.from([0xff, 0x00, 0xfe, 0x80]), Buffer.from(BODY)]);
  const backing = new ArrayBuffer(bytes.length + 16);
  new Uint8Array(backing).set(bytes, 8);
  const bodies = {
    "a Uint8Array": new Uint8Array(bytes),
    "a Node Buffer": bytes,
    "an ArrayBuffer": new Uint8Array(bytes).buffer,
    "a Uint8Array over part of a larger buffer": new Uint8Array(backing, 8, bytes.length),
    "a DataView over part of a larger buffer": new DataView(backing, 8, bytes.length),
  };
  const sign = (body) => signRequest({ url: URL_, headers: HEADERS, body, credentials: CREDENTIALS, region: REGION, date: new Date(TIME) });
  for (const [name, body] of Object.entries(bodies)) {
    const signed = await sign(body);
    assert.equal(signed.headers.Authorization, byHand(bytes), name);
    assert.equal(signed.body, body, `${name} comes back as given`);
  }
  for (const body of [null, undefined, ""]) {
    assert.equal((await sign(body)).headers.Authorization, byHand(""), String(body));
  }
});

// signRequest hashes in the wasm until it has hashed ~400 KB, then with node:crypto (rent or
// buy, wasm/js/instance.js): both hashes must give the by-hand signature, and node:crypto
// must load only then. A child process, as this one has node:crypto loaded already.
test("ssm-edge signRequest: the wasm's hash, then node:crypto's once it pays, sign alike", () => {
  const big = "x".repeat(450_000);
  const bodies = [BODY, BODY, big, BODY];
  const script = `
    const { signRequest } = await import(${JSON.stringify(pkgEntry.href)});
    const crypto = () => process.moduleLoadList.includes("NativeModule crypto");
    const bodies = [${JSON.stringify(BODY)}, ${JSON.stringify(BODY)}, "x".repeat(${big.length}), ${JSON.stringify(BODY)}];
    const out = [];
    for (const body of bodies) {
      const { headers } = await signRequest({ url: ${JSON.stringify(URL_)}, headers: ${JSON.stringify(HEADERS)}, body,
        credentials: ${JSON.stringify(CREDENTIALS)}, region: ${JSON.stringify(REGION)}, date: new Date(${JSON.stringify(TIME)}) });
      out.push([headers.Authorization, crypto()]);
    }
    console.log(JSON.stringify(out));`;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(child.status, 0, child.stderr);
  const results = JSON.parse(child.stdout);
  assert.deepEqual(results.map(([, loaded]) => loaded), [false, false, true, true], "node:crypto loads with the big body");
  results.forEach(([authorization], i) => assert.equal(authorization, byHand(bodies[i]), `signature ${i}`));
});

test("ssm-edge SsmClient.sendCommand sends the peers' Authorization", async () => {
  const { SsmClient } = await loadPackage();
  let sent;
  const client = new SsmClient({
    region: REGION,
    credentials: CREDENTIALS,
    fetch: async (url, init) => {
      sent = { url, ...init, headers: lower(Object.fromEntries(init.headers)) };
      return new Response('{"Command":{"CommandId":"c0ffee00-0000-4000-8000-000000000000"}}', { status: 200 });
    },
  });
  await atVectorTime(() => client.sendCommand(INPUT));
  assert.equal(sent.url, URL_);
  assert.equal(sent.body, BODY);
  assert.equal(sent.headers.authorization, AUTHORIZATION);
});

// One signing path per library, each used the way its documentation shows, all signing
// lib/vector.mjs's SendCommand with the same five signed headers. `sign(date)` returns the
// Authorization header (or a promise of it); without `date` each library reads its own clock.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { CREDENTIALS, REGION, HOST, URL_, INPUT, BODY, HEADERS, amzDate } from "./vector.mjs";

const require = createRequire(import.meta.url);

export async function makeSigners() {
  const aws4 = require("aws4");
  const { SignatureV4 } = require("@smithy/signature-v4");
  const { Sha256 } = require("@aws-crypto/sha256-js");
  const { Sha256Node } = require("@smithy/core/checksum");
  const { AwsV4Signer } = require("aws4fetch");
  const ssmEdge = await import("ssm-edge");
  // The package's low-level wasm module (wasm.js; not exported by package.json: internal),
  // instantiated here: the Node entry is one bundled file with its own copy.
  const wasm = await import(new URL("../node_modules/ssm-edge/wasm.js", import.meta.url).href);
  wasm.initSync(readFileSync(new URL("../node_modules/ssm-edge/ssm_edge_bg.wasm", import.meta.url)));

  const smithy = (sha256) => {
    const signer = new SignatureV4({ credentials: CREDENTIALS, region: REGION, service: "ssm", sha256, applyChecksum: false });
    return (date) =>
      signer
        .sign(
          { method: "POST", protocol: "https:", hostname: HOST, path: "/", query: {}, headers: { ...HEADERS, host: HOST }, body: BODY },
          { signingDate: date ?? new Date() },
        )
        .then((r) => r.headers.authorization);
  };

  const aws4fetchCache = new Map(); // what AwsClient passes to each AwsV4Signer
  let sent;
  const client = new ssmEdge.SsmClient({
    region: REGION,
    credentials: CREDENTIALS,
    fetch: async (_url, init) => {
      sent = init;
      return new Response('{"Command":{"CommandId":"c0ffee00-0000-4000-8000-000000000000"}}', { status: 200 });
    },
  });
  const engine = new wasm.Engine(REGION, false, false, undefined, 3);
  engine.setCredentials(CREDENTIALS.accessKeyId, CREDENTIALS.secretAccessKey, CREDENTIALS.sessionToken);

  return [
    {
      id: "aws4", label: "aws4 `aws4.sign` (node:crypto)",
      sign: (date) =>
        aws4.sign(
          {
            host: HOST, method: "POST", path: "/", service: "ssm", region: REGION, body: BODY,
            headers: date ? { ...HEADERS, "X-Amz-Date": amzDate(date) } : { ...HEADERS },
            extraHeadersToIgnore: { "content-length": true },
          },
          CREDENTIALS,
        ).headers.Authorization,
    },
    { id: "smithy-node", label: "@smithy/signature-v4 + node:crypto (`Sha256Node`, the SDK's choice in Node)", sign: smithy(Sha256Node) },
    { id: "smithy-js", label: "@smithy/signature-v4 + @aws-crypto/sha256-js", sign: smithy(Sha256) },
    {
      id: "aws4fetch", label: "aws4fetch `AwsV4Signer` (WebCrypto, shared key cache)",
      sign: (date) =>
        new AwsV4Signer({
          url: URL_, method: "POST", headers: HEADERS, body: BODY, service: "ssm", region: REGION,
          ...CREDENTIALS, cache: aws4fetchCache, allHeaders: true, datetime: date && amzDate(date),
        })
          .sign()
          .then((r) => r.headers.get("authorization")),
    },
    {
      id: "ssm-edge", label: "**ssm-edge `signRequest`** (public)",
      sign: (date) =>
        ssmEdge
          .signRequest({ url: URL_, method: "POST", headers: HEADERS, body: BODY, credentials: CREDENTIALS, region: REGION, date })
          .then((r) => r.headers.Authorization),
    },
    {
      id: "ssm-edge-client", label: "ssm-edge `SsmClient.sendCommand`, stub fetch (public; also validates, builds, decodes)",
      fixedClock: false, // reads Date.now(); the peer test vector checks it at the fixed time
      sign: async () => {
        await client.sendCommand(INPUT);
        return sent.headers.find(([n]) => n === "Authorization")[1];
      },
    },
    {
      id: "ssm-edge-engine", label: "ssm-edge wasm `Engine.start` + `request` (internal, not public API)",
      sign: (date) => {
        const call = engine.start("SendCommand", BODY);
        try {
          // `url\nname\nvalue…`: Authorization is the value after its name.
          const flat = engine.request(call, (date ?? new Date()).getTime()).split("\n");
          return flat[flat.indexOf("Authorization") + 1];
        } finally {
          call.free();
        }
      },
    },
  ];
}

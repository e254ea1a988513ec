// SigV4 for the gateway benchmarks, with node:crypto (fast, and independent of the code
// under test): the headers of a signed awsJson1.1 POST /, like an AWS SDK's, with a fresh
// `amz-sdk-invocation-id` (signed, as SDKs do), so no two requests share a signature.

import { createHash, createHmac, randomUUID } from "node:crypto";

const sha256 = (data) => createHash("sha256").update(data).digest("hex");
const hmac = (key, data) => createHmac("sha256", key).update(data).digest();
const signingKeys = new Map(); // secret, date, region → key, as SDKs cache it

/**
 * Headers (lower-case names, content-length included) of `body` POSTed to `host`
 * ("127.0.0.1:port") as `AmazonSSM.<op>`, signed with `key` ({accessKeyId,
 * secretAccessKey}) for `region` at `date`; `extra` headers are signed too.
 */
export function sigv4Headers(key, region, host, op, body, { extra = {}, date = new Date() } = {}) {
  const amzDate = date.toISOString().replace(/[-:]|\.\d{3}/g, "");
  const day = amzDate.slice(0, 8);
  const headers = {
    "amz-sdk-invocation-id": randomUUID(),
    "content-type": "application/x-amz-json-1.1",
    host,
    "x-amz-date": amzDate,
    "x-amz-target": `AmazonSSM.${op}`,
  };
  for (const [name, value] of Object.entries(extra)) headers[name.toLowerCase()] = value;
  const names = Object.keys(headers).sort();
  const canonical = [
    "POST",
    "/",
    "",
    names.map((n) => `${n}:${headers[n]}\n`).join(""),
    names.join(";"),
    sha256(body),
  ].join("\n");
  const scope = `${day}/${region}/ssm/aws4_request`;
  const cacheKey = `${key.secretAccessKey}\n${day}\n${region}`;
  let signingKey = signingKeys.get(cacheKey);
  if (!signingKey) {
    signingKey = ["aws4_request"].reduce(hmac, hmac(hmac(hmac(`AWS4${key.secretAccessKey}`, day), region), "ssm"));
    signingKeys.set(cacheKey, signingKey);
  }
  const signature = createHmac("sha256", signingKey)
    .update(["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n"))
    .digest("hex");
  headers.authorization =
    `AWS4-HMAC-SHA256 Credential=${key.accessKeyId}/${scope}, ` +
    `SignedHeaders=${names.join(";")}, Signature=${signature}`;
  headers["content-length"] = String(Buffer.byteLength(body));
  return headers;
}

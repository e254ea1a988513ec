// The npm package (wasm/pkg, as built) streaming a command's output through an ssm-edge
// gateway, for gateway_output.py. Credentials and endpoint come from the environment
// (ENDPOINT, REGION, AKID, SECRET).
//
//   node output_package.mjs <command-id> <instance-id>
//       prints one JSON line per chunk ({stream, text}), then {done: true}
import { SsmClient } from "../../wasm/pkg/node.js";

const { ENDPOINT, REGION, AKID, SECRET } = process.env;
const client = new SsmClient({
  endpoint: ENDPOINT,
  region: REGION,
  credentials: { accessKeyId: AKID, secretAccessKey: SECRET },
});
const print = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
const [CommandId, InstanceId] = process.argv.slice(2);
for await (const { stream, text } of client.streamOutput({ CommandId, InstanceId }, { signal: AbortSignal.timeout(60_000) })) {
  print({ stream, text });
}
print({ done: true });

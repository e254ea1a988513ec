// The npm package (wasm/pkg, as built) streaming a command's output through an ssm-edge
// gateway, for gateway_output.py. Credentials and endpoint come from the environment
// (ENDPOINT, REGION, AKID, SECRET).
//
//   node output_package.mjs <command-id> <instance-id>
//       prints one JSON line per chunk ({stream, text}), then {done: true}
import { client, print } from "./package_client.mjs";
const [CommandId, InstanceId] = process.argv.slice(2);
for await (const { stream, text } of client.streamOutput({ CommandId, InstanceId }, { signal: AbortSignal.timeout(60_000) })) {
  print({ stream, text });
}
print({ done: true });

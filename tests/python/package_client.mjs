// The npm package (wasm/pkg, as built) as a gateway caller, for the scripts the Python
// suites run: an SsmClient from the environment (ENDPOINT, REGION, AKID, SECRET) and a
// printer of one JSON line per step.
import { SsmClient } from "../../wasm/pkg/node.js";

const { ENDPOINT, REGION, AKID, SECRET } = process.env;

export const client = new SsmClient({
  endpoint: ENDPOINT,
  region: REGION,
  credentials: { accessKeyId: AKID, secretAccessKey: SECRET },
});

export const print = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);

// Cold start, diagnostic: load ssm-edge (read and compile the wasm) and sign nothing.
import { signRequest } from "ssm-edge";

if (typeof signRequest !== "function") throw new Error("no signRequest");

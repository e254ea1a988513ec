// A JSON Schema of an SSM operation's input, derived from botocore's SSM service model (the
// model the core's validation is generated from, at the version the venv pins), so that a
// JSON Schema validator can be measured against `validate()` on the same constraints: types,
// required members, string lengths, patterns (ECMA-262 with the `u` flag, as ajv compiles
// them and as the core's pattern oracle checks them), numeric ranges, list and map sizes,
// enums, and no unknown members. Not in the model, so not here: the core's documented rules
// (e.g. exactly one of InstanceIds and Targets), so the schema asks a little less.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { rootDir } from "./common.mjs";

/** botocore's SSM service model, read where the project venv's botocore is. */
export function loadSsmModel() {
  const python = fileURLToPath(new URL(".venv/bin/python", rootDir));
  if (!existsSync(python)) throw new Error(`${python} is missing: run \`make setup\``);
  const [dir, version] = execFileSync(
    python,
    ["-c", "import botocore, os; print(os.path.dirname(botocore.__file__)); print(botocore.__version__)"],
    { encoding: "utf8" },
  ).trim().split("\n");
  const file = join(dir, "data", "ssm", "2014-11-06", "service-2.json.gz");
  return { model: JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")), botocore: version };
}

/** The JSON Schema (draft-07) of `operation`'s input: one definition per model shape. */
export function inputSchema(model, operation) {
  const root = model.operations[operation].input.shape;
  const definitions = {};
  const ref = (name) => {
    if (!(name in definitions)) {
      definitions[name] = true; // placeholder: a shape may refer to itself
      definitions[name] = shapeSchema(model.shapes[name], name, ref);
    }
    return { $ref: `#/definitions/${name}` };
  };
  ref(root);
  return { $schema: "http://json-schema.org/draft-07/schema#", $ref: `#/definitions/${root}`, definitions };
}

function shapeSchema(s, name, ref) {
  const bounds = (min, max) => ({ ...(s.min !== undefined && { [min]: s.min }), ...(s.max !== undefined && { [max]: s.max }) });
  switch (s.type) {
    case "string":
      return {
        type: "string",
        ...bounds("minLength", "maxLength"),
        ...(s.pattern !== undefined && { pattern: s.pattern }),
        ...(s.enum !== undefined && { enum: s.enum }),
      };
    case "integer":
    case "long":
      return { type: "integer", ...bounds("minimum", "maximum") };
    case "boolean":
      return { type: "boolean" };
    case "timestamp":
      return { type: "number" }; // epoch seconds on the JSON wire
    case "list":
      return { type: "array", items: ref(s.member.shape), ...bounds("minItems", "maxItems") };
    case "map":
      return {
        type: "object",
        propertyNames: ref(s.key.shape),
        additionalProperties: ref(s.value.shape),
        ...bounds("minProperties", "maxProperties"),
      };
    case "structure":
      return {
        type: "object",
        properties: Object.fromEntries(Object.entries(s.members).map(([m, v]) => [m, ref(v.shape)])),
        ...(s.required?.length && { required: s.required }),
        additionalProperties: false,
      };
    default:
      throw new Error(`model-schema: shape ${name} has type ${s.type}, which has no JSON Schema here`);
  }
}

// tsc --strict, module nodenext: the package's types resolve for an ESM importer.
import { SsmClient, validate, type Problem } from "ssm-edge";

const problems: Problem[] = validate("SendCommand", { DocumentName: "AWS-RunShellScript" });
const client: SsmClient = new SsmClient({ region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "s" } });
export { problems, client };

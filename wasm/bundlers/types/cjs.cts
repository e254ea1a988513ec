// tsc --strict, module nodenext: the package's types resolve for a CommonJS requirer.
import ssm = require("ssm-edge");

const problems: ssm.Problem[] = ssm.validate("SendCommand", { DocumentName: "AWS-RunShellScript" });
const client: ssm.SsmClient = new ssm.SsmClient({ region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "s" } });
export = { problems, client };

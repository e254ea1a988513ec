// The fixed, typical SendCommand every signer in the benchmarks signs: the same request as the
// peer test vector (wasm/test/peer-vector.test.mjs), which pins its Authorization.
export const REGION = "us-east-1";
export const HOST = `ssm.${REGION}.amazonaws.com`;
export const URL_ = `https://${HOST}/`;
export const CREDENTIALS = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  sessionToken: "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+example+SessionToken==",
};
export const INPUT = {
  DocumentName: "AWS-RunShellScript",
  InstanceIds: ["i-0123456789abcdef0", "i-0fedcba9876543210"],
  TimeoutSeconds: 600,
  Comment: "ssm-edge peer vector",
  Parameters: { commands: ["uname -a", "df -h /"] },
};
export const BODY = JSON.stringify(INPUT);
export const HEADERS = { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonSSM.SendCommand" };

/** The vector's time and the Authorization every signer must produce for it. */
export const TIME = new Date("2026-11-26T07:38:13Z");
export const AUTHORIZATION =
  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-east-1/ssm/aws4_request, " +
  "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, " +
  "Signature=88700eab222af80f5a827fec648f1862dd01708d6d4f9abbdf6a2e68ba13cedc";

/** `20261126T073813Z` */
export const amzDate = (date) => date.toISOString().replace(/[:-]|\.\d{3}/g, "");

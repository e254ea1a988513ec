// Type check of the package's public API as a TypeScript user sees it: `ssm-edge` resolved
// through the package's `exports` (`types` condition -> index.d.ts, model.d.ts). Compiled,
// never run: `tsc -p wasm/test/tsconfig.json` (strict, noEmit). Each `@ts-expect-error`
// proves a mistake is caught: if the types grew loose (`any`), tsc would fail on it.

import {
  SsmClient,
  SsmServiceException,
  ValidationError,
  ConfigError,
  TransportError,
  OutputUnavailableError,
  FINAL_STATUSES,
  errors,
  validate,
  signRequest,
  resolveEndpoint,
  type Credentials,
  type CredentialsOrProvider,
  type SsmClientConfig,
  type Problem,
  type SignedRequest,
  type ErrorCode,
  type SendCommandInput,
  type SendCommandOutput,
  type Command,
  type CommandInvocation,
  type GetCommandInvocationOutput,
  type CommandInvocationStatus,
  type ListCommandsOutput,
  type GetDocumentOutput,
  type Tag,
  type OperationName,
  type OperationInputs,
  type OperationOutputs,
  type OutputChunk,
} from "ssm-edge";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | void {}

// ---- Client construction --------------------------------------------------------------------
const provider = async (): Promise<Credentials> => ({
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "secret",
  sessionToken: "token",
  expiration: new Date(Date.now() + 3600_000),
});
const config: SsmClientConfig = {
  region: "eu-west-1",
  credentials: provider,
  maxAttempts: 5,
  endpoint: "https://vpce-0123.ssm.eu-west-1.vpce.amazonaws.com",
  useFipsEndpoint: false,
  fetch: (input, init) => fetch(input, init),
};
const client = new SsmClient(config);
new SsmClient({ region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
new SsmClient({ region: "us-east-1", credentials: () => ({ accessKeyId: "a", secretAccessKey: "b" }) });
new SsmClient({ region: "us-east-1", endpoint: new URL("http://127.0.0.1:4566/"), credentials: { accessKeyId: "a", secretAccessKey: "b" } });
resolveEndpoint({ region: "us-east-1", endpoint: new URL("http://127.0.0.1:4566/") });
const endpoint: string = client.endpoint;
// @ts-expect-error credentials (or a token) are required
new SsmClient({ region: "us-east-1" });
new SsmClient({ region: "us-east-1", endpoint: "https://gateway.example", token: "eyJ..." });
new SsmClient({ region: "us-east-1", endpoint: "https://gateway.example", token: async () => "eyJ..." });
new SsmClient({ region: "eu-west-1", endpoint: "https://gateway.example", token: "eyJ...", account: "staging" });
// @ts-expect-error an account is an alias (a string)
new SsmClient({ region: "eu-west-1", endpoint: "https://gateway.example", token: "eyJ...", account: 222222222222 });
// @ts-expect-error credentials or a token, not both
new SsmClient({ region: "us-east-1", token: "t", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
// @ts-expect-error a provider must return credentials
new SsmClient({ region: "us-east-1", credentials: async () => "token" });
// @ts-expect-error the endpoint is read-only
client.endpoint = "x";
const _cp: CredentialsOrProvider = provider;

// ---- sendCommand: typed input and output ----------------------------------------------------
async function send(signal: AbortSignal): Promise<string | undefined> {
  const input: SendCommandInput = {
    DocumentName: "AWS-RunShellScript",
    Targets: [{ Key: "tag:Env", Values: ["prod"] }],
    Parameters: { commands: ["uptime"] },
    TimeoutSeconds: 600,
    MaxConcurrency: "10%",
    CloudWatchOutputConfig: { CloudWatchOutputEnabled: true },
  };
  const out: SendCommandOutput = await client.sendCommand(input, { signal });
  const command: Command | undefined = out.Command;
  const requested: Date | undefined = command?.RequestedDateTime;
  const expires: number | undefined = command?.ExpiresAfter?.getTime();
  // @ts-expect-error timestamps are Dates, not strings
  const asString: string | undefined = command?.RequestedDateTime;
  void [requested, expires, asString];
  return command?.CommandId;
}
// @ts-expect-error DocumentName is required
client.sendCommand({ InstanceIds: ["i-0123456789abcdef0"] });
// @ts-expect-error unknown members are refused
client.sendCommand({ DocumentName: "AWS-RunShellScript", InstanceId: "i-0123456789abcdef0" });
// @ts-expect-error Parameters map to string lists
client.sendCommand({ DocumentName: "AWS-RunShellScript", Parameters: { commands: "uptime" } });
// @ts-expect-error enums are checked
client.sendCommand({ DocumentName: "AWS-RunShellScript", DocumentHashType: "Md5" });

// ---- Other operations -----------------------------------------------------------------------
async function reads(): Promise<void> {
  const list: ListCommandsOutput = await client.listCommands();
  await client.listCommands({ Filters: [{ key: "Status", value: "Success" }], MaxResults: 10 });
  // @ts-expect-error filter keys are an enum
  await client.listCommands({ Filters: [{ key: "Colour", value: "x" }] });
  const inv: GetCommandInvocationOutput = await client.getCommandInvocation({ CommandId: "c", InstanceId: "i-0123456789abcdef0" });
  const status: CommandInvocationStatus | undefined = inv.Status;
  // @ts-expect-error InstanceId is required
  await client.getCommandInvocation({ CommandId: "c" });
  await client.listCommandInvocations({ CommandId: "c", Details: true });
  await client.cancelCommand({ CommandId: "c" });
  await client.describeInstanceInformation({ Filters: [{ Key: "PingStatus", Values: ["Online"] }] });
  await client.describeDocument({ Name: "AWS-RunShellScript" });
  const doc: GetDocumentOutput = await client.getDocument({ Name: "AWS-RunShellScript", DocumentFormat: "JSON" });
  const content: string | undefined = doc.Content;
  // @ts-expect-error DocumentFormat is an enum
  await client.getDocument({ Name: "AWS-RunShellScript", DocumentFormat: "XML" });
  const tags: Tag[] | undefined = (await client.listTagsForResource({ ResourceType: "ManagedInstance", ResourceId: "mi-0123456789abcdef0" })).TagList;
  // @ts-expect-error ResourceId is required
  await client.listTagsForResource({ ResourceType: "ManagedInstance" });
  void [content, tags];
  await client.listDocuments({ Filters: [{ Key: "Owner", Values: ["Self"] }] });
  void [list, status];
}

// ---- Paginators -----------------------------------------------------------------------------
async function pages(): Promise<number> {
  let n = 0;
  for await (const page of client.paginateListCommands({ MaxResults: 50 })) n += page.Commands?.length ?? 0;
  for await (const page of client.paginateListCommandInvocations({ CommandId: "c" })) {
    const first: CommandInvocation | undefined = page.CommandInvocations?.[0];
    void first;
  }
  for await (const page of client.paginateDescribeInstanceInformation()) n += page.InstanceInformationList?.length ?? 0;
  for await (const page of client.paginateListDocuments({}, { signal: AbortSignal.timeout(1000) })) {
    const created: Date | undefined = page.DocumentIdentifiers?.[0]?.CreatedDate;
    void created;
  }
  return n;
}

// ---- waitForCommand -------------------------------------------------------------------------
async function wait(): Promise<void> {
  const controller = new AbortController();
  const final = await client.waitForCommand(
    { CommandId: "c", InstanceId: "i-0123456789abcdef0" },
    {
      signal: controller.signal,
      pollMs: 1000,
      timeoutMs: 60_000,
      onProgress: (invocations) => {
        for (const i of invocations) {
          const s: CommandInvocationStatus | undefined = i.Status;
          void s;
        }
      },
    },
  );
  const statuses: (CommandInvocationStatus | undefined)[] = final.map((i) => i.Status);
  void statuses;
  // @ts-expect-error the command id is required
  await client.waitForCommand({ InstanceId: "i-0123456789abcdef0" });
}

// ---- Errors ---------------------------------------------------------------------------------
function handle(e: unknown): string {
  if (e instanceof errors.InvalidInstanceId) return `${e.name} ${e.$metadata.httpStatusCode} ${e.$fault}`;
  if (e instanceof errors.ThrottlingException) return String(e.$metadata.attempts) + e.throttling;
  if (e instanceof SsmServiceException) {
    const fault: "client" | "server" = e.$fault;
    const id: string | undefined = e.$metadata.requestId;
    return `${fault} ${id} ${e.retryable}`;
  }
  if (e instanceof ValidationError) {
    const problems: Problem[] = e.problems;
    return problems.map((p) => `${p.path} ${p.rule} ${p.message}`).join();
  }
  if (e instanceof ConfigError) return e.field;
  if (e instanceof TransportError) return String(e.$metadata.attempts);
  if (e instanceof DOMException && e.name === "AbortError") return "aborted";
  return "unknown";
}
const code: ErrorCode = "InvocationDoesNotExist";
// @ts-expect-error only known codes have classes
errors.NoSuchThing;
// @ts-expect-error not an error code
const badCode: ErrorCode = "Nope";

// ---- validate, signRequest, resolveEndpoint -------------------------------------------------
const problems: Problem[] = validate("SendCommand", { DocumentName: "AWS-RunShellScript", InstanceIds: ["i-0123456789abcdef0"] });
validate("ListCommands", {});
// @ts-expect-error only the modelled operations
validate("DeleteEverything", {});

async function sign(): Promise<SignedRequest> {
  const signed = await signRequest({
    url: "https://ssm.eu-west-1.amazonaws.com/",
    headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AmazonSSM.ListCommands" },
    body: "{}",
    credentials: provider,
    region: "eu-west-1",
    date: new Date(),
  });
  const auth: string | undefined = signed.headers["Authorization"];
  await signRequest({ url: "https://x/", headers: new Headers(), credentials: { accessKeyId: "a", secretAccessKey: "b" }, region: "us-east-1" });
  // @ts-expect-error region is required
  await signRequest({ url: "https://x/", credentials: provider });
  // @ts-expect-error credentials are required (signRequest signs; bearer tokens are SsmClient's)
  await signRequest({ url: "https://x/", region: "us-east-1" });
  // Binary bodies: the signed request carries the body given, of its type.
  const binary = await signRequest({ url: "https://x/", body: new Uint8Array([1, 2]), credentials: provider, region: "us-east-1" });
  const bytes: Uint8Array = binary.body;
  await signRequest({ url: "https://x/", body: new ArrayBuffer(2), credentials: provider, region: "us-east-1" });
  await signRequest({ url: "https://x/", body: new DataView(new ArrayBuffer(2)), credentials: provider, region: "us-east-1" });
  const none = await signRequest({ url: "https://x/", method: "GET", body: null, credentials: provider, region: "us-east-1" });
  const noBody: null = none.body;
  // @ts-expect-error a Blob's bytes are not at hand: read it into an ArrayBuffer first
  await signRequest({ url: "https://x/", body: new Blob(["x"]), credentials: provider, region: "us-east-1" });
  // @ts-expect-error nor are a stream's
  await signRequest({ url: "https://x/", body: new ReadableStream(), credentials: provider, region: "us-east-1" });
  void auth, bytes, noBody;
  return signed;
}
const url: string = resolveEndpoint({ region: "eu-west-1", useDualstackEndpoint: true });

// ---- The operation maps ---------------------------------------------------------------------
assertType<Equal<OperationInputs["SendCommand"], SendCommandInput>>();
assertType<Equal<OperationOutputs["ListCommands"], ListCommandsOutput>>();
const ops: OperationName[] = ["SendCommand", "ListCommands", "ListCommandInvocations", "GetCommandInvocation", "CancelCommand", "DescribeInstanceInformation", "DescribeDocument", "ListDocuments"];

// ---- Live output ------------------------------------------------------------------------------
async function output(client: SsmClient): Promise<string> {
  let text = "";
  try {
    for await (const chunk of client.streamOutput({ CommandId: "c", InstanceId: "i-0123456789abcdef0" }, { pollMs: 500 })) {
      const kind: "stdout" | "stderr" = chunk.stream;
      const at: Date = chunk.timestamp;
      text += `${kind} ${at.toISOString()} ${chunk.text}\n`;
    }
  } catch (e) {
    if (e instanceof OutputUnavailableError) return e.commandId;
  }
  // @ts-expect-error InstanceId is required: one invocation a stream
  client.streamOutput({ CommandId: "c" });
  const events = await client.getLogEvents({ logGroupName: "/aws/ssm/AWS-RunShellScript", logStreamName: "c/i/aws-runShellScript/stdout", startFromHead: true });
  const first: OutputChunk | undefined = undefined;
  void first;
  return text + (events.events?.[0]?.message ?? "") + client.logsRequestsPerSecond;
}

/** Whether an invocation is final, by the package's own set. */
function isFinal(invocation: CommandInvocation): boolean {
  // @ts-expect-error the set is read-only
  FINAL_STATUSES.add("Pending");
  // @ts-expect-error not a status
  FINAL_STATUSES.has("Done");
  return invocation.Status !== undefined && FINAL_STATUSES.has(invocation.Status);
}

export { isFinal, output, send, reads, pages, wait, handle, sign, endpoint, code, badCode, problems, url, ops, _cp };

// Types of the `ssm-edge` package. Model shapes (inputs, outputs, enums) are generated
// from the SSM service model into model.d.ts.
import type * as M from "./model.js";

export * from "./model.js";

/** AWS credentials. `expiration` makes the client refresh them 5 minutes before it. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Credentials, or a function that fetches fresh ones (Cognito, STS, your backend). */
export type CredentialsOrProvider = Credentials | (() => Promise<Credentials> | Credentials);

/** What every client takes, however it authenticates. */
export interface SsmClientBaseConfig {
  /** AWS region, e.g. `eu-west-1`. Also the signing region with a custom endpoint; an
   * ssm-edge gateway serving several regions forwards to this one. */
  region: string;
  /** An ssm-edge gateway's account alias (`X-Ssm-Edge-Account`, signed with the rest):
   * the gateway assumes that account's role. Unset: the gateway's own account. */
  account?: string;
  /** A custom endpoint URL (a gateway, a VPC endpoint, a local SSM). */
  endpoint?: string | URL;
  useFipsEndpoint?: boolean;
  useDualstackEndpoint?: boolean;
  /** Attempts per call, the first included. Default 3. */
  maxAttempts?: number;
  /** CloudWatch Logs requests a second that all of this client's `streamOutput`s share
   * (default 5): under the Logs API's per-account quotas however many instances stream. */
  logsRequestsPerSecond?: number;
  /** The `fetch` to use. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
}

/** A client's configuration: AWS credentials (or gateway-issued keys) to sign with, or a
 * bearer token for an ssm-edge gateway — one of the two. */
export type SsmClientConfig = SsmClientBaseConfig &
  (
    | {
        /** AWS credentials (or gateway-issued keys) to sign with. */
        credentials: CredentialsOrProvider;
        token?: undefined;
      }
    | {
        /** A bearer token (a JWT from your OIDC provider or Cloudflare Access) for an
         * ssm-edge gateway, sent as `Authorization: Bearer` instead of a SigV4 signature; or
         * a function returning one, called before every request (cache it there). */
        token: string | (() => Promise<string> | string);
        credentials?: undefined;
      }
  );

export interface CallOptions {
  /** Aborting stops the fetch in flight, any retry delay and any waiter. */
  signal?: AbortSignal;
}

export interface WaitOptions extends CallOptions {
  /** Called with the invocations after every poll. */
  onProgress?: (invocations: M.CommandInvocation[] | M.GetCommandInvocationOutput[]) => void;
  /** Give up after this long (default 10 minutes): the promise then rejects with an `Error`
   * named `TimeoutError` whose `invocations` are those of the last poll. */
  timeoutMs?: number;
  /** Time between polls. Default 2 seconds. */
  pollMs?: number;
}

export interface StreamOutputOptions extends CallOptions {
  /** Time between polls while output arrives (default 1 second); idle polls back off to `maxPollMs`. */
  pollMs?: number;
  /** The longest time between polls while no output arrives. Default 5 seconds. */
  maxPollMs?: number;
}

/** One line of an invocation's output, as the SSM agent wrote it to CloudWatch Logs. */
export interface OutputChunk {
  stream: "stdout" | "stderr";
  /** The line, without its line break. */
  text: string;
  /** When the agent wrote it. */
  timestamp: Date;
  /** The plugin's stream name (`aws-runShellScript`). */
  plugin: string;
}

/**
 * The statuses after which neither a command nor an invocation changes again (what
 * `waitForCommand` and `streamOutput` wait for). `Cancelling` is not one of them.
 */
export declare const FINAL_STATUSES: ReadonlySet<M.CommandInvocationStatus | M.CommandStatus>;

/** `streamOutput` of a command that sends no output to CloudWatch Logs. */
export declare class OutputUnavailableError extends Error {
  readonly name: "OutputUnavailableError";
  readonly commandId: string;
}

export interface WaitForApprovalOptions extends CallOptions {
  /** Called with the approval after every poll. */
  onProgress?: (approval: M.Approval) => void;
  /** Give up after this long (default 1 hour, the gateway's default expiry): the promise
   * then rejects with an `Error` named `TimeoutError` whose `approval` is the last one seen. */
  timeoutMs?: number;
  /** Time between polls. Default 3 seconds. */
  pollMs?: number;
}

/** The operations' methods (`sendCommand`, …, and an ssm-edge gateway's `listApprovals`,
 * `getApproval`, `approveCommand`, `rejectCommand`) and paginators (`paginateListCommands`, …), generated from the model. */
export declare interface SsmClient extends M.OperationMethods<CallOptions>, M.PaginatorMethods<CallOptions> {}

export declare class SsmClient {
  constructor(config: SsmClientConfig);
  /** The endpoint URL requests go to. */
  readonly endpoint: string;
  /** Polls until the command is final everywhere (or on `InstanceId`); resolves with the final invocations. */
  waitForCommand(
    command: { CommandId: string; InstanceId?: string },
    options?: WaitOptions,
  ): Promise<M.CommandInvocation[] | M.GetCommandInvocationOutput[]>;
  /** Polls an ssm-edge gateway's approval until it is decided; resolves with it (`State`
   * Done with `CommandId` or `Failure`, Rejected or Expired). */
  waitForApproval(approvalId: string, options?: WaitForApprovalOptions): Promise<M.Approval>;
  /** Streams an invocation's output from CloudWatch Logs while it runs (a command sent
   * with `CloudWatchOutputConfig`): one chunk per line, oldest first, ending once the
   * invocation is final and drained. Rejects with `OutputUnavailableError` when the
   * command keeps no CloudWatch output. */
  streamOutput(
    invocation: { CommandId: string; InstanceId: string; PluginName?: string },
    options?: StreamOutputOptions,
  ): AsyncGenerator<OutputChunk, void>;
  /** CloudWatch Logs requests a second shared by this client's output streams. */
  readonly logsRequestsPerSecond: number;
}

/** One broken rule: where, which rule (a stable code), and a sentence for people. */
export interface Problem {
  /** Field path, e.g. `Targets[2].Values[0]`; empty for the input as a whole. */
  path: string;
  /** `required`, `minLength`, `maxLength`, `minItems`, `maxItems`, `range`, `pattern`, `enum`,
   * `exactlyOneOf`, `requires`, `targetKey`, `targetValues`, `filterValue`, `type`, `unknownMember`, `duplicateMember`, `json`. */
  rule: string;
  message: string;
}

/**
 * Every problem in `input` for `operation`; empty when it is valid. Sends nothing.
 * Synchronous: in browsers `await ready()` once first (Node and Workers load at import).
 */
export declare function validate<O extends M.OperationName>(operation: O, input: M.OperationInputs[O] | object): Problem[];

/** `validate`, loading the wasm first if it is not loaded yet. */
export declare function validateAsync<O extends M.OperationName>(operation: O, input: M.OperationInputs[O] | object): Promise<Problem[]>;

/**
 * Resolves once the wasm is instantiated. Every call that needs it waits for it itself;
 * only the synchronous `validate`, `resolveEndpoint` and `SsmClient#endpoint` need it first.
 */
export declare function ready(): Promise<void>;

/**
 * A body `signRequest` can hash: text (sent as UTF-8, as `fetch` sends it) or bytes (an
 * `ArrayBuffer`, or a view of one such as a `Uint8Array` or a Node `Buffer`). `null` is the
 * empty body. Other `fetch` bodies (Blob, FormData, streams) are refused with a
 * `ConfigError` naming `body`: read them into bytes first.
 */
export type SignableBody = string | ArrayBuffer | ArrayBufferView | null;

export interface SignedRequest<B extends SignableBody = string> {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** The body given, unchanged (`""` if none was). */
  body: B;
}

/** Signs a request you send yourself (SigV4, headers). */
export declare function signRequest<B extends SignableBody = string>(request: {
  /** Absolute: `https://host/path?query` (a `URL` is taken as its `href`). */
  url: string | URL;
  method?: string;
  headers?: Record<string, string> | Headers;
  body?: B;
  /** AWS credentials (or gateway-issued keys) to sign with. */
  credentials: CredentialsOrProvider;
  region: string;
  service?: string;
  date?: Date;
}): Promise<SignedRequest<B>>;

/** The endpoint URL for a region and options. */
export declare function resolveEndpoint(config: {
  region: string;
  useFipsEndpoint?: boolean;
  useDualstackEndpoint?: boolean;
  endpoint?: string | URL;
}): string;

export interface ResponseMetadata {
  httpStatusCode?: number;
  requestId?: string;
  attempts?: number;
}

/** Any error the service answered. `name` is the AWS error code. */
export declare class SsmServiceException extends Error {
  readonly $fault: "client" | "server";
  readonly $metadata: ResponseMetadata;
  readonly retryable: boolean;
  readonly throttling: boolean;
}

/** The input breaks the service's rules; nothing was sent. */
export declare class ValidationError extends Error {
  readonly name: "ValidationError";
  readonly problems: Problem[];
}

/** A client option is wrong. */
export declare class ConfigError extends Error {
  readonly name: "ConfigError";
  readonly field: string;
}

/** No usable response arrived. */
export declare class TransportError extends Error {
  readonly name: "TransportError";
  readonly $metadata: ResponseMetadata;
}

/** One `SsmServiceException` subclass per modelled and common error code. */
export declare const errors: {
  readonly [Code in ErrorCode]: typeof SsmServiceException;
} & {
  readonly ApprovalRequiredException: typeof ApprovalRequiredError;
};

/** An ssm-edge gateway filed the SendCommand for someone else's approval (`errors.ApprovalRequiredException`). */
export declare class ApprovalRequiredError extends SsmServiceException {
  readonly name: "ApprovalRequiredException";
  /** The approval to wait for (`waitForApproval`), show or withdraw (`rejectCommand`). */
  readonly approvalId: string;
}

export type ErrorCode = M.DeclaredErrorCode | M.CommonErrorCode;

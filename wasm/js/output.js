// Live command output: the streams the SSM agent writes to CloudWatch Logs while a
// command runs (`CloudWatchOutputConfig`), read with DescribeLogStreams and
// GetLogEvents through the same client, until the invocation is final and drained.

import { Budget, FINAL_STATUSES, pollInvocation, sleep } from "./poll.js";

/** The command sent no output to CloudWatch Logs: there is nothing to stream. */
export class OutputUnavailableError extends Error {
  constructor(commandId) {
    super(`command ${commandId} does not send its output to CloudWatch Logs (CloudWatchOutputConfig)`);
    this.name = "OutputUnavailableError";
    this.commandId = commandId;
  }
}

/** After the invocation is final, how long output may still arrive (the agent flushes). */
const SETTLE_MS = 1500;
/** Known streams are looked for again every this many polls (a plugin may start
 * later), and always once the invocation is final. */
const REDISCOVER_EVERY = 4;
/** Logs requests per second a client spends on all its streams, by default: well under
 * CloudWatch Logs' GetLogEvents and DescribeLogStreams quotas per account and region. */
export const LOGS_REQUESTS_PER_SECOND = 5;

/** One Logs budget per client, shared by all its streams. */
const budgets = new WeakMap();

function budgetOf(client) {
  let budget = budgets.get(client);
  if (!budget) budgets.set(client, (budget = new Budget(client.logsRequestsPerSecond)));
  return budget;
}

/**
 * The log groups a command's output may be in: the one its CloudWatchOutputConfig
 * names, else the agent's default `/aws/ssm/<DocumentName>` (characters a group name
 * cannot hold as `.`) and the API reference's spelling without the leading slash.
 */
function candidateGroups({ DocumentName = "", CloudWatchOutputConfig: config }) {
  if (config?.CloudWatchLogGroupName) return [config.CloudWatchLogGroupName];
  const name = `/aws/ssm/${DocumentName}`.replace(/[^a-zA-Z0-9_\-/.#]/g, ".");
  return [name, name.slice(1)];
}

/** The streams under `prefix` in the first candidate group that exists: [group, names]. */
async function discover(client, budget, groups, prefix, signal) {
  for (const logGroupName of groups) {
    const names = [];
    try {
      let nextToken;
      do {
        await budget.take(signal);
        const page = await client.describeLogStreams({ logGroupName, logStreamNamePrefix: prefix, nextToken }, { signal });
        names.push(...(page.logStreams ?? []).map((s) => s.logStreamName));
        nextToken = page.nextToken;
      } while (nextToken);
    } catch (e) {
      if (e?.name === "ResourceNotFoundException") continue;
      throw e;
    }
    if (names.length) return [logGroupName, names];
  }
  return [null, []];
}

/** A GetLogEvents page holds at most 10,000 events and 1 MB (26 bytes an event more). */
const PAGE_EVENTS = 10_000;
const PAGE_BYTES = 1_048_576;

/** Whether a page may have stopped short of what the stream holds: it is (nearly) full. */
function full(events) {
  let bytes = 0;
  for (const e of events) bytes += 26 + (e.message?.length ?? 0) * 3;
  return events.length >= PAGE_EVENTS || bytes >= PAGE_BYTES / 2;
}

/** The events of `stream` past its forward token, a page at a time, oldest first
 * (advancing the token): more pages only while they come full (a short page held all
 * there was; anything later is the next poll's). */
async function* drain(client, budget, group, stream, signal) {
  for (;;) {
    await budget.take(signal);
    const page = await client.getLogEvents(
      { logGroupName: group, logStreamName: stream.name, startFromHead: true, nextToken: stream.token },
      { signal },
    );
    const got = page.events ?? [];
    // Reading forward past the end answers the same token (and no events).
    const done = !full(got) || !page.nextForwardToken || page.nextForwardToken === stream.token;
    if (page.nextForwardToken) stream.token = page.nextForwardToken;
    yield got.map((e) => ({ stream: stream.kind, text: e.message ?? "", timestamp: new Date(e.timestamp), plugin: stream.plugin }));
    if (done) return;
  }
}

/**
 * Streams one invocation's output as it is written: an async iterator of
 * `{ stream: "stdout" | "stderr", text, timestamp, plugin }`, one per line the agent
 * wrote, each stream in order (a page at a time as it is read: stdout and stderr are
 * separate streams, interleaved per page); it ends once the invocation is final and
 * its streams are drained. Polls quickly while output arrives and backs off (to `maxPollMs`) while
 * none does; every stream of one client shares one Logs request budget.
 */
export async function* streamOutput(client, { CommandId, InstanceId, PluginName } = {}, { signal, pollMs = 1000, maxPollMs = 5000 } = {}) {
  signal?.throwIfAborted();
  const { Commands = [] } = await client.listCommands({ CommandId }, { signal });
  const command = Commands[0] ?? {};
  if (!command.CloudWatchOutputConfig?.CloudWatchOutputEnabled) throw new OutputUnavailableError(CommandId);
  const budget = budgetOf(client);
  const groups = candidateGroups(command);
  const base = `${CommandId}/${InstanceId}/`;
  const prefix = PluginName ? `${base}${PluginName.replaceAll(":", "-")}/` : base;
  const streams = new Map();
  let finalAt = null;
  let delay = pollMs;
  let group = null;
  for (let round = 0; ; round++) {
    const { Status } = await pollInvocation(client, { CommandId, InstanceId }, { signal, maxAgeMs: pollMs / 2 });
    const justFinal = FINAL_STATUSES.has(Status) && finalAt === null;
    if (justFinal) finalAt = Date.now();
    let names = [];
    if (streams.size === 0 || justFinal || round % REDISCOVER_EVERY === 0) {
      [group, names] = await discover(client, budget, group ? [group] : groups, prefix, signal);
    }
    for (const name of names) {
      if (streams.has(name)) continue;
      const [plugin, kind] = name.slice(base.length).split("/");
      if (kind === "stdout" || kind === "stderr") streams.set(name, { name, kind, plugin, token: undefined });
    }
    let lines = 0;
    for (const stream of streams.values()) {
      for await (const page of drain(client, budget, group, stream, signal)) {
        lines += page.length;
        yield* page;
      }
    }
    if (finalAt !== null && lines === 0 && Date.now() - finalAt >= SETTLE_MS) return;
    delay = lines || finalAt !== null ? pollMs : Math.min(delay * 2, maxPollMs);
    await sleep(delay, signal);
  }
}

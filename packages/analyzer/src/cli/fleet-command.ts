// `tickwise fleet status|runs|pause|resume|trigger`: the operator's view of every replica sharing a
// store, read from the store (--redis, --postgres) or a service (--url), with exit codes for CI and cron.

import type { FleetHealth, FleetRun } from '@tickwise/core';
import { UsageError } from '../node/usage-error.js';
import { formatRelative } from '../time-format.js';
import { FLEET_USAGE, type FleetRequest, type FleetTarget, parseFleetArgs } from './fleet-args.js';
import { type FleetClient, FleetClientError, type FleetTrigger } from './fleet-client.js';
import { type DirectOptions, openDirectClient } from './fleet-direct.js';
import { formatRunDuration, formatRuns, formatStatus, utcSeconds } from './fleet-formats.js';
import { httpClient } from './fleet-http.js';
import type { CliIo } from './io.js';

/** The exit codes of `tickwise fleet`. */
export const FleetExit = {
  /** Done; for status: every job is ok (paused jobs do not count). */
  OK: 0,
  /**
   * status: a job is degraded, failing or overdue, or no replica is alive. pause: no job the fleet
   * knows matches (the pause is still recorded). resume: there was no pause of that pattern.
   * trigger: no live replica has the job (nothing requested); with --wait, the run failed or did
   * not end in time.
   */
  ATTENTION: 1,
  /** Bad usage: flags, a missing --reason, a bad duration, a store package not installed. */
  USAGE: 2,
  /** The store or service could not be reached or used: connection, timeout, refused credentials or token, 404. */
  UNREACHABLE: 3,
} as const;

/** How often --wait looks for the triggered run. */
const WAIT_POLL_MS = 250;

type Out = { io: CliIo; json: boolean };

function open(target: FleetTarget, direct: DirectOptions): Promise<FleetClient> {
  if (target.kind === 'url') return Promise.resolve(httpClient(target));
  return openDirectClient(target, direct);
}

/** Runs `tickwise fleet …` (argv after `fleet`); returns the exit code. `direct`: for tests. */
export async function fleetCommand(argv: readonly string[], io: CliIo, direct: DirectOptions = {}): Promise<number> {
  let client: FleetClient | undefined;
  try {
    const invocation = parseFleetArgs(argv, io.env ?? process.env);
    if ('help' in invocation) {
      io.out(FLEET_USAGE);
      return invocation.help;
    }
    client = await open(invocation.target, direct);
    return await perform(client, invocation.request, { io, json: invocation.json });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      io.err(`tickwise fleet: ${(error as Error).message}\nRun \`tickwise fleet --help\` for usage.`);
      return FleetExit.USAGE;
    }
    if (error instanceof FleetClientError) {
      io.err(`tickwise fleet: ${error.message}`);
      return error.code === 'FLEET_NOT_INSTALLED' || error.code === 'FLEET_BAD_REQUEST'
        ? FleetExit.USAGE
        : FleetExit.UNREACHABLE;
    }
    throw error;
  } finally {
    await client?.close().catch(() => {});
  }
}

function perform(client: FleetClient, request: FleetRequest, out: Out): Promise<number> {
  switch (request.action) {
    case 'status':
      return status(client, out);
    case 'runs':
      return runs(client, request.job, request.limit, out);
    case 'pause':
      return pause(client, request, out);
    case 'resume':
      return resume(client, request.pattern, out);
    case 'trigger':
      return trigger(client, request, out);
  }
}

function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

async function status(client: FleetClient, { io, json }: Out): Promise<number> {
  const health = await client.status();
  if (json) printJson(io, health);
  else io.out(formatStatus(health));
  return health.status === 'ok' ? FleetExit.OK : FleetExit.ATTENTION;
}

async function runs(client: FleetClient, job: string, limit: number, { io, json }: Out): Promise<number> {
  const list = await client.runs(job, limit);
  if (json) printJson(io, { job, runs: list });
  else io.out(formatRuns(job, list, new Date()));
  return FleetExit.OK;
}

async function pause(
  client: FleetClient,
  request: Extract<FleetRequest, { action: 'pause' }>,
  { io, json }: Out,
): Promise<number> {
  const { pattern } = request;
  const paused = await client.pause(pattern, request);
  // The pause just recorded is the newest, so it is the one each matching job shows.
  const health = await readableStatus(client);
  const jobs = health?.jobs.filter((job) => job.paused?.pattern === pattern).map((job) => job.name) ?? null;
  if (json) printJson(io, { paused, jobs });
  else {
    const until = paused.until
      ? `until ${utcSeconds(paused.until)} (${formatRelative(paused.until, paused.at)})`
      : 'until resumed';
    const count =
      jobs && `${jobs.length} job${jobs.length === 1 ? '' : 's'}${jobs.length ? `: ${jobs.join(', ')}` : ''}`;
    io.out(`Paused '${pattern}'${count ? ` (${count})` : ''} ${until}, by ${paused.by}: ${paused.reason}`);
    if (jobs?.length === 0) {
      io.err(
        `tickwise fleet: no job the fleet knows matches '${pattern}': the pause is recorded and holds such jobs when they appear; remove it with tickwise fleet resume '${pattern}'`,
      );
    } else {
      io.out(
        `Every replica skips their ticks within a second; a run in progress finishes. Undo: tickwise fleet resume '${pattern}'`,
      );
    }
  }
  return jobs?.length === 0 ? FleetExit.ATTENTION : FleetExit.OK;
}

async function resume(client: FleetClient, pattern: string, { io, json }: Out): Promise<number> {
  const resumed = await client.resume(pattern);
  if (json) printJson(io, { pattern, resumed });
  else if (resumed) io.out(`Resumed '${pattern}': every replica runs its ticks again within a second.`);
  if (resumed) return FleetExit.OK;
  if (!json) {
    const health = await readableStatus(client);
    const patterns = [...new Set(health?.jobs.flatMap((job) => (job.paused ? [`'${job.paused.pattern}'`] : [])))];
    const inForce = patterns.length > 0 ? `; pauses in force: ${patterns.join(', ')}` : '';
    io.err(`tickwise fleet: there is no pause of exactly '${pattern}' (resume takes the pattern as paused)${inForce}`);
  }
  return FleetExit.ATTENTION;
}

async function trigger(
  client: FleetClient,
  request: Extract<FleetRequest, { action: 'trigger' }>,
  { io, json }: Out,
): Promise<number> {
  const { job, waitMs } = request;
  const health = await readableStatus(client);
  // null: the service does not let us read, so the request goes out unchecked.
  const replicas = health ? (health.jobs.find((known) => known.name === job)?.replicas ?? []) : null;
  if (replicas?.length === 0) {
    const names = health?.jobs.filter((known) => known.replicas.length > 0).map((known) => known.name) ?? [];
    if (json) printJson(io, { triggered: null, replicas });
    io.err(
      `tickwise fleet: no live replica has the job '${job}', so nothing was triggered${names.length ? ` (jobs on live replicas: ${names.join(', ')})` : ''}`,
    );
    return FleetExit.ATTENTION;
  }
  const triggered = await client.trigger(job, request.by);
  if (!json) {
    const where = replicas ? `one of ${replicas.join(', ')}` : 'a replica that has it';
    io.out(`Triggered '${job}' (request ${triggered.id}, by ${triggered.by}): ${where} runs it within a second.`);
  }
  if (waitMs === undefined) {
    if (json) printJson(io, { triggered, replicas });
    return FleetExit.OK;
  }
  const run = await waitForRun(client, triggered, waitMs);
  if (json) printJson(io, { triggered, replicas, run });
  else io.out(runLine(job, run, waitMs));
  return run?.outcome === 'success' ? FleetExit.OK : FleetExit.ATTENTION;
}

function runLine(job: string, run: FleetRun | null, waitMs: number): string {
  if (!run) return `✗ no run of '${job}' ended within ${formatRunDuration(waitMs)}`;
  if (run.outcome === 'success') return `✓ ran on ${run.instanceId} in ${formatRunDuration(run.durationMs)}`;
  const error = run.error ? ` · ${run.error.type}${run.error.message ? `: ${run.error.message}` : ''}` : '';
  return `✗ ${run.outcome} on ${run.instanceId} after ${formatRunDuration(run.durationMs)}${error}`;
}

/** The run of this trigger request (recorded at its end, for the request's tick); null when none in time. */
async function waitForRun(client: FleetClient, triggered: FleetTrigger, waitMs: number): Promise<FleetRun | null> {
  const deadline = Date.now() + waitMs;
  const tick = new Date(triggered.at).getTime();
  for (;;) {
    const list = await client.runs(triggered.job, 20);
    const run = list.find((candidate) => candidate.trigger === 'fleet' && new Date(candidate.tick).getTime() === tick);
    if (run) return run;
    const left = deadline - Date.now();
    if (left <= 0) return null;
    await new Promise((resolve) => setTimeout(resolve, Math.min(WAIT_POLL_MS, left)));
  }
}

/** The status for a control's report; null when the service serves controls but refuses reads (jobsAccess). */
async function readableStatus(client: FleetClient): Promise<FleetHealth | null> {
  try {
    return await client.status();
  } catch (error) {
    if (error instanceof FleetClientError && error.code === 'FLEET_REFUSED') return null;
    throw error;
  }
}

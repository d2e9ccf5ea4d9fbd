// One replica process for the fault suite: a Scheduler on a real store (possibly through a fault
// proxy), with N identical jobs whose handlers append to this replica's ledger file (one line when
// a run starts, one when it ends, written synchronously so a SIGKILL loses nothing that happened).
// Prints JSON lines on stdout for what a test waits on (ready, skips, failures, completions).
//
// Usage: replica.ts '<json ReplicaConfig>'

import { appendFileSync } from 'node:fs';
import {
  type ClaimStore,
  cron,
  every,
  type JobDefinition,
  type Logger,
  type RunContext,
  Scheduler,
} from '@tickwise/core';
import { PostgresStore } from '@tickwise/postgres';
import { RedisStore } from '@tickwise/redis';
import { Cluster, Redis } from 'ioredis';
import pg from 'pg';

export interface ReplicaConfig {
  /** Label in the ledger and in events. */
  id: string;
  /** An explicit instance id; default the scheduler's own (unique per process). */
  instanceId?: string;
  store:
    | { kind: 'redis'; url: string; prefix: string; passClient?: boolean }
    | { kind: 'redis-cluster'; nodes: { host: string; port: number }[]; prefix: string }
    | { kind: 'postgres'; url: string; schema: string; passPool?: boolean };
  jobs: {
    count: number;
    /** Jobs are named `<prefix>-<i>`; default 'job'. */
    prefix?: string;
    every: string;
    leaseMs?: number;
    runMs?: number;
    /** Handlers that ignore their signal (run for runMs whatever happens). */
    deaf?: boolean;
  };
  ledger: string;
  graceMs?: number;
  /** How many SIGTERM handlers call stop() (2: a second signal handler, as with Nest beside app code). */
  stopHandlers?: number;
  /** Print `finishing` and wait this long just before each run returns (a test can cut the link then). */
  finishingPauseMs?: number;
  /** Report every success too (default: only skips, failures and completions that were not recorded). */
  reportAll?: boolean;
  /** Print `started` when a run starts. */
  reportStarts?: boolean;
  /** SchedulerOptions.serviceVersion (the fleet view compares versions). */
  serviceVersion?: string;
  /** Every run of these jobs throws (after its ledger lines). */
  failingJobs?: string[];
  /** A job of this replica alone, on the jobs' schedule. */
  ownJob?: string;
  /** A job with a cron schedule that does not come due in a test (`0 3 1 1 *`): one that runs only when triggered. */
  idleJob?: string;
  /** Print `paused` / `resumed` when the fleet controls pause or resume a job here, and `fleet-health` on SIGUSR1. */
  reportControls?: boolean;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ReplicaConfig;
// `at`: when the replica printed it (wall clock), for the timeline a failing test prints.
const out = (line: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ r: config.id, at: Date.now(), ...line })}\n`);
const ledger = (line: Record<string, unknown>) =>
  appendFileSync(config.ledger, `${JSON.stringify({ r: config.id, ...line })}\n`);

/** Errors and warnings go to stdout, so tests can assert on what an operator would read. */
const logger: Logger = {
  debug() {},
  info() {},
  warn: (fields, message) => out({ type: 'log', level: 'warn', message, fields: loggable(fields) }),
  error: (fields, message) => out({ type: 'log', level: 'error', message, fields: loggable(fields) }),
};

function loggable(fields: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) copy[key] = value instanceof Error ? value.message : value;
  return copy;
}

function makeStore(): { store: ClaimStore; close: () => Promise<void> } {
  const spec = config.store;
  if (spec.kind === 'redis') {
    if (spec.passClient) {
      // As docs/replicas.md shows for an application that has a client already: ioredis defaults.
      const client = new Redis(spec.url);
      client.on('error', () => {});
      return { store: new RedisStore({ client, prefix: spec.prefix }), close: async () => client.disconnect() };
    }
    const store = new RedisStore({ client: spec.url, prefix: spec.prefix });
    return { store, close: () => store.close() };
  }
  if (spec.kind === 'redis-cluster') {
    const cluster = new Cluster(spec.nodes);
    cluster.on('error', () => {});
    return { store: new RedisStore({ client: cluster, prefix: spec.prefix }), close: async () => cluster.disconnect() };
  }
  if (spec.passPool) {
    const pool = new pg.Pool({ connectionString: spec.url });
    pool.on('error', () => {});
    return { store: new PostgresStore({ pool, schema: spec.schema }), close: () => pool.end() };
  }
  const store = new PostgresStore({ pool: spec.url, schema: spec.schema });
  return { store, close: () => store.close() };
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });

async function handler(ctx: RunContext): Promise<void> {
  const job = ctx.job.name;
  const tick = ctx.scheduledAt.getTime();
  ledger({ j: job, t: tick, f: ctx.fence, s: Date.now() });
  if (config.reportStarts) out({ type: 'started', job, tick, fence: ctx.fence });
  let abortedAt: number | null = null;
  ctx.signal.addEventListener('abort', () => {
    abortedAt = Date.now();
  });
  const runMs = config.jobs.runMs ?? 0;
  try {
    if (runMs > 0) await sleep(runMs, config.jobs.deaf ? undefined : ctx.signal);
    if (config.finishingPauseMs !== undefined) {
      out({ type: 'finishing', job, tick });
      await sleep(config.finishingPauseMs);
    }
  } finally {
    ledger({ j: job, t: tick, f: ctx.fence, e: Date.now(), a: abortedAt, g: ctx.trigger });
  }
  if (config.failingJobs?.includes(job)) throw new Error(`${job} failed on ${config.id}`);
}

const { store, close } = makeStore();
const scheduler = new Scheduler({
  store,
  logger,
  env: {},
  ...(config.instanceId !== undefined && { instanceId: config.instanceId }),
  ...(config.serviceVersion !== undefined && { serviceVersion: config.serviceVersion }),
});
if (config.reportControls) {
  scheduler.on('job:paused', (e) => out({ type: 'paused', job: e.job.name, by: e.pause?.by, reason: e.pause?.reason }));
  scheduler.on('job:resumed', (e) => out({ type: 'resumed', job: e.job.name }));
  // On SIGUSR1, the fleet's health as this replica sees it.
  process.on('SIGUSR1', async () => {
    const fleet = await scheduler.health({ scope: 'fleet' });
    out({ type: 'fleet-health', fleet });
  });
}
for (let i = 0; i < config.jobs.count; i++) {
  const definition: JobDefinition = {
    name: `${config.jobs.prefix ?? 'job'}-${i}`,
    schedule: every(config.jobs.every),
    run: handler,
    ...(config.jobs.leaseMs !== undefined && { lease: config.jobs.leaseMs }),
  };
  scheduler.add(definition);
}
if (config.ownJob) scheduler.add({ name: config.ownJob, schedule: every(config.jobs.every), run: handler });
if (config.idleJob) scheduler.add({ name: config.idleJob, schedule: cron('0 3 1 1 *'), run: handler });
scheduler.on('tick:skipped', (e) => out({ type: 'skip', job: e.job.name, tick: e.tick.getTime(), reason: e.reason }));
scheduler.on('run:failure', (e) => {
  const reason = (e.error as { reason?: string } | undefined)?.reason;
  out({
    type: 'failure',
    job: e.job.name,
    tick: e.tick.getTime(),
    outcome: e.outcome,
    reason,
    completion: e.completion,
  });
});
scheduler.on('run:success', (e) => {
  if (config.reportAll || e.completion !== 'recorded') {
    out({ type: 'success', job: e.job.name, tick: e.tick.getTime(), fence: e.fence, completion: e.completion });
  }
});

try {
  await scheduler.start();
} catch (error) {
  out({ type: 'start-failed', code: (error as { code?: string }).code, message: (error as Error).message });
  await close();
  process.exit(3);
}
const health = await scheduler.health();
out({ type: 'ready', instanceId: scheduler.instanceId, clockOffsetMs: health.store.clockOffsetMs, pid: process.pid });

// On SIGUSR2, report health (clock offset, data loss, conflicts) for the test to read.
process.on('SIGUSR2', async () => {
  const snapshot = await scheduler.health();
  out({ type: 'health', status: snapshot.status, store: snapshot.store });
});

let stopping: Promise<unknown> | null = null;
for (let i = 0; i < (config.stopHandlers ?? 1); i++) {
  process.once('SIGTERM', async () => {
    // Every handler calls stop(); the second one with no grace at all. stop() must not let the
    // second call cut the first one's grace (and the lease renewals) short.
    const result = scheduler.stop({ graceMs: i === 0 ? (config.graceMs ?? 10_000) : 0 });
    if (stopping) {
      await result;
      return;
    }
    stopping = result;
    const { stillRunning } = await result;
    out({ type: 'stopped', stillRunning });
    await close();
    process.exit(0);
  });
}

// BullMQ peer for the store benchmark: N job schedulers (queue.upsertJobScheduler) on one queue, run
// by W worker processes sharing one Redis; runs, duplicates, misses and lateness come from the
// workers' ledgers. Run: node --import tsx/esm bench/stores/bullmq-peer.ts --jobs 1000 --workers 3 --seconds 40 --every 10s

import { type ChildProcess, fork } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Queue, type RepeatOptions } from 'bullmq';
import { CronExpressionParser } from 'cron-parser';
import { Redis } from 'ioredis';
import { type StopMessage, scheduledAtOf, type WorkerMessage } from './bullmq-worker-process.js';

export interface BullmqFleetOptions {
  redisUrl: string;
  /** Job schedulers to upsert, ids `job-0` … `job-<jobs - 1>`. */
  jobs: number;
  /**
   * Interval in ms. Run as the cron pattern with the same wall-clock boundaries (see alignedPattern),
   * because BullMQ's `{ every }` starts each scheduler at its own upsert instant; `nativeEvery` keeps it.
   */
  every?: number;
  /** A cron pattern (6 fields for seconds), evaluated in UTC. Give this or `every`. */
  pattern?: string;
  /** Pass `every` to BullMQ as `{ every }`: each scheduler then ticks at its own phase. Default false. */
  nativeEvery?: boolean;
  /** Worker processes. */
  workers: number;
  /** Jobs one Worker runs at once. Default 30 (see DEFAULT_CONCURRENCY). */
  concurrency?: number;
  /** The measured window, from the end of upserting to the stop of the workers. */
  seconds: number;
  /** Namespaces every BullMQ key (`<prefix>:fleet:…`); unique per run, all removed afterwards. */
  prefix: string;
  /** Iterations due this soon after the window opens are not expected. Default 1,000 ms. */
  startMarginMs?: number;
  /** Iterations due this close to the window's end are not expected. Default one period. */
  endMarginMs?: number;
  /** Upserts in flight at once. Default 200. */
  upsertConcurrency?: number;
  /** Leave the ledger files in place (their folder is in the notes). Default false. */
  keepLedgers?: boolean;
}

export interface BullmqFleetResult {
  /** Ledger lines: every processor call, in or out of the window. */
  runs: number;
  /** Scheduler × iteration pairs due strictly inside the window, margins excluded. */
  expected: number;
  /** Expected pairs run more than once. */
  duplicates: number;
  /** Runs beyond the first of those pairs. */
  extraRuns: number;
  /** Expected pairs never run before the workers stopped. */
  misses: number;
  /** Runs due inside the window at a time no scheduler was due (off the grid, or an unknown id). */
  unexpected: number;
  /** Processor start minus the iteration's due time, over the runs of expected pairs. */
  latenessP50Ms: number;
  latenessP99Ms: number;
  latenessMaxMs: number;
  /** Wall time to upsert all the job schedulers. */
  upsertMs: number;
  /** Commands Redis executed per run in the window, those called from Lua scripts included. */
  redisCommandsPerRun?: number;
  /** Script calls (EVALSHA/EVAL) per run: BullMQ's round trips, bar the blocking marker waits. */
  redisScriptCallsPerRun?: number;
  /** Redis's own CPU (user + system) per run. */
  redisCpuMsPerRun?: number;
  /** The worker processes' CPU per run. */
  workerCpuMsPerRun: number;
  notes: string[];
}

/**
 * Jobs one Worker runs at once. The processor only appends a line, so a job's time is BullMQ's own
 * Redis round trips and its JavaScript around them, on 2 cores shared with Redis. Swept at 10,000
 * jobs every 10 s on 3 workers (p50 / p99 start lateness): 1 → 1.3 / 2.8 s, 10 → 0.7–0.8 / 1.3–1.7 s,
 * 30 → 0.7–0.8 / 1.2–1.7 s, 50 → 1.1 / 1.9 s, 100 → 0.8 / 2.1–2.4 s, 1,000 → 1.2 / 2.4 s. Past a few
 * dozen, more jobs in flight only queue behind one event loop and add fetches that come back empty
 * (2.3 script calls per run at 1,000 against 2.0 at 30), so 30 is BullMQ's best here.
 */
export const DEFAULT_CONCURRENCY = 30;

const QUEUE = 'fleet';
const STOP_TIMEOUT_MS = 60_000;
const READY_TIMEOUT_MS = 60_000;

/**
 * The cron pattern whose boundaries are the multiples of `everyMs` since the epoch (UTC), which is
 * where Tickwise's every() ticks; throws when no 6-field pattern has them (e.g. 7 s).
 */
export function alignedPattern(everyMs: number): string {
  const s = everyMs / 1000;
  if (Number.isInteger(s) && s >= 1 && s < 60 && 60 % s === 0) return `*/${s} * * * * *`;
  const m = s / 60;
  if (Number.isInteger(m) && m >= 1 && m < 60 && 60 % m === 0) return `0 */${m} * * * *`;
  const h = m / 60;
  if (Number.isInteger(h) && h >= 1 && h <= 24 && 24 % h === 0) return `0 0 */${h} * * *`;
  throw new Error(
    `every ${everyMs} ms has no wall-clock-aligned cron pattern: give a pattern, or nativeEvery to let each scheduler keep its upsert phase`,
  );
}

/** Due times of `pattern` strictly between `from` and `to` (ms since the epoch), UTC. */
function cronSlots(pattern: string, from: number, to: number): number[] {
  const slots: number[] = [];
  const interval = CronExpressionParser.parse(pattern, { currentDate: new Date(from), tz: 'UTC' });
  for (let t = interval.next().getTime(); t < to; t = interval.next().getTime()) if (t > from) slots.push(t);
  return slots;
}

/** The gap between the pattern's next two due times: its period, for the patterns this bench uses. */
function patternPeriod(pattern: string): number {
  const interval = CronExpressionParser.parse(pattern, { currentDate: new Date(), tz: 'UTC' });
  const first = interval.next().getTime();
  return interval.next().getTime() - first;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** The counters of INFO that the Redis-work figures are made of. */
interface RedisStats {
  commands: number;
  scripts: number;
  cpuMs: number;
  usedMemory: number;
  perCommand: Map<string, number>;
}

async function redisStats(admin: Redis): Promise<RedisStats> {
  const info = await admin.info('stats', 'commandstats', 'cpu', 'memory');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  const perCommand = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) perCommand.set(match[1]!, Number(match[2]));
  return {
    commands: field('total_commands_processed'),
    scripts: (perCommand.get('evalsha') ?? 0) + (perCommand.get('eval') ?? 0),
    cpuMs: (field('used_cpu_user') + field('used_cpu_sys')) * 1000,
    usedMemory: field('used_memory'),
    perCommand,
  };
}

/** Runs `task(0…count-1)` with at most `width` in flight; ioredis pipelines what is in flight. */
async function inParallel(count: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, lane));
}

function onceWithin<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** One forked replica and the two messages it sends. */
interface Replica {
  child: ChildProcess;
  ready: Promise<void>;
  stopped: Promise<Extract<WorkerMessage, { type: 'stopped' }>>;
  exited: Promise<number | null>;
  /** Asks once; a replica already gone (or going) needs no asking. */
  requestStop(): void;
}

function startReplica(args: string[]): Replica {
  const file = fileURLToPath(new URL('./bullmq-worker-process.ts', import.meta.url));
  // The child needs the TypeScript loader; reuse the parent's flags when it came in through tsx.
  const execArgv = process.execArgv.some((flag) => flag.includes('tsx'))
    ? process.execArgv
    : [...process.execArgv, '--import', 'tsx/esm'];
  const child = fork(file, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // A send racing the child's own disconnect fails with EPIPE; its exit is handled below instead.
  child.on('error', () => {});
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const message = <K extends WorkerMessage['type']>(type: K) =>
    new Promise<Extract<WorkerMessage, { type: K }>>((resolveMessage, reject) => {
      const onMessage = (m: WorkerMessage) => {
        if (m.type === type) resolveMessage(m as Extract<WorkerMessage, { type: K }>);
      };
      child.on('message', onMessage);
      void exited.then((code) => reject(new Error(`worker process ${child.pid} exited (${code}) before '${type}'`)));
    });
  const ready = message('ready').then(() => undefined);
  const stopped = message('stopped');
  // Rejections are read where awaited; these keep an early exit from crashing the parent meanwhile.
  ready.catch(() => {});
  stopped.catch(() => {});
  let asked = false;
  const requestStop = () => {
    if (asked || !child.connected) return;
    asked = true;
    child.send({ type: 'stop' } satisfies StopMessage, () => {});
  };
  return { child, ready, stopped, exited, requestStop };
}

/**
 * Upserts `jobs` job schedulers due at the same instants, runs them on `workers` worker processes
 * for `seconds`, then stops the workers, removes every key of the run and reads the ledgers.
 */
export async function runBullmqFleet(options: BullmqFleetOptions): Promise<BullmqFleetResult> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const notes: string[] = [];
  if ((options.every === undefined) === (options.pattern === undefined)) {
    throw new Error('runBullmqFleet: give exactly one of every and pattern');
  }
  const native = options.nativeEvery === true && options.every !== undefined;
  const pattern = native ? undefined : (options.pattern ?? alignedPattern(options.every!));
  const repeat: Omit<RepeatOptions, 'key'> = native ? { every: options.every! } : { pattern: pattern!, tz: 'UTC' };
  const period = native ? options.every! : patternPeriod(pattern!);

  const require = createRequire(import.meta.url);
  const versionOf = (name: string) => (require(`${name}/package.json`) as { version: string }).version;
  notes.push(
    `bullmq ${versionOf('bullmq')} on ioredis ${versionOf('ioredis')}; repeat ${JSON.stringify(repeat)}; ` +
      `${options.workers} worker processes × concurrency ${concurrency}; removeOnComplete: true`,
  );

  const ledgers = await mkdtemp(join(tmpdir(), 'bullmq-peer-'));
  const admin = new Redis(options.redisUrl);
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUE, { connection, prefix: options.prefix });
  const replicas: Replica[] = [];
  let upsertMs = Number.NaN;
  let windowStart = Number.NaN;
  let windowEnd = Number.NaN;
  let before: RedisStats | undefined;
  let after: RedisStats | undefined;
  const firstDue = new Float64Array(options.jobs).fill(Number.NaN);
  const stoppedReports: Extract<WorkerMessage, { type: 'stopped' }>[] = [];
  try {
    for (let w = 0; w < options.workers; w++) {
      replicas.push(
        startReplica(
          [
            ['--redis', options.redisUrl],
            ['--prefix', options.prefix],
            ['--queue', QUEUE],
            ['--concurrency', String(concurrency)],
            ['--ledger', join(ledgers, `worker-${w}.tsv`)],
          ].flat(),
        ),
      );
    }
    await onceWithin(Promise.all(replicas.map((r) => r.ready)), READY_TIMEOUT_MS, 'starting the workers');

    const memoryBefore = (await redisStats(admin)).usedMemory;
    const upsertStart = Date.now();
    await inParallel(options.jobs, options.upsertConcurrency ?? 200, async (i) => {
      const job = await queue.upsertJobScheduler(`job-${i}`, repeat, {
        name: 'tick',
        // BullMQ keeps completed jobs unless told otherwise: one hash per run for good, which no
        // fleet running 100,000 runs a minute could afford, so drop them as such a setup would.
        opts: { removeOnComplete: true },
      });
      firstDue[i] = scheduledAtOf(job) ?? Number.NaN;
    });
    windowStart = Date.now();
    upsertMs = windowStart - upsertStart;
    before = await redisStats(admin);
    notes.push(
      `upserting ${options.jobs.toLocaleString('en-US')} schedulers took ${(upsertMs / 1000).toFixed(1)} s; ` +
        `Redis used_memory grew ${((before.usedMemory - memoryBefore) / options.jobs).toFixed(0)} B per scheduler`,
    );

    await new Promise((r) => setTimeout(r, options.seconds * 1000 - (Date.now() - windowStart)));
    windowEnd = Date.now();
    after = await redisStats(admin);

    for (const r of replicas) r.requestStop();
    for (const r of replicas) {
      try {
        stoppedReports.push(await onceWithin(r.stopped, STOP_TIMEOUT_MS, `stopping worker ${r.child.pid}`));
      } catch (error) {
        notes.push(`worker ${r.child.pid}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  } finally {
    for (const r of replicas) {
      // Only our own children, and only the ones that did not leave when asked (or were never asked,
      // when the run failed half way).
      if (r.child.exitCode === null && r.child.signalCode === null) {
        r.requestStop();
        try {
          await onceWithin(r.exited, 5_000, 'exiting');
        } catch {
          r.child.kill('SIGKILL');
          notes.push(`worker ${r.child.pid} killed: it did not exit after stopping`);
        }
      }
    }
    const cleanupStart = Date.now();
    await inParallel(options.jobs, options.upsertConcurrency ?? 200, async (i) => {
      await queue.removeJobScheduler(`job-${i}`);
    });
    await queue.obliterate({ force: true });
    await queue.close();
    // Anything BullMQ left behind under the prefix (obliterate does not promise every key).
    let leftovers = 0;
    for await (const keys of admin.scanStream({ match: `${options.prefix}:*`, count: 1000 }) as AsyncIterable<
      string[]
    >) {
      if (keys.length > 0) leftovers += await admin.unlink(...keys);
    }
    notes.push(
      `cleanup (removeJobScheduler × ${options.jobs.toLocaleString('en-US')}, obliterate) took ${((Date.now() - cleanupStart) / 1000).toFixed(1)} s` +
        (leftovers > 0 ? `; ${leftovers} keys were left and have been unlinked` : ''),
    );
    await connection.quit();
    await admin.quit();
  }

  // Ledgers: one line per run, `scheduler id \t due ms \t started ms`.
  const counts = new Map<string, number>();
  const lateness = new Map<string, number[]>();
  let runs = 0;
  let runsInStatsWindow = 0;
  for (let w = 0; w < options.workers; w++) {
    const text = await readFile(join(ledgers, `worker-${w}.tsv`), 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const [id, dueText, startedText] = line.split('\t') as [string, string, string];
      const due = Number(dueText);
      const started = Number(startedText);
      runs++;
      if (started >= windowStart && started <= windowEnd) runsInStatsWindow++;
      const key = `${id}\t${due}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      const late = started - due;
      const list = lateness.get(key);
      if (list) list.push(late);
      else lateness.set(key, [late]);
    }
  }
  if (options.keepLedgers) notes.push(`ledgers kept in ${ledgers}`);
  else await rm(ledgers, { recursive: true, force: true });

  const lo = windowStart + (options.startMarginMs ?? 1000);
  const hi = windowEnd - (options.endMarginMs ?? period);
  const shared = pattern ? cronSlots(pattern, lo, hi) : [];
  const expectedKeys = new Set<string>();
  for (let i = 0; i < options.jobs; i++) {
    const slots: number[] = [];
    if (pattern) slots.push(...shared);
    else {
      // { every }: due at its first run's time plus whole periods (getJobSchedulerEveryNextMillis.lua).
      const first = firstDue[i]!;
      for (let t = first + Math.max(0, Math.ceil((lo - first) / period)) * period; t < hi; t += period) {
        if (t > lo) slots.push(t);
      }
    }
    for (const t of slots) expectedKeys.add(`job-${i}\t${t}`);
  }
  let duplicates = 0;
  let extraRuns = 0;
  let misses = 0;
  const late: number[] = [];
  for (const key of expectedKeys) {
    const n = counts.get(key) ?? 0;
    if (n === 0) misses++;
    if (n > 1) {
      duplicates++;
      extraRuns += n - 1;
    }
    late.push(...(lateness.get(key) ?? []));
  }
  let unexpected = 0;
  for (const [key, n] of counts) {
    const due = Number(key.slice(key.indexOf('\t') + 1));
    if (due > lo && due < hi && !expectedKeys.has(key)) unexpected += n;
  }
  // Duplicates outside the measured pairs still break the guarantee: say so.
  const duplicatesAnywhere = [...counts.values()].filter((n) => n > 1).length;
  if (duplicatesAnywhere > duplicates)
    notes.push(`${duplicatesAnywhere - duplicates} more pairs ran more than once outside the window`);
  const sorted = Float64Array.from(late).sort();

  const stalled = stoppedReports.reduce((a, r) => a + r.stalled, 0);
  const failed = stoppedReports.reduce((a, r) => a + r.failed, 0);
  const mismatches = stoppedReports.reduce((a, r) => a + r.prevMillisMismatches, 0);
  const workerCpuMs = stoppedReports.reduce((a, r) => a + r.cpuMs, 0);
  if (stalled + failed + mismatches > 0) {
    notes.push(
      `stalled events ${stalled}, failed jobs ${failed}, job.opts.prevMillis ≠ due time in the id ${mismatches}`,
    );
  }
  for (const r of stoppedReports) for (const e of r.errors) notes.push(`worker error: ${e}`);

  let redisWork: Pick<BullmqFleetResult, 'redisCommandsPerRun' | 'redisScriptCallsPerRun' | 'redisCpuMsPerRun'> = {};
  if (before && after && runsInStatsWindow > 0) {
    // The INFO that took the first snapshot is itself counted by the second one.
    const commands = after.commands - before.commands - 1;
    redisWork = {
      redisCommandsPerRun: commands / runsInStatsWindow,
      redisScriptCallsPerRun: (after.scripts - before.scripts) / runsInStatsWindow,
      redisCpuMsPerRun: (after.cpuMs - before.cpuMs) / runsInStatsWindow,
    };
    const top = [...after.perCommand]
      .map(([name, calls]) => [name, (calls - (before?.perCommand.get(name) ?? 0)) / runsInStatsWindow] as const)
      .filter(([, perRun]) => perRun >= 0.05)
      .sort((a, b) => b[1] - a[1])
      .map(([name, perRun]) => `${name} ${perRun.toFixed(2)}`);
    notes.push(`Redis calls per run (INFO commandstats, in-script calls included): ${top.join(', ')}`);
    notes.push('Redis counters are server-wide: other clients of this Redis during the window are counted too');
  }

  return {
    runs,
    expected: expectedKeys.size,
    duplicates,
    extraRuns,
    misses,
    unexpected,
    latenessP50Ms: percentile(sorted, 50),
    latenessP99Ms: percentile(sorted, 99),
    latenessMaxMs: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
    upsertMs,
    ...redisWork,
    workerCpuMsPerRun: runsInStatsWindow > 0 ? workerCpuMs / runsInStatsWindow : Number.NaN,
    notes,
  };
}

/** `10s`, `1m`, `500ms`, `2h` or plain milliseconds. */
function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new Error(`not a duration: ${text} (try 10s, 1m, 500ms)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 'ms'] ?? 1;
  return Number(match[1]) * unit;
}

async function cli(): Promise<void> {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: '1000' },
      workers: { type: 'string', default: '3' },
      seconds: { type: 'string', default: '40' },
      every: { type: 'string' },
      pattern: { type: 'string' },
      'native-every': { type: 'boolean', default: false },
      concurrency: { type: 'string', default: String(DEFAULT_CONCURRENCY) },
      redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
      prefix: { type: 'string', default: `bullmq-peer-${process.pid}-${Date.now().toString(36)}` },
      'keep-ledgers': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const options: BullmqFleetOptions = {
    redisUrl: values.redis,
    jobs: Number(values.jobs),
    workers: Number(values.workers),
    seconds: Number(values.seconds),
    concurrency: Number(values.concurrency),
    prefix: values.prefix,
    nativeEvery: values['native-every'],
    keepLedgers: values['keep-ledgers'],
    ...(values.pattern !== undefined ? { pattern: values.pattern } : { every: parseDuration(values.every ?? '10s') }),
  };
  const r = await runBullmqFleet(options);
  if (values.json) {
    console.log(JSON.stringify({ options, ...r }));
    return;
  }
  const schedule =
    options.pattern !== undefined
      ? `pattern '${options.pattern}'`
      : `every ${values.every ?? '10s'}${options.nativeEvery ? ' (native every)' : ''}`;
  const n = (x: number) => x.toLocaleString('en-US');
  const f = (x: number | undefined, digits = 2) => (x === undefined ? 'n/a' : x.toFixed(digits));
  console.log(
    `bullmq: ${n(options.jobs)} jobs ${schedule} × ${options.workers} workers (concurrency ${options.concurrency}), ${options.seconds} s: ` +
      `runs ${n(r.runs)}, expected ${n(r.expected)}, duplicates ${n(r.duplicates)}, misses ${n(r.misses)}, unexpected ${n(r.unexpected)}, ` +
      `lateness p50 ${n(r.latenessP50Ms)} ms p99 ${n(r.latenessP99Ms)} ms max ${n(r.latenessMaxMs)} ms, upsert ${f(r.upsertMs / 1000, 1)} s, ` +
      `per run: Redis ${f(r.redisCommandsPerRun, 1)} commands / ${f(r.redisScriptCallsPerRun)} scripts / ${f(r.redisCpuMsPerRun, 3)} ms CPU, workers ${f(r.workerCpuMsPerRun, 3)} ms CPU`,
  );
  for (const note of r.notes) console.error(`  ${note}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await cli();

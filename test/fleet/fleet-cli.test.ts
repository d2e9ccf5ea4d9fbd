// `tickwise fleet` against running replicas: two Schedulers share a store (a real Redis, a real
// PostgreSQL, or a MemoryStore behind a service's HTTP routes), and the CLI reads and controls them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ClaimStore,
  createHealthHandler,
  cron,
  every,
  type FleetHealth,
  type FleetRun,
  MemoryStore,
  type RunContext,
  Scheduler,
} from '@tickwise/core';
import type { FleetStore } from '@tickwise/core/store';
import { migrate, PostgresStore } from '@tickwise/postgres';
import { RedisStore } from '@tickwise/redis';
import { Redis } from 'ioredis';
import pg from 'pg';
import { FleetClientError } from '../../packages/analyzer/src/cli/fleet-client.js';
import { fleetCommand } from '../../packages/analyzer/src/cli/fleet-command.js';
import { openDirectClient } from '../../packages/analyzer/src/cli/fleet-direct.js';
import { runCli } from '../../packages/analyzer/src/cli/main.js';
import { DATABASE_URL, freePort, REDIS_URL, requireServer, sleep, uniqueName } from '../helpers/services.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..', '..');
const MAIN = join(ROOT, 'packages', 'analyzer', 'src', 'cli', 'main.ts');
const TOKEN = 'fleet-cli-test-token-0123456789';
const USER_ENV = { USER: 'ops' };

type Env = Record<string, string | undefined>;

/** Runs `tickwise <argv>` in-process and captures what it prints. */
async function tickwise(env: Env, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { cwd: ROOT, env, out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

class UpstreamError extends Error {
  override name = 'UpstreamError';
}

/** Waits until `check` holds, polling; fails with `what` after `ms`. */
async function until(check: () => Promise<boolean> | boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * Two replicas, web-1 (1.4.0) and web-2 (1.5.0), with the same jobs: export.orders (every second,
 * succeeds), export.invoices (every second, fails), report.daily (06:00, quick) and report.weekly
 * (Mondays 06:00, takes 1.5 s). The ledger gets `<job> <trigger> <replica>` for every run started.
 */
class Replicas {
  readonly ledger: string[] = [];
  readonly stores: ClaimStore[] = [];
  readonly schedulers: Scheduler[] = [];

  constructor(makeStore: () => ClaimStore) {
    for (const [id, version] of [
      ['web-1', '1.4.0'],
      ['web-2', '1.5.0'],
    ] as const) {
      const store = makeStore();
      this.stores.push(store);
      const scheduler = new Scheduler({ store, instanceId: id, env: {}, logger: false, serviceVersion: version });
      const note = (ctx: RunContext) => this.ledger.push(`${ctx.job.name} ${ctx.trigger} ${id}`);
      scheduler.add({ name: 'export.orders', schedule: every('1s'), owner: 'data-team', run: note });
      scheduler.add({
        name: 'export.invoices',
        schedule: every('1s'),
        owner: 'billing',
        run: (ctx) => {
          note(ctx);
          throw new UpstreamError('ledger API answered 503');
        },
      });
      scheduler.add({ name: 'report.daily', schedule: cron('0 6 * * *'), owner: 'data-team', run: note });
      scheduler.add({
        name: 'report.weekly',
        schedule: cron('0 6 * * 1'),
        run: async (ctx) => {
          note(ctx);
          await sleep(1500);
        },
      });
      this.schedulers.push(scheduler);
    }
  }

  async start(): Promise<void> {
    await Promise.all(this.schedulers.map((s) => s.start()));
    const fleet = this.schedulers[0]?.fleet;
    assert.ok(fleet, 'the store keeps fleet state');
    // Runs are in the store's history once their completion is: wait for it there, not for events.
    await until(async () => {
      const [orders, invoices] = await Promise.all([fleet.runs('export.orders'), fleet.runs('export.invoices')]);
      return orders.length >= 2 && invoices.length >= 1;
    }, 'two runs of export.orders and one of export.invoices in the store');
    // A replica's first heartbeat says it started at 0 (core sets startedAt after joining), which
    // makes every job that has not run yet look overdue: wait for the next beat (within 5 s).
    await until(
      async () => (await fleet.status()).replicas.every((replica) => replica.startedAt.getTime() > 0),
      'the replicas to report their start time',
      7000,
    );
  }

  /** Whether every replica holds `job` paused (its jobs() snapshot). */
  paused(job: string): boolean[] {
    return this.schedulers.map((s) => s.jobs().find((j) => j.name === job)?.paused ?? false);
  }

  async stop(): Promise<void> {
    await Promise.all(this.schedulers.map((s) => s.stop({ graceMs: 2000 })));
  }
}

interface Backend {
  /** In before(): checks the server and makes a fresh namespace; returns a store factory. */
  prepare(context: Mocha.Context): Promise<() => ClaimStore>;
  /** After the replicas started (the HTTP service is built over one of them). */
  serve?(replicas: Replicas): Promise<void>;
  /** The CLI flags that reach the fleet. */
  flags(): string[];
  env: Env;
  cleanup(): Promise<void>;
}

/** What every way of reaching the fleet must do the same. */
function fleetCliContract(backend: Backend): void {
  let replicas: Replicas;
  const fleet = (...argv: string[]) => tickwise(backend.env, 'fleet', ...argv, ...backend.flags());

  before(async function () {
    this.timeout(15_000);
    const makeStore = await backend.prepare(this);
    replicas = new Replicas(makeStore);
    await replicas.start();
    await backend.serve?.(replicas);
  });
  after(async function () {
    this.timeout(15_000);
    await replicas?.stop();
    for (const store of replicas?.stores ?? []) await (store as { close?: () => Promise<void> }).close?.();
    await backend.cleanup();
  });

  it('status: the fleet line, a job table (last run, next run, owner), the replicas and what needs a look; exit code 1 while a job fails', async () => {
    const { code, out, err } = await fleet('status');
    assert.equal(err, '');
    assert.equal(code, 1);
    assert.match(
      out,
      /^Fleet (degraded|failing) · 2 of 2 replicas alive · 4 jobs: 3 ok, 1 (degraded|failing) · store time \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/m,
    );
    assert.match(out, /^JOB\s+STATUS\s+LAST RUN\s+NEXT RUN\s+OWNER$/m);
    assert.match(
      out,
      /^export\.orders\s+ok\s+✓ (just now|\d+s ago) on web-[12] · \d+ ms \(p95 \d+ ms\)\s+in \d+s\s+data-team$/m,
    );
    assert.match(out, /^export\.invoices\s+(degraded|failing)\s+✗ failed \d+× · UpstreamError\s+in \d+s\s+billing$/m);
    assert.match(out, /^report\.daily\s+ok\s+-\s+in \d+[hms]( \d+[ms])?\s+data-team$/m);
    assert.match(out, /^report\.weekly\s+ok\s+-\s+in \d+[dhms]( \d+[hms])?\s+-$/m);
    assert.match(out, /^web-1\s+alive\s+1\.4\.0\s+\S+:\d+\s+4\s+(just now|\d+s ago)$/m);
    assert.match(out, /^web-2\s+alive\s+1\.5\.0\s+\S+:\d+\s+4\s+(just now|\d+s ago)$/m);
    assert.match(
      out,
      /^(degraded|failing)\s+export\.invoices: \d+ failed runs? in a row, the last (just now|\d+s ago) on web-[12] · UpstreamError: ledger API answered 503$/m,
    );
  });

  it('status --json: the FleetHealth document, and the same exit code', async () => {
    const { code, out } = await fleet('status', '--json');
    assert.equal(code, 1);
    const health = JSON.parse(out) as FleetHealth;
    assert.equal(health.scope, 'fleet');
    assert.match(health.status, /^(degraded|failing)$/);
    assert.deepEqual(
      health.replicas.map((r) => `${r.instanceId} ${r.alive} ${r.version}`),
      ['web-1 true 1.4.0', 'web-2 true 1.5.0'],
    );
    assert.deepEqual(
      health.jobs.map((j) => j.name),
      ['export.invoices', 'export.orders', 'report.daily', 'report.weekly'],
    );
    const invoices = health.jobs.find((j) => j.name === 'export.invoices');
    assert.equal(invoices?.owner, 'billing');
    assert.deepEqual(invoices?.replicas, ['web-1', 'web-2']);
    assert.equal(invoices?.lastRun?.error?.type, 'UpstreamError');
    assert.ok((invoices?.failureStreak ?? 0) >= 1);
  });

  it('runs <job>: newest first, with start, replica, version, trigger, outcome, duration and error; -n limits; --json', async () => {
    const text = await fleet('runs', 'export.invoices', '-n', '1');
    assert.equal(text.code, 0);
    const lines = text.out.split('\n');
    assert.deepEqual(lines.slice(0, 2), ['export.invoices: 1 run, newest first', '']);
    assert.match(lines[2] ?? '', /^STARTED\s+REPLICA\s+VERSION\s+TRIGGER\s+OUTCOME\s+DURATION\s+ERROR$/);
    assert.match(
      lines[3] ?? '',
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \((just now|\d+s ago)\)\s+web-[12]\s+1\.[45]\.0\s+schedule\s+✗ failure\s+\d+ ms\s+UpstreamError: ledger API answered 503$/,
    );
    assert.equal(lines.length, 4);

    const json = await fleet('runs', 'export.orders', '-n', '2', '--json');
    assert.equal(json.code, 0);
    const { job, runs } = JSON.parse(json.out) as { job: string; runs: FleetRun[] };
    assert.equal(job, 'export.orders');
    assert.equal(runs.length, 2);
    assert.ok(new Date(runs[0]?.startedAt as Date) > new Date(runs[1]?.startedAt as Date), 'newest first');
    assert.deepEqual(
      runs.map((run) => `${run.outcome} ${run.trigger}`),
      ['success schedule', 'success schedule'],
    );
  });

  it('pause <glob> --reason --until: every replica holds the jobs within a second, status exits 0 (paused jobs do not count); resume takes the pattern as paused', async () => {
    const paused = await fleet('pause', 'export.*', '--reason', 'ledger API down', '--until', '2h', '--by', 'ops@ci');
    assert.equal(paused.err, '');
    assert.equal(paused.code, 0);
    assert.match(
      paused.out,
      /^Paused 'export\.\*' \(2 jobs: export\.invoices, export\.orders\) until \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(in 2h\), by ops@ci: ledger API down$/m,
    );
    const since = Date.now();
    await until(
      () => [...replicas.paused('export.orders'), ...replicas.paused('export.invoices')].every(Boolean),
      'both replicas to hold both export jobs',
      1000,
    );
    assert.ok(Date.now() - since <= 1000);
    assert.deepEqual(replicas.paused('report.daily'), [false, false]);

    const status = await fleet('status');
    assert.equal(status.code, 0, status.out);
    assert.match(status.out, /^Fleet ok · 2 of 2 replicas alive · 4 jobs: 2 ok, 2 paused/m);
    assert.match(status.out, /^export\.orders\s+paused\s+.*\s+paused\s+data-team$/m);
    assert.match(
      status.out,
      /^paused\s+export\.\* \(export\.invoices, export\.orders\) by ops@ci until \S+ \S+Z \(in (2h|1h 59m)\) · ledger API down$/m,
    );
    const health = JSON.parse((await fleet('status', '--json')).out) as FleetHealth;
    const pause = health.jobs.find((j) => j.name === 'export.orders')?.paused;
    assert.equal(new Date(pause?.until as Date).getTime() - new Date(pause?.at as Date).getTime(), 2 * 3_600_000);

    const wrong = await fleet('resume', 'export.orders');
    assert.equal(wrong.code, 1);
    assert.match(wrong.err, /there is no pause of exactly 'export\.orders' .*; pauses in force: 'export\.\*'/);

    const resumed = await fleet('resume', 'export.*');
    assert.equal(resumed.code, 0);
    assert.equal(resumed.out, "Resumed 'export.*': every replica runs its ticks again within a second.");
    await until(
      () => [...replicas.paused('export.orders'), ...replicas.paused('export.invoices')].every((p) => !p),
      'both replicas to run the export jobs again',
      1000,
    );
  });

  it('pause of a pattern no job matches: exit code 1, and the pause is recorded; resume with no such pause: exit code 1', async () => {
    const paused = await fleet('pause', 'nightly.*', '--reason', 'not yet');
    assert.equal(paused.code, 1);
    assert.match(
      paused.out,
      new RegExp(`^Paused 'nightly\\.\\*' \\(0 jobs\\) until resumed, by ops@${hostname()}: not yet$`),
    );
    assert.match(paused.err, /no job the fleet knows matches 'nightly\.\*': the pause is recorded/);
    const json = await fleet('pause', 'nightly.*', '--reason', 'not yet', '--json');
    assert.equal(json.code, 1);
    const answer = JSON.parse(json.out) as { paused: { pattern: string; by: string; until: null }; jobs: string[] };
    assert.deepEqual([answer.paused.pattern, answer.paused.until, answer.jobs], ['nightly.*', null, []]);
    assert.equal((await fleet('resume', 'nightly.*')).code, 0, 'it was recorded');
    const again = await fleet('resume', 'nightly.*');
    assert.equal(again.code, 1);
    assert.match(again.err, /there is no pause of exactly 'nightly\.\*'/);
    assert.equal(
      (await fleet('resume', 'nightly.*', '--json')).out,
      '{\n  "pattern": "nightly.*",\n  "resumed": false\n}',
    );
  });

  it('trigger <job> --wait: one run on one of the replicas, recorded with trigger fleet; exit code 1 when it fails or does not end in time', async () => {
    const { code, out } = await fleet('trigger', 'report.daily', '--wait', '5s');
    assert.equal(code, 0, out);
    assert.match(
      out,
      new RegExp(
        `^Triggered 'report\\.daily' \\(request \\S+, by ops@${hostname()}\\): one of web-1, web-2 runs it within a second\\.\\n✓ ran on web-[12] in \\d+ ms$`,
      ),
    );
    await sleep(1200); // two control polls: a second replica would have started it by now
    assert.equal(replicas.ledger.filter((line) => line.startsWith('report.daily fleet')).length, 1);
    const { runs } = JSON.parse((await fleet('runs', 'report.daily', '--json')).out) as { runs: FleetRun[] };
    assert.deepEqual(
      runs.map((run) => `${run.trigger} ${run.outcome}`),
      ['fleet success'],
    );

    const json = await fleet('trigger', 'export.orders', '--json');
    assert.equal(json.code, 0);
    const answer = JSON.parse(json.out) as { triggered: { job: string; by: string }; replicas: string[] };
    assert.deepEqual(
      [answer.triggered.job, answer.triggered.by, answer.replicas],
      ['export.orders', `ops@${hostname()}`, ['web-1', 'web-2']],
    );

    const failed = await fleet('trigger', 'export.invoices', '--wait');
    assert.equal(failed.code, 1);
    assert.match(failed.out, /^✗ failure on web-[12] after \d+ ms · UpstreamError: ledger API answered 503$/m);

    const slow = await fleet('trigger', 'report.weekly', '--wait', '300ms');
    assert.equal(slow.code, 1);
    assert.match(slow.out, /^✗ no run of 'report\.weekly' ended within 300 ms$/m);
  });

  it('trigger of a job no live replica has: exit code 1, nothing requested (and runs of it: none, exit code 0)', async () => {
    const { code, err } = await fleet('trigger', 'report.dialy');
    assert.equal(code, 1);
    assert.match(
      err,
      /no live replica has the job 'report\.dialy', so nothing was triggered \(jobs on live replicas: export\.invoices, export\.orders, report\.daily, report\.weekly\)/,
    );
    const controls = await (replicas.stores[0] as FleetStore).readControls();
    assert.deepEqual(await fleet('runs', 'report.dialy'), {
      code: 0,
      out: "No runs of 'report.dialy' in the store's history.",
      err: '',
    });
    assert.deepEqual(
      controls.triggers.filter((t) => t.job === 'report.dialy'),
      [],
    );
  });
}

/** `tickwise` as a process (the bin), to see that it ends by itself. */
function bin(...argv: string[]) {
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx/esm', '--conditions=tickwise-source', MAIN, ...argv], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 15_000,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return { ...result, ms: Date.now() - started };
}

describe('tickwise fleet --redis', () => {
  const prefix = `${uniqueName('fleetcli')}:`;
  let reachable = false;
  fleetCliContract({
    env: USER_ENV,
    async prepare(context) {
      await requireServer(context, 'Redis');
      reachable = true;
      return () => new RedisStore({ client: REDIS_URL, prefix });
    },
    flags: () => ['--redis', REDIS_URL, '--prefix', prefix],
    async cleanup() {
      if (!reachable) return;
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`{${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  });

  it('the process ends by itself once it has printed (the store is closed)', () => {
    const result = bin('fleet', 'status', '--redis', REDIS_URL, '--prefix', `${uniqueName('empty')}:`);
    assert.equal(result.signal, null, `killed after ${result.ms} ms: ${result.stderr}`);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stdout, /^Fleet degraded · 0 of 0 replicas alive · 0 jobs/);
  });

  it('a Redis that does not answer: exit code 3, saying where it looked', async () => {
    const port = await freePort();
    const { code, err } = await tickwise(USER_ENV, 'fleet', 'status', '--redis', `redis://127.0.0.1:${port}`);
    assert.equal(code, 3);
    assert.match(
      err,
      new RegExp(
        `^tickwise fleet: Redis at redis://127\\.0\\.0\\.1:${port} \\(prefix 'tickwise:'\\): cannot reach Redis`,
      ),
    );
  });
});

describe('tickwise fleet --postgres', () => {
  let pool: pg.Pool | undefined;
  const schema = uniqueName('fleetcli').toLowerCase();
  fleetCliContract({
    env: USER_ENV,
    async prepare(context) {
      await requireServer(context, 'PostgreSQL');
      pool = new pg.Pool({ connectionString: DATABASE_URL });
      await migrate(pool, { schema });
      return () => new PostgresStore({ pool: DATABASE_URL, schema });
    },
    flags: () => ['--postgres', DATABASE_URL, '--schema', schema],
    async cleanup() {
      await pool?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool?.end();
    },
  });

  it('the process ends by itself once it has printed (the pool is closed)', () => {
    const result = bin('fleet', 'runs', 'export.orders', '-n', '1', '--postgres', DATABASE_URL, '--schema', schema);
    assert.equal(result.signal, null, `killed after ${result.ms} ms: ${result.stderr}`);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^export\.orders: 1 run, newest first/);
  });

  it('a schema without the tables: exit code 3, saying to migrate', async () => {
    const { code, err } = await tickwise(
      USER_ENV,
      'fleet',
      'status',
      '--postgres',
      DATABASE_URL,
      '--schema',
      'no_such_schema',
    );
    assert.equal(code, 3);
    assert.match(
      err,
      /no_such_schema\.tickwise_claims\): the table "no_such_schema"\."tickwise_claims" does not exist: run migrate/,
    );
  });

  it('a PostgreSQL that does not answer: exit code 3; the password is not printed', async () => {
    const port = await freePort();
    const { code, err } = await tickwise(
      USER_ENV,
      'fleet',
      'status',
      '--postgres',
      `postgres://ops:s3cret@127.0.0.1:${port}/db`,
    );
    assert.equal(code, 3);
    assert.match(
      err,
      new RegExp(`PostgreSQL at postgres://ops:\\*\\*\\*@127\\.0\\.0\\.1:${port}/db .*cannot reach PostgreSQL`),
    );
    assert.doesNotMatch(err, /s3cret/);
  });
});

describe('tickwise fleet --url', () => {
  let server: Server | undefined;
  let base = '';
  fleetCliContract({
    env: { ...USER_ENV, TICKWISE_TOKEN: TOKEN },
    async prepare() {
      const store = new MemoryStore();
      return () => store;
    },
    async serve(replicas) {
      const handler = createHealthHandler(replicas.schedulers[0] as Scheduler, { token: TOKEN });
      server = createServer((request, response) => handler(request, response)).listen(0, '127.0.0.1');
      await once(server, 'listening');
      base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    },
    flags: () => ['--url', `${base}/jobs`],
    async cleanup() {
      server?.closeAllConnections();
      server?.close();
    },
  });

  it('--token instead of TICKWISE_TOKEN', async () => {
    const { code, out } = await tickwise(USER_ENV, 'fleet', 'status', '--url', `${base}/jobs`, '--token', TOKEN);
    assert.equal(code, 1);
    assert.match(out, /^Fleet (degraded|failing) · 2 of 2 replicas alive/);
  });

  it('a refused or missing token, or a URL without the fleet routes: exit code 3, saying what to change', async () => {
    const wrong = await tickwise(USER_ENV, 'fleet', 'status', '--url', `${base}/jobs`, '--token', 'nope');
    assert.equal(wrong.code, 3);
    assert.match(wrong.err, /the service refused the token \(401\): check TICKWISE_TOKEN or --token$/);
    const none = await tickwise(USER_ENV, 'fleet', 'runs', 'export.orders', '--url', `${base}/jobs`);
    assert.equal(none.code, 3);
    assert.match(none.err, /the service wants a token \(401\): set TICKWISE_TOKEN \(or pass --token\)$/);
    const elsewhere = await tickwise(USER_ENV, 'fleet', 'status', '--url', `${base}/internal/jobs`, '--token', TOKEN);
    assert.equal(elsewhere.code, 3);
    assert.match(elsewhere.err, /not found \(404\) .*: give the service's jobs endpoint/);
  });

  it('controls without a token are refused before anything is sent: exit code 2', async () => {
    const { code, err } = await tickwise(USER_ENV, 'fleet', 'trigger', 'report.daily', '--url', `${base}/jobs`);
    assert.equal(code, 2);
    assert.match(err, /fleet trigger over --url needs the service's token: set TICKWISE_TOKEN/);
  });

  it('a service that does not answer within --timeout, or is not there: exit code 3', async () => {
    const silent = createServer(() => {}).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}/jobs`;
      const slow = await tickwise(USER_ENV, 'fleet', 'status', '--url', url, '--timeout', '300ms');
      assert.equal(slow.code, 3);
      assert.match(slow.err, /no answer within 300 ms$/);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
    const port = await freePort();
    const gone = await tickwise(USER_ENV, 'fleet', 'status', '--url', `http://127.0.0.1:${port}/jobs`);
    assert.equal(gone.code, 3);
    assert.match(
      gone.err,
      new RegExp(`^tickwise fleet: cannot reach http://127\\.0\\.0\\.1:${port}/jobs: ECONNREFUSED$`),
    );
  });
});

describe('tickwise fleet: usage', () => {
  const usage = (...argv: string[]) => tickwise(USER_ENV, 'fleet', ...argv);
  const cases: [string[], RegExp][] = [
    [['pause', 'export.*', '--redis', REDIS_URL], /a pause needs a reason/],
    [
      ['status', '--redis', REDIS_URL, '--url', 'http://127.0.0.1/jobs'],
      /give one of --redis, --postgres and --url, not --redis and --url/,
    ],
    [['status'], /say where the fleet state is: --redis <url>, --postgres <url> or --url <service>\/jobs/],
    [
      ['pause', 'a', '--reason', 'x', '--until', 'soon', '--redis', REDIS_URL],
      /--until takes a duration such as 2h, 30m or 1h30m: duration 'soon'/,
    ],
    [['pause', 'a', '--reason', 'x', '--until', '2', '--redis', REDIS_URL], /--until needs a unit: 2s, 2m or 2h/],
    [['trigger', 'export.*', '--redis', REDIS_URL], /trigger takes one job name, not a pattern: 'export\.\*'/],
    [['trigger', 'a', '--wait', '30', '--redis', REDIS_URL], /--wait needs a unit: 30s, 30m or 30h/],
    [['status', '--prefix', 'x:', '--url', 'http://127.0.0.1/jobs'], /--prefix is only for --redis/],
    [['status', '--reason', 'x', '--redis', REDIS_URL], /--reason is only for tickwise fleet pause/],
    [['status', '--url', 'http://127.0.0.1:3000/health'], /--url must end with the jobs endpoint/],
    [['runs', '--redis', REDIS_URL], /tickwise fleet runs takes job: tickwise fleet runs <job>/],
    [['restart', '--redis', REDIS_URL], /unknown fleet command 'restart'/],
    [['status', '--redis', 'http://127.0.0.1:6379'], /'http:' is not a Redis URL scheme/],
  ];
  for (const [argv, message] of cases) {
    it(`exit code 2: tickwise fleet ${argv.join(' ')}`, async () => {
      const { code, out, err } = await usage(...argv);
      assert.equal(code, 2);
      assert.equal(out, '');
      assert.match(err, message);
      assert.match(err, /\nRun `tickwise fleet --help` for usage\.$/);
    });
  }

  it('--help lists the commands, the ways to the fleet (the token from TICKWISE_TOKEN) and the exit codes', async () => {
    const { code, out } = await usage('--help');
    assert.equal(code, 0);
    assert.match(out, /tickwise fleet pause <job\|glob> --reason "…" \[--until <duration>\]/);
    assert.match(out, /the token from TICKWISE_TOKEN, which keeps\s+it out of shell history/);
    assert.match(out, /^Exit codes:\n {2}0 {2}done/m);
    assert.equal((await usage()).code, 2, 'no fleet command: the help, exit code 2');
  });

  it('a store package that is not installed: exit code 2, saying what to install', async () => {
    const missing = () =>
      Promise.reject(
        Object.assign(new Error("Cannot find package '@tickwise/redis'"), { code: 'ERR_MODULE_NOT_FOUND' }),
      );
    const err: string[] = [];
    const code = await fleetCommand(
      ['status', '--redis', REDIS_URL],
      { cwd: ROOT, env: USER_ENV, out: () => {}, err: (t) => err.push(t) },
      { load: missing },
    );
    assert.equal(code, 2);
    assert.deepEqual(err, [
      'tickwise fleet: --redis needs @tickwise/redis (and ioredis) where tickwise runs: npm install @tickwise/redis',
    ]);
    await assert.rejects(openDirectClient({ kind: 'postgres', url: DATABASE_URL }, { load: missing }), (error) => {
      assert.ok(error instanceof FleetClientError);
      assert.equal(error.code, 'FLEET_NOT_INSTALLED');
      assert.match(error.message, /npm install @tickwise\/postgres$/);
      return true;
    });
  });
});

// The fleet view across real processes on real Redis and PostgreSQL (a throwaway server each):
// 3 replicas write their runs and heartbeats to the store; an operator's Fleet (as the CLI builds
// one) reads the union, pauses a job on every replica within a second, and the pause holds for a
// replica that restarts; a trigger runs once; a failing new version is flagged. Counted from the
// replicas' ledgers, not from what the store says about itself.

import assert from 'node:assert/strict';
import { type ClaimStore, type FleetHealth, Fleet as FleetView } from '@tickwise/core';
import { PostgresStore } from '@tickwise/postgres';
import { RedisStore } from '@tickwise/redis';
import { runCli } from '../../packages/analyzer/src/cli/main.js';
import type { Fleet, FleetReplica, ReplicaEvent } from './fleet.js';
import type { ReplicaConfig } from './replica.js';
import { freshServerAndFleet, STORE_NAMES, type StoreKind, type StoreServer, sleep } from './servers.js';

const JOBS = { count: 6, every: '1s', leaseMs: 3000, runMs: 20 };

/** `tickwise fleet …` as an operator types it, against the replicas' store; returns the exit code and output. */
async function tickwise(spec: ReplicaConfig['store'], ...args: string[]): Promise<{ code: number; out: string }> {
  const target =
    spec.kind === 'redis'
      ? ['--redis', spec.url, '--prefix', spec.prefix]
      : spec.kind === 'postgres'
        ? ['--postgres', spec.url, '--schema', spec.schema]
        : [];
  const out: string[] = [];
  const code = await runCli(['fleet', ...args, ...target], {
    cwd: process.cwd(),
    env: { USER: 'ana' },
    out: (text) => out.push(text),
    err: (text) => out.push(text),
  });
  return { code, out: out.join('') };
}

function operatorStore(spec: ReplicaConfig['store']): ClaimStore & { close(): Promise<void> } {
  if (spec.kind === 'redis') return new RedisStore({ client: spec.url, prefix: spec.prefix });
  if (spec.kind === 'postgres') return new PostgresStore({ pool: spec.url, schema: spec.schema });
  throw new Error(`no operator store for ${spec.kind}`);
}

/** The parts of a fleet snapshot that do not move with the clock (next runs, last seen do). */
function settled(health: FleetHealth) {
  return {
    replicas: health.replicas.map((r) => `${r.instanceId} ${r.alive} ${r.jobs} ${r.version ?? '-'}`),
    jobs: health.jobs.map((j) => ({
      name: j.name,
      replicas: j.replicas,
      runs: j.runs,
      failures: j.failures,
      lastRun: j.lastRun && `${j.lastRun.instanceId} ${new Date(j.lastRun.tick).getTime()}`,
      paused: j.paused?.pattern ?? null,
      durationMs: j.durationMs,
    })),
  };
}

async function fleetHealthOf(replica: FleetReplica): Promise<FleetHealth> {
  const seen = replica.events.length;
  replica.child.kill('SIGUSR1');
  const event = await replica.waitFor(
    (e) => e.type === 'fleet-health' && replica.events.indexOf(e) >= seen,
    10_000,
    'its fleet health',
  );
  return (event as ReplicaEvent & { fleet: FleetHealth }).fleet;
}

for (const kind of ['redis', 'postgres'] as StoreKind[]) {
  describe(`${STORE_NAMES[kind]}: the fleet view across 3 replica processes`, function () {
    this.timeout(120_000);
    const fresh = freshServerAndFleet(kind);
    let server: StoreServer;
    let fleet: Fleet;
    let store: ClaimStore & { close(): Promise<void> };
    beforeEach(() => {
      server = fresh.server();
      fleet = fresh.fleet();
      store = operatorStore(server.store());
    });
    afterEach(async () => {
      await store?.close();
    });

    const start = (id: string, extra: Partial<ReplicaConfig> = {}) =>
      fleet.start({
        id,
        instanceId: id,
        store: server.store(),
        jobs: JOBS,
        reportControls: true,
        idleJob: 'nightly',
        ownJob: `own-${id}`,
        ...extra,
      });

    it('history holds every replica’s runs, health is the union from any replica, a pause holds on all within 1 s and across a restart, a trigger runs once', async () => {
      await Promise.all(['web-1', 'web-2', 'web-3'].map((id) => start(id)));
      await sleep(5000);
      const view = new FleetView(store);

      // Every run in the ledgers is in the history, under the replica that ran it.
      const ledger = fleet.runs().filter((run) => run.endedAt !== null);
      const history = new Set<string>();
      const names = [
        ...Array.from({ length: JOBS.count }, (_, i) => `job-${i}`),
        'own-web-1',
        'own-web-2',
        'own-web-3',
      ];
      for (const name of names) {
        for (const run of await view.runs(name)) history.add(`${run.instanceId} ${name} ${run.tick.getTime()}`);
      }
      const missing = ledger.filter((run) => !history.has(`${run.replica} ${run.job} ${run.tick}`));
      // A run that ended in the last instant may still be on its way to the store.
      assert.ok(
        missing.every((run) => (run.endedAt ?? 0) > Date.now() - 1000),
        `not in the history: ${JSON.stringify(missing)}`,
      );
      assert.deepEqual(
        [...new Set([...history].map((line) => line.split(' ')[0]))].sort(),
        ['web-1', 'web-2', 'web-3'],
        'runs from every replica (each has a job of its own)',
      );
      const spread = new Set(ledger.filter((run) => run.job.startsWith('job-')).map((run) => run.replica));
      console.log(`      shared jobs ran on: ${[...spread].sort().join(', ')}`);

      // Pause job-1 everywhere from the CLI: each replica hears of it within a second; none starts it after that.
      const pausedAt = Date.now();
      const paused = await tickwise(server.store(), 'pause', 'job-1', '--reason', 'bad upstream data', '--by', 'ana');
      assert.equal(paused.code, 0, paused.out);
      const heard = await Promise.all(
        fleet.replicas.map((replica) =>
          replica.waitFor((e) => e.type === 'paused' && e.job === 'job-1', 5000, 'the pause of job-1'),
        ),
      );
      const heardAt = heard.map((event) => Number(event.at));
      heard.forEach((event, i) => {
        const after = (heardAt[i] as number) - pausedAt;
        assert.ok(after < 1000, `${event.r} heard of the pause after ${after} ms`);
        assert.equal(event.by, 'ana');
      });
      const effective = Math.max(...heardAt);

      // A replica restarts: the pause holds from its first tick.
      const [, second] = fleet.replicas as [FleetReplica, FleetReplica, FleetReplica];
      second.child.kill('SIGTERM');
      await second.exited;
      const restarted = await start('web-2b');
      assert.ok(
        restarted.events.findIndex((e) => e.type === 'paused' && e.job === 'job-1') <
          restarted.events.findIndex((e) => e.type === 'ready'),
        'the restarted replica read the pause before it was ready',
      );
      await sleep(3000);
      const pausedRuns = fleet.runs().filter((run) => run.job === 'job-1' && run.startedAt > effective);
      assert.deepEqual(pausedRuns, [], 'no replica started job-1 once it heard of the pause');

      // Pause everything, let the last runs land, then compare what each replica and the operator see.
      await view.pause('*', { reason: 'compare', by: 'test', for: '10m' });
      await sleep(2500);
      const live = fleet.replicas.filter((replica) => replica.child.exitCode === null);
      const [fromFirst, fromRestarted, fromOperator] = await Promise.all([
        fleetHealthOf(live[0] as FleetReplica),
        fleetHealthOf(restarted),
        view.status(),
      ]);
      assert.deepEqual(settled(fromFirst), settled(fromOperator));
      assert.deepEqual(settled(fromRestarted), settled(fromOperator));
      assert.deepEqual(
        fromOperator.replicas.map((r) => `${r.instanceId} ${r.alive}`),
        ['web-1 true', 'web-2 false', 'web-2b true', 'web-3 true'],
        'the replica that stopped is listed, not alive',
      );
      const job1 = fromOperator.jobs.find((j) => j.name === 'job-1');
      assert.equal(job1?.status, 'paused');
      assert.deepEqual(job1?.replicas, ['web-1', 'web-2b', 'web-3']);
      assert.deepEqual(
        fromOperator.jobs.find((j) => j.name === 'own-web-2')?.replicas,
        [],
        'a job only the stopped replica had: no live replica has it',
      );

      // A trigger of a job that never comes due, from the CLI, runs once across the three live
      // replicas (a trigger is "run now", paused or not).
      const triggered = await tickwise(server.store(), 'trigger', 'nightly', '--wait', '10s', '--json');
      assert.equal(triggered.code, 0, triggered.out);
      await sleep(2000);
      const nightly = fleet.runs().filter((run) => run.job === 'nightly');
      assert.equal(nightly.length, 1, `ran ${nightly.length} times: ${JSON.stringify(nightly)}`);
      const recorded = await view.runs('nightly');
      assert.deepEqual(
        recorded.map((run) => `${run.trigger} ${run.instanceId}`),
        [`fleet ${nightly[0]?.replica}`],
      );
      await fleet.stop();
    });

    it('flags a new service version whose runs fail where the previous version’s did not', async () => {
      const old = await start('v1', { serviceVersion: '1.4.0' });
      await sleep(4500);
      old.child.kill('SIGTERM');
      await old.exited;
      await start('v2', { serviceVersion: '1.5.0', failingJobs: ['job-0'] });
      await sleep(4500);
      const health = await new FleetView(store).status();
      const job0 = health.jobs.find((j) => j.name === 'job-0');
      const job1 = health.jobs.find((j) => j.name === 'job-1');
      assert.equal(job0?.regression?.version, '1.5.0');
      assert.equal(job0?.regression?.previous, '1.4.0');
      assert.equal(job0?.regression?.failureRate?.now, 1);
      assert.equal(job0?.regression?.failureRate?.before, 0);
      assert.equal(job0?.status, 'failing');
      assert.equal(job0?.lastRun?.error?.type, 'Error');
      assert.equal(job1?.regression, null, 'a job that does as well is not flagged');
      assert.deepEqual(
        job0?.byVersion.map((v) => v.version),
        ['1.5.0', '1.4.0'],
      );
      await fleet.stop();
    });
  });
}

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type ClaimStore, createHealthHandler, every, MemoryStore, Scheduler } from '@tickwise/core';
import { VirtualClock } from '@tickwise/core/testing';

function setup(store?: ClaimStore) {
  const clock = new VirtualClock('2026-01-05T00:00:00Z');
  const scheduler = new Scheduler({ clock, env: {}, ...(store && { store }) });
  return { clock, scheduler };
}

describe('scheduler.health()', () => {
  it('goes ok -> degraded -> failing -> ok as a job fails and recovers', async () => {
    const { clock, scheduler } = setup();
    let failing = false;
    scheduler.add({
      name: 'sync',
      schedule: every('1m'),
      owner: 'platform',
      runbook: 'Rerun is safe',
      run: () => {
        if (failing) throw new Error('upstream down');
      },
    });
    const statuses: string[] = [];
    const check = async () => {
      const snapshot = await scheduler.health();
      statuses.push(`${snapshot.status}/${snapshot.jobs[0]?.status}/${snapshot.jobs[0]?.consecutiveFailures}`);
      return snapshot;
    };
    await scheduler.start();
    await clock.advance('1m');
    await check();
    failing = true;
    await clock.advance('1m');
    await check();
    await clock.advance('2m');
    await check();
    failing = false;
    await clock.advance('1m');
    const last = await check();
    assert.deepEqual(statuses, ['ok/ok/0', 'degraded/degraded/1', 'failing/failing/3', 'ok/ok/0']);
    const [job] = last.jobs;
    assert.equal(job?.owner, 'platform');
    assert.equal(job?.runbook, 'Rerun is safe');
    assert.equal(job?.lastRun?.outcome, 'success');
    assert.deepEqual(job?.nextRun, new Date('2026-01-05T00:06:00Z'));
    assert.equal(last.store.reachable, true);
    assert.equal(last.scheduler, 'running');
  });

  it('marks a job overdue after two periods plus grace without a success', async () => {
    const { clock, scheduler } = setup();
    // The first run never returns, so later ticks are skipped (overlap) and nothing succeeds.
    scheduler.add({ name: 'stuck', schedule: every('10m'), run: () => new Promise(() => {}) });
    await scheduler.start();
    await clock.advance('20m');
    assert.equal((await scheduler.health()).jobs[0]?.overdue, false, 'two ticks, no grace yet');
    await clock.advance('1m1s');
    const snapshot = await scheduler.health();
    assert.equal(snapshot.jobs[0]?.overdue, true);
    assert.equal(snapshot.jobs[0]?.status, 'failing');
    assert.equal(snapshot.status, 'failing');
  });

  it('disabled and paused jobs are reported but do not fail the scheduler', async () => {
    const clock = new VirtualClock('2026-01-05T00:00:00Z');
    const scheduler = new Scheduler({ clock, env: { TICKWISE_DISABLED_JOBS: 'off' } });
    scheduler.add({ name: 'off', schedule: every('1m'), run: () => {} });
    scheduler.add({ name: 'held', schedule: every('1m'), run: () => {} });
    await scheduler.start();
    scheduler.pause('held');
    await clock.advance('1h');
    const snapshot = await scheduler.health();
    assert.deepEqual(
      snapshot.jobs.map((j) => [j.name, j.status, j.overdue]),
      [
        ['off', 'disabled', false],
        ['held', 'paused', false],
      ],
    );
    assert.equal(snapshot.status, 'ok');
  });

  it('an unreachable store fails the scheduler, with the error', async () => {
    const store = new MemoryStore();
    const down: ClaimStore = Object.assign(Object.create(store), {
      ping: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      },
    });
    const { scheduler } = setup(down);
    await scheduler.start();
    const snapshot = await scheduler.health();
    assert.equal(snapshot.status, 'failing');
    assert.deepEqual(snapshot.store, {
      reachable: false,
      roundTripMs: null,
      error: 'connect ECONNREFUSED 127.0.0.1:6379',
      // The in-process store shares the scheduler's clock: there is no offset to measure.
      clockOffsetMs: null,
      dataLossDetectedAt: null,
      instanceIdConflict: false,
    });
  });

  it('a scheduler that is not running is failing', async () => {
    const { scheduler } = setup();
    assert.equal((await scheduler.health()).status, 'failing');
    await scheduler.start();
    assert.equal((await scheduler.health()).status, 'ok');
    await scheduler.stop();
    assert.equal((await scheduler.health()).scheduler, 'stopped');
  });
});

describe('createHealthHandler', () => {
  let server: Server;
  let base: string;
  let failing = false;

  before(async () => {
    const clock = new VirtualClock('2026-01-05T00:00:00Z');
    const scheduler = new Scheduler({ clock, env: {} });
    scheduler.add({ name: 'a', schedule: every('1m'), owner: 'team-a', run: () => {} });
    await scheduler.start();
    const handler = createHealthHandler(
      {
        health: async (options) => {
          const snapshot = await scheduler.health(options);
          return failing ? { ...snapshot, status: 'failing' } : snapshot;
        },
      },
      { token: 's3cret' },
    );
    server = createServer((request, response) => handler(request, response));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => server.close());

  it('GET /health: 200 with a small body when ok, 503 when failing', async () => {
    failing = false;
    const ok = await fetch(`${base}/health`);
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ['status', 'checkedAt', 'store', 'jobs']);
    assert.deepEqual(body.jobs, { total: 1, ok: 1 });
    failing = true;
    const bad = await fetch(`${base}/health`);
    assert.equal(bad.status, 503);
    assert.equal(((await bad.json()) as { status: string }).status, 'failing');
    failing = false;
  });

  it('GET /jobs: the full snapshot, behind the token', async () => {
    assert.equal((await fetch(`${base}/jobs`)).status, 401);
    assert.equal((await fetch(`${base}/jobs`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
    const response = await fetch(`${base}/jobs`, { headers: { authorization: 'Bearer s3cret' } });
    assert.equal(response.status, 200);
    const snapshot = (await response.json()) as { jobs: { name: string; owner: string; nextRun: string }[] };
    assert.equal(snapshot.jobs[0]?.owner, 'team-a');
    assert.equal(snapshot.jobs[0]?.nextRun, '2026-01-05T00:01:00.000Z');
  });

  it('other methods are 405, other paths 404', async () => {
    assert.equal((await fetch(`${base}/health`, { method: 'POST' })).status, 405);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
  });

  it('works as middleware: unknown paths go to next()', async () => {
    const handler = createHealthHandler({ health: async () => ({}) as never }, { basePath: '/internal' });
    let nexted = false;
    handler({ url: '/other', method: 'GET', headers: {} } as never, {} as never, () => {
      nexted = true;
    });
    assert.ok(nexted);
  });
});

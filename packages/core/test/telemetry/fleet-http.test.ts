import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createHealthHandler,
  every,
  type FleetHealth,
  type HealthHandlerOptions,
  MemoryStore,
  Scheduler,
} from '@tickwise/core';

const TOKEN = 'fleet-token-0123456789';

/** Two replicas on one MemoryStore (real clock), the first one serving the handler on a free port. */
async function service(options: HealthHandlerOptions = { token: TOKEN }, fleet: false | undefined = undefined) {
  const store = new MemoryStore();
  const ran: string[] = [];
  const replicas = ['web-1', 'web-2'].map((instanceId) => {
    const scheduler = new Scheduler({ store, env: {}, instanceId, logger: false, ...(fleet === false && { fleet }) });
    scheduler.add({
      name: 'billing/charge',
      schedule: every('1h'),
      owner: 'billing',
      run: () => void ran.push(instanceId),
    });
    return scheduler;
  });
  await Promise.all(replicas.map((s) => s.start()));
  const server: Server = createServer(createHealthHandler(replicas[0] as Scheduler, options));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    ran,
    replicas,
    request: (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, init),
    close: async () => {
      server.close();
      await Promise.all(replicas.map((s) => s.stop()));
    },
  };
}

const json = (body: unknown, token = TOKEN): RequestInit => ({
  method: 'POST',
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const eventually = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 40 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(check(), what);
};

describe('health handler: the fleet routes', () => {
  it('GET /jobs?scope=fleet answers for every replica, with the same access rules as /jobs', async () => {
    const s = await service();
    try {
      const denied = await s.request('/jobs?scope=fleet');
      assert.equal(denied.status, 401, 'a token is configured: reads need it');
      const answer = await s.request('/jobs?scope=fleet', { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(answer.status, 200);
      const health = (await answer.json()) as FleetHealth;
      assert.equal(health.scope, 'fleet');
      assert.deepEqual(
        health.replicas.map((r) => `${r.instanceId} ${r.alive}`),
        ['web-1 true', 'web-2 true'],
      );
      assert.deepEqual(health.jobs[0]?.replicas, ['web-1', 'web-2']);
      assert.equal(health.jobs[0]?.owner, 'billing');
    } finally {
      await s.close();
    }
  });

  it('pause and resume over HTTP reach every replica; the runs route lists a trigger’s run', async () => {
    const s = await service();
    try {
      const paused = await s.request(
        `/jobs/${encodeURIComponent('billing/*')}/pause`,
        json({ reason: 'card processor down', for: '2h', by: 'ana' }),
      );
      assert.equal(paused.status, 200);
      const body = (await paused.json()) as { paused: { pattern: string; by: string; until: number } };
      assert.equal(body.paused.pattern, 'billing/*');
      assert.equal(body.paused.by, 'ana');
      await eventually(() => s.replicas.every((r) => r.jobs()[0]?.paused === true), 'both replicas pause the job');
      const resumed = await s.request(`/jobs/${encodeURIComponent('billing/*')}/resume`, json({}));
      assert.deepEqual(await resumed.json(), { resumed: true });
      const again = await s.request(`/jobs/${encodeURIComponent('billing/*')}/resume`, json({}));
      assert.deepEqual(await again.json(), { resumed: false }, 'nothing left to resume');
      await eventually(() => s.replicas.every((r) => r.jobs()[0]?.paused === false), 'both resume');

      const triggered = await s.request(`/jobs/${encodeURIComponent('billing/charge')}/trigger`, json({ by: 'ana' }));
      assert.equal(triggered.status, 202);
      await eventually(() => s.ran.length === 1, 'the trigger runs once');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(s.ran.length, 1, 'on one replica only');
      const runs = await s.request(`/jobs/${encodeURIComponent('billing/charge')}/runs?limit=5`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      const listed = (await runs.json()) as { job: string; runs: { trigger: string; instanceId: string }[] };
      assert.equal(listed.job, 'billing/charge');
      assert.deepEqual(
        listed.runs.map((run) => `${run.trigger} ${run.instanceId}`),
        [`fleet ${s.ran[0]}`],
      );
    } finally {
      await s.close();
    }
  });

  it('refuses controls without the token, with a wrong one, and when no token is configured at all', async () => {
    const s = await service();
    try {
      const none = await s.request('/jobs/billing%2Fcharge/trigger', { method: 'POST' });
      assert.equal(none.status, 401);
      assert.equal(none.headers.get('www-authenticate'), 'Bearer');
      const wrong = await s.request('/jobs/billing%2Fcharge/trigger', json({}, 'not-the-token'));
      assert.equal(wrong.status, 401);
      assert.deepEqual(s.ran, []);
    } finally {
      await s.close();
    }
    const open = await service({ jobsAccess: 'public' });
    try {
      const refused = await open.request('/jobs/billing%2Fcharge/pause', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'x' }),
      });
      assert.equal(refused.status, 403, 'reads may be public; controls never are');
      assert.match(((await refused.json()) as { error: string }).error, /need the handler’s token/);
      assert.equal((await open.request('/jobs?scope=fleet')).status, 200);
    } finally {
      await open.close();
    }
  });

  it('answers bad control requests with 400, 405, 413 and 415, and changes nothing', async () => {
    const s = await service();
    try {
      const noReason = await s.request('/jobs/billing%2Fcharge/pause', json({}));
      assert.equal(noReason.status, 400);
      assert.match(((await noReason.json()) as { error: string }).error, /needs \{ "reason"/);
      const badFor = await s.request('/jobs/billing%2Fcharge/pause', json({ reason: 'x', for: 'soon' }));
      assert.equal(badFor.status, 400);
      const pattern = await s.request('/jobs/billing%2F*/trigger', json({}));
      assert.equal(pattern.status, 400, 'trigger takes one name');
      const get = await s.request('/jobs/billing%2Fcharge/pause', { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(get.status, 405);
      assert.equal(get.headers.get('allow'), 'POST');
      const big = await s.request('/jobs/billing%2Fcharge/pause', json({ reason: 'x'.repeat(5000) }));
      assert.equal(big.status, 413);
      const form = await s.request('/jobs/billing%2Fcharge/pause', {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'reason=x',
      });
      assert.equal(form.status, 415);
      const notJson = await s.request('/jobs/billing%2Fcharge/pause', {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: '{reason',
      });
      assert.equal(notJson.status, 400);
      assert.deepEqual((await s.replicas[0]?.fleet?.status())?.jobs[0]?.paused, null, 'nothing was paused');
    } finally {
      await s.close();
    }
  });

  it('a scheduler built with fleet: false answers the fleet routes 404', async () => {
    const s = await service({ token: TOKEN }, false);
    try {
      const answer = await s.request('/jobs?scope=fleet', { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(answer.status, 404);
      assert.match(((await answer.json()) as { error: string }).error, /no fleet view/);
    } finally {
      await s.close();
    }
  });
});

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import {
  type ClaimStore,
  createHealthHandler,
  every,
  type HealthHandlerOptions,
  type HealthRequest,
  MemoryStore,
  Scheduler,
} from '@tickwise/core';
import { VirtualClock } from '@tickwise/core/testing';

async function runningScheduler(store?: ClaimStore) {
  const clock = new VirtualClock('2026-01-05T00:00:00Z');
  const scheduler = new Scheduler({ clock, env: {}, ...(store && { store }) });
  scheduler.add({ name: 'billing.charge', schedule: every('1m'), owner: 'billing', runbook: 'rerun', run: () => {} });
  await scheduler.start();
  return scheduler;
}

/** Calls the handler with a request object as a connection from `remoteAddress` would make. */
async function call(
  options: HealthHandlerOptions,
  request: Partial<HealthRequest> & { remoteAddress?: string },
): Promise<{ status: number; headers: Record<string, string | number>; body: string }> {
  const scheduler = await runningScheduler();
  const handler = createHealthHandler(scheduler, options);
  return new Promise((resolve) => {
    let status = 0;
    let headers: Record<string, string | number> = {};
    handler(
      {
        method: request.method ?? 'GET',
        url: request.url ?? '/jobs',
        headers: request.headers ?? {},
        socket: { remoteAddress: request.remoteAddress ?? '127.0.0.1' },
      },
      {
        setHeader: () => {},
        writeHead: (code, all) => {
          status = code;
          headers = all;
        },
        end: (chunk) => resolve({ status, headers, body: chunk ?? '' }),
      },
    );
  });
}

/** A raw HTTP/1.1 exchange, for requests fetch() will not send. */
async function raw(port: number, text: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.end(text);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('createHealthHandler: who may read GET /jobs', () => {
  it('without a token, serves /jobs to loopback clients only (jobsAccess defaults to loopback)', async () => {
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '127.0.0.53']) {
      const answer = await call({}, { remoteAddress: address });
      assert.equal(answer.status, 200, address);
      assert.match(answer.body, /billing\.charge/);
    }
    for (const address of ['10.0.0.7', '192.168.1.20', '::ffff:10.1.2.3', 'fe80::1', '']) {
      const answer = await call({}, { remoteAddress: address });
      assert.equal(answer.status, 403, address);
      assert.doesNotMatch(answer.body, /billing/);
      assert.match(answer.body, /loopback clients only; set a token/);
    }
  });

  it('a proxied request (X-Forwarded-For or Forwarded) is not loopback, even from 127.0.0.1', async () => {
    assert.equal((await call({}, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status, 403);
    assert.equal((await call({}, { headers: { forwarded: 'for=203.0.113.9' } })).status, 403);
  });

  it('with a token, /jobs needs it from everyone, loopback included (constant-time compare)', async () => {
    const token = 's3cret-token';
    assert.equal((await call({ token }, { remoteAddress: '127.0.0.1' })).status, 401);
    assert.equal((await call({ token }, { headers: { authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await call({ token }, { headers: { authorization: `Bearer ${token}x` } })).status, 401);
    const denied = await call({ token }, { remoteAddress: '10.0.0.7' });
    assert.equal(denied.headers['www-authenticate'], 'Bearer');
    const allowed = await call({ token }, { remoteAddress: '10.0.0.7', headers: { authorization: `Bearer ${token}` } });
    assert.equal(allowed.status, 200);
  });

  it("jobsAccess 'public' serves anyone; 'token' without a token and bad values fail at creation", async () => {
    assert.equal((await call({ jobsAccess: 'public' }, { remoteAddress: '10.0.0.7' })).status, 200);
    const scheduler = await runningScheduler();
    assert.throws(() => createHealthHandler(scheduler, { jobsAccess: 'token' }), /needs the token option/);
    assert.throws(() => createHealthHandler(scheduler, { token: '' }), /non-empty string/);
    assert.throws(
      () => createHealthHandler(scheduler, { jobsAccess: 'everyone' as 'public' }),
      /jobsAccess must be 'token', 'loopback' or 'public'/,
    );
  });

  it('GET /health stays open to anyone: it names no job', async () => {
    const answer = await call({ token: 't' }, { url: '/health', remoteAddress: '10.0.0.7' });
    assert.equal(answer.status, 200);
    assert.doesNotMatch(answer.body, /billing/);
  });
});

describe('createHealthHandler: headers, limits, malformed requests', () => {
  let server: Server;
  let port: number;
  let base: string;
  let store: MemoryStore;

  before(async () => {
    store = new MemoryStore();
    const scheduler = await runningScheduler(store);
    const handler = createHealthHandler(scheduler, { token: 't0ken' });
    server = createServer((request, response) => handler(request, response));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as { port: number }).port;
    base = `http://127.0.0.1:${port}`;
  });
  after(() => server.close());

  it('every answer carries nosniff, no-store, a restrictive CSP, no-referrer, and no CORS header', async () => {
    const answers = [
      await fetch(`${base}/health`),
      await fetch(`${base}/jobs`),
      await fetch(`${base}/jobs`, { headers: { authorization: 'Bearer t0ken' } }),
      await fetch(`${base}/nope`),
      await fetch(`${base}/health`, { method: 'POST' }),
    ];
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 401, 200, 404, 405],
    );
    for (const answer of answers) {
      assert.equal(answer.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(answer.headers.get('cache-control'), 'no-store');
      assert.equal(answer.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'");
      assert.equal(answer.headers.get('referrer-policy'), 'no-referrer');
      assert.equal(answer.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.equal(answer.headers.get('access-control-allow-origin'), null);
    }
  });

  it('never crashes on malformed URLs: bad percent-encoding, control characters, absolute-form, empty', async () => {
    for (const target of ['/jobs/%E0%A4%A/run', '/%', '/health%00', '/health?x=%E0%A4%A', '//jobs', '*']) {
      const answer = await raw(port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.match(answer, /^HTTP\/1\.1 (200|400|404) /, target);
    }
    const health = await fetch(`${base}/health?x=%E0%A4%A`);
    assert.equal(health.status, 200, 'the query string is ignored, never decoded');
  });

  it('refuses a request target longer than 2048 characters (414) and any request body (413)', async () => {
    const long = await fetch(`${base}/health?${'a'.repeat(2100)}`);
    assert.equal(long.status, 414);
    const answer = await raw(
      port,
      'GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello GET /jobs HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.match(answer, /connection: close/i);
    assert.equal((answer.match(/HTTP\/1\.1 /g) ?? []).length, 1, 'the connection is closed after the 413');
    const chunked = await raw(
      port,
      'GET /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n',
    );
    assert.match(chunked, /^HTTP\/1\.1 413 /);
  });

  it('a failing health check answers 500 with the error class only, and keeps serving', async () => {
    const handler = createHealthHandler(
      {
        health: async () => {
          throw new Error('postgres://app:hunter2@db/app unreachable');
        },
      },
      { jobsAccess: 'public' },
    );
    const failing = createServer((request, response) => handler(request, response)).listen(0, '127.0.0.1');
    await once(failing, 'listening');
    const url = `http://127.0.0.1:${(failing.address() as { port: number }).port}`;
    const answer = await fetch(`${url}/jobs`);
    assert.equal(answer.status, 500);
    assert.deepEqual(await answer.json(), { error: 'health check failed', type: 'Error' });
    assert.equal((await fetch(`${url}/health`)).status, 500);
    failing.close();
  });

  it("the store's error in GET /jobs is redacted (it may carry the connection string)", async () => {
    const original = store.ping.bind(store);
    store.ping = async () => {
      throw new Error('connect ECONNREFUSED redis://default:hunter2@cache:6379');
    };
    try {
      const answer = await fetch(`${base}/jobs`, { headers: { authorization: 'Bearer t0ken' } });
      const body = (await answer.json()) as { store: { reachable: boolean; error: string } };
      assert.equal(body.store.reachable, false);
      assert.equal(body.store.error, 'connect ECONNREFUSED redis://[REDACTED]@cache:6379');
    } finally {
      store.ping = original;
    }
  });
});

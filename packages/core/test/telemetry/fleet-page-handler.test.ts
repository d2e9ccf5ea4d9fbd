// The fleet's web page through createHealthHandler on a real node:http server: content
// negotiation, who may see it, the sign-in cookie, and the forms' session + CSRF + origin checks.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import {
  createHealthHandler,
  cron,
  every,
  type HealthHandlerOptions,
  type HealthRequest,
  MemoryStore,
  Scheduler,
} from '@tickwise/core';
import { VirtualClock } from '@tickwise/core/testing';
import { prefersHtml } from '../../src/runtime/fleet-page-routes.js';

const TOKEN = 'page-t0ken';
/** What Chromium sends when it navigates. */
const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

interface Served {
  url: string;
  store: MemoryStore;
  clock: VirtualClock;
  schedulers: Scheduler[];
  close(): Promise<void>;
}

/** Two replicas sharing a MemoryStore, three minutes of runs, and the handler of one of them on a free port. */
async function serve(options: HealthHandlerOptions): Promise<Served> {
  const clock = new VirtualClock('2026-03-02T09:00:00.000Z');
  const store = new MemoryStore({ now: () => clock.now() });
  const schedulers = ['web-1', 'web-2'].map((id) => {
    const scheduler = new Scheduler({ store, clock, env: {}, instanceId: id, logger: false });
    scheduler.add({
      name: 'export',
      schedule: every('1m'),
      owner: 'data-team',
      runbook: 'https://runbooks.example/export',
      run: () => {
        throw new Error('S3 answered 503');
      },
    });
    scheduler.add({ name: 'report.daily', schedule: cron('0 6 * * *', { timezone: 'UTC' }), run: () => {} });
    return scheduler;
  });
  await Promise.all(schedulers.map((s) => s.start()));
  await clock.advance('3m');
  const handler = createHealthHandler(schedulers[0] as Scheduler, options);
  const server: Server = createServer((request, response) => handler(request, response));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    store,
    clock,
    schedulers,
    close: async () => {
      server.close();
      await Promise.all(schedulers.map((s) => s.stop()));
    },
  };
}

const page = (s: Served, headers: Record<string, string> = {}, path = '/jobs') =>
  fetch(`${s.url}${path}`, { headers: { accept: BROWSER, ...headers }, redirect: 'manual' });

const post = (s: Served, path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${s.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: s.url, ...headers },
    body: new URLSearchParams(fields).toString(),
  });

/** Signs in and returns the `Cookie` header for the session. */
async function signIn(s: Served, name = 'Ana'): Promise<string> {
  const answer = await post(s, '/jobs/session', { token: TOKEN, name });
  assert.equal(answer.status, 303);
  const [cookie] = answer.headers.getSetCookie();
  assert.match(cookie ?? '', /^tickwise_session=/);
  return (cookie as string).split(';')[0] as string;
}

/** The CSRF field of the page's `action` form for `job` (as the signed-in visitor sees it). */
async function csrf(s: Served, cookie: string, action: string, job = 'export'): Promise<string> {
  const text = await (await page(s, { cookie })).text();
  const escaped = job.replace(/[.*]/g, '\\$&');
  const match = new RegExp(
    `name="action" value="${action}"><input type="hidden" name="job" value="${escaped}"><input type="hidden" name="csrf" value="([^"]+)"`,
  ).exec(text);
  assert.ok(match, `no ${action} form for ${job}`);
  return match[1] as string;
}

/** The page after a post: the flash it shows. */
async function flashAfter(s: Served, answer: Response, cookie?: string): Promise<string> {
  assert.equal(answer.status, 303);
  assert.equal(answer.headers.get('location'), '/jobs');
  const flash = answer.headers.getSetCookie().find((c) => c.startsWith('tickwise_flash='));
  assert.ok(flash, 'a flash cookie');
  const cookies = [cookie, flash.split(';')[0]].filter(Boolean).join('; ');
  const text = await (await page(s, { cookie: cookies, authorization: `Bearer ${TOKEN}` })).text();
  return /<p class="flash (?:ok|error)" role="status">([^<]*)<\/p>/.exec(text)?.[1] ?? '(no flash)';
}

describe('fleet page over HTTP: which requests get the page', () => {
  let s: Served;
  before(async () => {
    s = await serve({ jobsAccess: 'public', token: TOKEN });
  });
  after(() => s.close());

  it('a browser’s GET /jobs gets the page; curl, fetch and JSON clients keep getting JSON', async () => {
    const html = await page(s);
    assert.equal(html.status, 200);
    assert.equal(html.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(await html.text(), /<tr data-job="export">/);
    for (const accept of [undefined, '*/*', 'application/json', 'application/json, text/html;q=0.9']) {
      const answer = await fetch(`${s.url}/jobs`, { headers: accept === undefined ? {} : { accept } });
      assert.equal(answer.headers.get('content-type'), 'application/json; charset=utf-8', String(accept));
      await answer.arrayBuffer();
    }
    const fleet = await page(s, {}, '/jobs?scope=fleet');
    assert.equal(fleet.headers.get('content-type'), 'application/json; charset=utf-8', '?scope=fleet is the API');
    assert.equal(((await fleet.json()) as { scope: string }).scope, 'fleet');
  });

  it('GET / sends a browser to /jobs when the handler is the whole server', async () => {
    const answer = await page(s, {}, '/');
    assert.equal(answer.status, 303);
    assert.equal(answer.headers.get('location'), '/jobs');
  });

  it('the page has headers of its own: a CSP for its one stylesheet and forms to itself, nosniff, no-store, no framing', async () => {
    const answer = await page(s);
    const csp = answer.headers.get('content-security-policy') ?? '';
    assert.match(
      csp,
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]{43}='; form-action 'self'; frame-ancestors 'none'; base-uri 'none'$/,
    );
    assert.equal(answer.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.equal(answer.headers.get('x-frame-options'), 'DENY');
    assert.equal(answer.headers.get('referrer-policy'), 'same-origin', 'so form posts carry their Origin');
    assert.equal(answer.headers.get('access-control-allow-origin'), null);
    await answer.arrayBuffer();
  });
});

describe('fleet page over HTTP: basePath and middleware', () => {
  it('with a basePath, <base>/ and <base> lead to <base>/jobs; as middleware without one, / stays the app’s', async () => {
    const scheduler = new Scheduler({ clock: new VirtualClock('2026-03-02T09:00:00Z'), env: {}, logger: false });
    const answers: string[] = [];
    const call = (handler: ReturnType<typeof createHealthHandler>, url: string, next?: () => void) =>
      new Promise<void>((resolve) => {
        handler(
          { method: 'GET', url, headers: { accept: BROWSER }, socket: { remoteAddress: '127.0.0.1' } },
          {
            setHeader: () => {},
            writeHead: (status, headers) => answers.push(`${url} ${status} ${headers.location ?? ''}`),
            end: () => resolve(),
          },
          next &&
            (() => {
              answers.push(`${url} next`);
              resolve();
            }),
        );
      });
    const based = createHealthHandler(scheduler, { basePath: '/internal' });
    await call(based, '/internal/', () => {});
    await call(based, '/internal', () => {});
    await call(createHealthHandler(scheduler), '/', () => {});
    assert.deepEqual(answers, ['/internal/ 303 /internal/jobs', '/internal 303 /internal/jobs', '/ next']);
  });
});

describe('fleet page over HTTP: who may see it', () => {
  /** The handler called directly, as a connection from `remoteAddress` would. */
  async function direct(options: HealthHandlerOptions, remoteAddress: string) {
    const s = await serve({ ...options, jobsAccess: 'public' });
    await s.close();
    const handler = createHealthHandler(s.schedulers[0] as Scheduler, options);
    const request: HealthRequest = {
      method: 'GET',
      url: '/jobs',
      headers: { accept: BROWSER },
      socket: { remoteAddress },
    };
    return new Promise<{ status: number; body: string }>((resolve) => {
      let status = 0;
      handler(request, {
        setHeader: () => {},
        writeHead: (code) => {
          status = code;
        },
        end: (body) => resolve({ status, body: body ?? '' }),
      });
    });
  }

  it("jobsAccess 'loopback' (the default without a token): loopback clients see it, others get a 403 page naming no job", async () => {
    const local = await direct({}, '127.0.0.1');
    assert.equal(local.status, 200);
    assert.match(local.body, /data-job="export"/);
    const remote = await direct({}, '10.0.0.7');
    assert.equal(remote.status, 403);
    assert.match(remote.body, /served to loopback clients only/);
    assert.doesNotMatch(remote.body, /data-job|export|data-team|runbooks\.example/);
  });

  it("jobsAccess 'token': a 401 sign-in page naming no job until signed in (or sent the Bearer header)", async () => {
    const s = await serve({ token: TOKEN });
    try {
      const denied = await page(s);
      assert.equal(denied.status, 401);
      const text = await denied.text();
      assert.match(text, /<form method="post" action="\/jobs\/session"/);
      assert.doesNotMatch(text, /data-job|export|data-team|runbooks\.example/);
      assert.equal((await page(s, { authorization: `Bearer ${TOKEN}` })).status, 200);
      const cookie = await signIn(s);
      const allowed = await page(s, { cookie });
      assert.equal(allowed.status, 200);
      assert.match(await allowed.text(), /Signed in as <strong>Ana<\/strong>/);
      assert.equal((await page(s, { cookie: `${cookie}x` })).status, 401, 'an altered cookie is no session');
    } finally {
      await s.close();
    }
  });

  it('the session cookie is HttpOnly, SameSite=Strict, scoped to /jobs, 12 hours, holds no token; Secure behind TLS', async () => {
    const s = await serve({ token: TOKEN });
    try {
      const answer = await post(s, '/jobs/session', { token: TOKEN, name: 'Ana' });
      const [cookie] = answer.headers.getSetCookie();
      assert.match(cookie ?? '', /^tickwise_session=[\w.-]+; Path=\/jobs; Max-Age=43200; HttpOnly; SameSite=Strict$/);
      assert.ok(!cookie?.includes(TOKEN));
      const proxied = await post(s, '/jobs/session', { token: TOKEN }, { 'x-forwarded-proto': 'https' });
      assert.match(proxied.headers.getSetCookie()[0] ?? '', /; HttpOnly; SameSite=Strict; Secure$/);
    } finally {
      await s.close();
    }
  });

  it('the cookie opens the page only: the JSON API stays Bearer-only', async () => {
    const s = await serve({ token: TOKEN });
    try {
      const cookie = await signIn(s);
      assert.equal((await fetch(`${s.url}/jobs`, { headers: { cookie } })).status, 401);
      assert.equal((await fetch(`${s.url}/jobs?scope=fleet`, { headers: { cookie } })).status, 401);
      assert.equal((await fetch(`${s.url}/jobs/export/runs`, { headers: { cookie } })).status, 401);
      const control = await fetch(`${s.url}/jobs/export/pause`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', origin: s.url },
        body: JSON.stringify({ reason: 'via cookie' }),
      });
      assert.equal(control.status, 401);
      assert.deepEqual((await s.store.readControls()).pauses, []);
    } finally {
      await s.close();
    }
  });

  it('a wrong token signs nobody in: back to the page with a message (shown once), no session cookie', async () => {
    const s = await serve({ token: TOKEN });
    try {
      const answer = await post(s, '/jobs/session', { token: 'guess' });
      assert.equal(answer.status, 303);
      assert.equal(answer.headers.getSetCookie().filter((c) => c.startsWith('tickwise_session=')).length, 0);
      const flash = (answer.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
      const shown = await page(s, { cookie: flash });
      assert.equal(shown.status, 401);
      assert.match(await shown.text(), /That is not the health handler’s token\./);
      assert.match(shown.headers.getSetCookie()[0] ?? '', /^tickwise_flash=; Path=\/jobs; Max-Age=0;/, 'and clears it');
    } finally {
      await s.close();
    }
  });
});

describe('fleet page over HTTP: the forms', () => {
  let s: Served;
  let cookie: string;
  beforeEach(async () => {
    s = await serve({ token: TOKEN });
    cookie = await signIn(s);
  });
  afterEach(() => s.close());

  it('pauses a job for every replica: session + CSRF field + same origin, then 303 back with a message', async () => {
    const field = await csrf(s, cookie, 'pause');
    const answer = await post(
      s,
      '/jobs/page',
      { action: 'pause', job: 'export', csrf: field, reason: 'S3 outage', for: '2h' },
      { cookie },
    );
    assert.match(await flashAfter(s, answer, cookie), /^Paused export until 2026-03-02T11:03:00\.000Z/);
    const [pause] = (await s.store.readControls()).pauses;
    assert.deepEqual(
      { pattern: pause?.pattern, reason: pause?.reason, by: pause?.by },
      { pattern: 'export', reason: 'S3 outage', by: 'Ana (web page)' },
    );
    await s.clock.advance('1s');
    for (const scheduler of s.schedulers) assert.equal(scheduler.jobs().find((j) => j.name === 'export')?.paused, true);
  });

  it('run-now and resume need the confirm box; with it, one run is requested and the pause goes', async () => {
    const trigger = await csrf(s, cookie, 'trigger', 'report.daily');
    const unconfirmed = await post(
      s,
      '/jobs/page',
      { action: 'trigger', job: 'report.daily', csrf: trigger },
      { cookie },
    );
    assert.match(await flashAfter(s, unconfirmed, cookie), /tick the box to confirm the trigger; nothing was changed/);
    assert.deepEqual((await s.store.readControls()).triggers, []);
    const confirmed = await post(
      s,
      '/jobs/page',
      { action: 'trigger', job: 'report.daily', csrf: trigger, confirm: 'yes' },
      { cookie },
    );
    assert.match(await flashAfter(s, confirmed, cookie), /^Asked for one run of report\.daily now/);
    assert.deepEqual(
      (await s.store.readControls()).triggers.map((t) => `${t.job} by ${t.by}`),
      ['report.daily by Ana (web page)'],
    );

    await s.store.pauseJobs({ pattern: 'exp*', reason: 'x', by: 'cli', forMs: null });
    const resume = await csrf(s, cookie, 'resume', 'exp*');
    const resumed = await post(
      s,
      '/jobs/page',
      { action: 'resume', job: 'exp*', csrf: resume, confirm: 'yes' },
      { cookie },
    );
    assert.equal(await flashAfter(s, resumed, cookie), 'Resumed exp*.');
    assert.deepEqual((await s.store.readControls()).pauses, []);
  });

  it('refuses a post from another origin, with Origin: null, or with neither Origin nor Referer, whatever it carries', async () => {
    const field = await csrf(s, cookie, 'pause');
    const fields = { action: 'pause', job: 'export', csrf: field, reason: 'csrf attempt' };
    const refused: Record<string, string>[] = [
      { origin: 'http://127.0.0.1:1' },
      { origin: 'http://evil.example' },
      { origin: 'null' },
      { origin: '', referer: 'http://evil.example/page' },
    ];
    for (const headers of refused) {
      const answer = await post(s, '/jobs/page', fields, { cookie, ...headers });
      assert.equal(answer.status, 403, JSON.stringify(headers));
      assert.match(await answer.text(), /not sent from this page/);
    }
    const noHeaders = await fetch(`${s.url}/jobs/page`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams(fields).toString(),
    });
    assert.equal(noHeaders.status, 403);
    assert.deepEqual((await s.store.readControls()).pauses, []);
  });

  it('refuses a missing CSRF field, another action’s and another session’s', async () => {
    const otherSession = await csrf(s, await signIn(s, 'Bob'), 'pause');
    const triggerField = await csrf(s, cookie, 'trigger');
    for (const field of [undefined, '', triggerField, otherSession]) {
      const fields: Record<string, string> = { action: 'pause', job: 'export', reason: 'x' };
      if (field !== undefined) fields.csrf = field;
      const answer = await post(s, '/jobs/page', fields, { cookie });
      assert.equal(answer.status, 403);
      assert.match(await answer.text(), /does not belong to your session/);
    }
    assert.deepEqual((await s.store.readControls()).pauses, []);
  });

  it('without a session, sends the visitor back to sign in and changes nothing', async () => {
    const field = await csrf(s, cookie, 'pause');
    const answer = await post(s, '/jobs/page', { action: 'pause', job: 'export', csrf: field, reason: 'x' });
    assert.match(await flashAfter(s, answer), /^Sign in first: nothing was changed/);
    assert.deepEqual((await s.store.readControls()).pauses, []);
  });

  it('bad input comes back as a message: no reason, a duration that is none', async () => {
    const field = await csrf(s, cookie, 'pause');
    const send = (extra: Record<string, string>) =>
      post(s, '/jobs/page', { action: 'pause', job: 'export', csrf: field, ...extra }, { cookie });
    assert.match(await flashAfter(s, await send({ reason: '  ' }), cookie), /a fleet pause needs a reason/);
    assert.match(await flashAfter(s, await send({ reason: 'x', for: 'soon' }), cookie), /not a duration such as/);
    assert.deepEqual((await s.store.readControls()).pauses, []);
  });

  it('takes forms only (415 for JSON), of at most 4096 bytes (413), by POST (405); the JSON control route still refuses forms', async () => {
    const json = await fetch(`${s.url}/jobs/page`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: s.url, cookie },
      body: '{}',
    });
    assert.equal(json.status, 415);
    const big = await post(s, '/jobs/page', { action: 'pause', reason: 'x'.repeat(5000) }, { cookie });
    assert.equal(big.status, 413);
    const get = await page(s, { cookie }, '/jobs/page');
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    const form = await post(s, '/jobs/export/pause', { reason: 'x' }, { authorization: `Bearer ${TOKEN}` });
    assert.equal(form.status, 415, 'the JSON API is as it was');
  });

  it('signing out clears the session cookie', async () => {
    const field = await csrf(s, cookie, 'signout', '');
    const answer = await post(s, '/jobs/page', { action: 'signout', job: '', csrf: field }, { cookie });
    assert.equal(answer.status, 303);
    assert.match(answer.headers.getSetCookie()[0] ?? '', /^tickwise_session=; Path=\/jobs; Max-Age=0;/);
  });
});

describe('fleet page over HTTP: without a token', () => {
  it('shows no controls, and the form routes answer 403', async () => {
    const s = await serve({});
    try {
      const text = await (await page(s)).text();
      assert.doesNotMatch(text, /<form/);
      for (const path of ['/jobs/session', '/jobs/page']) {
        const answer = await post(s, path, { token: 'anything', action: 'pause', job: 'export', reason: 'x' });
        assert.equal(answer.status, 403, path);
        assert.match(await answer.text(), /need the health handler’s token option/);
      }
    } finally {
      await s.close();
    }
  });
});

describe('prefersHtml: content negotiation of GET /jobs', () => {
  it('is true only when text/html ranks above application/json', () => {
    assert.equal(prefersHtml(BROWSER), true, 'Chromium');
    assert.equal(prefersHtml('text/html'), true);
    assert.equal(prefersHtml('application/json;q=0.5, text/html'), true);
    assert.equal(prefersHtml('text/*, application/json;q=0.2'), true);
    assert.equal(prefersHtml(undefined), false);
    assert.equal(prefersHtml('*/*'), false, 'curl and fetch: a tie is JSON');
    assert.equal(prefersHtml('application/json'), false);
    assert.equal(prefersHtml('text/html;q=0.5, application/json'), false);
    assert.equal(prefersHtml('text/html;q=0, */*'), false);
  });
});

// examples/basic: an HTTP service with three scheduled jobs on the embedded default (in-memory
// store, one process). `npm start` runs it; Ctrl-C or SIGTERM stops it cleanly.
//
//   GET  /health            ok / degraded / failing, for probes (names no job)
//   GET  /jobs              the jobs with owner, description, runbook, next and last run
//                           (loopback clients only, or Authorization: Bearer $HEALTH_TOKEN when set)
//   POST /jobs/<name>/run   run a job now (recorded as a manual run); needs
//                           Authorization: Bearer $ADMIN_TOKEN, and is refused cross-site

import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHealthHandler, redactError, Scheduler } from '@tickwise/core';
import { consoleLogger } from './console-logger.js';
import { Billing, Inventory, Reports } from './jobs.js';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const logger = consoleLogger({}, process.env.LOG_LEVEL === 'debug' ? 'debug' : 'info');
// Without ADMIN_TOKEN nobody may trigger runs over HTTP.
const adminToken = process.env.ADMIN_TOKEN || undefined;

// INSTANCE_ID names this replica in logs and the fleet view (default: host-pid-random).
const instanceId = process.env.INSTANCE_ID || undefined;
const scheduler = new Scheduler({ logger, ...(instanceId && { instanceId }) });
for (const jobs of [new Reports(), new Inventory(), new Billing()]) scheduler.register(jobs);

const health = createHealthHandler(scheduler, process.env.HEALTH_TOKEN ? { token: process.env.HEALTH_TOKEN } : {});

const SAFE_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

function send(response: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  if (response.headersSent) return;
  response.writeHead(status, { ...SAFE_HEADERS, ...extra });
  response.end(`${JSON.stringify(body, null, 2)}\n`);
}

const digest = (text: string) => createHash('sha256').update(text).digest();

function authorized(request: IncomingMessage): boolean {
  if (adminToken === undefined) return false;
  return timingSafeEqual(digest(request.headers.authorization ?? ''), digest(`Bearer ${adminToken}`));
}

/** A browser sends Sec-Fetch-Site and Origin; a request from another site must not start a run. */
function crossSite(request: IncomingMessage): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== request.headers.host;
  } catch {
    return true;
  }
}

async function triggerRun(request: IncomingMessage, response: ServerResponse, encodedName: string): Promise<void> {
  if (crossSite(request)) return send(response, 403, { error: 'cross-site requests are refused' });
  if (!authorized(request)) {
    const error =
      adminToken === undefined
        ? 'set ADMIN_TOKEN to allow runs over HTTP'
        : 'needs Authorization: Bearer <ADMIN_TOKEN>';
    return send(response, 401, { error }, { 'www-authenticate': 'Bearer' });
  }
  if (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0') {
    return send(response, 413, { error: 'no request body expected' }, { connection: 'close' });
  }
  let name: string;
  try {
    name = decodeURIComponent(encodedName);
  } catch {
    return send(response, 400, { error: 'malformed job name in the path' });
  }
  if (!scheduler.jobs().some((job) => job.name === name)) return send(response, 404, { error: 'no such job' });
  const result = await scheduler.trigger(name);
  // The run's error may carry secrets: the caller gets its class and a redacted message.
  send(
    response,
    200,
    result.error === undefined ? { outcome: result.outcome } : { ...result, error: redactError(result.error) },
  );
}

const server = createServer((request, response) => {
  const url = request.url ?? '/';
  const run = /^\/jobs\/([^/?]+)\/run$/.exec(url);
  if (run) {
    if (request.method !== 'POST') return send(response, 405, { error: 'use POST' }, { allow: 'POST' });
    triggerRun(request, response, run[1] as string).catch(() => send(response, 500, { error: 'trigger failed' }));
    return;
  }
  health(request, response, () =>
    send(response, 404, { error: 'try GET /jobs, GET /health or POST /jobs/<name>/run' }),
  );
});
// Request limits beside the handler's own: small headers, and slow clients cut off.
server.maxHeadersCount = 50;
server.headersTimeout = 10_000;
server.requestTimeout = 30_000;

await scheduler.start();
server.listen(port, host, () => {
  logger.info({ url: `http://${host}:${port}/jobs` }, 'example service listening');
  for (const job of scheduler.jobs()) {
    logger.info({ next: job.nextRun?.toISOString(), owner: job.owner }, `job ${job.name}: ${job.describe}`);
  }
});

// Graceful shutdown: stop taking ticks, give running jobs 10 s, then abort them through their signals.
// One Ctrl-C arrives more than once: the terminal signals the whole process group and each `npm`
// in between forwards it again. So the handler stays installed (with `once`, the second copy would
// find no listener and kill the process mid-stop); copies within a second are ignored, and a
// signal after that exits at once (a second Ctrl-C on purpose).
let stoppingSince: number | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stoppingSince !== undefined) {
      if (Date.now() - stoppingSince < 1000) return;
      logger.warn({ signal }, 'second signal: exiting without waiting for running jobs');
      process.exit(130);
    }
    stoppingSince = Date.now();
    logger.info({ signal }, 'shutting down');
    server.close();
    const { stillRunning } = await scheduler.stop({ graceMs: 10_000 });
    if (stillRunning.length > 0) logger.warn({ stillRunning }, 'handlers ignored their abort signal');
    logger.info({}, 'bye');
    process.exit(0);
  });
}

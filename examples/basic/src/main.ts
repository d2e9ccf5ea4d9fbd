// examples/basic: an HTTP service with three scheduled jobs on the embedded default (in-memory
// store, one process). `npm start` runs it; Ctrl-C or SIGTERM stops it cleanly.
//
//   GET  /jobs              the jobs with owner, description, runbook, next and last run
//   POST /jobs/<name>/run   run a job now (recorded as a manual run)

import { createServer } from 'node:http';
import { Scheduler } from '@tickwise/core';
import { consoleLogger } from './console-logger.js';
import { Billing, Inventory, Reports } from './jobs.js';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const logger = consoleLogger({}, process.env.LOG_LEVEL === 'debug' ? 'debug' : 'info');

const scheduler = new Scheduler({ logger });
for (const jobs of [new Reports(), new Inventory(), new Billing()]) scheduler.register(jobs);

const server = createServer(async (request, response) => {
  const send = (status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(`${JSON.stringify(body, null, 2)}\n`);
  };
  const run = /^\/jobs\/([^/]+)\/run$/.exec(request.url ?? '');
  if (request.method === 'GET' && request.url === '/jobs') return send(200, scheduler.jobs());
  if (request.method === 'POST' && run) {
    const name = decodeURIComponent(run[1] as string);
    if (!scheduler.jobs().some((job) => job.name === name)) return send(404, { error: `no job named '${name}'` });
    const result = await scheduler.trigger(name);
    return send(200, { ...result, error: result.error instanceof Error ? result.error.message : result.error });
  }
  send(404, { error: 'try GET /jobs or POST /jobs/<name>/run' });
});

await scheduler.start();
server.listen(port, host, () => {
  logger.info({ url: `http://${host}:${port}/jobs` }, 'example service listening');
  for (const job of scheduler.jobs()) {
    logger.info({ next: job.nextRun?.toISOString(), owner: job.owner }, `job ${job.name}: ${job.describe}`);
  }
});

// Graceful shutdown: stop taking ticks, give running jobs 10 s, then abort them through their signals.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close();
    const { stillRunning } = await scheduler.stop({ graceMs: 10_000 });
    if (stillRunning.length > 0) logger.warn({ stillRunning }, 'handlers ignored their abort signal');
    logger.info({}, 'bye');
    process.exit(0);
  });
}

// examples/otel: scheduled jobs with traces, metrics, structured logs and health endpoints.
//
//   npm start -w @tickwise/example-otel                 # OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT
//   npm run start:console -w @tickwise/example-otel     # spans and metrics on the console
//
//   GET http://127.0.0.1:3001/health   200 ok/degraded, 503 failing (for probes)
//   GET http://127.0.0.1:3001/jobs     full snapshot (Authorization: Bearer $HEALTH_TOKEN when set)

import { createServer } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { createHealthHandler, every, type RunContext, Scheduler } from '@tickwise/core';
import { sdk } from './telemetry.js';

const port = Number(process.env.PORT ?? 3001);
// Bound to loopback by default: /jobs lists job names, owners and runbooks.
const host = process.env.HOST ?? '127.0.0.1';

const scheduler = new Scheduler({
  logger: {
    debug: () => {},
    info: (fields, message) => console.log(JSON.stringify({ level: 'info', message, ...fields })),
    warn: (fields, message) =>
      console.log(JSON.stringify({ level: 'warn', message, ...fields, err: String(fields.err ?? '') || undefined })),
    error: (fields, message) =>
      console.log(JSON.stringify({ level: 'error', message, ...fields, err: String(fields.err ?? '') || undefined })),
  },
});

scheduler.add({
  name: 'orders.export',
  schedule: every(process.env.EXAMPLE_INTERVAL ?? '5s'),
  owner: 'fulfilment-team',
  description: 'Export new orders to the warehouse',
  runbook: 'Idempotent per order id; safe to rerun',
  timeout: '3s',
  run: async (ctx: RunContext) => {
    await delay(50 + Math.random() * 100, undefined, { signal: ctx.signal });
  },
});

scheduler.add({
  name: 'invoices.reminders',
  schedule: every(process.env.EXAMPLE_INTERVAL ?? '5s'),
  owner: 'billing-team',
  description: 'Email reminders for unpaid invoices (fails on the first attempt to show retries)',
  runbook: 'Reminders are de-duplicated by invoice and day',
  retry: { retries: 2, minTimeout: '200ms' },
  run: async (ctx: RunContext) => {
    if (ctx.attempt === 1) throw new Error('mail API 503 (simulated)');
  },
});

const health = createHealthHandler(scheduler, process.env.HEALTH_TOKEN ? { token: process.env.HEALTH_TOKEN } : {});
const server = createServer((request, response) => health(request, response));

await scheduler.start();
server.listen(port, host, () =>
  console.log(JSON.stringify({ level: 'info', message: 'listening', url: `http://${host}:${port}/health` })),
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    server.close();
    await scheduler.stop({ graceMs: 10_000 });
    await sdk.shutdown(); // flushes the last spans and metrics
    console.log(JSON.stringify({ level: 'info', message: 'bye' }));
    process.exit(0);
  });
}

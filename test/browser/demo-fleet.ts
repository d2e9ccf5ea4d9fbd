// A small fleet for the web page's browser test and its screenshots: three replicas sharing one
// MemoryStore on a VirtualClock, an hour of runs (successes, failures, a timeout, a cancelled run,
// a replica that went away), and createHealthHandler on a free port. Deterministic, so the
// committed screenshots change only when the page does.

import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { createHealthHandler, cron, every, MemoryStore, type RunContext, Scheduler } from '@tickwise/core';
import { VirtualClock } from '@tickwise/core/testing';

export const TOKEN = 'demo-page-t0ken';
export const T0 = '2026-03-02T08:00:00.000Z';

/** Fixed host names and pids: the screenshots must not show the machine the test ran on. */
class DemoStore extends MemoryStore {
  override async listReplicas() {
    return (await super.listReplicas()).map((replica, i) => ({ ...replica, host: `app-${i + 1}.prod`, pid: 4100 + i }));
  }
}

export interface DemoFleet {
  url: string;
  clock: VirtualClock;
  store: MemoryStore;
  schedulers: Scheduler[];
  close(): Promise<void>;
}

/** `ms` of virtual time; rejects with the run's cancellation when its signal aborts. */
function work(clock: VirtualClock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = clock.setTimer(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        timer.cancel();
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** Stops the schedulers; their shutdown waits for the runs in progress, so virtual time has to pass. */
async function stop(clock: VirtualClock, schedulers: Scheduler[]): Promise<void> {
  let stopped = false;
  const stopping = Promise.all(schedulers.map((s) => s.stop())).then(() => {
    stopped = true;
  });
  for (let i = 0; i < 600 && !stopped; i++) await clock.advance('1s');
  await stopping;
}

const minute = (ctx: RunContext) => ctx.scheduledAt.getUTCMinutes();

export async function startDemoFleet(): Promise<DemoFleet> {
  const clock = new VirtualClock(T0);
  const store = new DemoStore({ now: () => clock.now() });
  const replica = (id: string, version: string) => {
    const scheduler = new Scheduler({ store, clock, env: {}, instanceId: id, logger: false, serviceVersion: version });
    scheduler.add({
      name: 'billing.charge',
      schedule: every('1m'),
      owner: 'billing-team',
      description: 'Charges the invoices that fell due',
      runbook: 'https://runbooks.example/billing-charge',
      run: (ctx) => work(clock, 300 + ((minute(ctx) * 137) % 1200), ctx.signal),
    });
    scheduler.add({
      name: 'export.s3',
      schedule: every('5m'),
      owner: 'data-team',
      description: 'Copies the new orders to the data lake',
      runbook: 'https://runbooks.example/export-s3',
      timeout: '2m',
      run: async (ctx) => {
        await work(clock, minute(ctx) === 25 ? 180_000 : 4_000, ctx.signal);
        if (ctx.scheduledAt.getTime() >= Date.parse('2026-03-02T08:40:00Z')) {
          throw new Error(
            'S3 PutObject failed: 503 Slow Down (bucket tickwise-exports, key orders/2026-03-02.parquet)',
          );
        }
      },
    });
    scheduler.add({
      name: 'search.reindex',
      schedule: every('10m'),
      owner: 'search-team',
      overlap: 'cancel-other',
      run: (ctx) => work(clock, minute(ctx) === 10 ? 12 * 60_000 : 95_000, ctx.signal),
    });
    scheduler.add({
      name: 'report.daily',
      schedule: cron('0 6 * * *', { timezone: 'Europe/Berlin' }),
      owner: 'finance',
      description: 'Sends the daily revenue report',
      run: (ctx) => work(clock, 2_500, ctx.signal),
    });
    if (id === 'web-3') {
      scheduler.add({
        name: 'cache.warm',
        schedule: every('15m'),
        owner: 'platform',
        run: (ctx) => work(clock, 40_000, ctx.signal),
      });
    }
    return scheduler;
  };
  const schedulers = [replica('web-1', '1.4.2'), replica('web-2', '1.4.2'), replica('web-3', '1.5.0')];
  await Promise.all(schedulers.map((s) => s.start()));
  // web-1 goes away half-way (a deploy): the others carry on, and the page lists it as gone.
  await clock.advance('30m45s');
  await stop(clock, schedulers.slice(0, 1));
  await clock.runUntil('2026-03-02T09:00:30.000Z');

  const handler = createHealthHandler(schedulers[1] as Scheduler, { token: TOKEN, jobsAccess: 'token' });
  const server: Server = createServer((request, response) => handler(request, response));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    clock,
    store,
    schedulers,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await stop(clock, schedulers.slice(1));
    },
  };
}

// Three jobs, each with an owner, a description and a runbook note: they show up in logs,
// GET /jobs, and (with @tickwise/core's telemetry) in traces and health output.

import { setTimeout as delay } from 'node:timers/promises';
import { Cron, Every, type RunContext } from '@tickwise/core';

export class Reports {
  /** A cron job in a time zone: 09:00 Berlin time on weekdays, whatever zone the server is in. */
  @Cron('0 9 * * 1-5', {
    timezone: 'Europe/Berlin',
    owner: 'data-team',
    description: 'Weekday revenue digest for the sales team',
    runbook: 'Idempotent (one digest per day, keyed by date): rerun with POST /jobs/Reports.dailyDigest/run',
  })
  async dailyDigest(ctx: RunContext): Promise<void> {
    ctx.logger.info({ day: ctx.scheduledAt.toISOString().slice(0, 10) }, 'digest sent');
  }
}

export class Inventory {
  /** An interval job: every 15 seconds, on a grid every replica agrees on. */
  @Every('15s', {
    owner: 'platform-team',
    description: 'Sync stock levels from the warehouse API',
    runbook:
      'Safe to rerun: the sync overwrites with the warehouse totals. Disable with TICKWISE_DISABLED_JOBS=Inventory.sync',
    timeout: '10s',
  })
  async sync(ctx: RunContext): Promise<void> {
    // Pass the signal on: a timeout or shutdown then stops the work instead of leaving it behind.
    await delay(200, undefined, { signal: ctx.signal });
  }
}

export class Billing {
  /** Fails on its first attempt (a simulated 503) and succeeds on the retry. */
  @Every('30s', {
    owner: 'billing-team',
    description: 'Charge pending invoices',
    runbook: 'Idempotent per invoice id; on repeated failure check the payment provider status page',
    retry: { retries: 3, minTimeout: '1s', maxTimeout: '10s' },
    timeout: '20s',
  })
  async chargeInvoices(ctx: RunContext): Promise<void> {
    if (ctx.attempt === 1) throw new Error('payment API answered 503 (simulated)');
    ctx.logger.info({ attempt: ctx.attempt }, 'invoices charged');
  }
}

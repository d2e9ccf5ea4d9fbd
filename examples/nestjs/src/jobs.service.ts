import { Injectable, Logger } from '@nestjs/common';
import { Cron, Every, type RunContext } from '@tickwise/core';
// A value import: emitDecoratorMetadata needs the class at run time for constructor injection.
import { InventoryClient } from './inventory.client.js';

@Injectable()
export class JobsService {
  private readonly logger = new Logger(JobsService.name);

  constructor(private readonly inventory: InventoryClient) {}

  // The schedule comes from configuration (reports.digestCron), read through ConfigService at start.
  @Cron(
    { config: 'reports.digestCron' },
    {
      timezone: 'Europe/Berlin',
      retry: { retries: 2, minTimeout: '30s' },
      timeout: '5m',
      owner: 'data-team',
      description: 'Weekday revenue digest e-mail',
      runbook: 'Idempotent (one digest per day, keyed by date): safe to rerun with POST /jobs/JobsService.digest/run',
    },
  )
  async digest(ctx: RunContext): Promise<void> {
    this.logger.log(`digest for ${ctx.scheduledAt.toISOString()} (attempt ${ctx.attempt}, fence ${ctx.fence})`);
  }

  @Every('30s', {
    owner: 'platform-team',
    description: 'Sync stock levels from the warehouse API',
    runbook: 'Idempotent: each run overwrites the levels; pause with POST /jobs/JobsService.syncInventory/pause',
  })
  async syncInventory(ctx: RunContext): Promise<void> {
    const level = await this.inventory.fetchStockLevel(ctx.signal);
    this.logger.log(`inventory synced: ${level} units`);
  }
}

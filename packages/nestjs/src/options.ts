// What TickwiseModule.forRoot() / forRootAsync() take: every SchedulerOptions field of
// @tickwise/core, passed through as is, plus the few options only the Nest module has.

import type { ConfigReader, Logger, SchedulerOptions } from '@tickwise/core';

/** The options only the module reads; every other field goes to `new Scheduler()` unchanged. */
export interface TickwiseNestOnlyOptions {
  /**
   * Reads the keys of `@Cron({ config })` / `@Every({ config })`. Default: `ConfigService.get`
   * when @nestjs/config is installed and ConfigService is available in the app.
   */
  config?: ConfigReader;
  /** How long shutdown waits for running jobs before aborting them; default 30 s. */
  shutdownGraceMs?: number;
}

/**
 * Derived from SchedulerOptions, so a field @tickwise/core adds is accepted and passed on without
 * a change here: store, clock, logger, instanceId, disabled, missedAfterMs, env, telemetry,
 * batchSize, errorDetail, ... Only the default differs: `logger` is Nest's Logger (context 'Tickwise') instead
 * of silent.
 */
export interface TickwiseModuleOptions extends SchedulerOptions, TickwiseNestOnlyOptions {
  /**
   * Any pino-compatible logger (debug/info/warn/error), or `false` for none; default Nest's Logger
   * (context 'Tickwise').
   */
  logger?: Logger | false;
}

export interface TickwiseModuleAsyncOptions {
  /** Modules whose providers the factory needs (e.g. ConfigModule). */
  imports?: unknown[];
  /** Providers to inject into the factory, in order. */
  inject?: unknown[];
  useFactory: (...args: never[]) => TickwiseModuleOptions | Promise<TickwiseModuleOptions>;
}

export const TICKWISE_OPTIONS = Symbol.for('tickwise:module-options');

// What TickwiseModule.forRoot() / forRootAsync() take.

import type { ClaimStore, Clock, ConfigReader, Logger } from '@tickwise/core';

export interface TickwiseModuleOptions {
  /** Claim store; default the in-memory store (one process). Use RedisStore/PostgresStore for replicas. */
  store?: ClaimStore;
  /** Any pino-compatible logger (debug/info/warn/error); default Nest's Logger (context 'Tickwise'). */
  logger?: Logger;
  /** This replica's id in claims, logs and telemetry; default a random one. */
  instanceId?: string;
  /** Jobs to disable at start (names or `*`), on top of TICKWISE_DISABLED_JOBS. */
  disabled?: string[];
  /** A clock, for tests: `new VirtualClock()` from '@tickwise/core/testing'. */
  clock?: Clock;
  /** Environment for the kill switch; default process.env. */
  env?: Record<string, string | undefined>;
  /**
   * Reads the keys of `@Cron({ config })` / `@Every({ config })`. Default: `ConfigService.get`
   * when @nestjs/config is installed and ConfigService is available in the app.
   */
  config?: ConfigReader;
  /** How long shutdown waits for running jobs before aborting them; default 30 s. */
  shutdownGraceMs?: number;
}

export interface TickwiseModuleAsyncOptions {
  /** Modules whose providers the factory needs (e.g. ConfigModule). */
  imports?: unknown[];
  /** Providers to inject into the factory, in order. */
  inject?: unknown[];
  useFactory: (...args: never[]) => TickwiseModuleOptions | Promise<TickwiseModuleOptions>;
}

export const TICKWISE_OPTIONS = Symbol.for('tickwise:module-options');

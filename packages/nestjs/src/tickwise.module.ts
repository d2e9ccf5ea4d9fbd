// TickwiseModule: one Scheduler for the app, injectable as `Scheduler` from @tickwise/core, with
// every decorated job of the app's providers and controllers registered at bootstrap.

import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Scheduler, type SchedulerOptions } from '@tickwise/core';
import { TickwiseJobsExplorer } from './jobs-explorer.js';
import { nestLogger } from './nest-logger.js';
import { TICKWISE_OPTIONS, type TickwiseModuleAsyncOptions, type TickwiseModuleOptions } from './options.js';

/**
 * The Scheduler's options: every field of the module options but the Nest-only ones, unchanged
 * (a rest spread, so a field core adds needs no change here), with Nest's Logger as the default.
 */
export function schedulerOptionsFrom(options: TickwiseModuleOptions): SchedulerOptions {
  const { config: _config, shutdownGraceMs: _shutdownGraceMs, ...scheduler } = options;
  return { ...scheduler, logger: options.logger ?? nestLogger() };
}

function schedulerFrom(options: TickwiseModuleOptions): Scheduler {
  return new Scheduler(schedulerOptionsFrom(options));
}

const shared: Provider[] = [
  { provide: Scheduler, useFactory: schedulerFrom, inject: [TICKWISE_OPTIONS] },
  TickwiseJobsExplorer,
];

// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with static forRoot/forRootAsync
export class TickwiseModule {
  /** `TickwiseModule.forRoot({ store, logger, instanceId, disabled, ... })` in the root module: any SchedulerOptions field. */
  static forRoot(options: TickwiseModuleOptions = {}): DynamicModule {
    return {
      module: TickwiseModule,
      imports: [DiscoveryModule],
      providers: [{ provide: TICKWISE_OPTIONS, useValue: options }, ...shared],
      exports: [Scheduler],
    };
  }

  /** Options from other providers: `forRootAsync({ imports: [ConfigModule], inject: [ConfigService], useFactory })`. */
  static forRootAsync(options: TickwiseModuleAsyncOptions): DynamicModule {
    return {
      module: TickwiseModule,
      imports: [DiscoveryModule, ...((options.imports ?? []) as DynamicModule[])],
      providers: [
        {
          provide: TICKWISE_OPTIONS,
          useFactory: options.useFactory as (...args: unknown[]) => TickwiseModuleOptions,
          inject: (options.inject ?? []) as never[],
        },
        ...shared,
      ],
      exports: [Scheduler],
    };
  }
}

// Applied as calls, not decorator syntax: see jobs-explorer.ts.
Global()(TickwiseModule);
Module({})(TickwiseModule);

// Finds the @Cron/@Every/@Job methods on every provider and controller Nest created, registers
// them bound to those instances, starts the scheduler once the app is bootstrapped, and drains it
// when the app shuts down.
//
// Nest decorators are applied as plain calls (Injectable()(Class), Inject(token)(...)) rather than
// with decorator syntax: this file then compiles the same under any decorator setting (tsc with
// experimentalDecorators, TC39 decorators, esbuild), and needs no emitted metadata.

import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DiscoveryService, ModuleRef } from '@nestjs/core';
import { type ConfigReader, hasDecoratedJobs, Scheduler } from '@tickwise/core';
import { TICKWISE_OPTIONS, type TickwiseModuleOptions } from './options.js';

/** ConfigService.get when @nestjs/config is installed and the app provides ConfigService. */
async function configServiceReader(moduleRef: ModuleRef): Promise<ConfigReader | undefined> {
  let ConfigService: (new (...args: never[]) => { get(key: string): unknown }) | undefined;
  try {
    ({ ConfigService } = await import('@nestjs/config'));
  } catch {
    return undefined;
  }
  try {
    const service = moduleRef.get(ConfigService, { strict: false });
    return (key) => service.get(key);
  } catch {
    return undefined;
  }
}

export class TickwiseJobsExplorer implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly moduleRef: ModuleRef,
    private readonly scheduler: Scheduler,
    private readonly options: TickwiseModuleOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const config = this.options.config ?? (await configServiceReader(this.moduleRef));
    const seen = new Set<object>();
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const instance: unknown = wrapper.instance;
      // Request- and transient-scoped providers have no single instance to bind a job to.
      if (!wrapper.isDependencyTreeStatic() || wrapper.isTransient) continue;
      if (typeof instance !== 'object' || instance === null || seen.has(instance)) continue;
      seen.add(instance);
      if (!hasDecoratedJobs(instance)) continue;
      // Throws a JobDefinitionError naming the job (bad schedule, missing config key): the app
      // fails to start instead of a job failing at its first tick.
      this.scheduler.register(instance, config ? { config } : {});
    }
    await this.scheduler.start();
  }

  async onModuleDestroy(): Promise<void> {
    // Before other modules' onModuleDestroy closes what running jobs still use (pools, clients).
    await this.scheduler.stop({ graceMs: this.options.shutdownGraceMs ?? 30_000 });
  }
}

Injectable()(TickwiseJobsExplorer);
Inject(DiscoveryService)(TickwiseJobsExplorer, undefined, 0);
Inject(ModuleRef)(TickwiseJobsExplorer, undefined, 1);
Inject(Scheduler)(TickwiseJobsExplorer, undefined, 2);
Inject(TICKWISE_OPTIONS)(TickwiseJobsExplorer, undefined, 3);

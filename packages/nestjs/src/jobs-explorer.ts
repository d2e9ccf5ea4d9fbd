// Finds the @Cron/@Every/@Job methods on every provider and controller Nest created, registers
// them bound to those instances, starts the scheduler once the app is bootstrapped, and drains it
// when the app shuts down.
//
// Nest decorators are applied as plain calls (Injectable()(Class), Inject(token)(...)) rather than
// with decorator syntax: this file then compiles the same under any decorator setting (tsc with
// experimentalDecorators, TC39 decorators, esbuild), and needs no emitted metadata.

import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { type ConfigReader, hasDecoratedJobs, Scheduler } from '@tickwise/core';
import { TICKWISE_OPTIONS, type TickwiseModuleOptions } from './options.js';

/**
 * ConfigService.get when the app has @nestjs/config's ConfigService. Found among the app's
 * providers, not imported: an import from here could load another copy of @nestjs/config than the
 * app's (and with it a second @nestjs/common), e.g. a Nest 12 app beside a Nest 11 one in a monorepo.
 */
function configServiceReader(discovery: DiscoveryService): ConfigReader | undefined {
  for (const wrapper of discovery.getProviders()) {
    const { token, instance } = wrapper as { token: unknown; instance: unknown };
    if (typeof token !== 'function' || token.name !== 'ConfigService') continue;
    if (wrapper.host?.metatype?.name !== 'ConfigModule') continue;
    const service = instance as { get?: unknown } | null;
    if (typeof service?.get === 'function') {
      const get = service.get as (key: string) => unknown;
      return (key) => get.call(service, key);
    }
  }
  return undefined;
}

export class TickwiseJobsExplorer implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scheduler: Scheduler,
    private readonly options: TickwiseModuleOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const config = this.options.config ?? configServiceReader(this.discovery);
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
Inject(Scheduler)(TickwiseJobsExplorer, undefined, 1);
Inject(TICKWISE_OPTIONS)(TickwiseJobsExplorer, undefined, 2);

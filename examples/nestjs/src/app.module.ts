import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { TickwiseModule } from '@tickwise/nestjs';
import { TickwiseHealthIndicator } from '@tickwise/nestjs/terminus';
import { RedisStore } from '@tickwise/redis';
import { HttpController } from './http.controller.js';
import { InventoryClient } from './inventory.client.js';
import { JobsService } from './jobs.service.js';

@Module({
  imports: [
    ConfigModule.forRoot({
      ignoreEnvFile: true,
      load: [() => ({ reports: { digestCron: process.env.DIGEST_CRON ?? '0 9 * * 1-5' } })],
    }),
    // The embedded in-memory store by default; TICKWISE_STORE=redis to share ticks between replicas.
    TickwiseModule.forRootAsync({
      useFactory: () => ({
        ...(process.env.TICKWISE_STORE === 'redis' && {
          store: new RedisStore({ client: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }),
        }),
        shutdownGraceMs: 10_000,
      }),
    }),
    TerminusModule,
  ],
  controllers: [HttpController],
  providers: [InventoryClient, JobsService, TickwiseHealthIndicator],
})
export class AppModule {}

import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

const app = await NestFactory.create(AppModule, { logger: ['log', 'warn', 'error'] });
// SIGTERM/SIGINT -> app.close() -> the scheduler drains running jobs, then stops.
app.enableShutdownHooks();
const port = Number(process.env.PORT ?? 3001);
await app.listen(port, '127.0.0.1');
console.log(`nestjs example listening on http://127.0.0.1:${port} (GET /jobs, GET /health)`);

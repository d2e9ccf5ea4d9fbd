// Finding the Redis and PostgreSQL servers the store tests use. In CI (CI=true) a missing server
// fails the test with a clear message; locally the test is skipped with a loud notice.

import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, Socket } from 'node:net';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function reachable(url: string, defaultPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(Number(port || defaultPort), hostname, () => done(true));
  });
}

/** Call in before(): fails in CI, skips loudly elsewhere, when the server is not there. */
export async function requireServer(context: Mocha.Context, what: 'Redis' | 'PostgreSQL'): Promise<void> {
  const url = what === 'Redis' ? REDIS_URL : DATABASE_URL;
  if (await reachable(url, what === 'Redis' ? 6379 : 5432)) return;
  const message = `${what} is not reachable at ${url.replace(/:[^:@/]*@/, ':***@')} (set ${what === 'Redis' ? 'REDIS_URL' : 'DATABASE_URL'})`;
  if (process.env.CI) throw new Error(`${message}: the store tests need it in CI`);
  console.warn(`\n  !!! SKIPPING ${what} tests: ${message}\n`);
  context.skip();
}

/**
 * Call in before()/it(): a Debian tool the test runs (faketime, pgbouncer). In CI a missing one
 * fails with the command that installs it; locally the test is skipped with a loud notice.
 */
export function requireTool(context: Mocha.Context, path: string, installWith: string): void {
  if (existsSync(path)) return;
  const message = `${path} is not installed (${installWith}; scripts/install-fault-tools.sh does it)`;
  if (process.env.CI) throw new Error(`${message}: CI needs it`);
  console.warn(`\n  !!! SKIPPING: ${message}\n`);
  context.skip();
}

/** A unique name per test run, so tests never see each other's keys or tables. */
export function uniqueName(base: string): string {
  return `${base}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

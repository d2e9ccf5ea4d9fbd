// A throwaway PostgreSQL cluster (initdb + pg_ctl under a temp dir, on a free port), for tests that
// stop and restart the server or need password authentication. Runs as the `postgres` OS user
// when the tests run as root (initdb refuses root). Stopped by the test that started it.

import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './services.js';

export interface ThrowawayPostgres {
  port: number;
  url: string;
  stop(mode?: 'fast' | 'immediate'): void;
  start(): void;
  destroy(): void;
}

function binDir(): string {
  const found = execFileSync('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1'], {
    encoding: 'utf8',
  }).trim();
  if (!found) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  return found;
}

export async function startThrowawayPostgres(options: { password?: string } = {}): Promise<ThrowawayPostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'tickwise-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const user = (command: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { stdio: 'pipe' })
      : execFileSync(command, args, { stdio: 'pipe' });
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  const initArgs = ['-D', data, '-U', 'postgres', '--no-sync'];
  if (options.password) {
    const pwfile = join(dir, 'pw');
    writeFileSync(pwfile, `${options.password}\n`);
    if (asRoot) execFileSync('chown', ['postgres', pwfile]);
    initArgs.push('--auth=scram-sha-256', `--pwfile=${pwfile}`);
  } else {
    initArgs.push('--auth=trust');
  }
  user(`${bin}/initdb`, initArgs);
  const port = await freePort();
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = () => user(`${bin}/pg_ctl`, ['-D', data, '-o', serverOptions, '-l', join(dir, 'log'), '-w', 'start']);
  start();
  const auth = options.password ? `postgres:${encodeURIComponent(options.password)}@` : 'postgres@';
  return {
    port,
    url: `postgres://${auth}127.0.0.1:${port}/postgres`,
    stop: (mode = 'fast') => {
      user(`${bin}/pg_ctl`, ['-D', data, '-m', mode, '-w', 'stop']);
    },
    start,
    destroy: () => {
      try {
        user(`${bin}/pg_ctl`, ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

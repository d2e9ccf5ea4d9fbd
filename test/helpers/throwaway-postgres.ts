// A throwaway PostgreSQL cluster (initdb + pg_ctl under a temp dir, on a free port), for tests that
// stop, restart or freeze the server or need password authentication. Runs as the `postgres` OS
// user when the tests run as root (initdb refuses root). Stopped by the test that started it.

import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './services.js';

export interface ThrowawayPostgres {
  port: number;
  url: string;
  stop(mode?: 'fast' | 'immediate'): void;
  start(): void;
  /**
   * SIGSTOP to the postmaster, then to all its children (backends, background workers): open
   * connections get no answer and new ones hang after the TCP handshake, as when the host hangs.
   */
  freeze(): void;
  /** SIGCONT to the processes freeze() stopped; what they were sent meanwhile is then answered. */
  thaw(): void;
  destroy(): void;
}

/** The postmaster's PID: the first line of postmaster.pid in the data directory. */
function postmasterPid(data: string): number {
  const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no postmaster PID in ${data}/postmaster.pid`);
  return pid;
}

/** The PIDs whose parent is `parent`, from /proc (every backend is a direct child of the postmaster). */
function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of stat is the parent PID; field 2, the name, is in parentheses and may hold spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) children.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

function binDir(): string {
  const found = execFileSync('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1'], {
    encoding: 'utf8',
  }).trim();
  if (!found) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  return found;
}

export interface ThrowawayPostgresOptions {
  /** Password authentication (scram-sha-256) for `postgres` with this password; default trust. */
  password?: string;
  /** Server settings (`-c name=value`, after the defaults, so `listen_addresses` too): `{ ssl: 'on' }`. */
  settings?: Record<string, string>;
  /** Replaces pg_hba.conf, e.g. to accept TCP connections over TLS only (`hostssl`). */
  hba?: string;
  /**
   * Files written into the data directory for the server's user, mode 0600 (a TLS key must be):
   * `{ 'server.key': pem }`. Relative paths in settings (ssl_key_file) are relative to that directory.
   */
  files?: Record<string, string>;
}

/** One word for the shell pg_ctl runs postgres with. */
const shellWord = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;

export async function startThrowawayPostgres(options: ThrowawayPostgresOptions = {}): Promise<ThrowawayPostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'tickwise-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  let owner: { uid: number; gid: number } | undefined;
  const user = (command: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { stdio: 'pipe' })
      : execFileSync(command, args, { stdio: 'pipe' });
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    owner = { uid, gid };
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
  for (const [name, content] of Object.entries(options.files ?? {})) {
    const path = join(data, name);
    writeFileSync(path, content, { mode: 0o600 });
    if (owner) chownSync(path, owner.uid, owner.gid);
  }
  if (options.hba !== undefined) writeFileSync(join(data, 'pg_hba.conf'), options.hba); // keeps its owner
  const port = await freePort();
  const settings = Object.entries(options.settings ?? {}).map(
    ([name, value]) => ` -c ${shellWord(`${name}=${value}`)}`,
  );
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off${settings.join('')}`;
  const start = () => user(`${bin}/pg_ctl`, ['-D', data, '-o', serverOptions, '-l', join(dir, 'log'), '-w', 'start']);
  start();
  let frozen: number[] = [];
  const thaw = () => {
    for (const pid of frozen) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // gone meanwhile (the server was killed)
      }
    }
    frozen = [];
  };
  const auth = options.password ? `postgres:${encodeURIComponent(options.password)}@` : 'postgres@';
  return {
    port,
    url: `postgres://${auth}127.0.0.1:${port}/postgres`,
    stop: (mode = 'fast') => {
      thaw(); // a stopped postmaster would not hear pg_ctl's signal
      user(`${bin}/pg_ctl`, ['-D', data, '-m', mode, '-w', 'stop']);
    },
    start,
    freeze: () => {
      // The postmaster first, so it forks no new backend after the children are listed.
      const postmaster = postmasterPid(data);
      process.kill(postmaster, 'SIGSTOP');
      frozen.push(postmaster);
      for (const pid of childrenOf(postmaster)) {
        try {
          process.kill(pid, 'SIGSTOP');
          frozen.push(pid);
        } catch {
          // exited between the listing and the signal
        }
      }
    },
    thaw,
    destroy: () => {
      thaw();
      try {
        user(`${bin}/pg_ctl`, ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

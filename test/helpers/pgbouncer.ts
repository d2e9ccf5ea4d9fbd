// A throwaway PgBouncer in transaction pooling mode (a free port, a generated ini in a temp dir) in
// front of a PostgreSQL server, for tests of the store behind a pooler. Runs as the `postgres` OS
// user when the tests run as root (pgbouncer refuses root). Stopped by the test that started it.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DATABASE_URL, freePort, sleep } from './services.js';

const PGBOUNCER = '/usr/sbin/pgbouncer';

export interface PgBouncerOptions {
  /** The PostgreSQL server behind the pooler; default: the host and port of DATABASE_URL. */
  host?: string;
  port?: number;
  /** Server connections per database and user (default_pool_size); default 5. */
  poolSize?: number;
}

export interface PgBouncer {
  readonly port: number;
  /** postgres://postgres@127.0.0.1:<port>/<database>, through the pooler to the same-named database. */
  url(database: string): string;
  /** SIGTERM to pgbouncer, waits for the exit, removes the temp dir. The same promise on every call. */
  stop(): Promise<void>;
}

function ini(dir: string, listenPort: number, host: string, port: number, poolSize: number): string {
  return `[databases]
* = host=${host} port=${port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${listenPort}
; no Unix socket: nothing to clash with another pooler on the machine
unix_socket_dir =
pidfile = ${join(dir, 'pgbouncer.pid')}
auth_type = trust
auth_file = ${join(dir, 'users.txt')}
pool_mode = transaction
max_client_conn = 100
default_pool_size = ${poolSize}
; node-postgres sends neither, but a client that does would be refused without this line;
; "options" (e.g. -c search_path=...) is then dropped silently
ignore_startup_parameters = extra_float_digits,options
`;
}

/** Whether `SELECT 1` works through the pooler on `port` within a second. */
async function answers(port: number): Promise<boolean> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'postgres',
    connectionTimeoutMillis: 1000,
    query_timeout: 1000,
  });
  client.on('error', () => {}); // refused while pgbouncer boots: expected
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Starts pgbouncer in the foreground as a child process and waits until `SELECT 1` passes through it. */
export async function startPgBouncer(options: PgBouncerOptions = {}): Promise<PgBouncer> {
  if (!existsSync(PGBOUNCER)) {
    throw new Error(`pgbouncer is not installed at ${PGBOUNCER}: install it with \`apt-get install -y pgbouncer\``);
  }
  const target = new URL(DATABASE_URL);
  const host = options.host ?? target.hostname;
  const port = options.port ?? Number(target.port || 5432);
  const dir = mkdtempSync(join(tmpdir(), 'tickwise-pgbouncer-'));
  const listenPort = await freePort();
  const config = join(dir, 'pgbouncer.ini');
  writeFileSync(join(dir, 'users.txt'), '"postgres" ""\n'); // trust still needs the user listed
  writeFileSync(config, ini(dir, listenPort, host, port, options.poolSize ?? 5));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    // pgbouncer writes its pid file here as `postgres`; the ini and user list stay readable (0644)
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  const [command, args] = asRoot ? ['runuser', ['-u', 'postgres', '--', PGBOUNCER, config]] : [PGBOUNCER, [config]];
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (error) => {
      spawnError = error; // runuser or pgbouncer could not be run: 'exit' never comes
      resolve();
    });
  });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (!spawnError && child.exitCode === null && child.signalCode === null) {
        // Signal pgbouncer itself: runuser would pass SIGTERM on, but then wait 2 s before exiting.
        const pidFile = join(dir, 'pgbouncer.pid');
        const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : child.pid;
        if (pid) process.kill(pid, 'SIGTERM');
      }
      await exited;
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  const deadline = Date.now() + 10_000;
  while (!(await answers(listenPort))) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await stop();
      const why = spawnError ? `could not be spawned (${spawnError.message})` : 'did not pass SELECT 1 through';
      throw new Error(`pgbouncer on port ${listenPort} ${why} to ${host}:${port}:\n${output}`);
    }
    await sleep(50);
  }
  return {
    port: listenPort,
    url: (database) => `postgres://postgres@127.0.0.1:${listenPort}/${database}`,
    stop,
  };
}

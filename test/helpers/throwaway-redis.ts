// A throwaway redis-server (no persistence, a free port, its own temp dir) that a test can kill,
// restart, freeze and thaw by PID, to see what a client does when its Redis crashes or hangs.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, sleep } from './services.js';

export interface ThrowawayRedis {
  readonly port: number;
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  /** The running server's PID: a new one after restart(). */
  readonly pid: number;
  /** SIGKILL, as a crash would; resolves once the process has exited. */
  kill(): Promise<void>;
  /** Starts the server again on the same port (killing it first if it still runs), with no data. */
  restart(): Promise<void>;
  /** SIGSTOP: connections stay open and nothing is answered. */
  freeze(): void;
  /** SIGCONT: the server answers again, what it was sent meanwhile included. */
  thaw(): void;
  /** SIGTERM (thawing first), waits for the exit, removes the temp dir. The same promise on every call. */
  stop(): Promise<void>;
}

/** A redis-server process. */
export interface RedisProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves once the process has exited. */
  readonly exited: Promise<void>;
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Whether the Redis on `port` answers, and is process `pid` (not another server that had the port). */
async function answers(port: number, pid: number | undefined): Promise<boolean> {
  const client = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {}); // refused while the server boots: expected
  try {
    await client.connect();
    return (await client.info('server')).includes(`\nprocess_id:${pid}\r`);
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Starts `redis-server` on 127.0.0.1:`port` without persistence, `dir` as its working directory and
 * `args` added, and waits until it answers as itself (INFO names its PID). Fails with what the
 * server printed if it exits first (a port already taken, say) or is not up within 10 s, leaving no
 * process behind. For helpers that run Redis in other shapes (the cluster).
 */
export async function launchRedisServer(port: number, dir: string, args: string[] = []): Promise<RedisProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let failure: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (error) => {
      failure = error; // redis-server not on PATH: 'exit' never comes
      resolve();
    });
  });
  const deadline = Date.now() + 10_000;
  const notUp = () => {
    if (failure) return `could not be spawned (${failure.message})`;
    if (hasExited(child)) return 'exited';
    if (Date.now() > deadline) return 'did not answer within 10 s';
    return undefined;
  };
  while (!(await answers(port, child.pid))) {
    const why = notUp();
    if (why) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`redis-server on port ${port} ${why}:\n${output}`);
    }
    await sleep(50);
  }
  const { pid } = child;
  if (pid === undefined) throw new Error(`redis-server on port ${port} answered but has no PID`);
  return { child, pid, exited };
}

/** Starts a throwaway Redis on a free port and waits until it answers. */
export async function startThrowawayRedis(): Promise<ThrowawayRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'tickwise-redis-'));
  const port = await freePort();
  let server: RedisProcess;
  try {
    server = await launchRedisServer(port, dir);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let frozen = false;
  let stopping: Promise<void> | undefined;
  const signal = (name: NodeJS.Signals) => {
    if (!hasExited(server.child)) process.kill(server.pid, name);
  };
  const kill = async () => {
    signal('SIGKILL'); // a stopped process dies of SIGKILL too
    await server.exited;
    frozen = false;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return server.pid;
    },
    kill,
    async restart() {
      await kill();
      server = await launchRedisServer(port, dir);
    },
    freeze() {
      signal('SIGSTOP');
      frozen = true;
    },
    thaw() {
      signal('SIGCONT');
      frozen = false;
    },
    stop() {
      stopping ??= (async () => {
        if (frozen) signal('SIGCONT'); // a stopped process holds SIGTERM until it runs again
        signal('SIGTERM');
        await server.exited;
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

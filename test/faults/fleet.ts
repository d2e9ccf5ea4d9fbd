// Real replica processes for the fault suite (test/faults/replica.ts), their events, and the
// ledger they write: from it, each test counts the ticks that ran twice and the ticks that never ran.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReplicaConfig } from './replica.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ReplicaEvent {
  r: string;
  type: string;
  job?: string;
  tick?: number;
  reason?: string;
  completion?: string;
  outcome?: string;
  level?: string;
  message?: string;
  [key: string]: unknown;
}

export interface FleetReplica {
  id: string;
  child: ChildProcess;
  events: ReplicaEvent[];
  /** Resolves with the first event that matches. */
  waitFor(match: (event: ReplicaEvent) => boolean, timeoutMs?: number, what?: string): Promise<ReplicaEvent>;
  /** Resolves when the process has exited, with its exit code (null after a signal). */
  exited: Promise<number | null>;
}

export interface LedgerLine {
  r: string;
  j: string;
  t: number;
  f: number;
  /** Started at (wall clock, ms), on the start line. */
  s?: number;
  /** Ended at, on the end line; `a` when its signal aborted (null if it did not). */
  e?: number;
  a?: number | null;
}

export interface Run {
  replica: string;
  job: string;
  tick: number;
  fence: number;
  startedAt: number;
  endedAt: number | null;
  abortedAt: number | null;
}

/** Spawns replica processes, keeps what they print, and reads their ledgers. */
export class Fleet {
  readonly dir = mkdtempSync(join(tmpdir(), 'tickwise-fleet-'));
  readonly replicas: FleetReplica[] = [];

  /**
   * Starts a replica, the node process itself (never under a wrapper command: a wrapper that forks,
   * as `faketime` does, survives its child's kill or leaves the child behind, holding the stdout
   * pipe open). `env` can preload libraries, e.g. libfaketime. Waits for `ready` unless told not to.
   */
  async start(
    config: Omit<ReplicaConfig, 'ledger'>,
    options: { ready?: boolean; env?: Record<string, string> } = {},
  ): Promise<FleetReplica> {
    const full: ReplicaConfig = { ...config, ledger: join(this.dir, `${config.id}.jsonl`) };
    const args = [
      '--import',
      'tsx/esm',
      '--conditions=tickwise-source',
      'test/faults/replica.ts',
      JSON.stringify(full),
    ];
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: '', ...options.env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const events: ReplicaEvent[] = [];
    const waiters: { match: (e: ReplicaEvent) => boolean; resolve: (e: ReplicaEvent) => void }[] = [];
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const event = JSON.parse(line) as ReplicaEvent;
        events.push(event);
        for (const waiter of [...waiters]) {
          if (waiter.match(event)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(event);
          }
        }
      }
    });
    const exited = once(child, 'exit').then(([code]) => code as number | null);
    const replica: FleetReplica = {
      id: config.id,
      child,
      events,
      exited,
      waitFor: (match, timeoutMs = 30_000, what = 'an event') => {
        const found = events.find(match);
        if (found) return Promise.resolve(found);
        return new Promise((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`replica ${config.id}: timed out after ${timeoutMs} ms waiting for ${what}`)),
            timeoutMs,
          );
          waiters.push({
            match,
            resolve: (event) => {
              clearTimeout(timer);
              resolve(event);
            },
          });
          void exited.then(() => {
            clearTimeout(timer);
            reject(new Error(`replica ${config.id} exited while waiting for ${what}`));
          });
        });
      },
    };
    this.replicas.push(replica);
    if (options.ready !== false) await replica.waitFor((e) => e.type === 'ready', 60_000, 'ready');
    return replica;
  }

  /** Every run the ledgers recorded, start and end matched by (replica, job, tick, fence). */
  runs(): Run[] {
    const runs = new Map<string, Run>();
    for (const replica of this.replicas) {
      const file = join(this.dir, `${replica.id}.jsonl`);
      if (!existsSync(file)) continue;
      for (const text of readFileSync(file, 'utf8').split('\n')) {
        if (!text) continue;
        const line = JSON.parse(text) as LedgerLine;
        const key = `${line.r}\0${line.j}\0${line.t}\0${line.f}`;
        let run = runs.get(key);
        if (!run) {
          run = {
            replica: line.r,
            job: line.j,
            tick: line.t,
            fence: line.f,
            startedAt: 0,
            endedAt: null,
            abortedAt: null,
          };
          runs.set(key, run);
        }
        if (line.s !== undefined) run.startedAt = line.s;
        if (line.e !== undefined) {
          run.endedAt = line.e;
          run.abortedAt = line.a ?? null;
        }
      }
    }
    return [...runs.values()].sort((a, b) => a.tick - b.tick || a.startedAt - b.startedAt);
  }

  /** (job, tick) pairs that started more than once, with who ran them. */
  duplicates(runs = this.runs()): string[] {
    const byTick = new Map<string, Run[]>();
    for (const run of runs) {
      const key = `${run.job}@${new Date(run.tick).toISOString()}`;
      byTick.set(key, [...(byTick.get(key) ?? []), run]);
    }
    return [...byTick]
      .filter(([, list]) => list.length > 1)
      .map(([key, list]) => `${key} ran ${list.length}x (${list.map((r) => `${r.replica}#${r.fence}`).join(', ')})`);
  }

  /**
   * Ticks of every job due in [from, to] that no replica started. `periodMs` is the jobs'
   * interval (every() ticks are anchored to the epoch).
   */
  misses(jobs: string[], periodMs: number, from: number, to: number, runs = this.runs()): string[] {
    const ran = new Set(runs.map((run) => `${run.job}@${run.tick}`));
    const missing: string[] = [];
    for (let tick = Math.ceil(from / periodMs) * periodMs; tick <= to; tick += periodMs) {
      for (const job of jobs) if (!ran.has(`${job}@${tick}`)) missing.push(`${job}@${new Date(tick).toISOString()}`);
    }
    return missing;
  }

  /**
   * What happened to one job in [from, to] (wall clock), in order: runs from the ledgers and the
   * replicas' events, one line each. Printed by a failing assertion, so a one-off failure in CI
   * explains itself.
   */
  timeline(job: string, from: number, to: number, runs = this.runs()): string {
    const iso = (ms: number) => new Date(ms).toISOString().slice(11, 23);
    const lines: [number, string][] = [];
    for (const run of runs) {
      if (run.job !== job || run.startedAt < from || run.startedAt > to) continue;
      const end = run.endedAt === null ? 'never ended' : `ended ${iso(run.endedAt)}`;
      lines.push([
        run.startedAt,
        `${iso(run.startedAt)} ${run.replica} ran tick ${iso(run.tick)} #${run.fence}, ${end}`,
      ]);
    }
    for (const replica of this.replicas) {
      for (const event of replica.events) {
        const at = Number(event.at);
        if (at < from || at > to || (event.job !== undefined && event.job !== job)) continue;
        const { r, at: _at, type, ...rest } = event;
        const tick = typeof rest.tick === 'number' ? ` tick ${iso(rest.tick)}` : '';
        delete rest.tick;
        lines.push([at, `${iso(at)} ${r} ${type}${tick} ${JSON.stringify(rest)}`]);
      }
    }
    return lines
      .sort((a, b) => a[0] - b[0])
      .map(([, line]) => line)
      .join('\n');
  }

  /** Events of every replica. */
  events(filter: (event: ReplicaEvent) => boolean = () => true): ReplicaEvent[] {
    return this.replicas.flatMap((replica) => replica.events).filter(filter);
  }

  /** SIGTERM to every replica still running (SIGCONT first, in case one is stopped); waits for them. */
  async stop(): Promise<void> {
    await Promise.all(
      this.replicas.map(async (replica) => {
        if (replica.child.exitCode !== null || replica.child.signalCode !== null) return;
        replica.child.kill('SIGCONT');
        replica.child.kill('SIGTERM');
        const timer = setTimeout(() => replica.child.kill('SIGKILL'), 20_000);
        await replica.exited;
        clearTimeout(timer);
      }),
    );
  }

  /** Stops the replicas and removes the ledgers. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Job names `<prefix>-0` … `<prefix>-(count-1)`, as replica.ts names them. */
export function jobNames(count: number, prefix = 'job'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
}

// Replica processes for the multi-process store tests (test/replicas/replica.ts), and helpers to
// start and stop them.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from './services.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ReplicaOptions {
  leaseMs?: number;
  runMs?: number;
  skewMs?: number;
  interval?: string;
  /** Puts the claims on another server (a throwaway one); run counts stay on the shared one. */
  storeUrl?: string;
}

export interface Replica {
  id: string;
  child: ChildProcess;
  /** The JSON lines the replica printed: runs (start/end), skips, failures. */
  events: Record<string, unknown>[];
}

/** Starts one replica process and waits until its scheduler has started. */
export async function startReplica(
  kind: 'redis' | 'postgres',
  namespace: string,
  id: string,
  options: ReplicaOptions = {},
): Promise<Replica> {
  const args = [
    'test/replicas/replica.ts',
    kind,
    namespace,
    id,
    String(options.leaseMs ?? 3000),
    String(options.runMs ?? 50),
    String(options.skewMs ?? 0),
    options.interval ?? '1s',
  ];
  const env = { ...process.env, NODE_OPTIONS: '', ...(options.storeUrl && { TICKWISE_STORE_URL: options.storeUrl }) };
  const child = spawn(process.execPath, ['--import', 'tsx/esm', '--conditions=tickwise-source', ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const replica: Replica = { id, child, events: [] };
  let buffer = '';
  let ready = false;
  child.stdout?.on('data', (chunk) => {
    buffer += chunk;
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const line of parts) {
      if (line === 'ready') ready = true;
      else if (line.startsWith('{')) replica.events.push(JSON.parse(line));
    }
  });
  const deadline = Date.now() + 20_000;
  while (!ready) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`replica ${id} did not start`);
    await sleep(50);
  }
  return replica;
}

/** Stops replicas that are still running (resuming stopped ones first), and waits for them to exit. */
export async function stopReplicas(replicas: Replica[]): Promise<void> {
  for (const r of replicas) {
    if (r.child.exitCode !== null || r.child.signalCode !== null) continue;
    r.child.kill('SIGCONT');
    r.child.kill('SIGTERM');
    await once(r.child, 'exit');
  }
}

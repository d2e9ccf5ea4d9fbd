// Several schedulers in this process sharing one store, each with the same every-second jobs: the
// quickest check that a store (or a way of reaching it, such as PgBouncer or a Cluster) runs each
// tick once.

import { type ClaimStore, every, Scheduler } from '@tickwise/core';
import { sleep } from './services.js';

/** Runs for `ms`, then stops; returns who ran each `job@tick` (`replica-i#fence`), and stops the schedulers. */
export async function runSharedSchedulers(
  makeStore: () => Promise<ClaimStore> | ClaimStore,
  options: { schedulers?: number; jobs?: number; ms?: number } = {},
): Promise<Map<string, string[]>> {
  const runs = new Map<string, string[]>();
  const schedulers: Scheduler[] = [];
  for (let i = 0; i < (options.schedulers ?? 3); i++) {
    const scheduler = new Scheduler({ store: await makeStore(), instanceId: `replica-${i}`, env: {} });
    for (let j = 0; j < (options.jobs ?? 1); j++) {
      scheduler.add({
        name: `job-${j}`,
        schedule: every('1s'),
        run: (ctx) => {
          const key = `${ctx.job.name}@${ctx.scheduledAt.toISOString()}`;
          runs.set(key, [...(runs.get(key) ?? []), `replica-${i}#${ctx.fence}`]);
        },
      });
    }
    schedulers.push(scheduler);
  }
  await Promise.all(schedulers.map((s) => s.start()));
  await sleep(options.ms ?? 3500);
  await Promise.all(schedulers.map((s) => s.stop({ graceMs: 1000 })));
  return runs;
}

/** The `job@tick` keys that ran more than once, with who ran them. */
export function ranTwice(runs: Map<string, string[]>): string[] {
  return [...runs].filter(([, who]) => who.length > 1).map(([key, who]) => `${key} ran on ${who.join(', ')}`);
}

// Jitter that every replica agrees on: a hash of (job, tick), so all replicas wait the same
// amount and the claim race stays fair, while different jobs spread out.

import { fnv1a32 } from './fnv1a.js';

/** FNV-1a over the job name and tick, scaled to [0, maxMs). */
export function jitterFor(job: string, tickMs: number, maxMs: number): number {
  if (maxMs <= 0) return 0;
  return fnv1a32(`${job}@${tickMs}`) % maxMs;
}

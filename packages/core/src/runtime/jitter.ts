// Jitter that every replica agrees on: a hash of (job, tick), so all replicas wait the same
// amount and the claim race stays fair, while different jobs spread out.

/** FNV-1a over the job name and tick, scaled to [0, maxMs). */
export function jitterFor(job: string, tickMs: number, maxMs: number): number {
  if (maxMs <= 0) return 0;
  let hash = 0x811c9dc5;
  const text = `${job}@${tickMs}`;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % maxMs;
}

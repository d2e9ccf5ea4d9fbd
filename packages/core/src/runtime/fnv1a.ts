// The one string hash of the project: jitter and the Redis store's buckets both depend on its
// exact values (replicas must agree on them, and stored keys are named by them), so it lives once.

/**
 * 32-bit FNV-1a of a string's UTF-16 code units, as an unsigned integer in [0, 2^32).
 * Stable across releases: stores may name persistent keys by it.
 */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

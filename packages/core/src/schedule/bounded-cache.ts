// The one cache shape core uses for what is worth remembering between calls (compiled schedules,
// parsed cron fields, normalized job options, time zones and their year tables): a Map with a
// size limit, past which the least recently used entry goes. Bounded, so a process that builds
// schedules from user input cannot grow without end; evicting one entry instead of clearing
// everything keeps the hot ones. Caches meant to live for the whole process register themselves
// so tests can empty them all (resetCaches, exported from @tickwise/core/testing).

const registered = new Set<{ clear(): void }>();

export class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();
  /** The most recently used key: a hit on it needs no reordering (the common case in loops). */
  private newest: K | undefined;

  constructor(readonly limit: number) {
    if (!(Number.isInteger(limit) && limit > 0))
      throw new RangeError(`cache limit must be a positive integer, got ${limit}`);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined && key !== this.newest) {
      // Re-inserted: Map keeps insertion order, so the first key is always the least recently used.
      this.entries.delete(key);
      this.entries.set(key, value);
      this.newest = key;
    }
    return value;
  }

  set(key: K, value: V): void {
    if (this.entries.has(key)) this.entries.delete(key);
    else if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, value);
    this.newest = key;
  }

  clear(): void {
    this.entries.clear();
    this.newest = undefined;
  }
}

/** A cache that lives as long as the process, emptied by resetCaches(). */
export function processCache<K, V>(limit: number): BoundedCache<K, V> {
  const cache = new BoundedCache<K, V>(limit);
  registered.add(cache);
  return cache;
}

/**
 * Empties every process-wide cache of @tickwise/core (compiled schedules, parsed cron fields,
 * normalized options, time zones). For tests that must see a schedule compiled afresh; results
 * never change, only the time they take.
 */
export function resetCaches(): void {
  for (const cache of registered) cache.clear();
}

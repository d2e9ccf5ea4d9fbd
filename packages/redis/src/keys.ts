// Where a job's keys live. Every key of a job shares one hash tag, and jobs are spread over a
// fixed number of tags (buckets): on Redis Cluster a batch becomes one script call per bucket
// (all of a call's keys must hash to one slot), so a batch of 1,000 ticks costs at most BUCKETS
// calls, not 1,000; on a single Redis the whole batch is one call. The tag includes the prefix, so
// two applications with different prefixes spread over different slots.

import { fnv1a32 } from '@tickwise/core/store';

/** Enough buckets to spread over the shards of a small cluster; few enough to keep batches whole. */
export const BUCKETS = 16;

/** A stable bucket for a job name (32-bit FNV-1a of its UTF-16 code units). */
export function bucketOf(job: string): number {
  return fnv1a32(job) % BUCKETS;
}

export class KeySpace {
  private readonly tags: string[];
  private readonly meta: string;

  constructor(prefix: string) {
    this.tags = Array.from({ length: BUCKETS }, (_, bucket) => `{${prefix}${bucket}}`);
    this.meta = `{${prefix}meta}`;
  }

  claim(bucket: number, job: string, tick: number): string {
    return `${this.tags[bucket]}:c:${job}:${tick}`;
  }

  job(bucket: number, job: string): string {
    return `${this.tags[bucket]}:j:${job}`;
  }

  /** A job's fleet history (a list of JSON run records, newest first), in the bucket of the claim it completed. */
  history(bucket: number, job: string): string {
    return `${this.tags[bucket]}:h:${job}`;
  }

  /** The jobs with history in a bucket (a set of job names; a name whose list expired is dropped on read). */
  historyIndex(bucket: number): string {
    return `${this.tags[bucket]}:hj`;
  }

  /** The replicas' heartbeat details: a hash of instance id -> "seen info-json". */
  replicaInfo(): string {
    return `${this.meta}:rinfo`;
  }

  /** The replicas' job catalogs: a hash of instance id -> catalog JSON. */
  replicaCatalog(): string {
    return `${this.meta}:rcat`;
  }

  /** The fleet controls: a hash of p:<pattern> (pauses) and t:<id> (trigger requests). */
  controls(): string {
    return `${this.meta}:controls`;
  }

  epoch(): string {
    return `${this.meta}:epoch`;
  }

  /** A hash of the live schedulers' registrations (field: instance id), so a beat can list them. */
  instances(): string {
    return `${this.meta}:instances`;
  }
}

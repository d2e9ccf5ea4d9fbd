// Turns many small store requests into few round trips: items added during one turn of the event
// loop go out together, in chunks of at most `maxSize`, with at most `maxInFlight` chunks waiting
// for the store at once (the rest wait here, in memory, not in a connection pool's queue, where
// waiting would look like a store failure).
//
// The flush is a microtask: it comes after the code that is running now and the promise callbacks
// queued before it, so every run of a burst slice (handed over synchronously) has queued its claim
// by then, and no macrotask hop is added to a tick's start. While the batches in flight are at
// their limit, new requests gather into the next one.

/** How a kind of store request is batched. */
export interface BatchLimits {
  /** Requests per round trip. */
  maxBatch: number;
  /** Batches waiting for the store at once. */
  maxInFlight: number;
}

/** `limits` with at most `maxBatch` requests per round trip (the scheduler's `batchSize`). */
export function cappedAt(limits: BatchLimits, maxBatch: number): BatchLimits {
  return { ...limits, maxBatch: Math.min(limits.maxBatch, maxBatch) };
}

export class Coalescer<T> {
  private pending: T[] = [];
  private scheduled = false;
  private inFlight = 0;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly maxSize: number,
    private readonly maxInFlight: number,
  ) {}

  add(item: T): void {
    this.pending.push(item);
    this.schedule();
  }

  /** Takes back the items not yet sent (a shutdown: they will not be sent). */
  drop(): T[] {
    const dropped = this.pending;
    this.pending = [];
    return dropped;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    queueMicrotask(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    while (this.pending.length > 0 && this.inFlight < this.maxInFlight) {
      let chunk: T[];
      if (this.pending.length <= this.maxSize) {
        chunk = this.pending;
        this.pending = [];
      } else {
        chunk = this.pending.splice(0, this.maxSize);
      }
      this.inFlight++;
      // flush() reports its own failures to the items; a rejection here would be a bug in it.
      this.flush(chunk).then(this.done, this.done);
    }
  }

  private readonly done = (): void => {
    this.inFlight--;
    if (this.pending.length > 0) this.schedule();
  };
}

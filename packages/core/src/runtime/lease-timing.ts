// How long a claim is believed, and how long the scheduler waits for the store: the numbers behind
// the partition guarantee in docs/replicas.md.
//
// The store starts a lease when it handles the request, by its own clock, and the request cannot
// be handled before it was sent. So a lease whose request was sent at S holds at least until
// S + lease, in real time, whatever the network did. The holder counts from S, never from the
// answer, and aborts its run `leaseSafetyMs` before S + lease: before any other replica can be
// granted the tick. (What it cannot bound: a process frozen past that instant, whose handler may
// run on for a moment after it wakes, before its timers fire. A fence checked by the resource
// covers that.)

/** A claim up to this much before the tick (by the store's clock) is not early: timer jitter. */
export const MAX_EARLY_MS = 250;

/** How much longer than a request's deadline the client waits: room for the offset estimate's error. */
export const ANSWER_GRACE_MS = 250;

/** The most a claim batch may wait for the store (refused by the store after it: `late`). */
const MAX_CLAIM_WAIT_MS = 5000;

/** How long a claim may wait for the store: a third of the lease, so most of the lease is left to run in. */
export function claimWaitMs(leaseMs: number): number {
  return Math.min(MAX_CLAIM_WAIT_MS, Math.floor(leaseMs / 3));
}

/** How long before the lease could end the run's signal aborts: a tenth of the lease, at most 1 s. */
export function leaseSafetyMs(leaseMs: number): number {
  return Math.min(1000, Math.floor(leaseMs / 10));
}

/** Renewals go out every third of the lease: two may fail before the lease is in danger. */
export function renewalIntervalMs(leaseMs: number): number {
  return Math.max(1, Math.floor(leaseMs / 3));
}

/** After a renewal failed, the next try comes sooner: a tenth of the lease, between 100 ms and 2 s. */
export function renewalRetryMs(leaseMs: number): number {
  return Math.max(100, Math.min(2000, Math.floor(leaseMs / 10)));
}

// Bucket boundaries of the histograms, in seconds, chosen per histogram: each covers the values
// its alerts compare against (docs/observability.md) with a boundary at each threshold, so that
// histogram_quantile() lands within one bucket of the truth. Given to the SDK as the instrument's
// advice; an application's View still overrides them.

/** `tickwise.job.duration`: 5 ms to 4 h (handlers range from trivial to hours-long batch jobs). */
export const BUCKETS_JOB_DURATION: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400,
];

/** `tickwise.job.lateness`: 1 ms to 1 h (a timer fires within ms; jitter and catch-up run minutes late). */
export const BUCKETS_JOB_LATENESS: readonly number[] = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600,
];

/** `tickwise.claim.duration`: 50 µs to 10 s (the in-process store answers in µs, a remote one in ms). */
export const BUCKETS_CLAIM_DURATION: readonly number[] = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

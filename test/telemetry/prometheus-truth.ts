// The values prometheus-app.ts produces (on a virtual clock, so exactly): what the Prometheus test
// compares histogram_quantile() against.

export const TRUE_VALUES = {
  /** Seconds each `sync` run lasts. */
  syncDuration: 0.3,
  /** Seconds each `report` run lasts (40 minutes). */
  reportDuration: 2400,
  /** Seconds each run starts after its tick. */
  lateness: 12,
  /** Seconds each claim round trip takes. */
  claim: 0.0003,
} as const;

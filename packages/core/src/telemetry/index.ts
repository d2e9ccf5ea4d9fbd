// Telemetry: the attribute and metric names (for dashboards and alerts), the histograms' buckets,
// what is recorded of errors (and the redaction helpers), and the options.

export * from './attributes.js';
export * from './buckets.js';
export { type ErrorDetail, errorType, redactError, redactSecrets } from './error-detail.js';
export type { TelemetryOptions } from './instrumentation.js';

// Telemetry: the attribute and metric names (for dashboards and alerts), and the options.

export * from './attributes.js';
export type { TelemetryOptions } from './instrumentation.js';

// The OpenTelemetry Node SDK, started before anything else. Tickwise itself depends only on
// @opentelemetry/api; installing an SDK like this is what turns its spans and metrics on.
//
//   default:    OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT (standard variable; default http://localhost:4318)
//   --console:  print spans and metrics to the console, for trying it locally

import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ConsoleMetricExporter, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ConsoleSpanExporter } from '@opentelemetry/sdk-trace-base';

const toConsole = process.argv.includes('--console');

export const sdk = new NodeSDK({
  serviceName: process.env.OTEL_SERVICE_NAME ?? 'tickwise-example-otel',
  traceExporter: toConsole ? new ConsoleSpanExporter() : new OTLPTraceExporter(),
  metricReader: new PeriodicExportingMetricReader({
    exporter: toConsole ? new ConsoleMetricExporter() : new OTLPMetricExporter(),
    exportIntervalMillis: Number(process.env.OTEL_METRIC_EXPORT_INTERVAL ?? 15_000),
  }),
  // No auto-instrumentations: this example shows Tickwise's own spans and metrics only.
  instrumentations: [],
});

sdk.start();

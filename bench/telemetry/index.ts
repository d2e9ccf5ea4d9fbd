// Tracing overhead per run: the same 100,000 trivial runs with telemetry off (@opentelemetry/api
// with no SDK: no-op) and on (the real SDK: BatchSpanProcessor into an in-memory exporter, plus a
// MeterProvider). Alternates the two three times and reports medians. Run: npm run bench:telemetry

import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { measureOverhead } from '../runtime/overhead.js';

class Reader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

function traced() {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [
      new BatchSpanProcessor(exporter, { maxQueueSize: 100_000, maxExportBatchSize: 4096, scheduledDelayMillis: 200 }),
    ],
  });
  const meterProvider = new MeterProvider({ readers: [new Reader()] });
  return { exporter, tracerProvider, meterProvider };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

console.log(`node ${process.version}, ${new Date().toISOString()}\n`);
await measureOverhead(200, 20); // warm up the JIT for both paths
const off: number[] = [];
const on: number[] = [];
let exported = 0;
for (let round = 0; round < 3; round++) {
  off.push((await measureOverhead()).microsPerRun);
  const otel = traced();
  on.push((await measureOverhead(1000, 100, otel)).microsPerRun);
  await otel.tracerProvider.forceFlush();
  exported += otel.exporter.getFinishedSpans().length;
  await otel.tracerProvider.shutdown();
  await otel.meterProvider.shutdown();
}
const added = median(on) - median(off);
console.log('## Tracing overhead per run (100,000 trivial runs on a VirtualClock, median of 3)\n');
console.log('| telemetry | µs per run |');
console.log('|---|---:|');
console.log(`| off (API only, no SDK) | ${median(off).toFixed(1)} |`);
console.log(`| on (SDK: BatchSpanProcessor + in-memory exporter, MeterProvider) | ${median(on).toFixed(1)} |`);
console.log(
  `\nTracing adds ${added.toFixed(1)} µs per run (target: under 50 µs). Spans exported: ${exported.toLocaleString('en-US')}.`,
);

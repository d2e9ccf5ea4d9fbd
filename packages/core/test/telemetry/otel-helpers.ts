// The real OpenTelemetry SDK, wired for tests: in-memory spans, on-demand metric collection.

import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { type DataPoint, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

class CollectingReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export interface Otel {
  spans: InMemorySpanExporter;
  tracerProvider: BasicTracerProvider;
  meterProvider: MeterProvider;
  finished(): ReadableSpan[];
  metrics(): Promise<ResourceMetrics>;
  /** Data points of one metric, as [attributes, value] pairs. */
  points(name: string): Promise<{ attributes: Record<string, unknown>; value: unknown }[]>;
}

export function setupOtel(): Otel {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const reader = new CollectingReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const collect = async () => (await reader.collect()).resourceMetrics;
  return {
    spans,
    tracerProvider,
    meterProvider,
    finished: () => spans.getFinishedSpans(),
    metrics: collect,
    points: async (name) => {
      const metrics = await collect();
      for (const scope of metrics.scopeMetrics) {
        for (const metric of scope.metrics) {
          if (metric.descriptor.name === name) {
            return (metric.dataPoints as DataPoint<unknown>[]).map((p) => ({
              attributes: { ...p.attributes },
              value: p.value,
            }));
          }
        }
      }
      return [];
    },
  };
}

let manager: AsyncLocalStorageContextManager | null = null;

/** Context propagation as an app with the SDK has it (spans made in handlers nest under attempts). */
export function enableContext(): void {
  manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
}

export function disableContext(): void {
  context.disable();
  manager?.disable();
  manager = null;
}

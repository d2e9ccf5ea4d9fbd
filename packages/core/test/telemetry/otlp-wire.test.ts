import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { at, Scheduler } from '@tickwise/core';
import { VirtualClock } from '@tickwise/core/testing';

interface Received {
  path: string;
  contentType: string;
  body: unknown;
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

type KeyValue = { key: string; value: Record<string, unknown> };
const attr = (list: KeyValue[], key: string) => {
  const value = list.find((a) => a.key === key)?.value;
  return value ? Object.values(value)[0] : undefined;
};

describe('telemetry over the wire: the real OTLP/HTTP exporters against a local receiver', () => {
  it('exports the run span and the run counter as OTLP JSON', async function () {
    this.timeout(20_000);
    const received: Received[] = [];
    const server = createServer(async (request, response) => {
      received.push({
        path: request.url ?? '',
        contentType: request.headers['content-type'] ?? '',
        body: await readJson(request),
      });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const endpoint = `http://127.0.0.1:${port}`;

    const tracerProvider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }))],
    });
    const reader = new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter({ url: `${endpoint}/v1/metrics` }),
      exportIntervalMillis: 60_000,
    });
    const meterProvider = new MeterProvider({ readers: [reader] });
    const clock = new VirtualClock('2026-01-05T00:00:00Z');
    const scheduler = new Scheduler({ clock, env: {}, telemetry: { tracerProvider, meterProvider } });
    scheduler.add({ name: 'wired', schedule: at('2026-01-05T00:01:00Z'), owner: 'ops', run: () => {} });
    await scheduler.start();
    await clock.advance('2m');
    await tracerProvider.forceFlush();
    await meterProvider.forceFlush();
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
    server.close();

    const traces = received.filter((r) => r.path === '/v1/traces');
    const metrics = received.filter((r) => r.path === '/v1/metrics');
    assert.ok(traces.length > 0 && metrics.length > 0, `received ${received.map((r) => r.path).join(', ')}`);
    assert.match(traces[0]?.contentType ?? '', /json/);
    type Otlp = {
      resourceSpans: { scopeSpans: { scope: { name: string }; spans: { name: string; attributes: KeyValue[] }[] }[] }[];
    };
    const spans = traces.flatMap((t) =>
      (t.body as Otlp).resourceSpans.flatMap((r) =>
        r.scopeSpans.flatMap((s) => s.spans.map((span) => ({ ...span, scope: s.scope.name }))),
      ),
    );
    const run = spans.find((s) => s.name === 'run wired');
    assert.ok(run, `spans on the wire: ${spans.map((s) => s.name).join(', ')}`);
    assert.equal(run.scope, '@tickwise/core');
    assert.equal(attr(run.attributes, 'tickwise.job.name'), 'wired');
    assert.equal(attr(run.attributes, 'tickwise.job.owner'), 'ops');
    assert.equal(attr(run.attributes, 'tickwise.run.outcome'), 'success');
    assert.ok(spans.some((s) => s.name === 'attempt 1'));

    type OtlpMetrics = {
      resourceMetrics: {
        scopeMetrics: {
          metrics: {
            name: string;
            sum?: { dataPoints: { asInt?: string | number; asDouble?: number; attributes: KeyValue[] }[] };
          }[];
        }[];
      }[];
    };
    const allMetrics = metrics.flatMap((m) =>
      (m.body as OtlpMetrics).resourceMetrics.flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics)),
    );
    const runs = allMetrics.find((m) => m.name === 'tickwise.job.runs');
    assert.ok(runs?.sum, `metrics on the wire: ${allMetrics.map((m) => m.name).join(', ')}`);
    const point = runs.sum.dataPoints[0];
    assert.equal(Number(point?.asInt ?? point?.asDouble), 1);
    assert.equal(attr(point?.attributes ?? [], 'tickwise.run.outcome'), 'success');
  });
});

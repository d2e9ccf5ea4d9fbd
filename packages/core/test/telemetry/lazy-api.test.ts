import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { context } from '@opentelemetry/api';
import { OTEL_GLOBAL_KEY } from '../../src/telemetry/otel-api.js';
import { disableContext, enableContext } from './otel-helpers.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Runs an ES module in a fresh node (the source of @tickwise/core, through tsx), returns its stdout. */
function fresh(code: string): string {
  return execFileSync(
    process.execPath,
    ['--import', 'tsx/esm', '--conditions=tickwise-source', '--input-type=module', '-e', code],
    {
      cwd: here,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
}

// What the child prints: the files of @opentelemetry/* that are loaded (import of the API's
// CommonJS build goes through the CommonJS loader, so they are in require.cache).
const LOADED = `const otelFiles = () => Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes('@opentelemetry')).length;`;

describe('@opentelemetry/api is loaded only when it can record (lazy)', function () {
  this.timeout(30_000);

  it('the registry key is the one the installed API uses', () => {
    enableContext(); // registers a context manager: the API creates its global registry
    try {
      const registry = (globalThis as Record<symbol, { version?: string } | undefined>)[OTEL_GLOBAL_KEY];
      assert.ok(registry, 'no registry under Symbol.for(opentelemetry.js.api.1)');
      assert.match(String(registry.version), /^1\./);
      assert.ok(context.active());
    } finally {
      disableContext();
    }
  });

  it('importing @tickwise/core and running jobs without an SDK does not load the API; an SDK registered afterwards gets the spans', () => {
    const out = fresh(`
      import { createRequire } from 'node:module';
      ${LOADED}
      const { Scheduler, cron } = await import('@tickwise/core');
      const { VirtualClock } = await import('@tickwise/core/testing');
      const s = new Scheduler({ clock: new VirtualClock(), env: {}, logger: false });
      s.add({ name: 'x', schedule: cron('0 * * * *'), run() {} });
      const first = await s.trigger('x');
      const before = otelFiles();
      // The application registers its SDK after the scheduler was built.
      const { trace } = await import('@opentelemetry/api');
      const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
      const spans = new InMemorySpanExporter();
      trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
      const second = await s.trigger('x');
      console.log(JSON.stringify({
        before,
        outcomes: [first.outcome, second.outcome],
        spans: spans.getFinishedSpans().map((span) => span.name).sort(),
      }));
    `);
    const result = JSON.parse(out.trim().split('\n').at(-1) as string);
    assert.deepEqual(result, { before: 0, outcomes: ['success', 'success'], spans: ['attempt 1', 'run x'] });
  });

  it('a provider passed in the options is used at once', () => {
    const out = fresh(
      `
      import { createRequire } from 'node:module';
      ${LOADED}
      const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
      const spans = new InMemorySpanExporter();
      const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
      const { Scheduler, cron } = await import('@tickwise/core');
      const { VirtualClock } = await import('@tickwise/core/testing');
      const s = new Scheduler({ clock: new VirtualClock(), env: {}, logger: false, telemetry: { tracerProvider } });
      s.add({ name: 'x', schedule: cron('0 * * * *'), run() {} });
      await s.trigger('x');
      console.log(JSON.stringify({ registry: OTEL_KEY in globalThis, spans: spans.getFinishedSpans().map((span) => span.name).sort() }));
    `.replace('OTEL_KEY', "Symbol.for('opentelemetry.js.api.1')"),
    );
    const result = JSON.parse(out.trim().split('\n').at(-1) as string);
    assert.deepEqual(result, { registry: false, spans: ['attempt 1', 'run x'] });
  });
});

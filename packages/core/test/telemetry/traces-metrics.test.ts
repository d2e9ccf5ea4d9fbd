import assert from 'node:assert/strict';
import { isSpanContextValid, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { at, every, type Logger, Scheduler } from '@tickwise/core';
import { VirtualClock } from '@tickwise/core/testing';
import { disableContext, enableContext, setupOtel } from './otel-helpers.js';

const TICK = '2026-01-05T00:01:00.000Z';

function setup(options: { logger?: Logger } = {}) {
  const otel = setupOtel();
  const clock = new VirtualClock('2026-01-05T00:00:00Z');
  const scheduler = new Scheduler({
    clock,
    env: {},
    instanceId: 'replica-a',
    telemetry: { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider },
    ...options,
  });
  return { otel, clock, scheduler };
}

const byName = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);
const parentId = (span: ReadableSpan) => span.parentSpanContext?.spanId;

async function sleepOn(clock: VirtualClock, ms: number, signal?: AbortSignal): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = clock.setTimer(resolve, ms);
    signal?.addEventListener('abort', () => {
      timer.cancel();
      reject(signal.reason);
    });
  });
}

describe('telemetry with the real OpenTelemetry SDK', () => {
  before(enableContext);
  after(disableContext);

  it('a successful run: one trace, root span with our attributes, an attempt span, handler spans nested', async () => {
    const { otel, clock, scheduler } = setup();
    const appTracer = otel.tracerProvider.getTracer('app');
    scheduler.add({
      name: 'digest',
      schedule: at(TICK),
      owner: 'data-team',
      run: async function sendDigest() {
        appTracer.startActiveSpan('send email', (span) => span.end());
      },
    });
    await scheduler.start();
    await clock.advance('1m');
    const spans = otel.finished();
    const [run] = byName(spans, 'run digest');
    const [attempt] = byName(spans, 'attempt 1');
    const [email] = byName(spans, 'send email');
    assert.ok(run && attempt && email, spans.map((s) => s.name).join(', '));
    assert.equal(run.kind, SpanKind.SERVER);
    assert.equal(parentId(run), undefined, 'the run span starts a new trace');
    assert.equal(parentId(attempt), run.spanContext().spanId);
    assert.equal(parentId(email), attempt.spanContext().spanId);
    assert.equal(email.spanContext().traceId, run.spanContext().traceId);
    assert.deepEqual(run.attributes, {
      'tickwise.job.name': 'digest',
      'tickwise.job.schedule': TICK,
      'tickwise.job.timezone': 'UTC',
      'tickwise.tick.scheduled_time': TICK,
      'tickwise.run.lateness_ms': 0,
      'tickwise.run.trigger': 'schedule',
      'tickwise.claim.fence': 1,
      'tickwise.instance.id': 'replica-a',
      'code.function.name': 'sendDigest',
      'tickwise.job.owner': 'data-team',
      'tickwise.run.outcome': 'success',
      'tickwise.run.attempt': 1,
      'tickwise.claim.completion': 'recorded',
    });
    assert.equal(run.status.code, SpanStatusCode.OK);
    assert.deepEqual(await otel.points('tickwise.job.runs'), [
      { attributes: { 'tickwise.job.name': 'digest', 'tickwise.run.outcome': 'success' }, value: 1 },
    ]);
    const [duration] = await otel.points('tickwise.job.duration');
    assert.equal((duration?.value as { count: number } | undefined)?.count, 1);
    const [lateness] = await otel.points('tickwise.job.lateness');
    assert.equal((lateness?.value as { sum: number } | undefined)?.sum, 0);
    assert.deepEqual(await otel.points('tickwise.job.active'), [
      { attributes: { 'tickwise.job.name': 'digest' }, value: 0 },
    ]);
    assert.deepEqual(await otel.points('tickwise.job.last_success'), [
      { attributes: { 'tickwise.job.name': 'digest' }, value: Date.parse(TICK) / 1000 },
    ]);
    const claims = await otel.points('tickwise.claim.duration');
    assert.deepEqual(claims[0]?.attributes, { 'tickwise.job.name': 'digest', 'tickwise.claim.result': 'acquired' });
  });

  it('a run sampled out records nothing but still hands its handler the trace (spans it starts are sampled out too)', async () => {
    const spans = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({
      sampler: new AlwaysOffSampler(),
      spanProcessors: [new SimpleSpanProcessor(spans)],
    });
    const clock = new VirtualClock('2026-01-05T00:00:00Z');
    const scheduler = new Scheduler({ clock, env: {}, telemetry: { tracerProvider } });
    const seen: { valid: boolean; sampled: boolean }[] = [];
    scheduler.add({
      name: 'quiet',
      schedule: at(TICK),
      run: () => {
        const active = trace.getActiveSpan()?.spanContext();
        seen.push({
          valid: active !== undefined && isSpanContextValid(active),
          sampled: (active?.traceFlags ?? 1) === 1,
        });
        tracerProvider.getTracer('app').startActiveSpan('handler work', (span) => span.end());
      },
    });
    await scheduler.start();
    await clock.advance('1m');
    assert.deepEqual(seen, [{ valid: true, sampled: false }]);
    assert.deepEqual(spans.getFinishedSpans(), []);
  });

  it('retry then success: a failed attempt span with the exception, then a successful one', async () => {
    const { otel, clock, scheduler } = setup();
    scheduler.add({
      name: 'flaky',
      schedule: at(TICK),
      retry: { retries: 2, minTimeout: '1s', randomize: false },
      run: (ctx) => {
        if (ctx.attempt === 1) throw new Error('503 from upstream');
      },
    });
    await scheduler.start();
    await clock.advance('2m');
    const spans = otel.finished();
    const [first] = byName(spans, 'attempt 1');
    const [second] = byName(spans, 'attempt 2');
    const [run] = byName(spans, 'run flaky');
    assert.ok(first && second && run);
    assert.equal(first.status.code, SpanStatusCode.ERROR);
    assert.equal(first.status.message, '503 from upstream');
    assert.equal(first.attributes['error.type'], 'Error');
    assert.equal(first.events[0]?.name, 'exception');
    assert.equal(second.status.code, SpanStatusCode.OK);
    assert.equal(parentId(second), run.spanContext().spanId);
    assert.equal(run.attributes['tickwise.run.attempt'], 2);
    assert.equal(run.attributes['tickwise.run.outcome'], 'success');
    assert.equal(second.startTime[0] - first.startTime[0], 1, 'the retry starts 1 s later, on the clock');
  });

  it('timeout: the attempt records a timeout event; the run fails with outcome timeout', async () => {
    const { otel, clock, scheduler } = setup();
    scheduler.add({
      name: 'slow',
      schedule: at(TICK),
      timeout: '5s',
      run: (ctx) => sleepOn(clock, 60_000, ctx.signal),
    });
    await scheduler.start();
    await clock.advance('2m');
    const [attempt] = byName(otel.finished(), 'attempt 1');
    const [run] = byName(otel.finished(), 'run slow');
    assert.ok(attempt && run);
    assert.ok(attempt.events.some((e) => e.name === 'tickwise.timeout'));
    assert.equal(attempt.attributes['error.type'], 'JobTimeoutError');
    assert.equal(run.status.code, SpanStatusCode.ERROR);
    assert.equal(run.attributes['tickwise.run.outcome'], 'timeout');
    assert.equal(run.attributes['error.type'], 'JobTimeoutError');
    assert.deepEqual(await otel.points('tickwise.job.runs'), [
      { attributes: { 'tickwise.job.name': 'slow', 'tickwise.run.outcome': 'timeout' }, value: 1 },
    ]);
  });

  it('skips: a short span and a counter, with the reason', async () => {
    const { otel, clock, scheduler } = setup();
    scheduler.add({ name: 'busy', schedule: every('1m'), run: (ctx) => sleepOn(clock, 150_000, ctx.signal) });
    await scheduler.start();
    await clock.advance('3m');
    const skips = byName(otel.finished(), 'skip busy');
    assert.equal(skips.length, 2);
    assert.deepEqual(
      { ...skips[0]?.attributes },
      {
        'tickwise.job.name': 'busy',
        'tickwise.job.schedule': '1m',
        'tickwise.tick.scheduled_time': '2026-01-05T00:02:00.000Z',
        'tickwise.skip.reason': 'overlap',
        'tickwise.skip.count': 1,
        'tickwise.instance.id': 'replica-a',
      },
    );
    assert.deepEqual(await otel.points('tickwise.job.skipped'), [
      { attributes: { 'tickwise.job.name': 'busy', 'tickwise.skip.reason': 'overlap' }, value: 2 },
    ]);
    assert.deepEqual(await otel.points('tickwise.job.active'), [
      { attributes: { 'tickwise.job.name': 'busy' }, value: 1 },
    ]);
  });

  it('cancellation: cancel-other records a cancelled event with the reason', async () => {
    const { otel, clock, scheduler } = setup();
    scheduler.add({
      name: 'latest',
      schedule: every('1m'),
      overlap: 'cancel-other',
      run: (ctx) => sleepOn(clock, 90_000, ctx.signal),
    });
    await scheduler.start();
    await clock.advance('2m');
    const [attempt] = byName(otel.finished(), 'attempt 1');
    const [run] = byName(otel.finished(), 'run latest');
    assert.ok(attempt && run);
    const cancelled = attempt.events.find((e) => e.name === 'tickwise.cancelled');
    assert.deepEqual(cancelled?.attributes, { 'tickwise.cancel.reason': 'cancel-other' });
    assert.equal(run.attributes['tickwise.run.outcome'], 'cancelled');
  });

  it('lease renewals are events on the run span', async () => {
    const { otel, clock, scheduler } = setup();
    scheduler.add({ name: 'long', schedule: at(TICK), lease: '3s', run: (ctx) => sleepOn(clock, 10_000, ctx.signal) });
    await scheduler.start();
    await clock.advance('2m');
    const [run] = byName(otel.finished(), 'run long');
    // Renewed every second (a third of the lease) until the run ends at 10 s.
    assert.equal(run?.events.filter((e) => e.name === 'tickwise.lease.renewed').length, 9);
  });

  it('a manual trigger links to the caller span', async () => {
    const { otel, scheduler } = setup();
    scheduler.add({ name: 'm', schedule: at('2027-01-01T00:00:00Z'), run: () => {} });
    await scheduler.start();
    const caller = otel.tracerProvider.getTracer('app');
    await caller.startActiveSpan('POST /jobs/m/run', async (span) => {
      await scheduler.trigger('m');
      span.end();
    });
    const [run] = byName(otel.finished(), 'run m');
    const [request] = byName(otel.finished(), 'POST /jobs/m/run');
    assert.ok(run && request);
    assert.equal(run.attributes['tickwise.run.trigger'], 'manual');
    assert.notEqual(run.spanContext().traceId, request.spanContext().traceId);
    assert.deepEqual(
      run.links.map((l) => l.context.spanId),
      [request.spanContext().spanId],
    );
  });

  it('a fleet trigger’s run is traced with trigger fleet, under the job’s own name', async () => {
    const { otel, clock, scheduler } = setup();
    scheduler.add({ name: 'rebuild', schedule: at('2027-01-01T00:00:00Z'), run: () => {} });
    await scheduler.start();
    await scheduler.fleet?.trigger('rebuild', { by: 'ana' });
    await clock.advance('1s');
    const [run] = byName(otel.finished(), 'run rebuild');
    assert.ok(run, 'the triggered run has its span');
    assert.equal(run.attributes['tickwise.run.trigger'], 'fleet');
    assert.equal(run.attributes['tickwise.job.name'], 'rebuild');
  });

  it('logs one line per outcome and per skip, with the trace id', async () => {
    const lines: Record<string, unknown>[] = [];
    const record = (fields: Record<string, unknown>, message: string) => lines.push({ ...fields, message });
    const logger: Logger = { debug: record, info: record, warn: record, error: record };
    const { otel, clock, scheduler } = setup({ logger });
    scheduler.add({ name: 'logged', schedule: every('1m'), run: (ctx) => sleepOn(clock, 90_000, ctx.signal) });
    await scheduler.start();
    await clock.advance('3m');
    const success = lines.find((l) => l.message === 'tickwise: logged succeeded');
    const [run] = byName(otel.finished(), 'run logged');
    assert.ok(success && run);
    assert.equal(success.traceId, run.spanContext().traceId);
    assert.equal(success.outcome, 'success');
    assert.equal(success.durationMs, 90_000);
    assert.equal(success.attempts, 1);
    assert.equal(success.tick, '2026-01-05T00:01:00.000Z');
    const skip = lines.find((l) => String(l.message).includes('tick skipped (overlap)'));
    assert.equal(skip?.reason, 'overlap');
    assert.match(String(skip?.traceId), /^[0-9a-f]{32}$/);
  });

  it('puts nothing from the handler or the environment into spans', async () => {
    const { otel, clock, scheduler } = setup();
    process.env.TICKWISE_TEST_SECRET = 'hunter2';
    scheduler.add({
      name: 'secret',
      schedule: at(TICK),
      run: () => {
        throw new Error('failed');
      },
    });
    await scheduler.start();
    await clock.advance('2m');
    delete process.env.TICKWISE_TEST_SECRET;
    const allowed = /^(tickwise\.[a-z_.]+|code\.function\.name|error\.type|exception\.(type|message|stacktrace))$/;
    for (const span of otel.finished()) {
      for (const key of Object.keys(span.attributes)) assert.match(key, allowed, `${span.name}: ${key}`);
      assert.ok(!JSON.stringify(span.attributes).includes('hunter2'));
    }
  });
});

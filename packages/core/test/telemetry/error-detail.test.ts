import assert from 'node:assert/strict';
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { at, type ErrorDetail, type Logger, redactError, redactSecrets, Scheduler } from '@tickwise/core';
import { VirtualClock } from '@tickwise/core/testing';
import { disableContext, enableContext, setupOtel } from './otel-helpers.js';

const TICK = '2026-01-05T00:01:00.000Z';
const SECRET_MESSAGE =
  'connect failed: postgres://app:hunter2@db.internal:5432/billing (password=hunter2; Authorization: Bearer abc.def.ghi)';

class PaymentError extends Error {
  override name = 'PaymentError';
  code = 'ECONNREFUSED';
}

interface Line extends Record<string, unknown> {
  level: string;
  message: string;
}

/** Runs one job that fails twice (two attempts) with `SECRET_MESSAGE`; returns spans and log lines. */
async function failingRun(errorDetail?: ErrorDetail, error: unknown = new PaymentError(SECRET_MESSAGE)) {
  const otel = setupOtel();
  const clock = new VirtualClock('2026-01-05T00:00:00Z');
  const lines: Line[] = [];
  const spy = (level: string) => (fields: Record<string, unknown>, message: string) =>
    lines.push({ ...fields, level, message });
  const logger: Logger = { debug: spy('debug'), info: spy('info'), warn: spy('warn'), error: spy('error') };
  const scheduler = new Scheduler({
    clock,
    env: {},
    logger,
    telemetry: { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider },
    ...(errorDetail !== undefined && { errorDetail }),
  });
  scheduler.add({
    name: 'charge',
    schedule: at(TICK),
    retry: { retries: 1, minTimeout: '1s', randomize: false },
    run: (ctx) => {
      ctx.logger.error({ err: error }, 'handler saw the error');
      throw error;
    },
  });
  await scheduler.start();
  await clock.advance('2m');
  await scheduler.stop();
  const spans = otel.finished().filter((s) => s.name === 'run charge' || s.name.startsWith('attempt'));
  assert.ok(spans.length >= 2, 'a run span and its attempt spans');
  const errLines = lines.filter((l) => l.err !== undefined);
  assert.ok(
    errLines.some((l) => l.message === 'tickwise: charge failure'),
    'the run failure line',
  );
  assert.ok(
    errLines.some((l) => l.message === 'handler saw the error'),
    'the line the handler wrote through ctx.logger',
  );
  return { spans, errLines };
}

function exceptionOf(span: ReadableSpan) {
  const event = span.events.find((e) => e.name === 'exception');
  assert.ok(event, `${span.name} has an exception event`);
  return event.attributes ?? {};
}

describe('errorDetail: what spans and logs record of a failed run', () => {
  before(enableContext);
  after(disableContext);

  it("records the class and a redacted message by default ('redacted'), no stack trace", async () => {
    const { spans, errLines } = await failingRun();
    const expected =
      'connect failed: postgres://[REDACTED]@db.internal:5432/billing (password=[REDACTED]; Authorization: [REDACTED])';
    for (const span of spans) {
      assert.equal(span.status.code, SpanStatusCode.ERROR);
      assert.equal(span.status.message, expected, span.name);
      assert.equal(span.attributes['error.type'], 'PaymentError');
      const exception = exceptionOf(span);
      assert.equal(exception['exception.type'], 'PaymentError');
      assert.equal(exception['exception.message'], expected);
      assert.equal(exception['exception.stacktrace'], undefined, 'no stack trace');
      const recorded = JSON.stringify({ attributes: span.attributes, status: span.status, events: span.events });
      assert.ok(!recorded.includes('hunter2'), span.name);
    }
    for (const line of errLines) {
      const err = line.err as Error & { code?: string };
      assert.ok(err instanceof Error, 'loggers still get an Error (pino serializes it as usual)');
      assert.equal(err.name, 'PaymentError');
      assert.equal(err.message, expected);
      assert.equal(err.stack, `PaymentError: ${expected}`, 'one line, no frames');
      assert.equal(err.code, 'ECONNREFUSED', 'a plain error code is kept');
      assert.ok(!JSON.stringify({ ...line, err: [err.message, err.stack] }).includes('hunter2'));
    }
  });

  it("'class' records only the class: no message, no stack", async () => {
    const { spans, errLines } = await failingRun('class');
    for (const span of spans) {
      assert.equal(span.status.message, 'PaymentError');
      const exception = exceptionOf(span);
      assert.equal(exception['exception.type'], 'PaymentError');
      assert.equal(exception['exception.message'], undefined);
      assert.equal(exception['exception.stacktrace'], undefined);
    }
    for (const line of errLines) {
      const err = line.err as Error & { code?: string };
      assert.equal(err.name, 'PaymentError');
      assert.equal(err.message, "(message withheld: errorDetail is 'class')");
      assert.equal(err.stack, 'PaymentError');
      assert.equal(err.code, undefined);
    }
  });

  it("'full' records the message and the stack as they are, and hands loggers the original error", async () => {
    const error = new PaymentError(SECRET_MESSAGE);
    const { spans, errLines } = await failingRun('full', error);
    for (const span of spans) {
      assert.equal(span.status.message, SECRET_MESSAGE);
      const exception = exceptionOf(span);
      assert.equal(exception['exception.message'], SECRET_MESSAGE);
      assert.match(String(exception['exception.stacktrace']), /PaymentError: connect failed[\s\S]*\n\s+at /);
    }
    for (const line of errLines) assert.equal(line.err, error);
  });

  it('a function decides the recorded message; the class is still recorded; if it throws, only the class', async () => {
    const { spans, errLines } = await failingRun((error) => `code ${(error as PaymentError).code}`);
    for (const span of spans) {
      assert.equal(span.status.message, 'code ECONNREFUSED');
      assert.equal(span.attributes['error.type'], 'PaymentError');
      assert.equal(exceptionOf(span)['exception.stacktrace'], undefined);
    }
    for (const line of errLines) assert.equal((line.err as Error).message, 'code ECONNREFUSED');

    const throwing = await failingRun(() => {
      throw new Error('redactor bug');
    });
    for (const span of throwing.spans) {
      assert.equal(span.status.message, 'PaymentError');
      assert.equal(exceptionOf(span)['exception.message'], undefined);
    }
  });

  it('values thrown that are not errors: recorded by type, their text redacted', async () => {
    const { spans } = await failingRun(undefined, 'token=abc123 from redis://default:pw@cache:6379');
    const attempt = spans.find((s) => s.name === 'attempt 1');
    assert.equal(attempt?.attributes['error.type'], 'string');
    assert.equal(attempt?.status.message, 'token=[REDACTED] from redis://[REDACTED]@cache:6379');
    for (const span of spans) assert.ok(!String(span.status.message).includes(':pw@'), span.name);
  });

  it('rejects an unknown errorDetail when the scheduler is built', () => {
    assert.throws(
      () => new Scheduler({ errorDetail: 'none' as ErrorDetail }),
      /errorDetail must be 'class', 'redacted', 'full' or a function/,
    );
  });
});

describe('redactSecrets / redactError', () => {
  const cases: [string, string][] = [
    ['postgres://app:s3cret@db:5432/app', 'postgres://[REDACTED]@db:5432/app'],
    ['rediss://:s3cret@cache:6380/0', 'rediss://[REDACTED]@cache:6380/0'],
    ['https://ghp_token@github.com/x', 'https://[REDACTED]@github.com/x'],
    ['GET /x?api_key=abc&x=1', 'GET /x?api_key=[REDACTED]&x=1'],
    ['client_secret: "p a s s"', 'client_secret: [REDACTED]'],
    ['{"password":"hunter2"}', '{"password":[REDACTED]}'],
    ['header Authorization: Basic dXNlcjpwYXNz', 'header Authorization: [REDACTED]'],
    ['sent Bearer abc.DEF-123 upstream', 'sent Bearer [REDACTED] upstream'],
    ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig here', 'jwt [REDACTED] here'],
    ['key sk_live_4eC39HqLyjWDarjtT1zdp7dc failed', 'key [REDACTED] failed'],
    ['503 from upstream after 3 retries', '503 from upstream after 3 retries'],
    ['job Reports.dailyDigest timed out after 5m', 'job Reports.dailyDigest timed out after 5m'],
  ];
  for (const [input, output] of cases) {
    it(`${input} -> ${output}`, () => assert.equal(redactSecrets(input), output));
  }

  it('redactError cuts messages to 300 characters', () => {
    const text = redactError(new Error('x '.repeat(400)));
    assert.equal(text.length, 300);
    assert.ok(text.endsWith('…'));
  });
});

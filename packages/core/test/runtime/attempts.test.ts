import assert from 'node:assert/strict';
import { at, every, JobTimeoutError, NonRetryableError } from '@tickwise/core';
import { AbortError } from 'p-retry';
import { backoffDelay } from '../../src/runtime/attempts.js';
import { harness, job } from '../helpers/harness.js';

const ONCE = at('2026-01-05T00:01:00Z');

describe('retries (p-retry)', () => {
  it('retries with exponential backoff on the scheduler clock; every attempt is an event', async () => {
    const h = harness();
    const attempts: [number, string][] = [];
    h.scheduler.add(
      job({
        name: 'flaky',
        schedule: ONCE,
        retry: { retries: 3, minTimeout: '10s', factor: 3, randomize: false },
        run: (ctx) => {
          attempts.push([ctx.attempt, h.clock.date().toISOString().slice(11, 19)]);
          if (ctx.attempt < 4) throw new Error(`boom ${ctx.attempt}`);
        },
      }),
    );
    await h.scheduler.start();
    await h.clock.advance('10m');
    // 10 s, 30 s, 90 s between attempts.
    assert.deepEqual(attempts, [
      [1, '00:01:00'],
      [2, '00:01:10'],
      [3, '00:01:40'],
      [4, '00:03:10'],
    ]);
    const failures = h.events.filter((e) => e.type === 'attempt:failure');
    assert.deepEqual(
      failures.map((e) => e.type === 'attempt:failure' && [e.attempt, e.willRetry, e.retryDelayMs]),
      [
        [1, true, 10_000],
        [2, true, 30_000],
        [3, true, 90_000],
      ],
    );
    assert.deepEqual(
      h.lines((e) => e.type === 'run:success'),
      ['run:success flaky 00:01:00'],
    );
    const success = h.events.find((e) => e.type === 'run:success');
    assert.equal(success?.type === 'run:success' && success.attempts, 4);
  });

  it('gives up after the last retry and reports the last error', async () => {
    const h = harness();
    h.scheduler.add(
      job({
        name: 'bad',
        schedule: ONCE,
        retry: { retries: 2, minTimeout: 1000 },
        run: () => Promise.reject(new Error('down')),
      }),
    );
    await h.scheduler.start();
    await h.clock.advance('10m');
    const failure = h.events.find((e) => e.type === 'run:failure');
    assert.ok(failure?.type === 'run:failure');
    assert.equal(failure.outcome, 'failure');
    assert.equal(failure.attempts, 3);
    assert.equal((failure.error as Error).message, 'down');
    assert.equal(h.scheduler.jobs()[0]?.consecutiveFailures, 1);
  });

  it('NonRetryableError and p-retry AbortError stop retrying at once', async () => {
    for (const make of [() => new NonRetryableError('bad input'), () => new AbortError('bad input')]) {
      const h = harness();
      let calls = 0;
      h.scheduler.add(
        job({
          name: 'stop',
          schedule: ONCE,
          retry: 5,
          run: () => {
            calls++;
            throw make();
          },
        }),
      );
      await h.scheduler.start();
      await h.clock.advance('10m');
      assert.equal(calls, 1);
      assert.ok(h.events.some((e) => e.type === 'run:failure'));
    }
  });

  it('randomized backoff stays within [1x, 2x) of the computed delay and under maxTimeout', () => {
    const retry = { retries: 5, minTimeoutMs: 1000, maxTimeoutMs: 5000, factor: 2, randomize: true };
    assert.equal(
      backoffDelay(retry, 1, () => 0),
      1000,
    );
    assert.equal(
      backoffDelay(retry, 2, () => 0.5),
      3000,
    );
    assert.equal(
      backoffDelay(retry, 5, () => 0),
      5000,
    );
  });

  it('a handler error never crashes the process or stops the scheduler', async () => {
    const h = harness();
    h.scheduler.add(
      job({
        name: 'throws',
        schedule: every('1m'),
        run: () => {
          throw new TypeError('undefined is not a function');
        },
      }),
    );
    h.scheduler.on('run:failure', () => {
      throw new Error('a broken listener');
    });
    await h.scheduler.start();
    await h.clock.advance('3m');
    assert.equal(h.lines((e) => e.type === 'run:failure').length, 3);
  });
});

describe('timeouts', () => {
  it('aborts the attempt signal and counts a timeout failure', async () => {
    const h = harness();
    let abortedWith: unknown;
    h.scheduler.add(
      job({
        name: 'slow',
        schedule: ONCE,
        timeout: '30s',
        run: async (ctx) => {
          try {
            await h.sleep(60_000, ctx.signal);
          } catch (error) {
            abortedWith = error;
            throw error;
          }
        },
      }),
    );
    await h.scheduler.start();
    await h.clock.advance('5m');
    assert.ok(abortedWith instanceof JobTimeoutError);
    const failure = h.events.find((e) => e.type === 'run:failure');
    assert.ok(failure?.type === 'run:failure');
    assert.equal(failure.outcome, 'timeout');
    assert.equal(failure.durationMs, 30_000);
    assert.equal(failure.handlerStillRunning, false);
  });

  it('a timed-out attempt is retried when its handler stopped', async () => {
    const h = harness();
    let calls = 0;
    h.scheduler.add(
      job({
        name: 'retry-timeout',
        schedule: ONCE,
        timeout: '10s',
        retry: { retries: 1, minTimeout: '1s', randomize: false },
        run: async (ctx) => {
          calls++;
          if (calls === 1) await h.sleep(60_000, ctx.signal);
        },
      }),
    );
    await h.scheduler.start();
    await h.clock.advance('5m');
    assert.equal(calls, 2);
    assert.deepEqual(
      h.lines((e) => e.type === 'run:success'),
      ['run:success retry-timeout 00:01:00'],
    );
  });

  it('a handler that ignores its signal is reported as still running, not forgotten, and not retried over', async () => {
    const h = harness();
    let calls = 0;
    h.scheduler.add(
      job({
        name: 'stubborn',
        schedule: ONCE,
        timeout: '10s',
        retry: 3,
        run: async () => {
          calls++;
          await h.sleep(120_000); // ignores ctx.signal
        },
      }),
    );
    await h.scheduler.start();
    await h.clock.advance('1m30s');
    assert.equal(calls, 1);
    const failure = h.events.find((e) => e.type === 'run:failure');
    assert.ok(failure?.type === 'run:failure' && failure.outcome === 'timeout' && failure.handlerStillRunning);
    assert.equal(h.scheduler.jobs()[0]?.strayHandlers, 1);
    await h.clock.advance('2m');
    assert.equal(h.scheduler.jobs()[0]?.strayHandlers, 0);
  });
});

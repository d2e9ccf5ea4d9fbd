import assert from 'node:assert/strict';
import { every, type Logger } from '@tickwise/core';
import { harness, job } from '../helpers/harness.js';

/** A logger that records `level message` lines; `throwing` levels throw instead. */
function recordingLogger(throwing: ('debug' | 'info' | 'warn' | 'error')[] = []) {
  const lines: string[] = [];
  const level = (name: 'debug' | 'info' | 'warn' | 'error') => (_fields: Record<string, unknown>, message: string) => {
    if (throwing.includes(name)) throw new Error(`${name} transport down`);
    lines.push(`${name} ${message}`);
  };
  const logger: Logger = { debug: level('debug'), info: level('info'), warn: level('warn'), error: level('error') };
  return { lines, logger };
}

/** Collects what process.stderr.write receives while `body` runs. */
async function captureStderr(body: () => Promise<void>): Promise<string[]> {
  const written: string[] = [];
  const original = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    await body();
  } finally {
    process.stderr.write = original;
  }
  return written.join('').split('\n').filter(Boolean);
}

/** Unhandled rejections seen while `body` runs (the real process event, as a crash would see it). */
async function unhandledRejections(body: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  try {
    await body();
    // Give the microtask queue and Node's unhandled-rejection check a few turns.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('unhandledRejection', listener);
  }
  return seen;
}

describe('listeners cannot break the scheduler', () => {
  it('a listener that throws is reported, the other listeners and the next runs go on', async () => {
    const { lines, logger } = recordingLogger();
    const h = harness({ logger });
    h.scheduler.add(job({ name: 'tick', schedule: every('10s') }));
    h.scheduler.on('run:success', function brokenDashboard() {
      throw new Error('dashboard down');
    });
    await h.scheduler.start();
    await h.clock.advance('30s');
    assert.equal(h.lines((e) => e.type === 'run:success').length, 3, 'every run succeeds');
    const reports = lines.filter((line) => line.includes('listener'));
    assert.deepEqual(reports, [
      "error tickwise: a 'run:success' listener brokenDashboard() threw; the scheduler goes on",
    ]);
    await h.scheduler.stop();
  });

  it('an async listener whose promise rejects causes no unhandled rejection and is reported', async () => {
    const { lines, logger } = recordingLogger();
    const h = harness({ logger });
    h.scheduler.add(
      job({
        name: 'flaky',
        schedule: every('20s'),
        run: () => {
          throw new Error('boom');
        },
      }),
    );
    // The documented shape: notify a webhook on failure; here the webhook fails.
    h.scheduler.on('run:failure', async () => {
      throw new Error('slack webhook 500');
    });
    const seen = await unhandledRejections(async () => {
      await h.scheduler.start();
      await h.clock.advance('1m');
    });
    assert.deepEqual(seen, []);
    assert.equal(h.lines((e) => e.type === 'run:failure').length, 3);
    assert.deepEqual(
      lines.filter((line) => line.includes('listener')),
      ["error tickwise: a 'run:failure' listener returned a rejected promise; the scheduler goes on"],
    );
    await h.scheduler.stop();
  });

  it('reports a failing listener at most once a minute, with the count held back', async () => {
    const { lines, logger } = recordingLogger();
    const h = harness({ logger });
    h.scheduler.add(job({ name: 'often', schedule: every('10s') }));
    h.scheduler.on('run:start', () => {
      throw new Error('nope');
    });
    await h.scheduler.start();
    await h.clock.advance('2m5s');
    assert.deepEqual(
      lines.filter((line) => line.includes('listener')),
      [
        // 00:00:10 reported; 00:00:20 … 00:01:00 held back; 00:01:10 reported with the count; 00:01:20 … held back.
        "error tickwise: a 'run:start' listener threw; the scheduler goes on",
        "error tickwise: a 'run:start' listener threw (5 more failures of it in the last minute); the scheduler goes on",
      ],
    );
    assert.equal(h.lines((e) => e.type === 'run:success').length, 12);
    await h.scheduler.stop();
  });
});

describe('loggers cannot break the scheduler', () => {
  it('a logger whose warn and error throw: runs go on, no unhandled rejection, one stderr line a minute', async () => {
    const { logger } = recordingLogger(['warn', 'error']);
    const h = harness({ logger });
    let runs = 0;
    h.scheduler.add(
      job({
        name: 'failing',
        schedule: every('20s'),
        retry: { retries: 1, minTimeout: 0, randomize: false },
        run: () => {
          runs++;
          throw new Error('db down');
        },
      }),
    );
    let seen: unknown[] = [];
    const stderr = await captureStderr(async () => {
      seen = await unhandledRejections(async () => {
        await h.scheduler.start();
        await h.clock.advance('1m50s');
      });
    });
    assert.deepEqual(seen, []);
    assert.equal(runs, 5 * 2, 'five ticks, two attempts each');
    assert.equal(h.lines((e) => e.type === 'run:failure').length, 5);
    assert.equal(stderr.length, 2, stderr.join('\n'));
    assert.match(
      stderr[0] as string,
      /tickwise ERROR the logger's warn\(\) threw; lost line: tickwise: failing attempt failed/,
    );
    assert.match(stderr[0] as string, /error="Error: warn transport down"/);
    assert.match(stderr[1] as string, /more failures in the last minute/);
    await h.scheduler.stop();
  });

  it('when only warn throws, the failure is reported through the logger’s error()', async () => {
    const { lines, logger } = recordingLogger(['warn']);
    const h = harness({ logger });
    h.scheduler.add(
      job({
        name: 'failing',
        schedule: every('1m'),
        run: () => {
          throw new Error('boom');
        },
      }),
    );
    const stderr = await captureStderr(async () => {
      await h.scheduler.start();
      await h.clock.advance('1m');
    });
    assert.deepEqual(stderr, []);
    assert.ok(
      lines.some((line) => line.startsWith("error tickwise: the logger's warn() threw; lost line")),
      lines.join('\n'),
    );
    assert.ok(lines.includes('error tickwise: failing failure'));
    await h.scheduler.stop();
  });
});

describe('once() and off()', () => {
  it('once() hears the next event only; off() unsubscribes and says whether it did', async () => {
    const h = harness();
    h.scheduler.add(job({ name: 'tick', schedule: every('10s') }));
    const once: string[] = [];
    const always: string[] = [];
    const record = (into: string[]) => (e: { tick: Date }) => into.push(e.tick.toISOString().slice(11, 19));
    h.scheduler.once('run:success', record(once));
    const listener = record(always);
    h.scheduler.on('run:success', listener);
    const cancelled = record([]);
    const unsubscribe = h.scheduler.once('run:start', cancelled);
    unsubscribe();
    assert.equal(h.scheduler.off('run:start', cancelled), false, 'already unsubscribed');
    await h.scheduler.start();
    await h.clock.advance('20s');
    assert.equal(h.scheduler.off('run:success', listener), true);
    await h.clock.advance('20s');
    assert.deepEqual(once, ['00:00:10']);
    assert.deepEqual(always, ['00:00:10', '00:00:20']);
    await h.scheduler.stop();
  });

  it('off() removes a once() listener before it fires', async () => {
    const h = harness();
    h.scheduler.add(job({ name: 'tick', schedule: every('10s') }));
    let calls = 0;
    const listener = () => {
      calls++;
    };
    h.scheduler.once('run:success', listener);
    assert.equal(h.scheduler.off('run:success', listener), true);
    await h.scheduler.start();
    await h.clock.advance('30s');
    assert.equal(calls, 0);
    await h.scheduler.stop();
  });
});

describe('default logger: warnings and errors on stderr', () => {
  it('without a logger, a failure is one stderr line with job, tick and error; success prints nothing', async () => {
    const h = harness({ logger: undefined });
    h.scheduler.add(job({ name: 'quiet', schedule: every('1m') }));
    h.scheduler.add(
      job({
        name: 'report',
        schedule: every('1m'),
        run: () => {
          throw new TypeError('cannot read properties of undefined\n(reading "rows")');
        },
      }),
    );
    const stderr = await captureStderr(async () => {
      await h.scheduler.start();
      await h.clock.advance('1m');
      await h.scheduler.stop();
    });
    assert.deepEqual(stderr.length, 2, stderr.join('\n'));
    const [attempt, failure] = stderr as [string, string];
    assert.match(
      attempt,
      /^2026-01-05T00:01:00\.000Z tickwise WARN report attempt failed job=report tick=2026-01-05T00:01:00\.000Z /,
    );
    assert.match(
      failure,
      /^2026-01-05T00:01:00\.000Z tickwise ERROR report failure job=report tick=2026-01-05T00:01:00\.000Z runId=test:\d+ outcome=failure .* error="TypeError: cannot read properties of undefined \(reading \\"rows\\"\)"$/,
    );
    assert.ok(!stderr.some((line) => line.includes('quiet')), 'routine success stays quiet');
  });

  it('stderr lines carry the redacted message: no password from a connection string, no bearer token', async () => {
    const h = harness({ logger: undefined });
    h.scheduler.add(
      job({
        name: 'charge',
        schedule: every('1m'),
        run: () => {
          throw new Error(
            'connect failed: postgres://app:hunter2@db.internal:5432/billing (Authorization: Bearer abc.def)',
          );
        },
      }),
    );
    const stderr = await captureStderr(async () => {
      await h.scheduler.start();
      await h.clock.advance('1m');
      await h.scheduler.stop();
    });
    assert.equal(stderr.length, 2, stderr.join('\n'));
    for (const line of stderr) {
      assert.ok(!line.includes('hunter2') && !line.includes('abc.def'), line);
      assert.match(line, /postgres:\/\/\[REDACTED\]@db\.internal:5432\/billing/);
    }
  });

  it('logger: false writes nothing at all', async () => {
    const h = harness({ logger: false });
    h.scheduler.add(
      job({
        name: 'report',
        schedule: every('1m'),
        run: () => {
          throw new Error('boom');
        },
      }),
    );
    const stderr = await captureStderr(async () => {
      await h.scheduler.start();
      await h.clock.advance('2m');
      await h.scheduler.stop();
    });
    assert.deepEqual(stderr, []);
    assert.equal(h.lines((e) => e.type === 'run:failure').length, 2);
  });
});

import assert from 'node:assert/strict';
import { MemoryStore, RunCancelledError } from '@tickwise/core';
import type { CompletionBatch, HeldClaim } from '@tickwise/core/store';
import { VirtualClock } from '@tickwise/core/testing';
import { CompletionRecorder } from '../../../src/runtime/completion.js';
import type { LeaseHandle } from '../../../src/runtime/lease-keeper.js';
import type { Logger } from '../../../src/runtime/logger.js';
import { silentLogger, T0 } from './fixtures.js';

const LIMITS = { maxBatch: 1000, maxInFlight: 2 };
const claim: HeldClaim = { job: 'j', tick: T0, fence: 3, leaseMs: 30_000, retainMs: 60_000, exclusive: true };

/**
 * A recorder over a MemoryStore whose completions can fail, never answer (`hang`) or answer with a
 * result missing (`short`); round trips (and their store times), releases and lease releases are recorded.
 */
function setup(completions: 'ok' | 'fail' | 'hang' | 'short' = 'ok', logger: Logger = silentLogger) {
  const clock = new VirtualClock(T0);
  const memory = new MemoryStore({ now: () => clock.now() });
  const sent: string[] = [];
  const sentAt: number[] = [];
  const store = Object.assign(Object.create(memory) as MemoryStore, {
    completeRuns: async (batch: CompletionBatch) => {
      sent.push(batch.runs.map((run) => `${run.claim.job}:${run.outcome}`).join('+'));
      sentAt.push(clock.now() - T0);
      if (completions === 'fail') throw new Error('store down');
      if (completions === 'hang') return new Promise<never>(() => {});
      if (completions === 'short') return batch.runs.slice(1).map(() => 'recorded' as const);
      return batch.runs.map(() => 'recorded' as const);
    },
  });
  const released: string[] = [];
  const recorder = new CompletionRecorder(store, clock, 'owner', logger, LIMITS, {
    release: async (claims) => {
      released.push(claims.map((held) => held.job).join('+'));
    },
  });
  let leaseReleased = 0;
  const lease: LeaseHandle = {
    claim,
    abortAt: T0 + 27_000,
    lost: false,
    release: () => leaseReleased++,
  };
  return { clock, recorder, lease, sent, sentAt, released, leaseReleased: () => leaseReleased };
}

describe('completion: finish()', () => {
  it('records the outcome, then lets the lease go', async () => {
    const { recorder, lease, sent, released, leaseReleased } = setup();
    assert.equal(await recorder.finish(lease, 'success', undefined), 'recorded');
    assert.deepEqual(sent, ['j:success']);
    assert.deepEqual(released, []);
    assert.equal(leaseReleased(), 1);
  });

  it('a run cancelled by a shutdown or by remove() gives its tick back instead (released)', async () => {
    for (const reason of ['shutdown', 'removed'] as const) {
      const { recorder, lease, sent, released, leaseReleased } = setup();
      const status = await recorder.finish(lease, 'cancelled', new RunCancelledError('j', reason));
      assert.equal(status, 'released', reason);
      assert.deepEqual(sent, []);
      assert.deepEqual(released, ['j']);
      assert.equal(leaseReleased(), 1);
    }
  });

  it('a run cancelled otherwise (cancel-other, a lost lease) is recorded as cancelled: the tick is done', async () => {
    for (const reason of ['cancel-other', 'lease-lost'] as const) {
      const { recorder, lease, sent } = setup();
      assert.equal(await recorder.finish(lease, 'cancelled', new RunCancelledError('j', reason)), 'recorded');
      assert.deepEqual(sent, ['j:cancelled'], reason);
    }
  });

  it('a shutdown that came after the handler had finished does not release a finished run', async () => {
    const { recorder, lease, sent, released } = setup();
    assert.equal(await recorder.finish(lease, 'success', new RunCancelledError('j', 'shutdown')), 'recorded');
    assert.deepEqual(sent, ['j:success']);
    assert.deepEqual(released, []);
  });

  it('is `unrecorded` when the store could not be reached before the lease would end (retried until then)', async () => {
    const { clock, recorder, lease, sent, leaseReleased } = setup('fail');
    const status = recorder.finish(lease, 'failure', undefined);
    await clock.advance('30s');
    assert.equal(await status, 'unrecorded');
    assert.ok(sent.length > 3, `retried: ${sent.length} round trips`);
    assert.equal(leaseReleased(), 1);
  });
});

describe('completion: retries', () => {
  it('retries a failed completion with a doubling backoff from 50 ms, at most 1 s apart, until the lease would end', async () => {
    const { clock, recorder, lease, sentAt } = setup('fail');
    const status = recorder.record(lease, 'success');
    await clock.advance('30s');
    assert.equal(await status, 'unrecorded');
    assert.deepEqual(sentAt.slice(0, 7), [0, 50, 150, 350, 750, 1550, 2550]);
    const last = sentAt.at(-1) ?? 0;
    assert.ok(last < 27_000 && last >= 25_000, `the last attempt at ${last} ms, before the lease ends at 27 s`);
  });

  it('waits at most 5 s for an answer per attempt, and only for what is left of the lease on the last one', async () => {
    const { clock, recorder, lease, sentAt } = setup('hang');
    let settledAt = -1;
    const status = recorder.record(lease, 'success').then((result) => {
      settledAt = clock.now() - T0;
      return result;
    });
    await clock.advance('60s');
    assert.equal(await status, 'unrecorded');
    // 5 s waits, each followed by the backoff (50 ms, doubling); the last one waits out the lease (27 s).
    assert.deepEqual(sentAt, [0, 5050, 10_150, 15_350, 20_750, 26_550]);
    assert.equal(settledAt, 27_000);
  });

  it('a lease already lost gets one last attempt, waiting 1 s: the store decides by the fence', async () => {
    const { clock, recorder, lease, sentAt } = setup('hang');
    const lost = { ...lease, lost: true };
    let settledAt = -1;
    const status = recorder.record(lost, 'success').then((result) => {
      settledAt = clock.now() - T0;
      return result;
    });
    await clock.advance('10s');
    assert.equal(await status, 'unrecorded');
    assert.deepEqual(sentAt, [0]);
    assert.equal(settledAt, 1000);
  });

  it('a lease that ends right now also gets its last attempt 1 s long (not a zero wait)', async () => {
    const { clock, recorder, lease, sentAt } = setup('hang');
    let settledAt = -1;
    const status = recorder.record({ ...lease, abortAt: T0 }, 'success').then((result) => {
      settledAt = clock.now() - T0;
      return result;
    });
    await clock.advance('10s');
    assert.equal(await status, 'unrecorded');
    assert.deepEqual(sentAt, [0]);
    assert.equal(settledAt, 1000);
  });

  it('does not retry when the backoff would reach the end of the lease', async () => {
    const { clock, recorder, lease, sentAt } = setup('fail');
    const status = recorder.record({ ...lease, abortAt: T0 + 50 }, 'success');
    await clock.advance('10s');
    assert.equal(await status, 'unrecorded');
    assert.deepEqual(sentAt, [0], 'the first retry would be due at 50 ms, when the lease ends');
  });

  it('an answer with a result missing is trusted for none of the batch: every completion is sent again', async () => {
    const { clock, recorder, lease, sent } = setup('short');
    const other = { ...lease, claim: { ...claim, job: 'k' } };
    const both = Promise.all([recorder.record(lease, 'success'), recorder.record(other, 'success')]);
    await clock.advance('30s');
    assert.deepEqual(await both, ['unrecorded', 'unrecorded']);
    assert.ok(sent.length > 3, `retried: ${sent.length} round trips`);
    assert.equal(sent[0], 'j:success+k:success');
  });

  it('logs why a round trip did not record its completions: the error, no answer in time, or a bad answer', async () => {
    let warnings: string[] = [];
    const first: string[] = [];
    const logger: Logger = {
      ...silentLogger,
      warn: (fields, message) => {
        const { runs, err } = fields as { runs: number; err: unknown };
        warnings.push(`${message} (${runs}: ${err instanceof Error ? err.message : err})`);
      },
    };
    for (const mode of ['fail', 'hang', 'short'] as const) {
      warnings = [];
      const { clock, recorder, lease } = setup(mode, logger);
      const both = [
        recorder.record(lease, 'success'),
        recorder.record({ ...lease, claim: { ...claim, job: 'k' } }, 'success'),
      ];
      await clock.advance('30s');
      await Promise.all(both);
      first.push(warnings[0] ?? '(none)');
    }
    assert.deepEqual(first, [
      'tickwise: could not record completions; retrying (2: store down)',
      'tickwise: could not record completions; retrying (2: no answer in time)',
      'tickwise: could not record completions; retrying (2: bad answer)',
    ]);
  });

  it('sends completions due together in one round trip, each answered with its own result', async () => {
    const { recorder, lease, sent } = setup();
    const other = { ...lease, claim: { ...claim, job: 'k' } };
    const both = await Promise.all([recorder.record(lease, 'success'), recorder.record(other, 'failure')]);
    assert.deepEqual(both, ['recorded', 'recorded']);
    assert.deepEqual(sent, ['j:success+k:failure']);
  });
});

import assert from 'node:assert/strict';
import { MemoryStore, RunCancelledError } from '@tickwise/core';
import type { CompletionBatch, HeldClaim } from '@tickwise/core/store';
import { VirtualClock } from '@tickwise/core/testing';
import { CompletionRecorder } from '../../../src/runtime/completion.js';
import type { LeaseHandle } from '../../../src/runtime/lease-keeper.js';
import { silentLogger, T0 } from './fixtures.js';

const LIMITS = { maxBatch: 1000, maxInFlight: 2 };
const claim: HeldClaim = { job: 'j', tick: T0, fence: 3, leaseMs: 30_000, retainMs: 60_000, exclusive: true };

/** A recorder over a MemoryStore whose completions can fail; releases and lease releases are recorded. */
function setup(completions: 'ok' | 'fail' = 'ok') {
  const clock = new VirtualClock(T0);
  const memory = new MemoryStore({ now: () => clock.now() });
  const sent: string[] = [];
  const store = Object.assign(Object.create(memory) as MemoryStore, {
    completeRuns: async (batch: CompletionBatch) => {
      sent.push(batch.runs.map((run) => `${run.claim.job}:${run.outcome}`).join('+'));
      if (completions === 'fail') throw new Error('store down');
      return batch.runs.map(() => 'recorded' as const);
    },
  });
  const released: string[] = [];
  const recorder = new CompletionRecorder(store, clock, 'owner', silentLogger, LIMITS, {
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
  return { clock, recorder, lease, sent, released, leaseReleased: () => leaseReleased };
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

import assert from 'node:assert/strict';
import { VirtualClock } from '@tickwise/core/testing';
import { AskAgainQueue } from '../../../src/runtime/ask-again.js';
import type { JobState } from '../../../src/runtime/job-state.js';
import { activeRun, hms, jobState, lifecycle, T0 } from './fixtures.js';

/** A queue whose runs are recorded as `name hh:mm:ss trigger takeover @ mm:ss.SSS`. */
function setup() {
  const clock = new VirtualClock(T0);
  const life = lifecycle('running');
  const removed = new Set<JobState>();
  const runs: string[] = [];
  const asks = new AskAgainQueue(
    clock,
    life,
    (job) => !removed.has(job),
    (job, tick, trigger, takeover) =>
      runs.push(
        `${job.info.name} ${hms(tick)} ${trigger} ${takeover} @ ${new Date(clock.now()).toISOString().slice(14, 23)}`,
      ),
  );
  asks.start();
  return { clock, asks, runs, life, removed };
}

describe('ask again', () => {
  it('a takeover is asked just after the holder’s lease would end (250 ms later), as a catch-up run', async () => {
    const { clock, asks, runs } = setup();
    assert.equal(asks.add(jobState({ name: 'held' }), T0, 20_000, 'takeover'), true);
    await clock.advance('30s');
    assert.deepEqual(runs, ['held 00:00:00 catch-up reask @ 00:20.250']);
  });

  it('an early tick is claimed again as scheduled; an overlap once more as a recheck', async () => {
    const { clock, asks, runs } = setup();
    asks.add(jobState({ name: 'early' }), T0, 300, 'early');
    asks.add(jobState({ name: 'overlap' }), T0, 1000, 'overlap');
    await clock.advance('2s');
    assert.deepEqual(runs, [
      'early 00:00:00 schedule false @ 00:00.300',
      'overlap 00:00:00 schedule recheck @ 00:01.000',
    ]);
  });

  it('refuses an ask that would come after the job’s catch-up window (and once the scheduler stops)', () => {
    const { asks, life } = setup();
    const job = jobState({ name: 'j', catchUp: { policy: 'latest', window: '10s' } });
    assert.equal(asks.add(job, T0, 9_000, 'early'), true);
    assert.equal(asks.add(job, T0, 11_000, 'early'), false);
    life.state = 'stopping';
    assert.equal(asks.add(job, T0, 0, 'early'), false);
  });

  it('drops the ask when it comes due for a paused, disabled or removed job, or a tick already running here', async () => {
    const { clock, asks, runs, removed } = setup();
    const paused = jobState({ name: 'paused' });
    const disabled = jobState({ name: 'disabled' }, 0, 'enabled: false');
    const gone = jobState({ name: 'gone' });
    const running = jobState({ name: 'running' });
    for (const job of [paused, disabled, gone, running]) asks.add(job, T0, 1000, 'early');
    paused.localPaused = true;
    removed.add(gone);
    activeRun(running, T0);
    await clock.advance('2s');
    assert.deepEqual(runs, []);
  });

  it('clear() (stop) drops every waiting ask and its timer', async () => {
    const { clock, asks, runs } = setup();
    asks.add(jobState({ name: 'j' }), T0, 1000, 'early');
    asks.clear();
    assert.equal(clock.pendingTimers, 0);
    await clock.advance('2s');
    assert.deepEqual(runs, []);
  });
});

import assert from 'node:assert/strict';
import { RunCancelledError } from '@tickwise/core';
import type { ClaimRequest, HeldClaim } from '@tickwise/core/store';
import { VirtualClock } from '@tickwise/core/testing';
import { type AskKind, type TakeoverAsk, TickClaim } from '../../../src/runtime/claim.js';
import type { ClaimAnswer } from '../../../src/runtime/claim-batcher.js';
import type { JobState } from '../../../src/runtime/job-state.js';
import type { LeaseHandle } from '../../../src/runtime/lease-keeper.js';
import { activeRun, hms, jobState, recordingReport, silentLogger, T0 } from './fixtures.js';

const TICK = T0 + 60_000;

/** A TickClaim whose store answers `answer`; what it asks, holds, reports and asks again is recorded. */
function setup(answer: ClaimAnswer, options: { timesClaims?: boolean; askAgain?: boolean } = {}) {
  const clock = new VirtualClock(TICK);
  const report = recordingReport();
  const requests: ClaimRequest[] = [];
  const held: { claim: HeldClaim; lose: (detail: string) => void; renewed: () => void }[] = [];
  const timed: string[] = [];
  const claim = new TickClaim({
    clock,
    claims: {
      claim: async (request) => {
        requests.push(request);
        clock.stall(40);
        return answer;
      },
    },
    leases: {
      hold: (claim, _sentAt, lose, renewed = () => {}) => {
        held.push({ claim, lose, renewed });
        return { claim, abortAt: TICK + claim.leaseMs, lost: false, release() {} } satisfies LeaseHandle;
      },
    },
    report: {
      ...report,
      timesClaims: options.timesClaims ?? false,
      claimAnswered: (job, durationMs, result) => timed.push(`${job.name} ${durationMs} ${result}`),
    },
    logger: silentLogger,
    missedAfterMs: 60_000,
    askAgain: (job: JobState, tick: number, retryAfterMs: number, ask: AskKind) => {
      report.lines.push(`ask ${job.info.name} ${hms(tick)} in ${retryAfterMs} ms (${ask})`);
      return options.askAgain ?? true;
    },
  });
  return { claim, lines: report.lines, requests, held, timed };
}

const heldClaim: HeldClaim = { job: 'j', tick: TICK, fence: 7, leaseMs: 30_000, retainMs: 60_000, exclusive: true };

async function claimOnce(answer: ClaimAnswer, takeover: TakeoverAsk = false, job = jobState({ name: 'j' })) {
  const parts = setup(answer);
  const run = activeRun(job, TICK, { claimed: false });
  const result = await parts.claim.claim(job, run, takeover);
  return { ...parts, run, result, job };
}

describe('claim: granted', () => {
  it('holds the lease from when the request was sent, and marks the run claimed', async () => {
    const { result, run, held, requests } = await claimOnce({ kind: 'granted', claim: heldClaim, sentAt: TICK });
    assert.equal(run.claimed, true);
    assert.equal((result as LeaseHandle).claim, heldClaim);
    assert.equal(held.length, 1);
    assert.deepEqual(requests, [
      { job: 'j', tick: TICK, leaseMs: 30_000, exclusive: true, retainMs: 120_000, takeoverOnly: false },
    ]);
  });

  it('a lost lease aborts the run (RunCancelledError lease-lost); a renewal is passed on to the run', async () => {
    const { run, held } = await claimOnce({ kind: 'granted', claim: heldClaim, sentAt: TICK });
    let renewals = 0;
    run.leaseRenewed = () => renewals++;
    held[0]?.renewed();
    held[0]?.lose('renewal refused');
    assert.equal(renewals, 1);
    assert.ok(run.abort.reason instanceof RunCancelledError);
    assert.equal(run.abort.reason.reason, 'lease-lost');
  });

  it('asks under the start claim’s name and retention for a runOnStart run; non-exclusive policies ask non-exclusively', async () => {
    const job = jobState({ name: 'j', overlap: 'allow' });
    const { claim, requests } = setup({ kind: 'refused', reason: 'completed' });
    const run = activeRun(job, TICK, { claimed: false, claimAs: { job: 'j#start', retainMs: 5 } });
    await claim.claim(job, run, 'probe');
    assert.deepEqual(requests, [
      { job: 'j#start', tick: TICK, leaseMs: 30_000, exclusive: false, retainMs: 5, takeoverOnly: true },
    ]);
  });

  it('times the round trip only when an observer wants claim durations', async () => {
    const untimed = setup({ kind: 'refused', reason: 'completed' });
    const job = jobState({ name: 'j' });
    await untimed.claim.claim(job, activeRun(job, TICK, { claimed: false }), false);
    assert.deepEqual(untimed.timed, []);
    const timed = setup({ kind: 'slow' }, { timesClaims: true });
    await timed.claim.claim(job, activeRun(job, TICK, { claimed: false }), false);
    assert.deepEqual(timed.timed, ['j 40 timeout']);
  });
});

describe('claim: refused, slow, failed, cancelled', () => {
  it('each first ask reports why the tick does not run here', async () => {
    const cases: [ClaimAnswer, string][] = [
      [{ kind: 'refused', reason: 'completed' }, 'skip j 00:01:00 completed'],
      [{ kind: 'refused', reason: 'late' }, 'skip j 00:01:00 store-slow'],
      [{ kind: 'slow' }, 'skip j 00:01:00 store-slow'],
      [{ kind: 'failed', error: new Error('down') }, 'skip j 00:01:00 store-unavailable'],
      [{ kind: 'cancelled' }, 'skip j 00:01:00 shutdown'],
    ];
    for (const [answer, line] of cases) {
      const { lines, result } = await claimOnce(answer);
      assert.deepEqual(lines, [line], answer.kind);
      assert.equal((result as { outcome: string }).outcome, 'skipped');
    }
  });

  it('asking again (a takeover, a probe) is silent: the tick was reported when it was first refused', async () => {
    for (const takeover of ['reask', 'probe'] as const) {
      for (const answer of [{ kind: 'slow' }, { kind: 'refused', reason: 'completed' }] as ClaimAnswer[]) {
        const { lines } = await claimOnce(answer, takeover);
        assert.deepEqual(lines, [], `${takeover} ${answer.kind}`);
      }
    }
  });

  it('claimed-elsewhere: reported, and asked again when the holder’s lease would end', async () => {
    const { lines, result } = await claimOnce({ kind: 'refused', reason: 'claimed-elsewhere', retryAfterMs: 20_000 });
    assert.deepEqual(lines, ['skip j 00:01:00 claimed-elsewhere', 'ask j 00:01:00 in 20000 ms (takeover)']);
    assert.deepEqual(result, { outcome: 'skipped', reason: 'claimed-elsewhere' });
  });

  it('claimed-elsewhere for a start claim is not asked again (runOnStart runs once per start, or not at all)', async () => {
    const job = jobState({ name: 'j' });
    const { claim, lines } = setup({ kind: 'refused', reason: 'claimed-elsewhere', retryAfterMs: 20_000 });
    await claim.claim(job, activeRun(job, TICK, { claimed: false, claimAs: { job: 'j#start', retainMs: 1 } }), false);
    assert.deepEqual(lines, ['skip j 00:01:00 claimed-elsewhere']);
  });

  it('early: asked again when the store’s clock reaches the tick, not reported', async () => {
    const { lines, result } = await claimOnce({ kind: 'refused', reason: 'early', retryAfterMs: 300 });
    assert.deepEqual(lines, ['ask j 00:01:00 in 300 ms (early)']);
    assert.deepEqual(result, { outcome: 'skipped', reason: 'early' });
  });

  it('overlap with no run going on here: asked once more (a tenth of the lease, at most 1 s) instead of reported', async () => {
    const { lines, result } = await claimOnce({ kind: 'refused', reason: 'overlap' });
    assert.deepEqual(lines, ['ask j 00:01:00 in 1000 ms (overlap)']);
    assert.deepEqual(result, { outcome: 'skipped', reason: 'early' });
    const short = await claimOnce({ kind: 'refused', reason: 'overlap' }, false, jobState({ name: 'j', lease: '5s' }));
    assert.deepEqual(short.lines, ['ask j 00:01:00 in 500 ms (overlap)']);
  });

  it('overlap asked once more (recheck), or with a run going on here, or past the window: reported as overlap', async () => {
    const recheck = await claimOnce({ kind: 'refused', reason: 'overlap' }, 'recheck');
    assert.deepEqual(recheck.lines, ['skip j 00:01:00 overlap']);
    const busy = jobState({ name: 'j' });
    activeRun(busy, TICK - 60_000);
    const running = await claimOnce({ kind: 'refused', reason: 'overlap' }, false, busy);
    assert.deepEqual(running.lines, ['skip j 00:01:00 overlap']);
    const { claim, lines } = setup({ kind: 'refused', reason: 'overlap' }, { askAgain: false });
    const job = jobState({ name: 'j' });
    await claim.claim(job, activeRun(job, TICK, { claimed: false }), false);
    assert.deepEqual(lines, ['ask j 00:01:00 in 1000 ms (overlap)', 'skip j 00:01:00 overlap']);
  });

  it('unknown-tick: never run (the store lost the record; running could run it twice), claimed-elsewhere', async () => {
    const asked = await claimOnce({ kind: 'refused', reason: 'unknown-tick' }, 'reask');
    assert.deepEqual(asked.result, { outcome: 'skipped', reason: 'claimed-elsewhere' });
    assert.deepEqual(asked.lines, []);
  });
});

import assert from 'node:assert/strict';
import { RunCancelledError } from '@tickwise/core';
import type { ClaimBatch, ClaimRequest, ClaimResult, ClaimStore, HeldClaim } from '@tickwise/core/store';
import { VirtualClock } from '@tickwise/core/testing';
import { type AskKind, type TakeoverAsk, TickClaim } from '../../../src/runtime/claim.js';
import { type ClaimAnswer, ClaimBatcher } from '../../../src/runtime/claim-batcher.js';
import type { JobState } from '../../../src/runtime/job-state.js';
import type { LeaseHandle } from '../../../src/runtime/lease-keeper.js';
import type { Logger } from '../../../src/runtime/logger.js';
import { activeRun, hms, jobState, recordingReport, silentLogger, T0 } from './fixtures.js';

const TICK = T0 + 60_000;

/** A TickClaim whose store answers `answer`; what it asks, holds, reports and asks again is recorded. */
function setup(answer: ClaimAnswer, options: { timesClaims?: boolean; askAgain?: boolean; logger?: Logger } = {}) {
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
    logger: options.logger ?? silentLogger,
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

describe('claim: what is asked', () => {
  it('asks exclusively for skip, buffer-one and buffer-all; not for cancel-other and allow', async () => {
    const asked: string[] = [];
    for (const overlap of ['skip', 'buffer-one', 'buffer-all', 'cancel-other', 'allow'] as const) {
      const { requests } = await claimOnce({ kind: 'refused', reason: 'completed' }, false, jobState({ overlap }));
      asked.push(`${overlap} ${requests[0]?.exclusive}`);
    }
    assert.deepEqual(asked, ['skip true', 'buffer-one true', 'buffer-all true', 'cancel-other false', 'allow false']);
  });

  it('keeps the claim as long as the catch-up window when the job catches up (at least the lease)', async () => {
    const catching = jobState({ name: 'j', catchUp: { policy: 'all', window: '1h' } });
    const { requests } = await claimOnce({ kind: 'refused', reason: 'completed' }, false, catching);
    assert.equal(requests[0]?.retainMs, 3_600_000);
  });

  it('a renewal of a run that has no renewal listener is harmless', async () => {
    const { run, held } = await claimOnce({ kind: 'granted', claim: heldClaim, sentAt: TICK });
    run.leaseRenewed = null;
    assert.doesNotThrow(() => held[0]?.renewed());
  });

  it('labels each answer for the claim-duration metric', async () => {
    const answers: ClaimAnswer[] = [
      { kind: 'granted', claim: heldClaim, sentAt: TICK },
      { kind: 'refused', reason: 'completed' },
      { kind: 'slow' },
      { kind: 'failed', error: new Error('down') },
      { kind: 'cancelled' },
    ];
    const labels: string[] = [];
    for (const answer of answers) {
      const { claim, timed } = setup(answer, { timesClaims: true });
      const job = jobState({ name: 'j' });
      await claim.claim(job, activeRun(job, TICK, { claimed: false }), false);
      labels.push(...timed);
    }
    assert.deepEqual(labels, ['j 40 acquired', 'j 40 completed', 'j 40 timeout', 'j 40 error', 'j 40 shutdown']);
  });
});

describe('claim: asking again', () => {
  it('is silent whatever the answer, and says why the tick does not run', async () => {
    const cases: [ClaimAnswer, string][] = [
      [{ kind: 'refused', reason: 'late' }, 'store-slow'],
      [{ kind: 'slow' }, 'store-slow'],
      [{ kind: 'failed', error: new Error('down') }, 'store-unavailable'],
      [{ kind: 'cancelled' }, 'shutdown'],
      [{ kind: 'refused', reason: 'overlap' }, 'overlap'],
    ];
    for (const takeover of ['reask', 'probe'] as const) {
      for (const [answer, reason] of cases) {
        const { lines, result } = await claimOnce(answer, takeover);
        assert.deepEqual(lines, [], `${takeover} ${answer.kind}`);
        assert.equal((result as { reason: string }).reason, reason, `${takeover} ${answer.kind}`);
        assert.equal((result as { outcome: string }).outcome, 'skipped');
      }
    }
  });

  it('first asks say why too: store-slow, store-unavailable (with the error), shutdown, overlap', async () => {
    const error = new Error('down');
    const cases: [ClaimAnswer, object][] = [
      [
        { kind: 'refused', reason: 'late' },
        { outcome: 'skipped', reason: 'store-slow' },
      ],
      [{ kind: 'slow' }, { outcome: 'skipped', reason: 'store-slow' }],
      [
        { kind: 'failed', error },
        { outcome: 'skipped', reason: 'store-unavailable', error },
      ],
      [{ kind: 'cancelled' }, { outcome: 'skipped', reason: 'shutdown' }],
      [
        { kind: 'refused', reason: 'overlap' },
        { outcome: 'skipped', reason: 'overlap' },
      ],
    ];
    for (const [answer, expected] of cases) {
      const { result } = await claimOnce(answer, 'recheck');
      assert.deepEqual(result, expected, answer.kind);
    }
  });

  it('only claimed-elsewhere with the holder’s lease end is asked again; a finished tick never is', async () => {
    const done = await claimOnce({ kind: 'refused', reason: 'completed', retryAfterMs: 20_000 });
    assert.deepEqual(done.lines, ['skip j 00:01:00 completed']);
    const unknownHolder = await claimOnce({ kind: 'refused', reason: 'claimed-elsewhere' });
    assert.deepEqual(unknownHolder.lines, ['skip j 00:01:00 claimed-elsewhere']);
  });

  it('warns about a store that lost its data on a re-ask only, not on a start-up probe', async () => {
    const warned: string[] = [];
    const logger: Logger = {
      ...silentLogger,
      warn: (fields, message) => void warned.push(`${message} ${JSON.stringify(fields)}`),
    };
    for (const takeover of ['probe', 'reask'] as const) {
      const { claim } = setup({ kind: 'refused', reason: 'unknown-tick' }, { logger });
      const job = jobState({ name: 'j' });
      await claim.claim(job, activeRun(job, TICK, { claimed: false }), takeover);
    }
    assert.deepEqual(warned, [
      `tickwise: the store has no record of a tick it reported held elsewhere (data lost?); not running it again {"job":"j","tick":"${new Date(TICK).toISOString()}"}`,
    ]);
  });
});

/** A batcher over a store whose claimTicks answers as `answer` says; warnings and released orphans are recorded. */
function batcher(answer: (batch: ClaimBatch) => Promise<ClaimResult[]>, limits = { maxBatch: 1000, maxInFlight: 2 }) {
  const clock = new VirtualClock(TICK);
  const warned: string[] = [];
  const released: string[] = [];
  const logger: Logger = {
    ...silentLogger,
    warn: (fields, message) => void warned.push(`${message} ${JSON.stringify(fields)}`),
  };
  const store = { claimTicks: answer } as unknown as ClaimStore;
  const claims = new ClaimBatcher(store, clock, 'me', logger, limits, (held) =>
    released.push(held.map((c) => `${c.job}#${c.fence}`).join('+')),
  );
  const request = (job: string): ClaimRequest => ({
    job,
    tick: TICK,
    leaseMs: 30_000,
    exclusive: true,
    retainMs: 60_000,
    takeoverOnly: false,
  });
  return { clock, claims, warned, released, request };
}

describe('claim batcher', () => {
  it('answers the claims not yet sent with cancelled at stop()', async () => {
    const { claims, request } = batcher(() => new Promise(() => {}), { maxBatch: 1, maxInFlight: 1 });
    void claims.claim(request('a'));
    const queued = claims.claim(request('b'));
    await Promise.resolve();
    claims.cancelPending();
    assert.deepEqual(await queued, { kind: 'cancelled' });
  });

  it('passes a refusal on with the store’s retry time only when the store gave one', async () => {
    const { claims, request } = batcher(async () => [
      { acquired: false, reason: 'claimed-elsewhere', retryAfterMs: 900 },
      { acquired: false, reason: 'completed' },
    ]);
    const answers = await Promise.all([claims.claim(request('a')), claims.claim(request('b'))]);
    assert.deepEqual(answers, [
      { kind: 'refused', reason: 'claimed-elsewhere', retryAfterMs: 900 },
      { kind: 'refused', reason: 'completed' },
    ]);
  });

  it('an answer with the wrong number of results fails every claim of the batch (store-unavailable), and says so', async () => {
    const { claims, request, warned } = batcher(async () => [{ acquired: true, fence: 1, leaseUntil: TICK + 30_000 }]);
    const answers = await Promise.all([claims.claim(request('a')), claims.claim(request('b'))]);
    for (const answer of answers) {
      assert.equal(answer.kind, 'failed');
      assert.equal((answer as { error: Error }).error.message, 'the store answered 1 results for 2 claims');
    }
    assert.deepEqual(warned, [
      'tickwise: claim store unavailable; the ticks are skipped (store-unavailable) {"claims":2,"err":{}}',
    ]);
  });

  it('a store that does not answer in time: store-slow, logged with the wait; grants that come later are released', async () => {
    let answer: (results: ClaimResult[]) => void = () => {};
    const { clock, claims, request, warned, released } = batcher(() => new Promise((resolve) => (answer = resolve)));
    const both = Promise.all([claims.claim(request('a')), claims.claim(request('b'))]);
    await clock.advance('11s');
    assert.deepEqual(await both, [{ kind: 'slow' }, { kind: 'slow' }]);
    answer([
      { acquired: true, fence: 4, leaseUntil: TICK + 30_000 },
      { acquired: false, reason: 'claimed-elsewhere' },
    ]);
    await clock.advance('1s');
    assert.deepEqual(released, ['a#4']);
    assert.deepEqual(warned, [
      'tickwise: the claim store did not answer in time; the ticks are skipped (store-slow) {"claims":2,"waitedMs":5250}',
      'tickwise: the store granted claims after the scheduler stopped waiting; releasing them {"claims":1}',
    ]);
  });

  it('a late answer without grants releases nothing and logs nothing more', async () => {
    let answer: (results: ClaimResult[]) => void = () => {};
    const { clock, claims, request, warned, released } = batcher(() => new Promise((resolve) => (answer = resolve)));
    const late = claims.claim(request('a'));
    await clock.advance('11s');
    assert.deepEqual(await late, { kind: 'slow' });
    answer([{ acquired: false, reason: 'completed' }]);
    await clock.advance('1s');
    assert.deepEqual(released, []);
    assert.equal(warned.length, 1);
  });
});

import assert from 'node:assert/strict';
import { RunCancelledError } from '@tickwise/core';
import { BUFFER_LIMIT, Gate } from '../../../src/runtime/gate.js';
import type { JobState } from '../../../src/runtime/job-state.js';
import { activeRun, hms, jobState, lifecycle, recordingReport, T0 } from './fixtures.js';

const MINUTE = 60_000;

/** A gate whose started runs and skips are recorded as lines. */
function setup(state: Parameters<typeof lifecycle>[0] = 'running') {
  const report = recordingReport();
  const life = lifecycle(state);
  const gate = new Gate(life, report, (job: JobState, tick, trigger) =>
    report.lines.push(`start ${job.info.name} ${hms(tick)} ${trigger}`),
  );
  return { gate, lines: report.lines, life };
}

describe('gate: disabled, paused, shutting down', () => {
  it('skips a tick of a disabled job, of a paused job, and any tick once the scheduler stops', () => {
    const { gate, lines, life } = setup();
    gate.pass(jobState({ name: 'off' }, 0, 'enabled: false'), T0, 'schedule');
    const paused = jobState({ name: 'paused' });
    paused.localPaused = true;
    gate.pass(paused, T0, 'schedule');
    life.state = 'stopping';
    gate.pass(jobState({ name: 'late' }), T0, 'schedule');
    assert.deepEqual(lines, [
      'skip off 00:00:00 disabled',
      'skip paused 00:00:00 paused',
      'skip late 00:00:00 shutdown',
    ]);
  });

  it('lets a tick of an idle job through to its run', () => {
    const { gate, lines } = setup();
    gate.pass(jobState({ name: 'idle' }), T0, 'catch-up');
    assert.deepEqual(lines, ['start idle 00:00:00 catch-up']);
  });

  it('a run still waiting for its claim does not block the next tick: the store decides', () => {
    const { gate, lines } = setup();
    const job = jobState({ name: 'j' });
    activeRun(job, T0, { claimed: false });
    gate.pass(job, T0 + MINUTE, 'schedule');
    assert.deepEqual(lines, ['start j 00:01:00 schedule']);
  });
});

describe('gate, overlap: skip', () => {
  it('skips a tick while the previous run is in its handler (overlap)', () => {
    const { gate, lines } = setup();
    const job = jobState({ name: 'j', overlap: 'skip' });
    activeRun(job, T0);
    gate.pass(job, T0 + MINUTE, 'schedule');
    assert.deepEqual(lines, ['skip j 00:01:00 overlap']);
  });

  it('reports store-slow instead when the previous run has returned and only waits for the store', () => {
    const { gate, lines } = setup();
    const job = jobState({ name: 'j', overlap: 'skip' });
    activeRun(job, T0, { recording: true });
    gate.pass(job, T0 + MINUTE, 'schedule');
    assert.deepEqual(lines, ['skip j 00:01:00 store-slow']);
  });
});

describe('gate, overlap: buffer-one', () => {
  it('keeps one tick waiting, skips the next, and passes the waiting one when the run ends', () => {
    const { gate, lines } = setup();
    const job = jobState({ name: 'j', overlap: 'buffer-one' });
    const run = activeRun(job, T0);
    gate.pass(job, T0 + MINUTE, 'schedule');
    gate.pass(job, T0 + 2 * MINUTE, 'schedule');
    assert.deepEqual(lines, ['skip j 00:02:00 overlap']);
    gate.drain(job);
    assert.equal(job.buffer?.length, 1, 'nothing passes while the run is going');
    job.removeActive(run);
    gate.drain(job);
    assert.deepEqual(lines, ['skip j 00:02:00 overlap', 'start j 00:01:00 schedule']);
  });
});

describe('gate, overlap: buffer-all', () => {
  it(`keeps up to ${BUFFER_LIMIT} ticks waiting, in order; beyond that they are skipped as buffer-full`, () => {
    const { gate, lines } = setup();
    const job = jobState({ name: 'j', overlap: 'buffer-all' });
    const run = activeRun(job, T0);
    for (let i = 1; i <= BUFFER_LIMIT + 2; i++) gate.pass(job, T0 + i * MINUTE, 'schedule');
    assert.equal(job.buffer?.length, BUFFER_LIMIT);
    assert.deepEqual(lines, [
      `skip j ${hms(T0 + (BUFFER_LIMIT + 1) * MINUTE)} buffer-full`,
      `skip j ${hms(T0 + (BUFFER_LIMIT + 2) * MINUTE)} buffer-full`,
    ]);
    job.removeActive(run);
    gate.drain(job);
    assert.equal(lines.at(-1), 'start j 00:01:00 schedule', 'the oldest waiting tick goes first');
  });
});

describe('gate, overlap: cancel-other and allow', () => {
  it('cancel-other aborts the running run (RunCancelledError cancel-other) and starts the new tick', () => {
    const { gate, lines } = setup();
    const job = jobState({ name: 'j', overlap: 'cancel-other' });
    const run = activeRun(job, T0);
    gate.pass(job, T0 + MINUTE, 'schedule');
    assert.ok(run.abort.reason instanceof RunCancelledError);
    assert.equal(run.abort.reason.reason, 'cancel-other');
    assert.deepEqual(lines, ['start j 00:01:00 schedule']);
  });

  it('allow starts the new tick beside the running one', () => {
    const { gate, lines } = setup();
    const job = jobState({ name: 'j', overlap: 'allow' });
    const run = activeRun(job, T0);
    gate.pass(job, T0 + MINUTE, 'schedule');
    assert.equal(run.abort.aborted, false);
    assert.deepEqual(lines, ['start j 00:01:00 schedule']);
  });
});

describe('gate: waiting ticks', () => {
  it('a waiting tick waits until every run of the job has ended, even one still waiting for its claim', () => {
    const { gate, lines } = setup();
    const job = jobState({ name: 'j', overlap: 'buffer-one' });
    const run = activeRun(job, T0, { claimed: false });
    job.enqueue({ tick: T0 + MINUTE, trigger: 'schedule' });
    gate.drain(job);
    assert.deepEqual(lines, []);
    assert.equal(job.buffer?.length, 1);
    job.removeActive(run);
    gate.drain(job);
    assert.deepEqual(lines, ['start j 00:01:00 schedule']);
  });

  it('buffer-all: a run ending while another of the job is going keeps the waiting ticks in order', () => {
    const { gate, lines } = setup();
    const job = jobState({ name: 'j', overlap: 'buffer-all' });
    const run = activeRun(job, T0);
    gate.pass(job, T0 + MINUTE, 'schedule');
    gate.pass(job, T0 + 2 * MINUTE, 'schedule');
    gate.drain(job);
    assert.deepEqual(
      job.buffer?.map((waiting) => hms(waiting.tick)),
      ['00:01:00', '00:02:00'],
    );
    job.removeActive(run);
    gate.drain(job);
    assert.deepEqual(lines, ['start j 00:01:00 schedule']);
  });
});

describe('gate: ticks waiting when the scheduler stops', () => {
  it('a waiting tick that comes up after stop() is skipped as shutdown, not started', () => {
    const { gate, lines, life } = setup();
    const job = jobState({ name: 'j', overlap: 'buffer-one' });
    const run = activeRun(job, T0);
    gate.pass(job, T0 + MINUTE, 'schedule');
    life.state = 'stopping';
    job.removeActive(run);
    gate.drain(job);
    assert.deepEqual(lines, ['skip j 00:01:00 shutdown']);
  });

  it('is skipped as shutdown even when the job was paused meanwhile: stopping is the reason', () => {
    const { gate, lines, life } = setup();
    const job = jobState({ name: 'j', overlap: 'buffer-one' });
    const run = activeRun(job, T0);
    gate.pass(job, T0 + MINUTE, 'schedule');
    job.localPaused = true;
    life.state = 'stopping';
    job.removeActive(run);
    gate.drain(job);
    assert.deepEqual(lines, ['skip j 00:01:00 shutdown']);
  });
});

describe('gate: trigger() (manual runs)', () => {
  it('refuses once stop() was called, and for a disabled job', () => {
    assert.deepEqual(setup('stopping').gate.manual(jobState()), { outcome: 'skipped', reason: 'shutdown' });
    assert.deepEqual(setup('stopped').gate.manual(jobState()), { outcome: 'skipped', reason: 'shutdown' });
    assert.deepEqual(setup().gate.manual(jobState({}, 0, 'enabled: false')), {
      outcome: 'skipped',
      reason: 'disabled',
    });
  });

  it('runs before start(): trigger() needs no running scheduler', () => {
    assert.equal(setup('idle').gate.manual(jobState()), null);
  });

  it('applies the overlap policy to a running job: skip and the buffers refuse, cancel-other cancels, allow runs', () => {
    for (const overlap of ['skip', 'buffer-one', 'buffer-all'] as const) {
      const job = jobState({ overlap });
      activeRun(job, T0);
      assert.deepEqual(setup().gate.manual(job), { outcome: 'skipped', reason: 'overlap' }, overlap);
      assert.equal(job.buffer, null, `${overlap}: a manual run is never buffered`);
    }
    const cancelling = jobState({ overlap: 'cancel-other' });
    const run = activeRun(cancelling, T0);
    assert.equal(setup().gate.manual(cancelling), null);
    assert.equal(run.abort.aborted, true);
    const allowing = jobState({ overlap: 'allow' });
    activeRun(allowing, T0);
    assert.equal(setup().gate.manual(allowing), null);
  });

  it('reports nothing: a refused trigger() is the caller’s answer, not a skipped tick', () => {
    const { gate, lines } = setup('stopping');
    gate.manual(jobState());
    assert.deepEqual(lines, []);
  });
});

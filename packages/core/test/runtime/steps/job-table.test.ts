import assert from 'node:assert/strict';
import { every, JobDefinitionError, MemoryStore, TickwiseError } from '@tickwise/core';
import { buildJob, sourceFromDefinition } from '../../../src/runtime/job-registry.js';
import { JobTable } from '../../../src/runtime/job-table.js';
import { activeRun, silentLogger, T0 } from './fixtures.js';

const built = (name: string, extra: Record<string, unknown> = {}) =>
  buildJob(sourceFromDefinition({ name, schedule: every('1m'), run: () => {}, ...extra }));

const codeOf = (code: string) => (error: unknown) => error instanceof TickwiseError && error.code === code;

function table(disabled: string[] = [], maxJobNameBytes = 200) {
  return new JobTable({ limits: { ...new MemoryStore().limits, maxJobNameBytes } }, disabled, silentLogger);
}

describe('job table', () => {
  it('gives each job its registration order and finds it by name', () => {
    const jobs = table();
    const a = jobs.insert(built('a'));
    const b = jobs.insert(built('b'));
    assert.deepEqual([a.order, b.order], [0, 1]);
    assert.equal(jobs.get('b'), b);
    assert.throws(() => jobs.get('c'), codeOf('UNKNOWN_JOB'));
  });

  it('refuses a duplicate name, within one registration too, and leaves the table unchanged', () => {
    const jobs = table();
    jobs.insert(built('a'));
    assert.throws(() => jobs.checkNames([built('a')]), codeOf('DUPLICATE_JOB'));
    assert.throws(() => jobs.checkNames([built('b'), built('b')]), codeOf('DUPLICATE_JOB'));
    assert.equal(jobs.size, 1);
  });

  it('a removed job’s name stays taken until it has drained; has() is false for it at once', () => {
    const jobs = table();
    const job = jobs.insert(built('a'));
    assert.equal(jobs.remove('a'), job);
    assert.equal(jobs.has(job), false);
    assert.throws(() => jobs.checkNames([built('a')]), codeOf('DUPLICATE_JOB'));
    jobs.drained(job);
    jobs.checkNames([built('a')]);
  });

  it('the runs in progress include those of removed jobs still draining (stop() waits for them)', () => {
    const jobs = table();
    const kept = jobs.insert(built('kept'));
    const removed = jobs.insert(built('removed'));
    activeRun(kept, T0);
    activeRun(removed, T0);
    jobs.remove('removed');
    assert.equal(jobs.activeRuns().length, 2);
    assert.deepEqual(
      jobs.withDraining().map((job) => job.info.name),
      ['kept', 'removed'],
    );
  });

  it('a name must be one the store can hold: no NUL, no lone surrogate, within its byte limit (the start claim’s too)', () => {
    const jobs = table([], 10);
    for (const name of ['nul\u0000', 'lone\uD800', 'much-too-long']) {
      assert.throws(
        () => jobs.checkNames([built(name)]),
        (error: unknown) => error instanceof JobDefinitionError,
      );
    }
    jobs.checkNames([built('ten-bytes!')]);
    assert.throws(() => jobs.checkNames([built('ten-bytes!', { runOnStart: true })]), codeOf('INVALID_JOB_NAME'));
  });

  it('marks a job disabled by its options or by a kill-switch pattern, with the reason', () => {
    const jobs = table(['reports.*']);
    assert.equal(jobs.insert(built('off', { enabled: false })).disabledReason, 'enabled: false');
    assert.equal(
      jobs.insert(built('reports.daily')).disabledReason,
      "disabled by 'reports.*' (TICKWISE_DISABLED_JOBS or the disabled option)",
    );
    assert.equal(jobs.insert(built('billing')).disabledReason, null);
  });

  it('names the registered jobs whose handlers outlived their signal', () => {
    const jobs = table();
    jobs.insert(built('fine'));
    jobs.insert(built('stuck')).strayHandlers = 1;
    assert.deepEqual(jobs.strayJobNames(), ['stuck']);
  });
});

import assert from 'node:assert/strict';
import type { Logger, SchedulerEvents } from '@tickwise/core';
import { VirtualClock } from '@tickwise/core/testing';
import type { AttemptObserver } from '../../../src/runtime/attempts.js';
import { EventHub } from '../../../src/runtime/events.js';
import { RunEvents } from '../../../src/runtime/run-events.js';
import { RunLog } from '../../../src/runtime/run-log.js';
import {
  ObservedRun,
  type RunEnd,
  type RunObservation,
  type RunObserver,
  type SkippedTick,
} from '../../../src/runtime/run-observer.js';
import { RunReport, UNWATCHED_ATTEMPT } from '../../../src/runtime/run-report.js';
import { Instrumentation } from '../../../src/telemetry/instrumentation.js';
import { jobState, silentLogger, T0 } from './fixtures.js';

const job = jobState({ name: 'report' });

/** A logger that keeps `level message {fields}` lines. */
function recordingLogger() {
  const lines: string[] = [];
  const level = (name: string) => (fields: Record<string, unknown>, message: string) =>
    lines.push(`${name} ${message} ${JSON.stringify(fields)}`);
  const logger: Logger = { debug: level('debug'), info: level('info'), warn: level('warn'), error: level('error') };
  return { lines, logger };
}

function observedRun(logger: Logger = silentLogger, fence = 4): ObservedRun {
  return new ObservedRun(job.info, 'reportJob', T0, 'schedule', fence, T0 + 25, undefined, 'replica-a', 7, logger);
}

const success: RunEnd = {
  outcome: 'success',
  error: undefined,
  durationMs: 12,
  attempts: 1,
  handlerStillRunning: false,
  completion: 'recorded',
  finishedAt: T0 + 37,
  slow: false,
  expectedMs: undefined,
};

/** An observer that writes `traceId` as telemetry does and records what it is told. */
function tracingObserver(seen: string[], traceId = 'trace-1'): RunObserver {
  return {
    timesClaims: true,
    tickSkipped: (skip: SkippedTick) => {
      seen.push(`trace skip ${skip.reason}`);
      skip.traceId = traceId;
    },
    claimAnswered: (_job, ms, result) => seen.push(`trace claim ${ms} ${result}`),
    runStarted: (run): RunObservation => {
      run.traceId = traceId;
      seen.push('trace start');
      return {
        leaseRenewed: () => seen.push('trace renewed'),
        attemptStarted: (_run, attempt) => ({
          wrap: (fn) => {
            seen.push(`trace wrap ${attempt}`);
            return fn();
          },
          end: () => seen.push(`trace attempt end ${attempt}`),
        }),
        attemptFailed: () => seen.push('trace attempt failed'),
        strayReturned: () => seen.push('trace stray'),
        completionUnrecorded: () => seen.push('trace unrecorded'),
        runEnded: (_run, end) => seen.push(`trace end ${end.outcome}`),
      };
    },
  };
}

describe('run report: every observer, in order', () => {
  it('a skip reaches every observer; the trace id the first one writes is in the log line', () => {
    const clock = new VirtualClock(T0 + 5);
    const seen: string[] = [];
    const { lines, logger } = recordingLogger();
    const report = new RunReport([tracingObserver(seen), new RunLog(logger, true)], clock);
    report.skip(job, T0, 'overlap');
    assert.deepEqual(seen, ['trace skip overlap']);
    assert.deepEqual(lines, [
      'info tickwise: report tick skipped (overlap) {"job":"report","tick":"2026-01-05T00:00:00.000Z","reason":"overlap","count":1,"traceId":"trace-1"}',
    ]);
  });

  it('a run’s log lines, and the handler’s logger, are bound to the run and carry its trace id', () => {
    const { lines, logger } = recordingLogger();
    const report = new RunReport([tracingObserver([]), new RunLog(logger, true)], new VirtualClock(T0));
    const run = observedRun(logger);
    report.runStarted(run).runEnded(success);
    run.logger().info({}, 'from the handler');
    assert.deepEqual(lines, [
      'info tickwise: report succeeded {"job":"report","tick":"2026-01-05T00:00:00.000Z","runId":"replica-a:7","traceId":"trace-1","outcome":"success","durationMs":12,"attempts":1,"fence":4,"completion":"recorded"}',
      'info from the handler {"job":"report","tick":"2026-01-05T00:00:00.000Z","runId":"replica-a:7","traceId":"trace-1"}',
    ]);
  });

  it('claim durations go only to observers that time claims, and only if one does', () => {
    const seen: string[] = [];
    const untimed = new RunReport([new RunEvents(new EventHub(silentLogger, () => T0), 'a')], new VirtualClock(T0));
    assert.equal(untimed.timesClaims, false);
    const timed = new RunReport([new RunLog(silentLogger, false), tracingObserver(seen)], new VirtualClock(T0));
    assert.equal(timed.timesClaims, true);
    timed.claimAnswered(job.info, 3, 'acquired');
    assert.deepEqual(seen, ['trace claim 3 acquired']);
  });

  it('two watchers of an attempt: the handler runs inside both, the inner one ends first', () => {
    const seen: string[] = [];
    const report = new RunReport([tracingObserver(seen, 'a'), tracingObserver(seen, 'b')], new VirtualClock(T0));
    const observation = report.runStarted(observedRun());
    const watcher: AttemptObserver = observation.attemptStarted(1, T0);
    assert.equal(
      watcher.wrap(() => 'result'),
      'result',
    );
    watcher.end(undefined, T0);
    assert.deepEqual(seen, [
      'trace start',
      'trace start',
      'trace wrap 1',
      'trace wrap 1',
      'trace attempt end 1',
      'trace attempt end 1',
    ]);
  });

  it('an attempt nobody watches runs its handler as it is (UNWATCHED_ATTEMPT)', () => {
    const report = new RunReport([new RunLog(silentLogger, true)], new VirtualClock(T0));
    assert.equal(report.runStarted(observedRun()).attemptStarted(1, T0), UNWATCHED_ATTEMPT);
  });

  it('observers that keep nothing per run (events, log lines) are their own observation: nothing allocated per run', () => {
    const events = new RunEvents(new EventHub(silentLogger, () => T0), 'a');
    const log = new RunLog(silentLogger, true);
    assert.equal(events.runStarted(observedRun()), events);
    assert.equal(log.runStarted(), log);
  });

  it('telemetry is a RunObserver (checked by the compiler: it implements the interface by shape)', () => {
    const telemetry: RunObserver = new Instrumentation('replica-a', () => []);
    assert.equal(telemetry.timesClaims, false, 'no metrics SDK here: claims are not timed');
  });
});

describe('run report: events', () => {
  function recorded() {
    const events = new EventHub(silentLogger, () => T0);
    const seen: string[] = [];
    return { events, seen, observer: new RunEvents(events, 'replica-a') };
  }

  it('announces the run with the fields every event of it shares', () => {
    const { events, observer } = recorded();
    let start: SchedulerEvents['run:start'] | undefined;
    events.on('run:start', (event) => {
      start = event;
    });
    observer.runStarted(observedRun());
    assert.deepEqual(start, {
      job: job.info,
      tick: new Date(T0),
      trigger: 'schedule',
      runId: 'replica-a:7',
      fence: 4,
      instanceId: 'replica-a',
      startedAt: new Date(T0 + 25),
      latenessMs: 25,
    });
  });

  it('a slow success says so; a failure goes out as run:failure with its error', () => {
    const { events, observer } = recorded();
    const seen: unknown[] = [];
    events.on('run:success', (event) => seen.push(['success', event.slow]));
    events.on('run:failure', (event) => seen.push([event.outcome, (event.error as Error).message, event.completion]));
    const run = observedRun();
    observer.runStarted(run).runEnded(run, { ...success, slow: true });
    observer.runStarted(run).runEnded(run, {
      ...success,
      outcome: 'timeout',
      error: new Error('too long'),
      completion: 'unrecorded',
    });
    assert.deepEqual(seen, [
      ['success', true],
      ['timeout', 'too long', 'unrecorded'],
    ]);
  });

  it('a skipped tick is an event with its reason and count', () => {
    const { events, observer } = recorded();
    const seen: string[] = [];
    events.on('tick:skipped', (event) => seen.push(`${event.reason} x${event.count} ${event.instanceId}`));
    observer.tickSkipped({ job: job.info, tick: T0, reason: 'missed', count: 3, at: T0, traceId: undefined });
    assert.deepEqual(seen, ['missed x3 replica-a']);
  });
});

describe('run report: log lines', () => {
  it('routine lines (success, skip) only to a logger of the application’s; warnings and errors always', () => {
    const { lines, logger } = recordingLogger();
    const quiet = new RunLog(logger, false);
    quiet.tickSkipped({ job: job.info, tick: T0, reason: 'overlap', count: 1, at: T0, traceId: undefined });
    const run = observedRun(logger);
    quiet.runEnded(run, success);
    assert.equal(lines.length, 0);
    quiet.attemptFailed(run, { attempt: 1, error: new Error('boom'), willRetry: true });
    quiet.strayReturned(run);
    quiet.runEnded(run, { ...success, outcome: 'failure', error: new Error('boom') });
    assert.deepEqual(
      lines.map((line) => line.slice(0, line.indexOf(' {'))),
      [
        'warn tickwise: report attempt failed',
        'warn tickwise: report handler returned after its run was given up',
        'error tickwise: report failure',
      ],
    );
  });

  it('a slow success is a warning with the expected duration', () => {
    const { lines, logger } = recordingLogger();
    new RunLog(logger, false).runEnded(observedRun(logger), { ...success, slow: true, expectedMs: 10 });
    assert.equal(lines.length, 1);
    assert.match(lines[0] as string, /^warn tickwise: report was slow: 12 ms, expected at most 10 ms /);
  });

  it('an unrecorded completion names the claim (a start claim is `<job>#start`)', () => {
    const { lines, logger } = recordingLogger();
    new RunLog(logger, false).completionUnrecorded(observedRun(logger), {
      job: 'report#start',
      tick: T0,
      fence: 1,
      leaseMs: 1,
      retainMs: 1,
      exclusive: false,
    });
    assert.match(
      lines[0] as string,
      /^error tickwise: report#start could not record its completion before the lease ran out/,
    );
  });
});

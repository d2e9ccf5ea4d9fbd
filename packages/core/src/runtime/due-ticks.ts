// What a job's timer entry turns into when it fires: every tick that came due since it was queued.
// The catch-up policy plans them (catch-up.ts): the ticks missed while nobody was looking (a stall,
// a sleep, a restart) are reported as missed or run one after another, the tick on time goes to
// the gate. Returns the job's next tick, for the timer queue.

import { nextTickMs } from '../schedule/schedule.js';
import { planDueTicks } from './catch-up.js';
import type { Gate } from './gate.js';
import type { RunTrigger } from './job.js';
import type { JobState } from './job-state.js';
import type { RunReport } from './run-report.js';

export class DueTicks {
  constructor(
    /** A tick reached later than this counts as missed. */
    private readonly missedAfterMs: number,
    private readonly gate: Pick<Gate, 'pass' | 'drain'>,
    private readonly report: Pick<RunReport, 'skip'>,
  ) {}

  /** Hands on the job's ticks due by `now` (from job.nextTick on); returns the tick to queue next (NaN: none). */
  take(job: JobState, now: number): number {
    // Defensive: never handle a tick twice (e.g. after the wall clock was set back).
    if (job.nextTick <= job.lastTick) return nextTickMs(job.schedule, Math.max(job.lastTick, now));
    const plan = planDueTicks(job.schedule, job.nextTick, now, job.options.catchUp, this.missedAfterMs);
    if (plan.skipped) this.report.skip(job, plan.skipped.firstTick, 'missed', plan.skipped.count);
    job.lastTick = plan.latestDue;
    if (plan.runs.length === 1) {
      const [run] = plan.runs as [{ tick: number; trigger: RunTrigger }];
      this.gate.pass(job, run.tick, run.trigger);
    } else if (plan.runs.length > 1) {
      // Catch-up runs go one after another, oldest first, whatever the overlap policy.
      job.enqueue(...plan.runs);
      this.gate.drain(job);
    }
    return plan.upcoming ?? nextTickMs(job.schedule, Math.max(plan.latestDue, now));
  }
}

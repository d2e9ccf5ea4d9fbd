// A toad CronJob's { cronExpression, timezone } as a Tickwise cron(), refused at registration when
// Tickwise would read the expression differently from the croner that toad-scheduler runs it with.

import { createRequire } from 'node:module';
import { type CronSchedule, cron, ScheduleError } from '@tickwise/core';
import type { CronSchedule as ToadCronSchedule } from 'toad-scheduler';
import { ToadJobError } from './errors.js';

interface CronerCron {
  nextRun(from?: Date): Date | null;
  nextRuns(count: number, from?: Date): Date[];
}
type CronerConstructor = new (pattern: string, options?: { timezone?: string }) => CronerCron;

let croner: CronerConstructor | undefined;

/** The croner toad-scheduler itself requires (its own dependency, whatever version it pins). */
function cronerOfToad(): CronerConstructor {
  if (croner) return croner;
  const require = createRequire(import.meta.url);
  const fromToad = createRequire(require.resolve('toad-scheduler'));
  const loaded = (fromToad('croner') as { Cron?: CronerConstructor }).Cron;
  if (typeof loaded !== 'function') {
    throw new ToadJobError(
      'INCOMPATIBLE_TOAD',
      "toad-scheduler's croner has no Cron export; cron jobs cannot be checked",
    );
  }
  croner = loaded;
  return croner;
}

/** The zone croner reads an expression in when toad's schedule names none: the process's. */
export function processTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Expressions already compared with croner (the comparison is zone-free, so the key is the text). */
const agreed = new Set<string>();
const AGREED_LIMIT = 10_000;
/** Where the comparison starts: fixed, so a registration never passes or fails by the date it runs. */
const COMPARE_FROM = new Date(Date.UTC(2024, 0, 1));
const COMPARE_RUNS = 32;

function dayFields(expression: string): [string, string] | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length === 5) return [fields[2] as string, fields[4] as string];
  if (fields.length === 6) return [fields[3] as string, fields[5] as string];
  return null;
}

/**
 * croner combines day-of-month and day-of-week with OR unless one of them is exactly `*`; Tickwise
 * (like Vixie cron) only when neither starts with `*` or `?`. `0 0 *\/2 * 1` is "odd days or
 * Mondays" to croner and "odd Mondays" to Tickwise. Both `?` match every day either way.
 */
function dayRuleMismatch(expression: string): string | null {
  const days = dayFields(expression);
  if (!days) return null;
  const [dom, dow] = days;
  const cronerOr = dom !== '*' && dow !== '*';
  const unrestricted = (field: string) => field.startsWith('*') || field.startsWith('?');
  const tickwiseOr = !unrestricted(dom) && !unrestricted(dow);
  if (!cronerOr || tickwiseOr || (dom === '?' && dow === '?')) return null;
  return (
    `toad-scheduler (croner) runs '${expression}' on days matching day-of-month '${dom}' OR day-of-week '${dow}'; ` +
    'Tickwise would require both, because a day field starting with * or ? counts as unrestricted there. ' +
    `Write the starred field as a range (1-31/2 instead of */2, 0-6 instead of ?): both read that as OR`
  );
}

function iso(date: Date | undefined): string {
  return date ? date.toISOString() : 'no run';
}

/**
 * Tickwise's cron() for the job, read in toad's zone (or the process's when toad names none, as
 * croner does). Throws ToadJobError: INVALID_SCHEDULE when croner rejects the expression,
 * UNSUPPORTED_SCHEDULE when Tickwise cannot read it, SCHEDULE_MISMATCH when the two differ.
 */
export function cronScheduleFor(schedule: ToadCronSchedule, job: string): CronSchedule {
  const { cronExpression: expression, timezone } = schedule;
  if (typeof expression !== 'string') {
    throw new ToadJobError('UNSUPPORTED_SCHEDULE', 'cronExpression must be a string', { job });
  }
  const Cron = cronerOfToad();
  try {
    // croner reads the zone only when it computes a run: ask for one, as toad's start() would.
    new Cron(expression, timezone === undefined ? {} : { timezone }).nextRun();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ToadJobError(
      'INVALID_SCHEDULE',
      `toad-scheduler would not start it either: its croner rejects '${expression}' (${reason})`,
      { job, cause: error },
    );
  }
  let tickwise: CronSchedule;
  try {
    tickwise = cron(expression, { timezone: timezone ?? processTimeZone() });
  } catch (error) {
    if (!(error instanceof ScheduleError)) throw error;
    throw new ToadJobError('UNSUPPORTED_SCHEDULE', `Tickwise cannot run this cron schedule: ${error.message}`, {
      job,
      cause: error,
    });
  }
  if (!agreed.has(expression)) {
    const dayRule = dayRuleMismatch(expression);
    if (dayRule) throw new ToadJobError('SCHEDULE_MISMATCH', dayRule, { job });
    // Compared in UTC: how a zone's DST transitions are handled is Tickwise's documented policy,
    // not a different reading of the expression.
    const theirs = new Cron(expression, { timezone: 'UTC' }).nextRuns(COMPARE_RUNS, COMPARE_FROM);
    const ours = cron(expression).nextRuns(COMPARE_RUNS, COMPARE_FROM);
    const length = Math.max(theirs.length, ours.length);
    for (let index = 0; index < length; index++) {
      if (theirs[index]?.getTime() !== ours[index]?.getTime()) {
        throw new ToadJobError(
          'SCHEDULE_MISMATCH',
          `toad-scheduler (croner) and Tickwise read '${expression}' differently: after ${COMPARE_FROM.toISOString()} ` +
            `(UTC), run ${index + 1} is ${iso(theirs[index])} in toad-scheduler and ${iso(ours[index])} in Tickwise`,
          { job },
        );
      }
    }
    if (agreed.size >= AGREED_LIMIT) agreed.clear();
    agreed.add(expression);
  }
  return tickwise;
}

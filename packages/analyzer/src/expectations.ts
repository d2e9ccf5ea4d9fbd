// A Tickwise job's `expect` option (what a healthy run looks like) as read from source, the words
// the CLI and the editor show for it, and its checks against the schedule and the timeout
// (TW308, TW309). Durations are parsed by the schedule model, as registration parses them.

import { checkJobOptions } from '@tickwise/core/options';
import { parseDuration, type Schedule } from '@tickwise/core/schedule';
import { AnalyzerCode } from './codes.js';
import { isDynamic, type JobDeclaration, type JobExpectation, type OptionValue } from './model.js';
import { scheduleOf } from './schedule-of.js';
import { formatDurationShort } from './time-format.js';

/** The milliseconds of a static duration option registration accepts (checked as registration checks it). */
function acceptedDuration(options: Record<string, unknown>, value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  if (checkJobOptions(options) !== undefined) return undefined;
  const { ms } = parseDuration(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** `expect` as written (an option value), read into the job's expectation; undefined when not given. */
export function readExpectation(value: OptionValue | undefined): JobExpectation | undefined {
  if (value === undefined) return undefined;
  if (isDynamic(value)) return { dynamic: { expect: value.dynamic } };
  // Not an object: registration rejects it (TW303), and there is nothing to show.
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const expectation: JobExpectation = {};
  const dynamic: Record<string, string> = {};
  for (const key of ['duration', 'successWithin'] as const) {
    const part = value[key];
    if (part === undefined) continue;
    if (isDynamic(part)) {
      dynamic[key] = part.dynamic;
      continue;
    }
    if (typeof part !== 'string' && typeof part !== 'number') continue;
    const ms = acceptedDuration({ expect: { [key]: part } }, part);
    if (ms === undefined) continue;
    if (key === 'duration') Object.assign(expectation, { duration: part, durationMs: ms });
    else Object.assign(expectation, { successWithin: part, successWithinMs: ms });
  }
  // A check is a function, which the analyzer sees as a dynamic value; a literal is rejected (TW303).
  if (isDynamic(value.result)) expectation.result = true;
  const spread = value['...'];
  if (isDynamic(spread)) dynamic['...'] = spread.dynamic;
  if (Object.keys(dynamic).length > 0) expectation.dynamic = dynamic;
  return expectation;
}

/**
 * The expectation in words, part by part, the same everywhere it is shown. `short` (CodeLens,
 * `tickwise list`): '< 2 min', 'a success every 26 h', 'result checked'. `long` (hover): 'under 2
 * min per run', 'at least one success every 26 h', 'result checked'. Empty when nothing is known.
 */
export function expectationParts(expect: JobExpectation | undefined, style: 'short' | 'long'): string[] {
  if (!expect) return [];
  const long = style === 'long';
  const parts: string[] = [];
  const dynamic = expect.dynamic ?? {};
  if (dynamic.expect !== undefined) return ['set at run time'];
  if (expect.durationMs !== undefined) {
    const text = formatDurationShort(expect.durationMs);
    parts.push(long ? `under ${text} per run` : `< ${text}`);
  } else if (dynamic.duration !== undefined) parts.push('duration set at run time');
  if (expect.successWithinMs !== undefined) {
    const text = formatDurationShort(expect.successWithinMs);
    parts.push(long ? `at least one success every ${text}` : `a success every ${text}`);
  } else if (dynamic.successWithin !== undefined) parts.push('success window set at run time');
  if (expect.result) parts.push('result checked');
  if (dynamic['...'] !== undefined) parts.push('more set at run time');
  return parts;
}

/** 'under 2 min per run; at least one success every 26 h; result checked' (hover), or '' when nothing is known. */
export function describeExpectation(expect: JobExpectation | undefined): string {
  return expectationParts(expect, 'long').join('; ');
}

/** '< 2 min, a success every 26 h' (CodeLens, `tickwise list`), or '' when nothing is known. */
export function summarizeExpectation(expect: JobExpectation | undefined): string {
  return expectationParts(expect, 'short').join(', ');
}

export interface ExpectationProblem {
  code: AnalyzerCode;
  message: string;
}

const YEAR_MS = 366 * 86_400_000;
const DAY_MS = 86_400_000;
/** Enough ticks to see a year of a daily schedule, and any irregularity of a faster one. */
const MAX_TICKS = 1000;
const GAP_CACHE_LIMIT = 500;
const gaps = new Map<string, { shortest: number; even: boolean } | null>();

/**
 * The shortest time between two consecutive ticks in the year from `from` (at most MAX_TICKS
 * ticks), and whether every gap is that long; null for fewer than two ticks (a one-shot).
 */
function tickGaps(schedule: Schedule, from: Date): { shortest: number; even: boolean } | null {
  const horizon = from.getTime() + YEAR_MS;
  let previous = schedule.next(from);
  let shortest = Number.POSITIVE_INFINITY;
  let longest = 0;
  for (let i = 0; previous && i < MAX_TICKS; i++) {
    const next = schedule.next(previous);
    if (!next) break;
    const gap = next.getTime() - previous.getTime();
    shortest = Math.min(shortest, gap);
    longest = Math.max(longest, gap);
    if (next.getTime() > horizon) break;
    previous = next;
  }
  return longest === 0 ? null : { shortest, even: shortest === longest };
}

/** tickGaps(), remembered per schedule and day: the editor re-analyses on every keystroke. */
function cachedGaps(job: JobDeclaration, schedule: Schedule, from: Date) {
  const day = Math.floor(from.getTime() / DAY_MS);
  const key = JSON.stringify([job.framework, job.schedule, job.timezone, job.options.dayMatch ?? null, day]);
  let result = gaps.get(key);
  if (result === undefined) {
    result = tickGaps(schedule, new Date(day * DAY_MS));
    if (gaps.size >= GAP_CACHE_LIMIT) gaps.clear();
    gaps.set(key, result);
  }
  return result;
}

/**
 * What `tickwise check` warns about an expectation: a duration longer than the time between
 * ticks (TW308: runs that meet the expectation still run into the next tick) or longer than the
 * timeout (TW309: the attempt is aborted before it would count as slow).
 */
export function expectationProblems(job: JobDeclaration, from: Date): ExpectationProblem[] {
  const ms = job.expect?.durationMs;
  if (job.framework !== 'tickwise' || ms === undefined) return [];
  const problems: ExpectationProblem[] = [];
  const duration = formatDurationShort(ms);
  const schedule = scheduleOf(job);
  const gap = schedule ? cachedGaps(job, schedule, from) : null;
  if (gap && ms > gap.shortest) {
    problems.push({
      code: AnalyzerCode.ExpectedLongerThanTicks,
      message: `expect.duration (${duration}) is longer than the ${formatDurationShort(gap.shortest)} between ${gap.even ? '' : 'its closest '}ticks: runs would overlap`,
    });
  }
  const timeout = job.options.timeout;
  const timeoutMs = acceptedDuration({ timeout }, timeout);
  if (timeoutMs !== undefined && ms > timeoutMs) {
    problems.push({
      code: AnalyzerCode.ExpectedLongerThanTimeout,
      message: `expect.duration (${duration}) is longer than the timeout (${formatDurationShort(timeoutMs)}): an attempt is aborted before it would count as slow`,
    });
  }
  return problems;
}

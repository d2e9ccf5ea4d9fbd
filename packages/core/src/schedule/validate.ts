// validateSchedule(): every problem in a schedule string, with character ranges, for the runtime,
// the analyzer, the CLI and the editor alike.

import { parseAtDate } from './at-schedule.js';
import { daysFromCivil, MS_PER_DAY } from './calendar.js';
import { nextWallTime } from './cron-search.js';
import {
  errorDiagnostic,
  ScheduleCode,
  type ScheduleDiagnostic,
  visibleRange,
  warningDiagnostic,
} from './diagnostics.js';
import { dstWarnings } from './dst-warnings.js';
import { durationInWords, parseDuration } from './duration.js';
import { type DayMatch, type FieldSpan, type ParsedCron, parseCron } from './parse-cron.js';
import { resolveTimeZone, type TimeZone } from './time-zone.js';

export interface ValidateOptions {
  /** What the text is; 'auto' (default) guesses: a duration, an ISO date, else cron. */
  kind?: 'cron' | 'every' | 'at' | 'auto';
  /** Time zone for cron; default 'UTC'. */
  timezone?: string;
  dayMatch?: DayMatch;
  /** Start of the year in which DST warnings look for transitions; default now. */
  from?: Date;
}

interface CronCheckOptions {
  timezone: string;
  dayMatch: DayMatch;
  warnings: boolean;
  from?: Date;
}

export interface CronCheck {
  diagnostics: ScheduleDiagnostic[];
  parsed: ParsedCron;
  zone: TimeZone | null;
}

// Any fixed start works for the never-fires check: the calendar repeats every 400 years.
const NEVER_FIRES_PROBE = daysFromCivil(2000, 1, 1) * MS_PER_DAY;

function spanOf(fields: FieldSpan[] | null, from: number, to: number, text: string): { start: number; end: number } {
  const first = fields?.[from];
  const last = fields?.[to];
  if (!first || !last) return { start: 0, end: text.length };
  return { start: first.start, end: last.end };
}

/** Parses and checks a cron expression in a zone; shared by cron() and validateSchedule(). */
export function validateCronText(text: string, options: CronCheckOptions): CronCheck {
  const parsed = parseCron(text, options.dayMatch);
  const diagnostics = options.warnings
    ? [...parsed.diagnostics]
    : parsed.diagnostics.filter((d) => d.severity === 'error');
  const zone = resolveTimeZone(options.timezone);
  if (!zone) {
    diagnostics.push({
      ...errorDiagnostic(
        ScheduleCode.UnknownTimeZone,
        `unknown time zone '${options.timezone}' (use an IANA name such as Europe/Berlin)`,
        0,
        text.length,
      ),
      target: 'timezone',
    });
  }
  const pattern = parsed.pattern;
  if (pattern && !pattern.everyDay) {
    if (Number.isNaN(nextWallTime(pattern, NEVER_FIRES_PROBE, Number.POSITIVE_INFINITY))) {
      const days = spanOf(parsed.fields, 3, 5, text);
      diagnostics.push(
        errorDiagnostic(
          ScheduleCode.NeverFires,
          'this schedule never fires: no date matches its day-of-month, month and day-of-week',
          days.start,
          days.end,
        ),
      );
    }
  }
  if (options.warnings && pattern && zone && !diagnostics.some((d) => d.severity === 'error')) {
    const hours = spanOf(parsed.fields, 2, 2, text);
    diagnostics.push(...dstWarnings(pattern, zone, (options.from ?? new Date()).getTime(), hours));
  }
  return { diagnostics: diagnostics.map((d) => visibleRange(d, text.length)), parsed, zone };
}

/**
 * What a bare schedule string is, the way validateSchedule's 'auto' reads it: an ISO date ('at'),
 * a duration such as '5m' or a number of ms ('every'), else a cron expression.
 */
export function guessScheduleKind(text: string): 'cron' | 'every' | 'at' {
  const trimmed = text.trim();
  if (/^\d{4}-\d{2}-\d{2}T/i.test(trimmed)) return 'at';
  if (/^\d[\d.]*\s*[a-zA-Z]/.test(trimmed) && !/\s\S/.test(trimmed.replace(/(\d)\s+([a-z])/gi, '$1$2'))) return 'every';
  if (/^\d+$/.test(trimmed)) return 'every';
  return 'cron';
}

/**
 * Every error and warning in a schedule string, with character offsets into `text`.
 * Never throws. An empty array means the schedule is valid and unsurprising.
 */
export function validateSchedule(text: string, options: ValidateOptions = {}): ScheduleDiagnostic[] {
  const source = String(text);
  const kind = !options.kind || options.kind === 'auto' ? guessScheduleKind(source) : options.kind;
  if (kind === 'every') {
    const parsed = parseDuration(source);
    if (parsed.diagnostics.length > 0) return parsed.diagnostics.map((d) => visibleRange(d, source.length));
    if (parsed.ms < 1000) {
      return [
        warningDiagnostic(
          ScheduleCode.TooFrequent,
          `every ${durationInWords(parsed.ms)} is more often than once a second`,
          0,
          source.length,
        ),
      ];
    }
    return [];
  }
  if (kind === 'at') return parseAtDate(source).diagnostics.map((d) => visibleRange(d, source.length));
  const check: CronCheckOptions = {
    timezone: options.timezone ?? 'UTC',
    dayMatch: options.dayMatch ?? 'or',
    warnings: true,
  };
  if (options.from) check.from = options.from;
  return validateCronText(source, check).diagnostics;
}

// What the analyzer reports: jobs found in source and diagnostics, as plain JSON-safe data, so the
// CLI can print it and the editor can cache it.

import type { DayMatch, ScheduleDiagnostic, ScheduleKind } from '@tickwise/core/schedule';

export type { ScheduleKind };

/** A range in a file: UTF-16 offsets plus zero-based line and character (as LSP and VS Code count). */
export interface Span {
  start: number;
  end: number;
  line: number;
  character: number;
  endLine: number;
  endCharacter: number;
}

/** An expression the analyzer cannot evaluate without running code (env vars, config, imports). */
export interface Dynamic {
  dynamic: string;
}

/** An option value as written: a JSON-like literal, or the text of a dynamic expression. */
export type OptionValue = string | number | boolean | null | OptionValue[] | { [key: string]: OptionValue } | Dynamic;

/** The library that runs a job. */
export type Framework = 'tickwise' | 'nestjs' | 'node-cron' | 'croner' | 'cron' | 'node-schedule' | 'toad-scheduler';

/**
 * How a job is declared: a decorator (`Cron`, `Every`, `Job`, Nest's `Interval`/`Timeout`), a
 * Tickwise `add()`, `SchedulerRegistry.addCronJob/addInterval/addTimeout`, or a library's call
 * (`schedule` for node-cron, `new Cron`/`Cron()` for croner, `new CronJob`/`CronJob.from` for cron
 * and toad-scheduler, `scheduleJob` for node-schedule, toad's interval jobs).
 */
export type DeclaredWith =
  | 'Cron'
  | 'Every'
  | 'Job'
  | 'add'
  | 'Interval'
  | 'Timeout'
  | 'addCronJob'
  | 'addInterval'
  | 'addTimeout'
  | 'schedule'
  | 'createTask'
  | 'new Cron'
  | 'new CronJob'
  | 'CronJob.from'
  | 'scheduleJob'
  | 'SimpleIntervalJob'
  | 'LongIntervalJob';

/**
 * Where a job's zone comes from: written in the code ('explicit'), the library's default of UTC
 * (Tickwise), the server's local zone (every other library when no zone is given; `timezone`
 * then holds the zone the analyzer assumes), or a fixed `utcOffset`.
 */
export type ZoneRule = 'explicit' | 'default-utc' | 'server-local' | 'utc-offset';

export type JobSchedule =
  | {
      dynamic: false;
      kind: ScheduleKind | 'interval' | 'timeout';
      /**
       * The schedule as the library receives it: cron expression, duration ('5m' or ms), ISO date;
       * for 'interval'/'timeout', milliseconds counted from when the app starts (no calendar).
       */
      text: string;
      /** For every(): the anchor as an ISO date, when it is given and static. */
      anchor?: string;
    }
  | {
      dynamic: true;
      /** What the declaration implies (@Every is an interval); 'unknown' for a schedule object we cannot read. */
      kind: ScheduleKind | 'interval' | 'timeout' | 'unknown';
      /** The source text of the expression. */
      expression: string;
      /** Why it is only known at run time: "reads process.env.X", "calls a function", … */
      reason: string;
    };

export interface JobDeclaration {
  /** The job name: explicit, or `Class.method` for decorated methods. */
  name: string;
  /** Set when the name is an expression the analyzer cannot evaluate; `name` then holds its text. */
  nameIsDynamic?: true;
  /** The file as given to the analyzer. */
  file: string;
  /** Which library runs it; its schedule is read, checked and predicted with that library's rules. */
  framework: Framework;
  /** How it is declared. */
  declaredWith: DeclaredWith;
  schedule: JobSchedule;
  /**
   * IANA zone the schedule is read in: as written, 'UTC' (Tickwise's default), or for
   * `zoneRule: 'server-local'` the zone the analyzer assumes for the server (`serverZone`).
   */
  timezone: string | Dynamic;
  /** Where `timezone` comes from. */
  zoneRule: ZoneRule;
  /** A fixed offset in minutes (cron's and croner's `utcOffset`), when given. */
  utcOffset?: number | Dynamic;
  /**
   * The rules the schedule is read with, for other libraries than Tickwise: e.g. 'cron@4
   * (@nestjs/schedule 6)', 'node-cron 4', 'croner', 'cron@2 (@nestjs/schedule 3): months 0-11'.
   */
  dialect?: string;
  /**
   * How the analyzer predicts a library's cron job with the schedule model: an equivalent
   * expression (six fields, seconds first) and day matching. Absent when there is nothing to predict.
   */
  model?: { expression: string; dayMatch: DayMatch };
  /** A static schedule whose next runs the analyzer does not predict, and why. */
  unsupported?: string;
  className?: string;
  methodName?: string;
  /** The options that matter to readers and checks, as written (overlap, retry, timeout, owner, …). */
  options: Record<string, OptionValue>;
  owner?: string;
  description?: string;
  runbook?: string;
  /** The `expect` option (Tickwise jobs), as far as it can be read from source. */
  expect?: JobExpectation;
  /** The whole decorator or add() call. */
  span: Span;
  /** The method name, or the `name` option's value. */
  nameSpan?: Span;
  /** The schedule expression where the job uses it. */
  scheduleSpan: Span;
}

/**
 * A job's `expect` option read from source: what a healthy run looks like. A part is set only
 * when it is static and registration accepts it (a bad value is a TW303 diagnostic instead).
 */
export interface JobExpectation {
  /** `expect.duration` as written ('2m', or a number of ms): a run longer than this is slow. */
  duration?: string | number;
  durationMs?: number;
  /** `expect.successWithin` as written: at least one success within this window, else failing. */
  successWithin?: string | number;
  successWithinMs?: number;
  /** A result check is given (`expect.result`, a function: recorded, never run). */
  result?: true;
  /**
   * The parts known only at run time, by key ('duration', 'successWithin', '...' for a spread,
   * or 'expect' when the whole object is), with their source text.
   */
  dynamic?: Record<string, string>;
}

/** The schedule model's severities: its diagnostics become the analyzer's as they are. */
export type Severity = ScheduleDiagnostic['severity'];

export interface AnalyzerDiagnostic {
  /** Stable code: TW1xx/TW2xx from the schedule model, TW3xx from the analyzer. */
  code: string;
  severity: Severity;
  message: string;
  file: string;
  span: Span;
  /** The job the diagnostic is about, when there is one. */
  job?: string;
}

export interface FileAnalysis {
  file: string;
  jobs: JobDeclaration[];
  diagnostics: AnalyzerDiagnostic[];
}

export function isDynamic(value: unknown): value is Dynamic {
  return typeof value === 'object' && value !== null && 'dynamic' in value && typeof value.dynamic === 'string';
}

// What the analyzer reports: jobs found in source and diagnostics, as plain JSON-safe data, so the
// CLI can print it and the editor can cache it.

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

export type ScheduleKind = 'cron' | 'every' | 'at';

export type JobSchedule =
  | {
      dynamic: false;
      kind: ScheduleKind;
      /** The schedule as the runtime receives it: cron expression, duration ('5m' or ms) or ISO date. */
      text: string;
      /** For every(): the anchor as an ISO date, when it is given and static. */
      anchor?: string;
    }
  | {
      dynamic: true;
      /** What the declaration implies (@Every is an interval); 'unknown' for a schedule object we cannot read. */
      kind: ScheduleKind | 'unknown';
      /** The source text of the expression. */
      expression: string;
    };

export interface JobDeclaration {
  /** The job name: explicit, or `Class.method` for decorated methods. */
  name: string;
  /** Set when the name is an expression the analyzer cannot evaluate; `name` then holds its text. */
  nameIsDynamic?: true;
  /** The file as given to the analyzer. */
  file: string;
  /** Which library declares it: Tickwise, or @nestjs/schedule (shown so migrating users see both). */
  framework: 'tickwise' | 'nestjs';
  /** How it is declared: a decorator or a scheduler.add() call. */
  declaredWith: 'Cron' | 'Every' | 'Job' | 'add';
  schedule: JobSchedule;
  /** IANA zone of a cron schedule ('UTC' by default). */
  timezone: string | Dynamic;
  className?: string;
  methodName?: string;
  /** The options that matter to readers and checks, as written (overlap, retry, timeout, owner, …). */
  options: Record<string, OptionValue>;
  owner?: string;
  description?: string;
  runbook?: string;
  /** The whole decorator or add() call. */
  span: Span;
  /** The method name, or the `name` option's value. */
  nameSpan?: Span;
  /** The schedule expression where the job uses it. */
  scheduleSpan: Span;
}

export type Severity = 'error' | 'warning';

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

// The logger the scheduler uses when it is given none: warnings and errors go to stderr, one line
// each (job, tick, error class and message); routine lines (debug, info) stay quiet. `logger:
// false` turns it off; a logger that is given is guarded so that it cannot break the scheduler.

import { guardLogger, ReportLimiter } from './listener-guard.js';
import { type LogFn, type Logger, silentLogger } from './logger.js';

/** The longest error message or field value a stderr line carries. */
const MAX_VALUE_CHARS = 300;

/** The scheduler's logger for the `logger` option, and whether per-run info lines are worth building. */
export function resolveLogger(
  option: Logger | false | undefined,
  now: () => number,
  /** Applied to each logger that writes (the errorDetail policy: what of an error may be logged). */
  redact: (logger: Logger) => Logger = (logger) => logger,
): { logger: Logger; logging: boolean } {
  if (option === false) return { logger: silentLogger, logging: false };
  const stderr = redact(stderrLogger(now));
  if (option === undefined) return { logger: stderr, logging: false };
  return { logger: guardLogger(redact(option), new ReportLimiter(now), stderr), logging: true };
}

/** Writes warn and error lines to `write` (default process.stderr); debug and info write nothing. */
export function stderrLogger(now: () => number, write: (line: string) => void = writeStderr): Logger {
  const line =
    (level: 'WARN' | 'ERROR'): LogFn =>
    (fields, message) => {
      try {
        write(`${formatLine(new Date(now()), level, fields, message)}\n`);
      } catch {
        // stderr closed (EPIPE): nothing to be done, and nothing to break.
      }
    };
  const quiet: LogFn = () => {};
  return { debug: quiet, info: quiet, warn: line('WARN'), error: line('ERROR') };
}

function writeStderr(line: string): void {
  process.stderr.write(line);
}

/**
 * `2026-01-05T00:01:00.000Z tickwise ERROR report failure job=report tick=… error="TypeError: boom"`:
 * the job and tick first, the error last, every value on one line.
 */
export function formatLine(at: Date, level: string, fields: Record<string, unknown>, message: string): string {
  const { job, tick, err, ...rest } = fields;
  const parts = [`${at.toISOString()} tickwise ${level} ${oneLine(message.replace(/^tickwise: /, ''))}`];
  if (job !== undefined) parts.push(`job=${value(job)}`);
  if (tick !== undefined) parts.push(`tick=${value(tick)}`);
  for (const [key, field] of Object.entries(rest)) if (field !== undefined) parts.push(`${key}=${value(field)}`);
  if (err !== undefined) parts.push(`error=${quote(describeError(err))}`);
  return parts.join(' ');
}

/** The error's class and message (with its code, when it has one), never its stack. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${error.message}`;
  }
  return typeof error === 'string' ? error : safeJson(error);
}

function value(field: unknown): string {
  if (field instanceof Date) return Number.isNaN(field.getTime()) ? 'Invalid-Date' : field.toISOString();
  if (typeof field === 'number' || typeof field === 'boolean') return String(field);
  if (typeof field === 'string') return /^[^\s"=]+$/.test(field) ? cut(field) : quote(field);
  if (field instanceof Error) return quote(describeError(field));
  return quote(safeJson(field));
}

function quote(text: string): string {
  return JSON.stringify(cut(oneLine(text)));
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}

function cut(text: string): string {
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}

function safeJson(data: unknown): string {
  try {
    return JSON.stringify(data) ?? String(data);
  } catch {
    return String(data);
  }
}

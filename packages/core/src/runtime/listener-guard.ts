// Keeps the code users hook into the scheduler (event listeners, the logger) from breaking it: a
// throw or a rejected promise is caught and reported, at most once a minute per culprit, and the
// scheduler goes on.

import type { LogFn, Logger } from './logger.js';

/** A culprit that fails again within this interval is counted, not reported. */
export const REPORT_INTERVAL_MS = 60_000;

/** Decides which failures get reported: the first of each culprit, then at most one per interval. */
export class ReportLimiter {
  private readonly seen = new WeakMap<object, { at: number; suppressed: number }>();

  constructor(
    private readonly now: () => number,
    private readonly intervalMs = REPORT_INTERVAL_MS,
  ) {}

  /**
   * Null when this failure is to be held back; otherwise how many failures of the culprit were
   * held back since its last report (0 the first time).
   */
  take(culprit: object): number | null {
    const now = this.now();
    const seen = this.seen.get(culprit);
    if (seen && now - seen.at < this.intervalMs) {
      seen.suppressed++;
      return null;
    }
    this.seen.set(culprit, { at: now, suppressed: 0 });
    return seen?.suppressed ?? 0;
  }
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

/**
 * The user's logger, made safe: a level that throws loses its line, and the failure is reported
 * (through the logger's error() if that works, else through `fallback`, which writes to stderr)
 * at most once a minute for the logger and all its children. Never throws.
 */
export function guardLogger(logger: Logger, limiter: ReportLimiter, fallback: Logger): Logger {
  const culprit = {};
  const failed = (target: Logger, level: Level | 'child', error: unknown, message: string) => {
    const suppressed = limiter.take(culprit);
    if (suppressed === null) return;
    const fields = { err: error, ...(suppressed > 0 && { suppressed }) };
    const text = `tickwise: the logger's ${level}() threw${level === 'child' ? '' : `; lost line: ${message}`}${
      suppressed > 0 ? ` (${suppressed} more failures in the last minute)` : ''
    }`;
    try {
      if (level === 'error') throw error;
      target.error(fields, text);
    } catch {
      try {
        fallback.error(fields, text);
      } catch {
        // Nowhere left to write: the line is lost, the scheduler goes on.
      }
    }
  };
  const wrap = (target: Logger): Logger => {
    const call =
      (level: Level): LogFn =>
      (fields, message) => {
        try {
          target[level](fields, message);
        } catch (error) {
          failed(target, level, error, message);
        }
      };
    return {
      debug: call('debug'),
      info: call('info'),
      warn: call('warn'),
      error: call('error'),
      child: (bindings) => {
        try {
          if (typeof target.child === 'function') return wrap(target.child(bindings));
        } catch (error) {
          failed(target, 'child', error, '');
        }
        return wrap(bindFields(target, bindings));
      },
    };
  };
  return wrap(logger);
}

/** Adds `bindings` to each line of a logger that has no usable child(). */
function bindFields(logger: Logger, bindings: Record<string, unknown>): Logger {
  const bind =
    (level: Level): LogFn =>
    (fields, message) =>
      logger[level]({ ...bindings, ...fields }, message);
  return { debug: bind('debug'), info: bind('info'), warn: bind('warn'), error: bind('error') };
}

// Checks of the Scheduler's own numeric options: a NaN or negative `missedAfterMs` would make
// every tick "missed" (or none), so nothing runs, silently.

import { TickwiseError } from '../runtime/errors.js';

/** A Scheduler option the constructor rejects; `option` names it (`missedAfterMs`). */
export class SchedulerOptionError extends TickwiseError {
  override name = 'SchedulerOptionError';
  readonly option: string;

  constructor(option: string, message: string) {
    super('INVALID_OPTION', message);
    this.option = option;
  }
}

const DAY_MS = 86_400_000;

/** [option, min, max, what it is]: every numeric Scheduler option, whole numbers in a range. */
const NUMERIC: readonly [string, number, number, string][] = [
  ['missedAfterMs', 1, 366 * DAY_MS, 'milliseconds'],
  ['batchSize', 1, 100_000, 'requests per round trip'],
];

/** Throws SchedulerOptionError for a numeric Scheduler option that is not a whole number in its range, or a bad `serviceVersion` / `fleet`. */
export function checkSchedulerOptions(options: Record<string, unknown>): void {
  const version = options.serviceVersion;
  if (version !== undefined && (typeof version !== 'string' || version.length === 0 || version.length > 100)) {
    throw new SchedulerOptionError(
      'serviceVersion',
      `serviceVersion must be a string of 1 to 100 characters, got ${JSON.stringify(version)}`,
    );
  }
  const fleet = options.fleet;
  if (fleet !== undefined && fleet !== false) {
    const poll =
      typeof fleet === 'object' && fleet !== null ? (fleet as Record<string, unknown>).controlPollMs : Number.NaN;
    const keys =
      typeof fleet === 'object' && fleet !== null ? Object.keys(fleet).filter((key) => key !== 'controlPollMs') : [];
    if (
      keys.length > 0 ||
      (poll !== undefined && (typeof poll !== 'number' || !Number.isInteger(poll) || poll < 50 || poll > 60_000))
    ) {
      throw new SchedulerOptionError(
        'fleet',
        `fleet must be false or { controlPollMs } with a whole number of milliseconds from 50 to 60000, got ${JSON.stringify(fleet)}`,
      );
    }
  }
  for (const [option, min, max, unit] of NUMERIC) {
    const value = options[option];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new SchedulerOptionError(
        option,
        `${option} must be a whole number of ${unit} from ${min} to ${max}, got ${typeof value === 'string' ? `'${value}'` : String(value)}`,
      );
    }
  }
}

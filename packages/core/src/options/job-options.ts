// Job options: their types, defaults, and the checks that turn a typo or an absurd value into a
// JobOptionError at registration time (and in `tickwise check`) instead of a surprise at 3 a.m.
// Every key at every depth is checked, with a "did you mean" for typos.

import { JobDefinitionError } from '../runtime/errors.js';
import { processCache } from '../schedule/bounded-cache.js';
import { parseDuration } from '../schedule/duration.js';
import type { DayMatch } from '../schedule/parse-cron.js';

/**
 * An option that registration rejects: `code` is UNKNOWN_OPTION or INVALID_OPTION, `job` the job
 * and `option` the option's path as written (`retry.minTimeout`, `catchUp.max`).
 */
export class JobOptionError extends JobDefinitionError {
  override name = 'JobOptionError';
  readonly option: string;

  constructor(code: 'UNKNOWN_OPTION' | 'INVALID_OPTION', message: string, job: string, option: string) {
    super(code, message, job ? { job } : {});
    this.option = option;
  }
}

/** A duration: '90s', '5m', '1h30m', or milliseconds. */
export type Duration = string | number;

/**
 * What happens when a tick comes while the previous run of the same job is still going.
 * - `skip` (default): the tick is skipped and recorded with reason `overlap`.
 * - `buffer-one`: the tick runs as soon as the current run ends; further ticks meanwhile are skipped.
 * - `buffer-all`: every such tick runs, in order, one after another (at most 1,000 waiting; beyond that they are skipped).
 * - `cancel-other`: the running run's signal is aborted (RunCancelledError) and the new tick starts at once.
 * - `allow`: runs concurrently.
 */
export type OverlapPolicy = 'skip' | 'buffer-one' | 'buffer-all' | 'cancel-other' | 'allow';

/**
 * What happens to ticks missed while the process was stalled, asleep or (with a durable store) down.
 * - `none` (default): missed ticks are skipped and recorded with reason `missed`.
 * - `latest`: the most recent missed tick runs once (trigger `catch-up`); older ones are skipped.
 * - `all`: each missed tick runs, oldest first (trigger `catch-up`).
 * Only ticks within `window` of now count, and at most `max` of them run.
 */
export type CatchUpPolicy = 'none' | 'latest' | 'all';

export interface RetryOptions {
  /** Retries after the first attempt; default 0. */
  retries?: number;
  /** Delay before the first retry; default '1s'. */
  minTimeout?: Duration;
  /** Upper bound of any delay; default '5m'. */
  maxTimeout?: Duration;
  /** Each delay is the previous one times `factor`; default 2. */
  factor?: number;
  /** Multiply each delay by a random factor in [1, 2) so replicas do not retry in step; default true. */
  randomize?: boolean;
}

export interface CatchUpOptions {
  policy: CatchUpPolicy;
  /** How far back missed ticks count; default '1h'. */
  window?: Duration;
  /** At most this many catch-up runs at once; default 10. */
  max?: number;
}

/**
 * What a healthy run looks like, so health can say "slow" or "did not do its job", not only
 * "threw". Every field is optional.
 */
export interface ExpectOptions {
  /** A run that takes longer than this is `slow` (health: degraded), also while it still runs. */
  duration?: Duration;
  /**
   * At least one run must succeed within this window (counted from the last success, or from
   * start()); otherwise the job is `failing`, even if it was skipped, paused or never ran.
   */
  successWithin?: Duration;
  /**
   * Checks the handler's return value: `true` passes; `false` or a string (the reason) makes the
   * run's outcome `unexpected` (reported like a failure, never retried). A check that throws counts
   * as `unexpected` too, with the error as the reason.
   */
  result?: (value: unknown) => boolean | string;
}

export interface JobOptions {
  /** Job name; for decorated methods the default is `ClassName.methodName`. */
  name?: string;
  /** IANA time zone for cron schedules; default UTC. */
  timezone?: string;
  /** How cron's day-of-month and day-of-week combine when both are restricted; default 'or'. */
  dayMatch?: DayMatch;
  overlap?: OverlapPolicy;
  catchUp?: CatchUpPolicy | CatchUpOptions;
  /** Delay each run by up to this much, the same for a given (job, tick) on every replica. */
  jitter?: Duration;
  /** A number of retries, or retry options. Default: no retries. */
  retry?: number | RetryOptions;
  /** Per-attempt time limit; the attempt's signal aborts when it passes. Default: none. */
  timeout?: Duration;
  /** How long a claim is held without renewal; renewed every third of it while the run lasts. Default '30s'. */
  lease?: Duration;
  /** false registers the job disabled: listed by jobs(), never run. Default true. */
  enabled?: boolean;
  /** Who to call: a team or person. Shown in jobs(), events, telemetry and health. */
  owner?: string;
  /** What the job does, in a sentence. */
  description?: string;
  /** What to do when it fails: rollback steps or a link to the runbook. */
  runbook?: string;
  /**
   * One run right after start() (trigger `start`), claimed like a tick: replicas sharing a store
   * that start within `window` of each other run it once. `true` = `{ window: '10m' }`. Default false.
   */
  runOnStart?: boolean | { window?: Duration };
  /** The expected duration, success window and result (health: slow, failing, unexpected). */
  expect?: ExpectOptions;
}

export interface JobMetadata {
  owner?: string;
  description?: string;
  runbook?: string;
}

export interface NormalizedOptions {
  overlap: OverlapPolicy;
  catchUp: { policy: CatchUpPolicy; windowMs: number; max: number };
  jitterMs: number;
  retry: { retries: number; minTimeoutMs: number; maxTimeoutMs: number; factor: number; randomize: boolean };
  /** 0 means no timeout. */
  timeoutMs: number;
  leaseMs: number;
  enabled: boolean;
  /** null: no run at start. */
  runOnStart: { windowMs: number } | null;
  /** null: no expectation. Durations are 0 where not set. */
  expect: NormalizedExpectation | null;
}

export interface NormalizedExpectation {
  durationMs: number;
  successWithinMs: number;
  result: ((value: unknown) => boolean | string) | null;
}

const OPTION_KEYS = [
  'name',
  'timezone',
  'dayMatch',
  'overlap',
  'catchUp',
  'jitter',
  'retry',
  'timeout',
  'lease',
  'enabled',
  'owner',
  'description',
  'runbook',
  'runOnStart',
  'expect',
] as const;

const OPTION_KEY_SET: ReadonlySet<string> = new Set(OPTION_KEYS);
/** The keys of the options that take an object. */
const NESTED_KEYS: Readonly<Record<string, readonly string[]>> = {
  retry: ['retries', 'minTimeout', 'maxTimeout', 'factor', 'randomize'],
  catchUp: ['policy', 'window', 'max'],
  runOnStart: ['window'],
  expect: ['duration', 'successWithin', 'result'],
};
const DAY_MATCH: readonly DayMatch[] = ['or', 'and'];
const OVERLAP: readonly OverlapPolicy[] = ['skip', 'buffer-one', 'buffer-all', 'cancel-other', 'allow'];
const CATCH_UP: readonly CatchUpPolicy[] = ['none', 'latest', 'all'];
const DAY_MS = 86_400_000;

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/** The closest known name, for "did you mean" hints. */
export function suggest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  // Close enough to be a typo: up to half the name's letters (at least 2) off.
  let bestDistance = Math.max(2, Math.floor(name.length / 2)) + 1;
  for (const candidate of known) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

class OptionReader {
  constructor(private readonly job: string) {}

  /** Throws INVALID_OPTION for the option at `option` (its path: `retry.factor`). */
  fail(option: string, message: string): never {
    throw new JobOptionError('INVALID_OPTION', message, this.job, option);
  }

  duration(key: string, value: Duration | undefined, fallback: number, min: number, max: number): number {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' && typeof value !== 'number')
      this.fail(key, `${key} must be a duration such as '30s' or a number of ms`);
    const parsed =
      typeof value === 'number' && value === 0 && min === 0 ? { ms: 0, diagnostics: [] } : parseDuration(value);
    if (Number.isNaN(parsed.ms)) this.fail(key, `${key}: ${parsed.diagnostics[0]?.message}`);
    if (parsed.ms < min || parsed.ms > max)
      this.fail(key, `${key} ${String(value)} is out of range (${min} ms to ${max} ms)`);
    return parsed.ms;
  }

  integer(key: string, value: unknown, fallback: number, min: number, max: number): number {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(key, `${key} must be a whole number from ${min} to ${max}, got ${String(value)}`);
    }
    return value;
  }

  oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[], fallback: T): T {
    if (value === undefined) return fallback;
    if (!allowed.includes(value as T))
      this.fail(key, `${key} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${shown(value)}`);
    return value as T;
  }

  text(key: string, value: unknown): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string') this.fail(key, `${key} must be a string`);
    return value;
  }
}

/** A value for a message: strings quoted, the rest as JavaScript writes them. */
function shown(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}

function unknownOption(job: string, path: string, hint: string | undefined): JobOptionError {
  return new JobOptionError(
    'UNKNOWN_OPTION',
    `unknown option '${path}'${hint ? ` (did you mean '${hint}'?)` : ''}`,
    job,
    path,
  );
}

/**
 * Rejects keys that are not options, at every depth (`retry: { minTimout }`), with a suggestion
 * for likely typos, and a `dayMatch` other than 'or' or 'and' or a `timezone` that is not a string
 * (both decide how the schedule is compiled, which happens before the other values are read). Cheap: runs at decoration time too.
 */
export function checkOptionKeys(job: string, options: object, extra: readonly string[] = []): void {
  for (const key in options) {
    if (!OPTION_KEY_SET.has(key) && !extra.includes(key)) {
      throw unknownOption(job, key, suggest(key, [...OPTION_KEYS, ...extra]));
    }
    const value = (options as Record<string, unknown>)[key];
    const nested = NESTED_KEYS[key];
    if (nested && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const inner in value) {
        if (nested.includes(inner)) continue;
        const hint = suggest(inner, nested);
        throw unknownOption(job, `${key}.${inner}`, hint && `${key}.${hint}`);
      }
    }
    if (key === 'timezone' && value !== undefined && typeof value !== 'string') {
      throw new JobOptionError(
        'INVALID_OPTION',
        `timezone must be an IANA zone name such as 'Europe/Berlin', got ${shown(value)}`,
        job,
        'timezone',
      );
    }
    if (key === 'dayMatch' && value !== undefined && !DAY_MATCH.includes(value as DayMatch)) {
      throw new JobOptionError(
        'INVALID_OPTION',
        `dayMatch must be 'or' (either day field matches) or 'and' (both must), got ${shown(value)}`,
        job,
        'dayMatch',
      );
    }
  }
}

/**
 * Normalized options are shared between jobs with the same options (the usual case: many jobs,
 * few distinct option sets), so each job does not carry its own copies. Bounded like the
 * schedule cache. Metadata differs per job and is kept outside.
 */
const INTERN_LIMIT = 10_000;
const interned = processCache<string, NormalizedOptions>(INTERN_LIMIT);
let defaults: NormalizedOptions | undefined;
const NOT_POLICY = new Set(['name', 'owner', 'description', 'runbook', 'timezone', 'dayMatch']);

function hasPolicyOptions(options: JobOptions): boolean {
  for (const key in options) if (!NOT_POLICY.has(key)) return true;
  return false;
}

/** Validates options and fills in the defaults. The result is frozen and may be shared. */
export function normalizeOptions(job: string, options: JobOptions): NormalizedOptions {
  if (!hasPolicyOptions(options)) {
    defaults ??= deepFreeze(readOptions(job, {}));
    return defaults;
  }
  const { name: _name, owner: _owner, description: _description, runbook: _runbook, ...policy } = options;
  let key: string | undefined;
  try {
    // A result check is a function, which JSON leaves out: options with one are never shared.
    key = policy.expect?.result === undefined ? JSON.stringify(policy) : undefined;
  } catch {
    key = undefined;
  }
  const cached = key === undefined ? undefined : interned.get(key);
  if (cached) return cached;
  const normalized = deepFreeze(readOptions(job, options));
  if (key !== undefined) {
    interned.set(key, normalized);
  }
  return normalized;
}

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) if (typeof inner === 'object' && inner !== null) deepFreeze(inner);
  return Object.freeze(value);
}

function readOptions(job: string, options: JobOptions): NormalizedOptions {
  const read = new OptionReader(job);
  const catchUpInput: CatchUpOptions =
    typeof options.catchUp === 'string' || options.catchUp === undefined
      ? { policy: options.catchUp ?? 'none' }
      : options.catchUp;
  if (typeof catchUpInput !== 'object' || catchUpInput === null || Array.isArray(catchUpInput))
    read.fail('catchUp', `catchUp must be 'none', 'latest', 'all' or { policy, window, max }`);
  const retryInput: RetryOptions =
    typeof options.retry === 'number' ? { retries: options.retry } : (options.retry ?? {});
  if (typeof retryInput !== 'object' || retryInput === null || Array.isArray(retryInput))
    read.fail('retry', 'retry must be a number of retries or { retries, minTimeout, maxTimeout, factor, randomize }');
  const minTimeoutMs = read.duration('retry.minTimeout', retryInput.minTimeout, 1000, 0, DAY_MS);
  const maxTimeoutMs = read.duration('retry.maxTimeout', retryInput.maxTimeout, 300_000, 0, DAY_MS);
  if (maxTimeoutMs < minTimeoutMs)
    read.fail(
      'retry.maxTimeout',
      `retry.maxTimeout (${maxTimeoutMs} ms) is less than retry.minTimeout (${minTimeoutMs} ms)`,
    );
  const factor = retryInput.factor ?? 2;
  if (typeof factor !== 'number' || !(factor >= 1 && factor <= 10))
    read.fail('retry.factor', `retry.factor must be a number from 1 to 10, got ${shown(factor)}`);
  if (retryInput.randomize !== undefined && typeof retryInput.randomize !== 'boolean')
    read.fail('retry.randomize', 'retry.randomize must be true or false');
  if (options.enabled !== undefined && typeof options.enabled !== 'boolean')
    read.fail('enabled', 'enabled must be true or false');
  read.oneOf('dayMatch', options.dayMatch, DAY_MATCH, 'or');
  read.text('timezone', options.timezone);
  const onStart = options.runOnStart;
  if (
    onStart !== undefined &&
    typeof onStart !== 'boolean' &&
    (typeof onStart !== 'object' || onStart === null || Array.isArray(onStart))
  )
    read.fail('runOnStart', `runOnStart must be true, false or { window: '10m' }`);
  // Nested keys (runOnStart.window, retry.*, catchUp.*, expect.*) are checked by checkOptionKeys, which runs first.
  const expect = readExpectation(read, options.expect);
  return {
    overlap: read.oneOf('overlap', options.overlap, OVERLAP, 'skip'),
    catchUp: {
      policy: read.oneOf('catchUp.policy', catchUpInput.policy, CATCH_UP, 'none'),
      windowMs: read.duration('catchUp.window', catchUpInput.window, 3_600_000, 1000, 366 * DAY_MS),
      max: read.integer('catchUp.max', catchUpInput.max, 10, 1, 1000),
    },
    jitterMs: read.duration('jitter', options.jitter, 0, 0, DAY_MS),
    retry: {
      retries: read.integer(
        typeof options.retry === 'number' ? 'retry' : 'retry.retries',
        retryInput.retries,
        0,
        0,
        100,
      ),
      minTimeoutMs,
      maxTimeoutMs,
      factor,
      randomize: retryInput.randomize ?? true,
    },
    timeoutMs: read.duration('timeout', options.timeout, 0, 1, 30 * DAY_MS),
    leaseMs: read.duration('lease', options.lease, 30_000, 1000, DAY_MS),
    enabled: options.enabled ?? true,
    runOnStart:
      onStart === true || typeof onStart === 'object'
        ? {
            windowMs: read.duration(
              'runOnStart.window',
              onStart === true ? undefined : onStart.window,
              600_000,
              1000,
              DAY_MS,
            ),
          }
        : null,
    expect,
  };
}

function readExpectation(read: OptionReader, input: unknown): NormalizedExpectation | null {
  if (input === undefined) return null;
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    read.fail('expect', `expect must be an object such as { duration: '2m', successWithin: '26h' }`);
  const expect = input as ExpectOptions;
  if (expect.result !== undefined && typeof expect.result !== 'function')
    read.fail('expect.result', "expect.result must be a function of the handler's return value");
  return {
    durationMs: read.duration('expect.duration', expect.duration, 0, 1, 30 * DAY_MS),
    successWithinMs: read.duration('expect.successWithin', expect.successWithin, 0, 1000, 366 * DAY_MS),
    result: expect.result ?? null,
  };
}

const NO_METADATA: JobMetadata = Object.freeze({});

/** The job's owner, description and runbook, checked. */
export function readMetadata(job: string, options: JobOptions): JobMetadata {
  if (options.owner === undefined && options.description === undefined && options.runbook === undefined)
    return NO_METADATA;
  const read = new OptionReader(job);
  return {
    ...(options.owner !== undefined && { owner: read.text('owner', options.owner) }),
    ...(options.description !== undefined && { description: read.text('description', options.description) }),
    ...(options.runbook !== undefined && { runbook: read.text('runbook', options.runbook) }),
  };
}

export interface OptionProblem {
  code: 'UNKNOWN_OPTION' | 'INVALID_OPTION';
  message: string;
  /** The option's path as written: `retry`, `retry.minTimeout`, `catchUp.max`. */
  option: string;
}

/**
 * The first problem registration would raise for these options, or undefined: the same checks as
 * add() and register(), for tools that read options from source without running it (the analyzer).
 */
export function checkJobOptions(options: Record<string, unknown>): OptionProblem | undefined {
  try {
    checkOptionKeys('', options);
    readOptions('', options as JobOptions);
    readMetadata('', options as JobOptions);
    return undefined;
  } catch (error) {
    if (error instanceof JobOptionError && (error.code === 'UNKNOWN_OPTION' || error.code === 'INVALID_OPTION')) {
      return { code: error.code, message: error.message, option: error.option };
    }
    throw error;
  }
}

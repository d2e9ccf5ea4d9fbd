// Turning job definitions (add() and decorated methods) into validated BuiltJobs (JobState wraps
// each once registered): step 1 of a tick starts from here. All definition errors surface now, named after the job.

import { cron } from '../schedule/cron-schedule.js';
import { every } from '../schedule/every-schedule.js';
import type { Schedule } from '../schedule/schedule.js';
import { ScheduleError } from '../schedule/schedule-error.js';
import { type DecoratedJob, jobSpecsOf, type ScheduleSpec } from './decorators.js';
import { JobDefinitionError } from './errors.js';
import type { JobDefinition, JobHandler, JobInfo } from './job.js';
import {
  checkOptionKeys,
  type JobOptions,
  type NormalizedOptions,
  normalizeOptions,
  readMetadata,
} from './job-options.js';

export interface JobSource {
  name: string;
  /** The handler's name for telemetry (`code.function.name`): `Class.method`, or the function's name. */
  functionName: string;
  schedule: ScheduleSpec;
  options: JobOptions;
  run: JobHandler;
}

export interface BuiltJob {
  info: JobInfo;
  functionName: string;
  schedule: Schedule;
  options: NormalizedOptions;
  run: JobHandler;
}

function isSchedule(value: unknown): value is Schedule {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Schedule).next === 'function' &&
    typeof (value as Schedule).previous === 'function'
  );
}

function buildSchedule(job: string, spec: ScheduleSpec, options: JobOptions): Schedule {
  try {
    if (spec.kind === 'config')
      throw new JobDefinitionError('INVALID_SCHEDULE', `configuration key '${spec.key}' was not resolved`, { job });
    if (spec.kind === 'every') return every(spec.duration);
    const source = spec.kind === 'cron' ? spec.expression : spec.schedule;
    if (isSchedule(source)) {
      if (options.timezone !== undefined && options.timezone !== source.timezone) {
        throw new JobDefinitionError(
          'INVALID_OPTION',
          `timezone '${options.timezone}' conflicts with the schedule's own '${source.timezone}'; set it in cron(expr, { timezone })`,
          { job },
        );
      }
      return source;
    }
    if (typeof source !== 'string') {
      throw new JobDefinitionError(
        'INVALID_SCHEDULE',
        `schedule must be a cron expression or a Schedule, got ${typeof source}`,
        {
          job,
        },
      );
    }
    return cron(source, {
      ...(options.timezone !== undefined && { timezone: options.timezone }),
      ...(options.dayMatch !== undefined && { dayMatch: options.dayMatch }),
    });
  } catch (error) {
    if (error instanceof ScheduleError) {
      throw new JobDefinitionError('INVALID_SCHEDULE', error.message, { job, cause: error });
    }
    throw error;
  }
}

export function buildJob(source: JobSource): BuiltJob {
  const { name } = source;
  if (typeof name !== 'string' || name.trim() === '') {
    throw new JobDefinitionError('INVALID_OPTION', 'a job needs a non-empty name');
  }
  if (typeof source.run !== 'function') {
    throw new JobDefinitionError('INVALID_OPTION', 'run must be a function', { job: name });
  }
  checkOptionKeys(name, source.options);
  const schedule = buildSchedule(name, source.schedule, source.options);
  const options = normalizeOptions(name, source.options);
  const info = new RegisteredJobInfo(name, schedule, readMetadata(name, source.options));
  return { info, functionName: source.functionName, schedule, options, run: source.run };
}

/**
 * JobInfo with `describe` computed on first read (cronstrue costs more than the rest of a
 * registration). A class with a prototype getter, so 100,000 of them share one shape.
 */
class RegisteredJobInfo implements JobInfo {
  readonly name: string;
  readonly schedule: string;
  readonly kind: JobInfo['kind'];
  readonly timezone: string;
  readonly owner?: string;
  readonly description?: string;
  readonly runbook?: string;
  readonly #source: Schedule;

  constructor(name: string, source: Schedule, metadata: { owner?: string; description?: string; runbook?: string }) {
    this.name = name;
    this.schedule = source.toString();
    this.kind = source.kind;
    this.timezone = source.timezone;
    if (metadata.owner !== undefined) this.owner = metadata.owner;
    if (metadata.description !== undefined) this.description = metadata.description;
    if (metadata.runbook !== undefined) this.runbook = metadata.runbook;
    this.#source = source;
    Object.freeze(this);
  }

  get describe(): string {
    return this.#source.describe();
  }

  /** Plain data, describe included (for logs and JSON endpoints). */
  toJSON(): Omit<JobInfo, 'toJSON'> {
    return { ...this, describe: this.describe };
  }
}

/** A plain-function definition from scheduler.add(). */
export function sourceFromDefinition(definition: JobDefinition): JobSource {
  if (typeof definition !== 'object' || definition === null) {
    throw new JobDefinitionError('INVALID_OPTION', 'add() needs { name, schedule, run, ...options }');
  }
  const { name, schedule, run, ...options } = definition;
  if (schedule === undefined) throw new JobDefinitionError('INVALID_SCHEDULE', 'schedule is missing', { job: name });
  return {
    name,
    // `run: () => {}` is named 'run' after its property: the job name says more.
    functionName: typeof run === 'function' && run.name && run.name !== 'run' ? run.name : name,
    schedule: { kind: 'schedule', schedule },
    options,
    run,
  };
}

/**
 * Reads configuration by key for `@Cron({ config })` / `@Every({ config })`: the value is the
 * schedule (a string, a number of ms for @Every, or a Schedule), or an object
 * `{ schedule, ...options }` whose options override the decorator's. Undefined means not set.
 */
export type ConfigReader = (key: string) => unknown;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** A config-driven spec resolved to a schedule and options, or a JobDefinitionError naming the key. */
function resolveConfigSpec(
  job: string,
  spec: { key: string; as: 'cron' | 'every' },
  options: JobOptions,
  config: ConfigReader | undefined,
): { schedule: ScheduleSpec; options: JobOptions } {
  if (!config) {
    throw new JobDefinitionError(
      'INVALID_SCHEDULE',
      `the schedule comes from configuration key '${spec.key}': register the instance with register(instance, { config: (key) => ... }) (@tickwise/nestjs does this with ConfigService)`,
      { job },
    );
  }
  const value = config(spec.key);
  const where = `configuration key '${spec.key}'`;
  if (value === undefined || value === null || value === '') {
    throw new JobDefinitionError('INVALID_SCHEDULE', `${where} is not set`, { job });
  }
  const fromValue = (schedule: unknown): ScheduleSpec => {
    if (typeof schedule === 'string') {
      return spec.as === 'cron' ? { kind: 'cron', expression: schedule } : { kind: 'every', duration: schedule };
    }
    if (typeof schedule === 'number' && spec.as === 'every') return { kind: 'every', duration: schedule };
    if (isSchedule(schedule)) return { kind: 'schedule', schedule };
    throw new JobDefinitionError(
      'INVALID_SCHEDULE',
      `${where} must be ${spec.as === 'cron' ? 'a cron expression' : "a duration such as '5m' or a number of ms"}, or { schedule, ...options }; got ${typeof schedule}`,
      { job },
    );
  };
  if (isPlainObject(value)) {
    const { schedule, ...overrides } = value;
    if (schedule === undefined) throw new JobDefinitionError('INVALID_SCHEDULE', `${where} has no 'schedule'`, { job });
    checkOptionKeys(job, overrides);
    const merged: JobOptions = { ...options, ...(overrides as JobOptions) };
    // Configuration is data: it can tune expect's durations, while the code keeps its result check.
    if (isPlainObject(options.expect) && isPlainObject(overrides.expect)) {
      merged.expect = { ...options.expect, ...overrides.expect };
    }
    return { schedule: fromValue(schedule), options: merged };
  }
  return { schedule: fromValue(value), options };
}

/**
 * The methods of an instance's class chain that carry job specs. The most-derived definition of a
 * name wins: an override without a decorator is not a job.
 */
function* decoratedMethods(
  instance: object,
): Generator<{ key: string; method: unknown; specs: readonly DecoratedJob[] }> {
  const seen = new Set<string>();
  for (
    let proto = Object.getPrototypeOf(instance);
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key === 'constructor' || seen.has(key)) continue;
      seen.add(key);
      const method = Object.getOwnPropertyDescriptor(proto, key)?.value;
      const specs = jobSpecsOf(method);
      if (specs) yield { key, method, specs };
    }
  }
}

/** Whether register(instance) would find any job (for integrations that scan many objects). */
export function hasDecoratedJobs(instance: unknown): boolean {
  if (typeof instance !== 'object' || instance === null) return false;
  return !decoratedMethods(instance).next().done;
}

/** Every decorated method of an instance (most-derived definition of each name wins). */
export function sourcesFromInstance(instance: object, config?: ConfigReader): JobSource[] {
  if (typeof instance !== 'object' || instance === null) {
    throw new JobDefinitionError('INVALID_OPTION', 'register() needs a class instance');
  }
  const className = instance.constructor?.name || 'Anonymous';
  const sources: JobSource[] = [];
  for (const { key, method, specs } of decoratedMethods(instance)) {
    for (const spec of specs) {
      const name = spec.options.name ?? `${className}.${key}`;
      const resolved =
        spec.schedule.kind === 'config'
          ? resolveConfigSpec(name, spec.schedule, spec.options, config)
          : { schedule: spec.schedule, options: spec.options };
      sources.push({
        name: resolved.options.name ?? name,
        functionName: `${className}.${key}`,
        schedule: resolved.schedule,
        options: resolved.options,
        run: (context) => (method as JobHandler).call(instance, context),
      });
    }
  }
  if (sources.length === 0) {
    throw new JobDefinitionError(
      'INVALID_OPTION',
      `register(): ${className} has no @Cron, @Every or @Job methods (is the decorator imported from @tickwise/core?)`,
    );
  }
  return sources;
}

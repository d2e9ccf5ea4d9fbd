// @Cron, @Every and @Job on class methods. They work as TC39 standard decorators (TypeScript 5+
// default) and as legacy `experimentalDecorators` (NestJS): both flavours only record the
// method's job spec; scheduler.register(instance) turns specs into jobs bound to the instance.

import type { Schedule } from '../schedule/schedule.js';
import { JobDefinitionError } from './errors.js';
import type { RunContext } from './job.js';
import { checkOptionKeys, type JobOptions } from './job-options.js';

/** A schedule as a decorator or add() states it, built at registration (when the job name is known). */
export type ScheduleSpec =
  | { kind: 'cron'; expression: string }
  | { kind: 'every'; duration: string | number }
  | { kind: 'schedule'; schedule: Schedule | string }
  /** Read from configuration when the instance is registered (see register()'s `config`). */
  | { kind: 'config'; key: string; as: 'cron' | 'every' };

/** Names a configuration key instead of writing the schedule: `@Cron({ config: 'reports.dailyCron' })`. */
export interface ConfigReference {
  config: string;
}

function isConfigReference(value: unknown): value is ConfigReference {
  return typeof value === 'object' && value !== null && 'config' in value;
}

function configSpec(decorator: string, reference: ConfigReference, as: 'cron' | 'every'): ScheduleSpec {
  const key = reference.config;
  if (typeof key !== 'string' || key.trim() === '' || Object.keys(reference).length !== 1) {
    throw new JobDefinitionError(
      'INVALID_SCHEDULE',
      `${decorator}({ config }) takes exactly one non-empty configuration key, e.g. ${decorator}({ config: 'jobs.report' })`,
    );
  }
  return { kind: 'config', key, as };
}

export interface DecoratedJob {
  decorator: '@Cron' | '@Every' | '@Job';
  schedule: ScheduleSpec;
  options: JobOptions;
}

/** Specs recorded on method functions (a WeakMap, so nothing is added to user classes). */
const decoratedMethods = new WeakMap<object, DecoratedJob[]>();

export function jobSpecsOf(method: unknown): readonly DecoratedJob[] | undefined {
  return typeof method === 'function' ? decoratedMethods.get(method) : undefined;
}

interface StandardMethodContext {
  kind: string;
  name: string | symbol;
  static?: boolean;
  private?: boolean;
}

function isStandardContext(value: unknown): value is StandardMethodContext {
  return typeof value === 'object' && value !== null && 'kind' in value && 'name' in value;
}

function record(method: unknown, spec: DecoratedJob): void {
  const specs = decoratedMethods.get(method as object) ?? [];
  specs.push(spec);
  decoratedMethods.set(method as object, specs);
}

function notAMethod(decorator: string, what: string): JobDefinitionError {
  return new JobDefinitionError(
    'NOT_A_METHOD',
    `${decorator} can only decorate an instance method of a class, not ${what}`,
  );
}

/** What a job method may look like: it receives the run's context and may return anything (a promise is awaited). */
export type JobMethod<This = unknown> = (this: This, context: RunContext) => unknown;

/**
 * The type of `@Cron(...)`, `@Every(...)` and `@Job(...)`: a method decorator for TC39 standard
 * decorators and for `experimentalDecorators` alike, that accepts only methods callable as
 * `(ctx: RunContext) => unknown` (no parameters is fine too). Anything else is a type error at the
 * decorator, e.g. `@Cron('* * * * *') run(id: string) {}`.
 */
export interface JobMethodDecorator {
  /** TC39 standard decorators (TypeScript 5+ default). */
  <This, Method extends JobMethod<This>>(method: Method, context: ClassMethodDecoratorContext<This, Method>): void;
  /** Legacy `experimentalDecorators` (NestJS). */
  <Method extends JobMethod>(
    prototype: object,
    propertyKey: string | symbol,
    descriptor: TypedPropertyDescriptor<Method> | undefined,
  ): void;
}

function makeDecorator(spec: DecoratedJob): JobMethodDecorator {
  return ((...args: unknown[]) => {
    const [target, contextOrKey, descriptor] = args;
    if (isStandardContext(contextOrKey)) {
      const name = String(contextOrKey.name);
      if (contextOrKey.kind !== 'method') throw notAMethod(spec.decorator, `a ${contextOrKey.kind} ('${name}')`);
      if (contextOrKey.static) throw notAMethod(spec.decorator, `the static method '${name}'`);
      if (contextOrKey.private) throw privateMethod(spec.decorator, name);
      record(target, spec);
      return;
    }
    // Legacy decorators: (prototype, propertyKey, descriptor). TypeScript rejects them on #private
    // methods at compile time; a descriptor-less call (Babel, hand-written) still lands below.
    const name = String(contextOrKey);
    const value = (descriptor as PropertyDescriptor | undefined)?.value;
    if (typeof value !== 'function') throw notAMethod(spec.decorator, `the property '${name}'`);
    if (typeof target === 'function') throw notAMethod(spec.decorator, `the static method '${name}'`);
    record(value, spec);
  }) as JobMethodDecorator;
}

/**
 * register(instance) finds jobs on the class's prototype chain and calls them on the instance;
 * a #private method is on neither, so it could never run. Said at decoration, where the fix is.
 */
function privateMethod(decorator: string, name: string): JobDefinitionError {
  return new JobDefinitionError(
    'NOT_A_METHOD',
    `${decorator} cannot decorate the private method '${name}': register() finds jobs on the class's prototype, where #private methods are not. Use a normal method (TypeScript's \`private\` keyword is fine)`,
  );
}

function checkUsage(decorator: string, first: unknown, expected: string): void {
  if (typeof first === 'function') {
    throw new JobDefinitionError('INVALID_SCHEDULE', `${decorator} needs a schedule: write ${decorator}(${expected})`);
  }
}

/**
 * Runs the method on a cron schedule: `@Cron('0 9 * * 1-5', { timezone: 'Europe/Berlin' })`, or
 * on one read from configuration at registration: `@Cron({ config: 'reports.dailyCron' })`.
 */
export function Cron(expression: string | ConfigReference, options: JobOptions = {}): JobMethodDecorator {
  checkUsage('@Cron', expression, "'*/5 * * * *'");
  checkOptionKeys(options.name ?? '@Cron', options);
  const schedule: ScheduleSpec = isConfigReference(expression)
    ? configSpec('@Cron', expression, 'cron')
    : { kind: 'cron', expression };
  return makeDecorator({ decorator: '@Cron', schedule, options });
}

/** Runs the method at a fixed interval: `@Every('5m')`, or `@Every({ config: 'sync.interval' })`. */
export function Every(duration: string | number | ConfigReference, options: JobOptions = {}): JobMethodDecorator {
  checkUsage('@Every', duration, "'5m'");
  checkOptionKeys(options.name ?? '@Every', options);
  const schedule: ScheduleSpec = isConfigReference(duration)
    ? configSpec('@Every', duration, 'every')
    : { kind: 'every', duration };
  return makeDecorator({ decorator: '@Every', schedule, options });
}

/** Runs the method on any schedule: `@Job({ schedule: every('1h', { anchor }), owner: 'team' })`. */
export function Job(definition: JobOptions & { schedule: Schedule | string }): JobMethodDecorator {
  if (typeof definition !== 'object' || definition === null || !('schedule' in definition)) {
    checkUsage('@Job', definition, "{ schedule: cron('0 * * * *') }");
    throw new JobDefinitionError('INVALID_SCHEDULE', '@Job needs an object with a schedule: @Job({ schedule: ... })');
  }
  const { schedule, ...options } = definition;
  checkOptionKeys(options.name ?? '@Job', options);
  return makeDecorator({ decorator: '@Job', schedule: { kind: 'schedule', schedule }, options });
}

// @Cron, @Every and @Job on class methods. They work as TC39 standard decorators (TypeScript 5+
// default) and as legacy `experimentalDecorators` (NestJS): both flavours only record the
// method's job spec; scheduler.register(instance) turns specs into jobs bound to the instance.

import type { Schedule } from '../schedule/schedule.js';
import { JobDefinitionError } from './errors.js';
import { checkOptionKeys, type JobOptions } from './job-options.js';

/** A schedule as a decorator or add() states it, built at registration (when the job name is known). */
export type ScheduleSpec =
  | { kind: 'cron'; expression: string }
  | { kind: 'every'; duration: string | number }
  | { kind: 'schedule'; schedule: Schedule | string };

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

type MethodDecorator = (...args: unknown[]) => void;

function makeDecorator(spec: DecoratedJob): MethodDecorator {
  return (...args: unknown[]) => {
    const [target, contextOrKey, descriptor] = args;
    if (isStandardContext(contextOrKey)) {
      const name = String(contextOrKey.name);
      if (contextOrKey.kind !== 'method') throw notAMethod(spec.decorator, `a ${contextOrKey.kind} ('${name}')`);
      if (contextOrKey.static) throw notAMethod(spec.decorator, `the static method '${name}'`);
      record(target, spec);
      return;
    }
    // Legacy decorators: (prototype, propertyKey, descriptor).
    const name = String(contextOrKey);
    const value = (descriptor as PropertyDescriptor | undefined)?.value;
    if (typeof value !== 'function') throw notAMethod(spec.decorator, `the property '${name}'`);
    if (typeof target === 'function') throw notAMethod(spec.decorator, `the static method '${name}'`);
    record(value, spec);
  };
}

function checkUsage(decorator: string, first: unknown, expected: string): void {
  if (typeof first === 'function') {
    throw new JobDefinitionError('INVALID_SCHEDULE', `${decorator} needs a schedule: write ${decorator}(${expected})`);
  }
}

/** Runs the method on a cron schedule: `@Cron('0 9 * * 1-5', { timezone: 'Europe/Berlin' })`. */
export function Cron(expression: string, options: JobOptions = {}): MethodDecorator {
  checkUsage('@Cron', expression, "'*/5 * * * *'");
  checkOptionKeys(options.name ?? '@Cron', options);
  return makeDecorator({ decorator: '@Cron', schedule: { kind: 'cron', expression }, options });
}

/** Runs the method at a fixed interval: `@Every('5m')`. */
export function Every(duration: string | number, options: JobOptions = {}): MethodDecorator {
  checkUsage('@Every', duration, "'5m'");
  checkOptionKeys(options.name ?? '@Every', options);
  return makeDecorator({ decorator: '@Every', schedule: { kind: 'every', duration }, options });
}

/** Runs the method on any schedule: `@Job({ schedule: every('1h', { anchor }), owner: 'team' })`. */
export function Job(definition: JobOptions & { schedule: Schedule | string }): MethodDecorator {
  if (typeof definition !== 'object' || definition === null || !('schedule' in definition)) {
    checkUsage('@Job', definition, "{ schedule: cron('0 * * * *') }");
    throw new JobDefinitionError('INVALID_SCHEDULE', '@Job needs an object with a schedule: @Job({ schedule: ... })');
  }
  const { schedule, ...options } = definition;
  checkOptionKeys(options.name ?? '@Job', options);
  return makeDecorator({ decorator: '@Job', schedule: { kind: 'schedule', schedule }, options });
}

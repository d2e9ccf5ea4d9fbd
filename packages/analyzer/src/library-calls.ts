// The jobs other libraries declare, each read with that library's rules: @nestjs/schedule's
// @Cron/@Interval/@Timeout and SchedulerRegistry.add*(), node-cron's schedule()/createTask(),
// croner's new Cron()/Cron(), cron's new CronJob()/CronJob.from(), node-schedule's scheduleJob()
// and toad-scheduler's SimpleIntervalJob/LongIntervalJob/CronJob. Recognised by import only.

import { DURATION_UNIT_MS as UNIT_MS } from '@tickwise/core/schedule';
import type * as TS from 'typescript';
import { AnalyzerCode } from './codes.js';
import { type CronDialect, compressValues, type DialectOptions, readCronDialect } from './dialects.js';
import type { FoundJob, FoundProblem } from './discover.js';
import type { Binding, ImportBindings } from './imports.js';
import { type NestRules, zoneOfOffset } from './library-semantics.js';
import type { DeclaredWith, Framework, JobSchedule, OptionValue } from './model.js';
import type { TypeScript } from './typescript.js';
import type { Evaluated, ValueReader } from './values.js';

export interface LibraryContext {
  /** The zone a library that runs in the server's local zone is assumed to run in. */
  serverZone: string;
  nest: NestRules;
  /** The `cron` package's dialect (from its installed version). */
  cron: { dialect: CronDialect; label: string };
  /** Wrapper decorators from the configuration: local decorator name -> what it forwards to. */
  wrappers: ReadonlyMap<string, Binding>;
}

type Name = { text: string; dynamic: boolean; node?: TS.Node };

interface CronSpec {
  framework: Framework;
  declaredWith: DeclaredWith;
  node: TS.Node;
  name: Name;
  className?: string;
  methodName?: string;
  scheduleNode: TS.Expression;
  dialect: CronDialect;
  dialectLabel: string;
  dialectOptions?: DialectOptions;
  zoneNode?: TS.Expression | undefined;
  offsetNode?: TS.Expression | undefined;
  options: Record<string, OptionValue>;
}

// toad-scheduler's interval fields under its own names (exactly these must be recognised in a
// SimpleIntervalJob's object); the sizes are core's, like the adapter's table of the same fields.
const MS = {
  milliseconds: UNIT_MS.ms,
  seconds: UNIT_MS.s,
  minutes: UNIT_MS.m,
  hours: UNIT_MS.h,
  days: UNIT_MS.d,
} as const;

export class LibraryCalls {
  /** Names (properties, parameters) typed SchedulerRegistry. */
  private readonly registryNames = new Set<string>();
  /** `new CronJob(...)` nodes already read as part of SchedulerRegistry.addCronJob. */
  private readonly consumed = new Set<TS.Node>();

  constructor(
    private readonly ts: TypeScript,
    private readonly file: TS.SourceFile,
    private readonly bindings: ImportBindings,
    private readonly values: ValueReader,
    private readonly context: LibraryContext,
    private readonly jobs: FoundJob[],
    private readonly problems: FoundProblem[],
  ) {}

  /** A configured wrapper decorator (`@CronOnce(...)` forwarding to @nestjs/schedule's Cron), by its imported or local name. */
  wrapper(callee: TS.Expression): Binding | undefined {
    if (this.context.wrappers.size === 0 || !this.ts.isIdentifier(callee)) return undefined;
    const imported = this.values.importOf(callee.text);
    return this.context.wrappers.get(imported && imported.name !== '*' ? imported.name : callee.text);
  }

  // ---- @nestjs/schedule ----

  addNestCron(
    decorator: TS.Decorator,
    first: TS.Expression,
    second: TS.Expression | undefined,
    derived: Name,
    className: string,
    methodName: string,
  ): void {
    const object = second ? this.values.objectLiteral(second) : undefined;
    const byKey = new Map((object?.properties ?? []).map((p) => [p.key, p]));
    const nameProperty = byKey.get('name');
    const options = this.restOptions(object?.properties ?? [], ['name', 'timeZone', 'utcOffset']);
    if (second && !object) options['...'] = { dynamic: this.values.text(second) };
    this.addCron({
      framework: 'nestjs',
      declaredWith: 'Cron',
      node: decorator,
      name: nameProperty ? this.nameFrom(nameProperty.value, nameProperty.valueNode) : derived,
      className,
      methodName,
      scheduleNode: first,
      dialect: this.context.nest.dialect,
      dialectLabel: this.context.nest.label,
      zoneNode: byKey.get('timeZone')?.valueNode as TS.Expression | undefined,
      offsetNode: byKey.get('utcOffset')?.valueNode as TS.Expression | undefined,
      options,
    });
  }

  /** `@Interval(ms)`, `@Interval(name, ms)`, `@Timeout(ms)`, `@Timeout(name, ms)`. */
  addNestTimer(
    kind: 'Interval' | 'Timeout',
    decorator: TS.Decorator,
    args: readonly TS.Expression[],
    derived: Name,
    className: string,
    methodName: string,
  ): void {
    const [a, b] = args;
    const nameNode = b ? a : undefined;
    const msNode = (b ?? a) as TS.Expression;
    const name = nameNode ? this.nameFrom(this.values.evaluate(nameNode), nameNode) : derived;
    this.addTimer('nestjs', kind, kind === 'Interval' ? 'interval' : 'timeout', decorator, name, msNode, {
      className,
      methodName,
    });
  }

  collectRegistryNames(): void {
    const ts = this.ts;
    const locals = [...this.bindings.named]
      .filter(([, b]) => b.framework === 'nestjs' && b.name === 'SchedulerRegistry')
      .map(([local]) => local);
    if (locals.length === 0) return;
    const visit = (node: TS.Node): void => {
      if (
        (ts.isParameter(node) || ts.isPropertyDeclaration(node)) &&
        ts.isIdentifier(node.name) &&
        node.type &&
        ts.isTypeReferenceNode(node.type) &&
        ts.isIdentifier(node.type.typeName) &&
        locals.includes(node.type.typeName.text)
      ) {
        this.registryNames.add(node.name.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(this.file);
  }

  // ---- calls and new expressions ----

  readCall(call: TS.CallExpression, ancestors: readonly TS.Node[]): void {
    const ts = this.ts;
    const callee = call.expression;
    if (ts.isPropertyAccessExpression(callee) && this.registryNames.size > 0) {
      const method = callee.name.text;
      if (
        (method === 'addCronJob' || method === 'addInterval' || method === 'addTimeout') &&
        this.receiverName(callee.expression) !== undefined &&
        this.registryNames.has(this.receiverName(callee.expression) as string)
      ) {
        this.readRegistryCall(method, call);
        return;
      }
    }
    // CronJob.from({...}) of the cron package.
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'from') {
      const owner = this.bindings.resolve(ts, callee.expression);
      if (owner?.framework === 'cron' && owner.name === 'CronJob') {
        this.readCronJobFrom(call, ancestors);
        return;
      }
    }
    const binding = this.bindings.resolve(ts, callee);
    if (!binding) return;
    if (binding.framework === 'node-cron' && (binding.name === 'schedule' || binding.name === 'createTask')) {
      this.readNodeCron(binding.name, call, ancestors);
    } else if (binding.framework === 'croner' && binding.name === 'Cron') {
      this.readCroner(call, call.arguments, ancestors);
    } else if (binding.framework === 'node-schedule' && binding.name === 'scheduleJob') {
      this.readScheduleJob(call, ancestors);
    }
  }

  readNew(node: TS.NewExpression, ancestors: readonly TS.Node[]): void {
    if (this.consumed.has(node)) return;
    const binding = this.bindings.resolve(this.ts, node.expression);
    if (!binding) return;
    const args = node.arguments ?? [];
    if (binding.framework === 'croner' && binding.name === 'Cron') this.readCroner(node, args, ancestors);
    else if (binding.framework === 'cron' && binding.name === 'CronJob')
      this.readNewCronJob(node, args, ancestors, 'cron');
    else if (binding.framework === 'toad-scheduler') this.readToad(binding.name, node, args, ancestors);
  }

  private readRegistryCall(method: 'addCronJob' | 'addInterval' | 'addTimeout', call: TS.CallExpression): void {
    const ts = this.ts;
    const [nameNode, valueNode] = call.arguments;
    const name = nameNode
      ? this.nameFrom(this.values.evaluate(nameNode), nameNode)
      : { text: '(unnamed)', dynamic: false };
    if (!valueNode) return;
    const inner = this.values.unwrap(valueNode);
    if (method === 'addCronJob') {
      if (ts.isNewExpression(inner)) {
        const binding = this.bindings.resolve(ts, inner.expression);
        if (binding?.framework === 'cron' && binding.name === 'CronJob') {
          this.consumed.add(inner);
          this.readNewCronJob(inner, inner.arguments ?? [], [], 'nestjs', call, name);
          return;
        }
      }
      this.pushDynamic('nestjs', 'addCronJob', call, name, valueNode, 'cron', 'a CronJob created elsewhere');
      return;
    }
    // addInterval(name, setInterval(fn, ms)) / addTimeout(name, setTimeout(fn, ms))
    const timer = method === 'addInterval' ? 'setInterval' : 'setTimeout';
    if (ts.isCallExpression(inner) && ts.isIdentifier(inner.expression) && inner.expression.text === timer) {
      const ms = inner.arguments[1];
      if (ms) {
        this.addTimer('nestjs', method, method === 'addInterval' ? 'interval' : 'timeout', call, name, ms, {});
        return;
      }
    }
    this.pushDynamic(
      'nestjs',
      method,
      call,
      name,
      valueNode,
      method === 'addInterval' ? 'interval' : 'timeout',
      `a timer created elsewhere`,
    );
  }

  private readNodeCron(
    method: 'schedule' | 'createTask',
    call: TS.CallExpression,
    ancestors: readonly TS.Node[],
  ): void {
    const [expr, , optionsNode] = call.arguments;
    if (!expr) return;
    const object = optionsNode ? this.values.objectLiteral(optionsNode) : undefined;
    const byKey = new Map((object?.properties ?? []).map((p) => [p.key, p]));
    const options = this.restOptions(object?.properties ?? [], ['name', 'timezone']);
    this.addCron({
      framework: 'node-cron',
      declaredWith: method,
      node: call,
      name: this.libraryName(byKey.get('name'), call, ancestors),
      scheduleNode: expr,
      dialect: 'node-cron',
      dialectLabel: 'node-cron 4',
      zoneNode: byKey.get('timezone')?.valueNode as TS.Expression | undefined,
      options,
    });
  }

  private readCroner(
    node: TS.CallExpression | TS.NewExpression,
    args: readonly TS.Expression[],
    ancestors: readonly TS.Node[],
  ): void {
    const ts = this.ts;
    const [pattern, second, third] = args;
    if (!pattern) return;
    // Cron(pattern, options?, fn?) or Cron(pattern, fn): the options are the object literal, if any.
    const optionsNode = [second, third].find(
      (a) => a && !ts.isArrowFunction(this.values.unwrap(a)) && !ts.isFunctionExpression(this.values.unwrap(a)),
    );
    const object = optionsNode ? this.values.objectLiteral(optionsNode) : undefined;
    const byKey = new Map((object?.properties ?? []).map((p) => [p.key, p]));
    const options = this.restOptions(object?.properties ?? [], ['name', 'timezone', 'utcOffset']);
    const flag = (key: string) => {
      const v = byKey.get(key)?.value;
      return v && !v.dynamic ? v.value : undefined;
    };
    const domAndDow = flag('domAndDow') === true || flag('legacyMode') === false;
    const spec: CronSpec = {
      framework: 'croner',
      declaredWith: 'new Cron',
      node,
      name: this.libraryName(byKey.get('name'), node, ancestors),
      scheduleNode: pattern,
      dialect: 'croner',
      dialectLabel: domAndDow ? 'croner (domAndDow)' : 'croner',
      dialectOptions: { domAndDow },
      zoneNode: byKey.get('timezone')?.valueNode as TS.Expression | undefined,
      offsetNode: byKey.get('utcOffset')?.valueNode as TS.Expression | undefined,
      options,
    };
    const value = this.values.evaluate(pattern);
    if (!value.dynamic && typeof value.value === 'string' && value.value.indexOf(':') > 0) {
      this.addCron(spec, 'a one-shot date: croner reads it in the job zone');
      return;
    }
    if (flag('alternativeWeekdays') === true) {
      this.addCron(spec, 'alternativeWeekdays (Quartz day numbers 1-7) is not predicted');
      return;
    }
    this.addCron(spec);
  }

  /** new CronJob(cronTime, onTick, onComplete?, start?, timeZone?, context?, runOnInit?, utcOffset?) */
  private readNewCronJob(
    node: TS.NewExpression,
    args: readonly TS.Expression[],
    ancestors: readonly TS.Node[],
    framework: 'cron' | 'nestjs',
    registryCall?: TS.CallExpression,
    registryName?: Name,
  ): void {
    const [cronTime, , , start, timeZone, , runOnInit, utcOffset] = args;
    if (!cronTime) return;
    const options: Record<string, OptionValue> = {};
    if (start) options.start = this.optionValue(start);
    if (runOnInit) options.runOnInit = this.optionValue(runOnInit);
    const isNull = (n: TS.Expression | undefined) =>
      n !== undefined &&
      (this.values.unwrap(n).kind === this.ts.SyntaxKind.NullKeyword ||
        (this.ts.isIdentifier(this.values.unwrap(n)) && (this.values.unwrap(n) as TS.Identifier).text === 'undefined'));
    const rules = framework === 'nestjs' ? this.context.nest : this.context.cron;
    this.addCron({
      framework,
      declaredWith: framework === 'nestjs' ? 'addCronJob' : 'new CronJob',
      node: registryCall ?? node,
      name: registryName ?? this.libraryName(undefined, node, ancestors),
      scheduleNode: cronTime,
      dialect: rules.dialect,
      dialectLabel: rules.label,
      zoneNode: isNull(timeZone) ? undefined : timeZone,
      offsetNode: isNull(utcOffset) ? undefined : utcOffset,
      options,
    });
  }

  private readCronJobFrom(call: TS.CallExpression, ancestors: readonly TS.Node[]): void {
    const [argument] = call.arguments;
    if (!argument) return;
    const object = this.values.objectLiteral(argument);
    if (!object) {
      this.pushDynamic(
        'cron',
        'CronJob.from',
        call,
        this.libraryName(undefined, call, ancestors),
        argument,
        'cron',
        undefined,
      );
      return;
    }
    const byKey = new Map(object.properties.map((p) => [p.key, p]));
    const cronTime = byKey.get('cronTime');
    if (!cronTime) {
      this.problems.push({
        code: AnalyzerCode.BadScheduleArgument,
        message: 'CronJob.from needs a cronTime',
        node: call,
      });
      return;
    }
    this.addCron({
      framework: 'cron',
      declaredWith: 'CronJob.from',
      node: call,
      name: this.libraryName(byKey.get('name'), call, ancestors),
      scheduleNode: cronTime.valueNode as TS.Expression,
      dialect: this.context.cron.dialect,
      dialectLabel: this.context.cron.label,
      zoneNode: byKey.get('timeZone')?.valueNode as TS.Expression | undefined,
      offsetNode: byKey.get('utcOffset')?.valueNode as TS.Expression | undefined,
      options: this.restOptions(object.properties, [
        'name',
        'cronTime',
        'onTick',
        'onComplete',
        'timeZone',
        'utcOffset',
        'context',
      ]),
    });
  }

  /** scheduleJob(spec, fn) / scheduleJob(name, spec, fn); spec: cron string, { rule, tz }, an object spec, a Date. */
  private readScheduleJob(call: TS.CallExpression, ancestors: readonly TS.Node[]): void {
    const args = call.arguments;
    const named = args.length >= 3;
    const specNode = named ? args[1] : args[0];
    if (!specNode) return;
    const nameNode = named ? args[0] : undefined;
    const name = nameNode
      ? this.nameFrom(this.values.evaluate(nameNode), nameNode)
      : this.libraryName(undefined, call, ancestors);
    const base: CronSpec = {
      framework: 'node-schedule',
      declaredWith: 'scheduleJob',
      node: call,
      name,
      scheduleNode: specNode,
      dialect: 'node-schedule',
      dialectLabel: 'node-schedule 2 (cron-parser 4)',
      options: {},
    };
    const object = this.values.objectLiteral(specNode);
    if (!object) {
      this.addCron(base);
      return;
    }
    const byKey = new Map(object.properties.map((p) => [p.key, p]));
    const rule = byKey.get('rule');
    if (rule) {
      this.addCron({
        ...base,
        scheduleNode: rule.valueNode as TS.Expression,
        zoneNode: byKey.get('tz')?.valueNode as TS.Expression | undefined,
        options: this.restOptions(object.properties, ['rule', 'tz']),
      });
      return;
    }
    this.addRecurrenceSpec(base, object.properties, byKey.get('tz')?.valueNode as TS.Expression | undefined);
  }

  /**
   * An object spec ({ hour: 14, minute: 30, dayOfWeek: [1, 3] }) as node-schedule's RecurrenceRule
   * reads it: second defaults to 0, other fields to "any"; months 0-11; every field must match.
   */
  private addRecurrenceSpec(
    base: CronSpec,
    properties: { key: string; value: Evaluated }[],
    zoneNode: TS.Expression | undefined,
  ): void {
    const FIELDS: [string, number, number][] = [
      ['second', 0, 59],
      ['minute', 0, 59],
      ['hour', 0, 23],
      ['date', 1, 31],
      ['month', 0, 11],
      ['dayOfWeek', 0, 6],
    ];
    const text = `{ ${properties.map((p) => `${p.key}: ${p.value.dynamic ? p.value.expression : JSON.stringify(p.value.value)}`).join(', ')} }`;
    const parts: string[] = [];
    let unsupported: string | undefined;
    for (const [key, min, max] of FIELDS) {
      const p = properties.find((q) => q.key === key);
      if (!p) {
        parts.push(key === 'second' ? '0' : '*');
        continue;
      }
      if (p.value.dynamic) {
        this.pushDynamicSchedule(base, text, p.value.reason, zoneNode);
        return;
      }
      const raw = p.value.value;
      const list = Array.isArray(raw) ? raw : [raw];
      if (raw === null) {
        parts.push('*');
        continue;
      }
      if (!list.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max)) {
        unsupported = `${key}: ${JSON.stringify(raw)} is not a number or a list of numbers in ${min}-${max}`;
        parts.push('*');
        continue;
      }
      const values = (list as number[]).map((v) => (key === 'month' ? v + 1 : v));
      parts.push(compressValues(values));
    }
    for (const p of properties) {
      if (!['second', 'minute', 'hour', 'date', 'month', 'dayOfWeek', 'tz'].includes(p.key)) {
        unsupported ??= `'${p.key}' in a node-schedule rule is not predicted`;
      }
    }
    this.pushCron(
      { ...base, dialectLabel: 'node-schedule 2 (RecurrenceRule: months 0-11, all fields must match)', zoneNode },
      { dynamic: false, kind: 'cron', text },
      base.scheduleNode,
      unsupported ? { unsupported } : { model: { expression: parts.join(' '), dayMatch: 'and' } },
    );
  }

  private readToad(
    name: string,
    node: TS.NewExpression,
    args: readonly TS.Expression[],
    ancestors: readonly TS.Node[],
  ): void {
    const [scheduleNode, , idNode] = args;
    if (!scheduleNode) return;
    const idObject = idNode ? this.values.objectLiteral(idNode) : undefined;
    const idValue = idObject ? idObject.properties.find((p) => p.key === 'id') : undefined;
    const jobName = idValue
      ? this.nameFrom(idValue.value, idValue.valueNode)
      : idNode
        ? this.nameFrom(this.values.evaluate(idNode), idNode)
        : this.libraryName(undefined, node, ancestors);
    const object = this.values.objectLiteral(scheduleNode);
    if (name === 'CronJob') {
      const byKey = new Map((object?.properties ?? []).map((p) => [p.key, p]));
      const expression = byKey.get('cronExpression');
      if (!object || !expression) {
        this.pushDynamic('toad-scheduler', 'new CronJob', node, jobName, scheduleNode, 'cron', undefined);
        return;
      }
      this.addCron({
        framework: 'toad-scheduler',
        declaredWith: 'new CronJob',
        node,
        name: jobName,
        scheduleNode: expression.valueNode as TS.Expression,
        dialect: 'croner',
        dialectLabel: 'toad-scheduler 4 (croner 10)',
        zoneNode: byKey.get('timezone')?.valueNode as TS.Expression | undefined,
        options: {},
      });
      return;
    }
    if (name !== 'SimpleIntervalJob' && name !== 'LongIntervalJob') return;
    if (!object) {
      this.pushDynamic('toad-scheduler', name, node, jobName, scheduleNode, 'interval', undefined);
      return;
    }
    let total = 0;
    const options: Record<string, OptionValue> = {};
    for (const p of object.properties) {
      if (p.key in MS) {
        if (p.value.dynamic || typeof p.value.value !== 'number') {
          this.pushDynamic(
            'toad-scheduler',
            name,
            node,
            jobName,
            scheduleNode,
            'interval',
            p.value.dynamic ? p.value.reason : undefined,
          );
          return;
        }
        total += p.value.value * MS[p.key as keyof typeof MS];
      } else options[p.key] = p.value.dynamic ? { dynamic: p.value.expression } : p.value.value;
    }
    if (object.spreads.length > 0) {
      this.pushDynamic(
        'toad-scheduler',
        name,
        node,
        jobName,
        scheduleNode,
        'interval',
        `spreads ${object.spreads.join(', ')}`,
      );
      return;
    }
    this.jobs.push({
      framework: 'toad-scheduler',
      declaredWith: name,
      zoneRule: 'server-local',
      node,
      name: jobName,
      schedule: { dynamic: false, kind: 'interval', text: String(total) },
      scheduleNode,
      timezone: { value: this.context.serverZone },
      options,
      checkedOptions: [],
    });
  }

  // ---- building jobs ----

  private addTimer(
    framework: Framework,
    declaredWith: DeclaredWith,
    kind: 'interval' | 'timeout',
    node: TS.Node,
    name: Name,
    msNode: TS.Expression,
    where: { className?: string; methodName?: string },
  ): void {
    const value = this.values.evaluate(msNode);
    const schedule: JobSchedule =
      !value.dynamic && typeof value.value === 'number'
        ? { dynamic: false, kind, text: String(value.value) }
        : {
            dynamic: true,
            kind,
            expression: this.values.text(msNode),
            reason: value.dynamic ? value.reason : 'not a number of milliseconds',
          };
    this.jobs.push({
      framework,
      declaredWith,
      zoneRule: 'server-local',
      node,
      name,
      ...where,
      schedule,
      scheduleNode: msNode,
      ...(!value.dynamic && { scheduleValueNode: value.node }),
      timezone: { value: this.context.serverZone },
      options: {},
      checkedOptions: [],
    });
  }

  private pushDynamic(
    framework: Framework,
    declaredWith: DeclaredWith,
    node: TS.Node,
    name: Name,
    valueNode: TS.Expression,
    kind: 'cron' | 'interval' | 'timeout',
    reason: string | undefined,
  ): void {
    this.jobs.push({
      framework,
      declaredWith,
      zoneRule: 'server-local',
      node,
      name,
      schedule: {
        dynamic: true,
        kind,
        expression: this.values.text(valueNode),
        reason: reason ?? this.values.reasonOf(valueNode),
      },
      scheduleNode: valueNode,
      timezone: { value: this.context.serverZone },
      options: {},
      checkedOptions: [],
    });
  }

  private pushDynamicSchedule(spec: CronSpec, expression: string, reason: string, zoneNode?: TS.Expression): void {
    this.pushCron({ ...spec, zoneNode }, { dynamic: true, kind: 'cron', expression, reason }, spec.scheduleNode, {});
  }

  /** A cron job of a library: the schedule read with its dialect, in its zone. */
  private addCron(spec: CronSpec, unsupported?: string): void {
    const value = this.values.evaluate(spec.scheduleNode);
    if (value.dynamic || typeof value.value !== 'string') {
      const reason = value.dynamic ? value.reason : 'not a cron string';
      this.pushCron(
        spec,
        { dynamic: true, kind: 'cron', expression: this.values.text(spec.scheduleNode), reason },
        spec.scheduleNode,
        {},
      );
      return;
    }
    const text = value.value;
    const schedule: JobSchedule = { dynamic: false, kind: 'cron', text };
    if (unsupported) {
      this.pushCron(spec, schedule, value.node, { unsupported });
      return;
    }
    const read = readCronDialect(text, spec.dialect, spec.dialectOptions);
    if (read.ok === true) {
      this.pushCron(spec, schedule, value.node, { model: { expression: read.expression, dayMatch: read.dayMatch } });
    } else if (read.ok === 'unsupported') {
      this.pushCron(spec, schedule, value.node, { unsupported: read.reason });
    } else {
      const literal = this.values.contentStart(value.node) !== undefined && this.ts.isStringLiteralLike(value.node);
      this.pushCron(spec, schedule, value.node, {
        libraryProblems: read.problems.map((p) => ({ ...p, literal })),
      });
    }
  }

  private pushCron(
    spec: CronSpec,
    schedule: JobSchedule,
    valueNode: TS.Node,
    extra: Pick<FoundJob, 'model' | 'unsupported' | 'libraryProblems'>,
  ): void {
    let timezone: FoundJob['timezone'] = { value: this.context.serverZone };
    let zoneRule: FoundJob['zoneRule'] = 'server-local';
    let utcOffset: FoundJob['utcOffset'];
    let unsupported = extra.unsupported;
    if (spec.zoneNode) {
      const zone = this.values.evaluate(spec.zoneNode);
      zoneRule = 'explicit';
      timezone =
        !zone.dynamic && typeof zone.value === 'string'
          ? { value: zone.value, node: zone.node }
          : { dynamic: zone.dynamic ? zone.expression : this.values.text(spec.zoneNode) };
    } else if (spec.offsetNode) {
      const offset = this.values.evaluate(spec.offsetNode);
      zoneRule = 'utc-offset';
      if (!offset.dynamic && typeof offset.value === 'number') {
        utcOffset = offset.value;
        const zone = spec.dialect === 'cron2' ? undefined : zoneOfOffset(offset.value);
        if (zone) timezone = { value: zone, node: offset.node };
        else {
          timezone = { value: 'UTC', node: offset.node };
          unsupported ??= `utcOffset ${offset.value} is not a whole number of hours${spec.dialect === 'cron2' ? ' (or cron@2, which reads it differently)' : ''}`;
        }
      } else {
        utcOffset = { dynamic: offset.dynamic ? offset.expression : this.values.text(spec.offsetNode) };
        timezone = { dynamic: this.values.text(spec.offsetNode) };
      }
    }
    const found: FoundJob = {
      framework: spec.framework,
      declaredWith: spec.declaredWith,
      zoneRule,
      ...(utcOffset !== undefined && { utcOffset }),
      dialect: spec.dialectLabel,
      ...(extra.model && !unsupported && { model: extra.model }),
      ...(unsupported && { unsupported }),
      ...(extra.libraryProblems && { libraryProblems: extra.libraryProblems }),
      node: spec.node,
      name: spec.name,
      ...(spec.className !== undefined && { className: spec.className }),
      ...(spec.methodName !== undefined && { methodName: spec.methodName }),
      schedule,
      scheduleNode: spec.scheduleNode,
      ...(!schedule.dynamic && { scheduleValueNode: valueNode }),
      timezone,
      options: spec.options,
      checkedOptions: [],
    };
    this.jobs.push(found);
  }

  // ---- helpers ----

  private optionValue(node: TS.Expression): OptionValue {
    const value = this.values.evaluate(node);
    return value.dynamic ? { dynamic: value.expression } : value.value;
  }

  private restOptions(
    properties: readonly { key: string; value: Evaluated }[],
    skip: readonly string[],
  ): Record<string, OptionValue> {
    const options: Record<string, OptionValue> = {};
    for (const p of properties) {
      if (skip.includes(p.key)) continue;
      options[p.key] = p.value.dynamic ? { dynamic: p.value.expression } : p.value.value;
    }
    return options;
  }

  private nameFrom(value: Evaluated, node: TS.Node): Name {
    if (!value.dynamic && typeof value.value === 'string')
      return { text: value.value, dynamic: false, node: value.node };
    return { text: this.values.text(node), dynamic: true, node };
  }

  /**
   * A library job's name: its `name` option, else the variable or property it is assigned to
   * (`const nightly = cron.schedule(...)`), else where it is (`node-cron job at line 12`).
   */
  private libraryName(
    property: { value: Evaluated; valueNode: TS.Node } | undefined,
    node: TS.Node,
    ancestors: readonly TS.Node[],
  ): Name {
    if (property) return this.nameFrom(property.value, property.valueNode);
    const ts = this.ts;
    const parent = ancestors.at(-1);
    if (
      parent &&
      (ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent)) &&
      ts.isIdentifier(parent.name)
    ) {
      return { text: parent.name.text, dynamic: false, node: parent.name };
    }
    if (parent && ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = parent.left;
      if (ts.isIdentifier(left)) return { text: left.text, dynamic: false, node: left };
      if (ts.isPropertyAccessExpression(left)) return { text: left.name.text, dynamic: false, node: left.name };
    }
    const line = this.file.getLineAndCharacterOfPosition(node.getStart(this.file)).line + 1;
    return { text: `(line ${line})`, dynamic: false };
  }

  private receiverName(node: TS.Expression): string | undefined {
    const ts = this.ts;
    if (ts.isIdentifier(node)) return node.text;
    if (ts.isPropertyAccessExpression(node)) return node.name.text;
    return undefined;
  }
}

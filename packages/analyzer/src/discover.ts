// Finds job declarations in one parsed file: decorated methods (@Cron, @Every, @Job from
// @tickwise/core; @Cron, @Interval, @Timeout from @nestjs/schedule, and wrapper decorators the
// configuration names), scheduler.add({...}) calls, SchedulerRegistry.add*() calls, and the
// calls of node-cron, croner, cron, node-schedule and toad-scheduler (library-calls.ts).

import type { DayMatch } from '@tickwise/core/schedule';
import type * as TS from 'typescript';
import { AnalyzerCode } from './codes.js';
import { type Binding, ImportBindings } from './imports.js';
import { LibraryCalls, type LibraryContext } from './library-calls.js';
import type { DeclaredWith, Framework, JobSchedule, OptionValue, ScheduleKind, ZoneRule } from './model.js';
import { Offsets } from './offsets.js';
import type { TypeScript } from './typescript.js';
import { type Evaluated, type PropertyRead, type ValueContext, ValueReader } from './values.js';

/** A job as found, with the nodes its diagnostics point at. */
export interface FoundJob {
  framework: Framework;
  declaredWith: DeclaredWith;
  zoneRule: ZoneRule;
  utcOffset?: number | { dynamic: string };
  dialect?: string;
  model?: { expression: string; dayMatch: DayMatch };
  unsupported?: string;
  /** What the library itself rejects at start-up, with offsets into the schedule text when it is written as one literal. */
  libraryProblems?: { message: string; start: number; end: number; literal: boolean }[];
  node: TS.Node;
  name: { text: string; dynamic: boolean; node?: TS.Node };
  className?: string;
  methodName?: string;
  schedule: JobSchedule;
  /** The expression the job uses as its schedule. */
  scheduleNode: TS.Node;
  /** Where the schedule's text is written (a string literal, possibly in a constant), when static. */
  scheduleValueNode?: TS.Node;
  timezone: { value: string; node?: TS.Node } | { dynamic: string };
  dayMatch?: DayMatch;
  options: Record<string, OptionValue>;
  /** Tickwise option properties, checked as registration would check them. */
  checkedOptions: PropertyRead[];
}

export interface FoundProblem {
  code: string;
  message: string;
  node: TS.Node;
}

const NOT_OPTIONS: ReadonlySet<string> = new Set(['name', 'schedule', 'run']);

export class JobDiscovery {
  readonly jobs: FoundJob[] = [];
  readonly problems: FoundProblem[] = [];
  private readonly values: ValueReader;
  /** Names (variables, properties, parameters) that hold a Tickwise Scheduler. */
  private readonly schedulerNames = new Set<string>();

  private readonly library: LibraryCalls;

  constructor(
    private readonly ts: TypeScript,
    file: TS.SourceFile,
    private readonly bindings: ImportBindings,
    context: LibraryContext,
    valueContext: ValueContext,
  ) {
    this.values = new ValueReader(ts, file, {
      ...valueContext,
      libraryMember: (local, member) => {
        const binding = bindings.named.get(local);
        if (binding?.framework !== 'nestjs' || binding.name !== 'CronExpression') return undefined;
        const value = context.nest.member(member);
        return value === undefined
          ? { reason: `CronExpression.${member} is not a member in ${context.nest.label}` }
          : { value };
      },
    });
    this.library = new LibraryCalls(ts, file, bindings, this.values, context, this.jobs, this.problems);
  }

  static run(
    ts: TypeScript,
    file: TS.SourceFile,
    context: LibraryContext,
    valueContext: ValueContext = {},
  ): JobDiscovery {
    const bindings = ImportBindings.collect(ts, file);
    const discovery = new JobDiscovery(ts, file, bindings, context, valueContext);
    if (!bindings.isEmpty || context.wrappers.size > 0) {
      discovery.collectSchedulerNames(file);
      discovery.library.collectRegistryNames();
      // Jobs start at a decorator's '@', an add( call or a library name: only subtrees holding one are walked.
      discovery.walk(file, [], Offsets.of(file.text, ['@', 'add', ...bindings.localNames()]));
    }
    return discovery;
  }

  /** The string positions of a node's text, for mapping schedule diagnostics. */
  contentStart(node: TS.Node): number | undefined {
    return this.values.contentStart(node);
  }

  /** The keys of the object literal `node` stands for whose values are functions (`result: (v) => …`). */
  functionKeys(node: TS.Node): Set<string> {
    const object = this.ts.isExpression(node) ? this.values.objectLiteral(node) : undefined;
    return new Set(object?.properties.filter((p) => this.values.isFunction(p.valueNode)).map((p) => p.key));
  }

  /** Visits `node` and the children whose range holds a candidate offset; `ancestors` ends with the parent. */
  private walk(node: TS.Node, ancestors: TS.Node[], candidates: Offsets): void {
    const ts = this.ts;
    if (ts.canHaveDecorators(node)) {
      for (const decorator of ts.getDecorators(node) ?? []) this.readDecorator(node, decorator, ancestors);
    } else if (ts.isMissingDeclaration(node)) {
      this.readStrandedDecorators(node, ancestors);
    }
    if (ts.isCallExpression(node)) {
      this.readAddCall(node);
      this.library.readCall(node, ancestors);
    } else if (ts.isNewExpression(node)) this.library.readNew(node, ancestors);
    ancestors.push(node);
    ts.forEachChild(node, (child) => {
      if (candidates.within(child.pos, child.end)) this.walk(child, ancestors, candidates);
    });
    ancestors.pop();
  }

  // ---- decorators ----

  private readDecorator(target: TS.Node, decorator: TS.Decorator, ancestors: readonly TS.Node[]): void {
    const ts = this.ts;
    const call = ts.isCallExpression(decorator.expression) ? decorator.expression : undefined;
    const callee = call ? call.expression : decorator.expression;
    const binding = this.bindings.resolve(ts, callee) ?? this.library.wrapper(callee);
    if (!binding) return;
    const decorators =
      binding.framework === 'tickwise'
        ? ['Cron', 'Every', 'Job']
        : binding.framework === 'nestjs'
          ? ['Cron', 'Interval', 'Timeout']
          : [];
    if (!decorators.includes(binding.name)) return;
    const label = `@${binding.name}${binding.framework === 'nestjs' ? ' (@nestjs/schedule)' : ''}`;
    // A property without a name is the parser's recovery from a syntax error: that error is the news.
    if (ts.isPropertyDeclaration(target) && ts.isIdentifier(target.name) && target.name.text === '') return;
    if (!ts.isMethodDeclaration(target) || !target.body) {
      this.problem(
        AnalyzerCode.NotAMethod,
        `${label} must decorate a method, not ${this.describeTarget(target)}`,
        decorator,
      );
      return;
    }
    if (!call || call.arguments.length === 0) {
      this.problem(AnalyzerCode.BadScheduleArgument, `${label} needs a schedule argument`, decorator);
      return;
    }
    const [first, second] = call.arguments;
    const methodName = this.methodName(target);
    const className = this.className(ancestors);
    const derived = { text: `${className}.${methodName.text}`, dynamic: methodName.dynamic, node: target.name };
    if (binding.framework === 'nestjs') {
      if (binding.name === 'Cron') {
        this.library.addNestCron(decorator, first as TS.Expression, second, derived, className, methodName.text);
      } else {
        this.library.addNestTimer(
          binding.name as 'Interval' | 'Timeout',
          decorator,
          call.arguments,
          derived,
          className,
          methodName.text,
        );
      }
      return;
    }
    if (binding.name === 'Job') {
      const definition = this.values.objectLiteral(first as TS.Expression);
      if (!definition) {
        this.problem(AnalyzerCode.BadScheduleArgument, '@Job takes { schedule, ...options }', first as TS.Node);
        return;
      }
      this.addTickwiseJob('Job', decorator, definition.properties, definition.spreads, derived, {
        className,
        methodName: methodName.text,
      });
      return;
    }
    const options = second ? this.values.objectLiteral(second) : undefined;
    const properties = options?.properties ?? [];
    const spreads = options ? options.spreads : second ? [this.values.text(second)] : [];
    const scheduleNode = first as TS.Expression;
    this.addTickwiseJob(
      binding.name as 'Cron' | 'Every',
      decorator,
      [
        {
          key: 'schedule',
          keyNode: scheduleNode,
          valueNode: scheduleNode,
          value: this.values.evaluate(scheduleNode),
        },
        ...properties,
      ],
      spreads,
      derived,
      { className, methodName: methodName.text },
    );
  }

  /**
   * Half-typed code: in `partial =` followed by `@Cron(...) method() {}`, the parser hangs the
   * decorator on a missing initializer and leaves the method undecorated. Give it back.
   */
  private readStrandedDecorators(node: TS.MissingDeclaration, ancestors: readonly TS.Node[]): void {
    const ts = this.ts;
    const member = ancestors.at(-1);
    const owner = ancestors.at(-2);
    if (!member || !owner || !(ts.isClassDeclaration(owner) || ts.isClassExpression(owner))) return;
    const next = owner.members[owner.members.indexOf(member as TS.ClassElement) + 1];
    if (!next || !ts.isMethodDeclaration(next) || ts.getDecorators(next)?.length) return;
    // The parser keeps them on the node, but the public type of MissingDeclaration does not say so.
    const { modifiers } = node as unknown as { modifiers?: readonly TS.ModifierLike[] };
    for (const modifier of modifiers ?? []) {
      if (ts.isDecorator(modifier)) this.readDecorator(next, modifier, [...ancestors.slice(0, -1)]);
    }
  }

  private describeTarget(target: TS.Node): string {
    const ts = this.ts;
    if (ts.isPropertyDeclaration(target)) return `the property '${this.values.text(target.name)}'`;
    if (ts.isGetAccessor(target) || ts.isSetAccessor(target)) return `the accessor '${this.values.text(target.name)}'`;
    if (ts.isClassDeclaration(target) || ts.isClassExpression(target))
      return `the class ${target.name?.text ?? ''}`.trim();
    if (ts.isParameter(target)) return `the parameter '${this.values.text(target.name)}'`;
    if (ts.isMethodDeclaration(target)) return `the method signature '${this.values.text(target.name)}' (no body)`;
    return 'this declaration';
  }

  private methodName(method: TS.MethodDeclaration): { text: string; dynamic: boolean } {
    const ts = this.ts;
    const name = method.name;
    if (
      ts.isIdentifier(name) ||
      ts.isStringLiteral(name) ||
      ts.isNumericLiteral(name) ||
      ts.isPrivateIdentifier(name)
    ) {
      return { text: name.text, dynamic: false };
    }
    return { text: this.values.text(name), dynamic: true };
  }

  /** The name the class has at run time; `ancestors` ends with the method's class. */
  private className(ancestors: readonly TS.Node[]): string {
    const ts = this.ts;
    const owner = ancestors.at(-1);
    if (owner && (ts.isClassDeclaration(owner) || ts.isClassExpression(owner)) && owner.name) return owner.name.text;
    // `const Reports = class { ... }`: the class takes the variable's name at run time too.
    const holder = ancestors.at(-2);
    if (
      owner &&
      ts.isClassExpression(owner) &&
      holder &&
      ts.isVariableDeclaration(holder) &&
      ts.isIdentifier(holder.name)
    ) {
      return holder.name.text;
    }
    return 'Anonymous';
  }

  // ---- scheduler.add({...}) ----

  private tickwiseImported: boolean | undefined;

  private importsTickwise(): boolean {
    this.tickwiseImported ??=
      [...this.bindings.named.values()].some((b) => b.framework === 'tickwise') ||
      [...this.bindings.namespaces.values()].includes('tickwise');
    return this.tickwiseImported;
  }

  private collectSchedulerNames(file: TS.SourceFile): void {
    const ts = this.ts;
    const isScheduler = (node: TS.Node | undefined): boolean => {
      if (!node) return false;
      if (ts.isNewExpression(node)) {
        const binding = this.bindings.resolve(ts, node.expression);
        return binding?.framework === 'tickwise' && binding.name === 'Scheduler';
      }
      if (ts.isTypeReferenceNode(node)) {
        const type = node.typeName;
        if (ts.isIdentifier(type)) {
          const binding = this.bindings.named.get(type.text);
          return binding?.framework === 'tickwise' && binding.name === 'Scheduler';
        }
        return (
          ts.isIdentifier(type.left) &&
          type.right.text === 'Scheduler' &&
          this.bindings.namespaces.get(type.left.text) === 'tickwise'
        );
      }
      return false;
    };
    const needles = [
      ...[...this.bindings.named]
        .filter(([, b]) => b.framework === 'tickwise' && b.name === 'Scheduler')
        .map(([local]) => local),
      ...[...this.bindings.namespaces].filter(([, framework]) => framework === 'tickwise').map(([local]) => local),
    ];
    if (needles.length === 0) return;
    const candidates = Offsets.of(file.text, needles);
    const visit = (node: TS.Node): void => {
      if (
        (ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node) || ts.isParameter(node)) &&
        ts.isIdentifier(node.name) &&
        (isScheduler(node.initializer) || isScheduler(node.type))
      ) {
        this.schedulerNames.add(node.name.text);
      }
      if (
        ts.isBinaryExpression(node) &&
        node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        isScheduler(node.right) &&
        (ts.isIdentifier(node.left) || ts.isPropertyAccessExpression(node.left))
      ) {
        this.schedulerNames.add(ts.isIdentifier(node.left) ? node.left.text : node.left.name.text);
      }
      ts.forEachChild(node, (child) => {
        if (candidates.within(child.pos, child.end)) visit(child);
      });
    };
    visit(file);
  }

  private readAddCall(call: TS.CallExpression): void {
    const ts = this.ts;
    const callee = call.expression;
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'add' || call.arguments.length !== 1) return;
    if (!this.importsTickwise()) return;
    const argument = call.arguments[0] as TS.Expression;
    const definition = this.values.objectLiteral(argument);
    if (!definition) return;
    const keys = new Set(definition.properties.map((p) => p.key));
    if (!keys.has('schedule')) return;
    const receiver = callee.expression;
    const receiverName = ts.isIdentifier(receiver)
      ? receiver.text
      : ts.isPropertyAccessExpression(receiver)
        ? receiver.name.text
        : undefined;
    // A receiver known to hold a Scheduler, or the unmistakable shape { name, schedule, run }.
    const known = receiverName !== undefined && this.schedulerNames.has(receiverName);
    if (!known && !(keys.has('name') && keys.has('run'))) return;
    const nameProperty = definition.properties.find((p) => p.key === 'name');
    const name = nameProperty
      ? this.nameFrom(nameProperty)
      : { text: '(unnamed)', dynamic: false, node: argument as TS.Node };
    this.addTickwiseJob('add', call, definition.properties, definition.spreads, name, {});
  }

  nameFrom(property: PropertyRead): { text: string; dynamic: boolean; node: TS.Node } {
    const value = property.value;
    if (!value.dynamic && typeof value.value === 'string')
      return { text: value.value, dynamic: false, node: value.node };
    return { text: this.values.text(property.valueNode), dynamic: true, node: property.valueNode };
  }

  // ---- building the job ----

  private addTickwiseJob(
    declaredWith: 'Cron' | 'Every' | 'Job' | 'add',
    node: TS.Node,
    properties: PropertyRead[],
    spreads: string[],
    derivedName: { text: string; dynamic: boolean; node?: TS.Node },
    where: { className?: string; methodName?: string },
  ): void {
    const byKey = new Map(properties.map((p) => [p.key, p]));
    const scheduleProperty = byKey.get('schedule');
    if (!scheduleProperty) {
      this.problem(
        AnalyzerCode.BadScheduleArgument,
        `${declaredWith === 'add' ? 'add()' : `@${declaredWith}`} needs a schedule`,
        node,
      );
      return;
    }
    const nameProperty = byKey.get('name');
    const name = nameProperty ? this.nameFrom(nameProperty) : derivedName;
    const timezoneProperty = byKey.get('timezone');
    let timezone: FoundJob['timezone'] = { value: 'UTC' };
    if (timezoneProperty) timezone = this.timezoneFrom(timezoneProperty.value);
    const dayMatchValue = byKey.get('dayMatch')?.value;
    const defaultKind: ScheduleKind = declaredWith === 'Every' ? 'every' : 'cron';
    const read = this.readSchedule(scheduleProperty, defaultKind, declaredWith === 'Cron' || declaredWith === 'Every');
    if (!read) return;
    if (read.timezone) timezone = read.timezone;
    const options: Record<string, OptionValue> = {};
    for (const p of properties) {
      if (NOT_OPTIONS.has(p.key) || p.key === 'timezone') continue;
      options[p.key] = p.value.dynamic ? { dynamic: p.value.expression } : p.value.value;
    }
    if (spreads.length > 0) options['...'] = { dynamic: spreads.join(', ') };
    const found: FoundJob = {
      framework: 'tickwise',
      declaredWith,
      zoneRule: timezoneProperty || read.timezone ? 'explicit' : 'default-utc',
      node,
      name,
      ...where,
      schedule: read.schedule,
      scheduleNode: scheduleProperty.valueNode,
      ...(read.valueNode && { scheduleValueNode: read.valueNode }),
      timezone,
      ...(!dayMatchValue?.dynamic && (dayMatchValue?.value === 'and' || dayMatchValue?.value === 'or')
        ? { dayMatch: dayMatchValue.value }
        : read.dayMatch && { dayMatch: read.dayMatch }),
      options,
      checkedOptions: properties.filter((p) => !NOT_OPTIONS.has(p.key)),
    };
    this.jobs.push(found);
  }

  timezoneFrom(value: Evaluated): FoundJob['timezone'] {
    if (!value.dynamic && typeof value.value === 'string') return { value: value.value, node: value.node };
    return { dynamic: value.dynamic ? value.expression : this.values.text(value.node) };
  }

  /**
   * A schedule as written: a string (cron for @Cron/@Job/add, a duration for @Every), a number of
   * ms for @Every, or a cron()/every()/at() call from @tickwise/core.
   */
  private readSchedule(
    property: PropertyRead,
    defaultKind: ScheduleKind,
    textOnly: boolean,
  ): { schedule: JobSchedule; valueNode?: TS.Node; timezone?: FoundJob['timezone']; dayMatch?: DayMatch } | undefined {
    const ts = this.ts;
    const expression = this.values.text(property.valueNode);
    const value = property.value;
    if (!value.dynamic) {
      // @Cron({ config: 'reports.dailyCron' }): read from configuration at start, so dynamic here.
      const literal = value.value;
      if (
        textOnly &&
        typeof literal === 'object' &&
        literal !== null &&
        !Array.isArray(literal) &&
        'config' in literal
      ) {
        return {
          schedule: { dynamic: true, kind: defaultKind, expression, reason: 'read from configuration at start' },
        };
      }
      if (typeof value.value === 'string' || (typeof value.value === 'number' && defaultKind === 'every')) {
        return {
          schedule: { dynamic: false, kind: defaultKind, text: String(value.value) },
          valueNode: value.node,
        };
      }
      this.problem(
        AnalyzerCode.BadScheduleArgument,
        defaultKind === 'every'
          ? `the interval must be a duration such as '5m' or a number of ms, got ${expression}`
          : `the schedule must be a cron expression${textOnly ? '' : ' or a Schedule'}, got ${expression}`,
        property.valueNode,
      );
      return undefined;
    }
    const call = this.values.unwrap(property.valueNode as TS.Expression);
    const binding: Binding | undefined =
      !textOnly && ts.isCallExpression(call) ? this.bindings.resolve(ts, call.expression) : undefined;
    if (!binding || !ts.isCallExpression(call) || !['cron', 'every', 'at'].includes(binding.name)) {
      return {
        schedule: { dynamic: true, kind: textOnly ? defaultKind : 'unknown', expression, reason: value.reason },
      };
    }
    const kind = binding.name as ScheduleKind;
    const [textArgument, optionsArgument] = call.arguments;
    const text = textArgument ? this.values.evaluate(textArgument) : undefined;
    const options = optionsArgument ? this.values.objectLiteral(optionsArgument) : undefined;
    const usable =
      text && !text.dynamic && (typeof text.value === 'string' || (kind === 'every' && typeof text.value === 'number'));
    if (!usable || (optionsArgument && !options)) {
      const reason = text?.dynamic ? text.reason : 'options not written as an object literal';
      return { schedule: { dynamic: true, kind, expression, reason } };
    }
    const schedule: JobSchedule = { dynamic: false, kind, text: String(text.value) };
    const result: {
      schedule: JobSchedule;
      valueNode?: TS.Node;
      timezone?: FoundJob['timezone'];
      dayMatch?: DayMatch;
    } = {
      schedule,
      valueNode: text.node,
    };
    for (const p of options?.properties ?? []) {
      if (kind === 'cron' && p.key === 'timezone') result.timezone = this.timezoneFrom(p.value);
      if (
        kind === 'cron' &&
        p.key === 'dayMatch' &&
        !p.value.dynamic &&
        (p.value.value === 'and' || p.value.value === 'or')
      ) {
        result.dayMatch = p.value.value;
      }
      if (kind === 'every' && p.key === 'anchor') {
        const anchor = this.anchorFrom(p.valueNode as TS.Expression);
        if (anchor === undefined)
          return { schedule: { dynamic: true, kind, expression, reason: 'the anchor is not a static date' } };
        schedule.anchor = anchor;
      }
    }
    return result;
  }

  /** `new Date('2026-01-01T00:00:00Z')` or `new Date(0)` as an ISO string; undefined otherwise. */
  private anchorFrom(node: TS.Expression): string | undefined {
    const ts = this.ts;
    const inner = this.values.unwrap(node);
    if (!ts.isNewExpression(inner) || !ts.isIdentifier(inner.expression) || inner.expression.text !== 'Date')
      return undefined;
    const [argument, ...more] = inner.arguments ?? [];
    if (!argument || more.length > 0) return undefined;
    const value = this.values.evaluate(argument);
    if (value.dynamic || (typeof value.value !== 'string' && typeof value.value !== 'number')) return undefined;
    const date = new Date(value.value);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
  }

  problem(code: string, message: string, node: TS.Node): void {
    this.problems.push({ code, message, node });
  }
}

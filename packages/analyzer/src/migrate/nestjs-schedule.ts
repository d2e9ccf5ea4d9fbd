// One file of `tickwise migrate nestjs-schedule`: rewrites @nestjs/schedule jobs to Tickwise where
// they fire at the same instants, by text edits in the file's own style, and says what it left
// and why. What happens to ScheduleModule.forRoot() is decided for the whole project (see
// project-migration.ts) and passed in. When one `Cron` of a file stays Nest's, the others become
// Tickwise's under the name `TickwiseCron`, so the two libraries never share a name.

import { isKnownTimeZone, validateSchedule } from '@tickwise/core/schedule';
import type * as TS from 'typescript';
import { NEST_SCHEDULE, TICKWISE_CORE, TICKWISE_NESTJS } from '../nest-facts.js';
import { parseSource } from '../parse.js';
import { LineMap } from '../span.js';
import { type TypeScript, typescript } from '../typescript.js';
import { convertNestCron } from './nest-cron.js';
import {
  applyEdits,
  type Edit,
  type FileStyle,
  insertAfter,
  quoted,
  removeListElement,
  styleOf,
} from './text-edits.js';

export interface MigrationContext {
  /** The zone the servers run in (`--timezone`): @nestjs/schedule reads a cron without timeZone in it. */
  timezone?: string;
  /** cron@2 (via @nestjs/schedule < 4) counts months from 0; undefined when the version is unknown. */
  monthsFromZero?: boolean;
  /** The cron string of `CronExpression.<member>`. */
  cronExpression(member: string): string | undefined;
}

export type ItemStatus = 'converted' | 'kept' | 'not converted';

export interface MigrationItem {
  line: number;
  column: number;
  status: ItemStatus;
  message: string;
}

/** What the project decided about the scheduler modules, for this file's ScheduleModule.forRoot() calls. */
export interface ModuleDecision {
  /** Why @nestjs/schedule's module is still needed; undefined when nothing needs it any more. */
  stillNeeded?: string;
  /** Put TickwiseModule.forRoot() beside each ScheduleModule.forRoot() (converted jobs need it). */
  addTickwise: boolean;
  /** TickwiseModule.forRoot() is already in the project. */
  tickwisePresent: boolean;
}

export interface FileOptions {
  context: MigrationContext;
  /** The file is in the paths given: its jobs are converted. Otherwise only the module wiring changes. */
  selected: boolean;
  /** Undefined in the first pass, which only finds out what would remain. */
  modules?: ModuleDecision;
}

export interface FileMigration {
  text: string;
  changed: boolean;
  /** One per decorator, module call, or other use of @nestjs/schedule; each counted once. */
  items: MigrationItem[];
  /** `file:line:col what` of each use that still needs ScheduleModule after this file's conversion. */
  remaining: string[];
  /** Jobs converted to Tickwise in this file. */
  convertedJobs: number;
  /** ScheduleModule.forRoot() calls in the file. */
  scheduleModuleRoots: number;
}

type Outcome = { edits: Edit[]; note: string; job: boolean } | { reason: string; remains: boolean };

interface Use {
  local: string;
  node: TS.Node;
  outcome: Outcome;
}

const CONVERTIBLE = new Set(['Cron', 'Interval']);
const DECORATORS = new Set(['Cron', 'Interval', 'Timeout']);

export function migrateFile(file: string, text: string, options: FileOptions): FileMigration {
  const result: FileMigration = {
    text,
    changed: false,
    items: [],
    remaining: [],
    convertedJobs: 0,
    scheduleModuleRoots: 0,
  };
  if (!text.includes(NEST_SCHEDULE)) return result;
  const ts = typescript();
  const source = parseSource(file, text, true);
  const style = styleOf(ts, source);
  const lines = new LineMap(text);
  const place = (node: TS.Node) => {
    const p = lines.position(node.getStart(source));
    return { line: p.line + 1, column: p.character + 1 };
  };
  const item = (node: TS.Node, status: ItemStatus, message: string) => {
    result.items.push({ ...place(node), status, message });
  };
  const remains = (node: TS.Node, what: string) => {
    const p = place(node);
    result.remaining.push(`${file}:${p.line}:${p.column} ${what}`);
  };

  // The named imports from @nestjs/schedule: local name -> imported name.
  const nestImports: TS.ImportDeclaration[] = [];
  const importedAs = new Map<string, string>();
  const otherLocals = new Map<string, { module: string; name: string }>();
  for (const statement of source.statements) {
    if (
      ts.isVariableStatement(statement) &&
      /require\(\s*['"]@nestjs\/schedule['"]\s*\)/.test(statement.getText(source))
    ) {
      if (options.selected) item(statement, 'not converted', 'require() of @nestjs/schedule: convert by hand');
      remains(statement, 'require()');
      continue;
    }
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const module = statement.moduleSpecifier.text;
    const clause = statement.importClause;
    const bindings = clause?.namedBindings;
    if (module !== NEST_SCHEDULE) {
      if (bindings && ts.isNamedImports(bindings))
        for (const e of bindings.elements)
          otherLocals.set(e.name.text, { module, name: (e.propertyName ?? e.name).text });
      if (clause?.name) otherLocals.set(clause.name.text, { module, name: 'default' });
      if (bindings && ts.isNamespaceImport(bindings)) otherLocals.set(bindings.name.text, { module, name: '*' });
      continue;
    }
    if (clause?.isTypeOnly) continue; // types only: nothing runs
    if (!bindings || !ts.isNamedImports(bindings)) {
      if (bindings && options.selected) {
        item(statement, 'not converted', 'a namespace import of @nestjs/schedule: convert by hand');
      }
      if (bindings) remains(statement, 'namespace import');
      continue;
    }
    nestImports.push(statement);
    for (const element of bindings.elements) {
      if (element.isTypeOnly) continue;
      importedAs.set(element.name.text, (element.propertyName ?? element.name).text);
    }
  }
  if (nestImports.length === 0) return finish();

  const converter = new UseConverter(ts, source, style, options, otherLocals);
  const uses: Use[] = [];
  const moduleRoots: TS.CallExpression[] = [];
  const visit = (node: TS.Node): void => {
    if (ts.isImportDeclaration(node)) return;
    if (ts.isIdentifier(node) && importedAs.has(node.text) && !isDeclarationName(ts, node)) {
      const imported = importedAs.get(node.text) as string;
      if (imported === 'ScheduleModule') {
        const call = forRootCall(ts, node);
        if (call) moduleRoots.push(call);
        else
          uses.push({
            local: node.text,
            node,
            outcome: {
              reason: 'ScheduleModule used other than as ScheduleModule.forRoot(): convert by hand',
              remains: true,
            },
          });
      } else if (!(imported === 'CronExpression' && converter.insideCronArgument(node))) {
        uses.push({ local: node.text, node, outcome: converter.convert(node, imported) });
      }
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  result.scheduleModuleRoots = moduleRoots.length;

  // A name converts where all its uses do; otherwise its convertible uses take an alias.
  const additions = new Map<string, string[]>();
  const add = (module: string, specifier: string) =>
    additions.set(module, [...(additions.get(module) ?? []), specifier]);
  const edits: Edit[] = [];
  const convertedNodes = new Set<TS.Node>();
  const convertedLocals = new Set<string>();
  const blockedLocals = new Set<string>();
  for (const use of uses)
    if ('reason' in use.outcome && CONVERTIBLE.has(importedAs.get(use.local) ?? '')) blockedLocals.add(use.local);
  for (const use of uses) {
    const imported = importedAs.get(use.local) as string;
    const outcome = use.outcome;
    if ('reason' in outcome) {
      if (options.selected)
        item(
          use.node,
          outcome.reason.startsWith('kept:') ? 'kept' : 'not converted',
          outcome.reason.replace(/^kept: /, ''),
        );
      if (outcome.remains) remains(use.node, DECORATORS.has(imported) ? `@${imported}` : imported);
      continue;
    }
    if (blockedLocals.has(use.local)) {
      // Another use of this name stays Nest's: this one takes Tickwise's under its own name.
      const target = TICKWISE_NAMES[imported] as string;
      const alias = `Tickwise${target}`;
      if (otherLocals.has(alias) || importedAs.has(alias)) {
        const blocker = uses.find((u) => u.local === use.local && 'reason' in u.outcome) as Use;
        const at = place(blocker.node);
        item(
          use.node,
          'not converted',
          `left as @nestjs/schedule's ${imported}: the ${imported} at ${at.line}:${at.column} stays, and the name ${alias} is taken`,
        );
        remains(use.node, `@${imported}`);
        continue;
      }
      const start = use.node.getStart(source);
      edits.push(...outcome.edits.filter((e) => e.start !== start), { start, end: use.node.end, text: alias });
      add(TICKWISE_CORE, `${target} as ${alias}`);
      convertedNodes.add(use.node);
      item(
        use.node,
        'converted',
        `${outcome.note}, as ${alias} (another ${imported} in this file stays @nestjs/schedule's)`,
      );
      if (outcome.job) result.convertedJobs++;
      continue;
    }
    convertedLocals.add(use.local);
    convertedNodes.add(use.node);
    edits.push(...outcome.edits);
    item(use.node, 'converted', outcome.note);
    if (outcome.job) result.convertedJobs++;
  }

  // CronExpression goes when every use of it was inside a converted @Cron.
  const cronExpressionLocals = [...importedAs].filter(([, imported]) => imported === 'CronExpression').map(([l]) => l);
  for (const local of cronExpressionLocals) {
    const inConverted = converter.cronExpressionUses.filter((u) => u.local === local);
    const outside = uses.some((u) => u.local === local);
    const allConverted = inConverted.length > 0 && inConverted.every((u) => convertedNodes.has(u.callee));
    if (allConverted && !outside) convertedLocals.add(local);
  }

  // The module calls, as the project decided.
  let scheduleModuleGoes = moduleRoots.length > 0;
  const decision = options.modules;
  if (!decision) scheduleModuleGoes = false;
  for (const call of moduleRoots) {
    if (!decision) continue;
    const identifier = (call.expression as TS.PropertyAccessExpression).expression as TS.Identifier;
    const list = ts.isArrayLiteralExpression(call.parent) ? call.parent : undefined;
    const keep = decision.stillNeeded !== undefined || !options.selected || call.arguments.length > 0;
    if (keep) {
      scheduleModuleGoes = false;
      const why =
        decision.stillNeeded ??
        (!options.selected
          ? 'this file is outside the paths being migrated'
          : 'ScheduleModule.forRoot(options): its options have no Tickwise equivalent; remove it by hand');
      let added = '';
      if (decision.addTickwise) {
        if (list) {
          edits.push(insertAfter(source, call, 'TickwiseModule.forRoot()', style));
          add(TICKWISE_NESTJS, 'TickwiseModule');
          added = '; TickwiseModule.forRoot() added beside it for the converted jobs';
        } else {
          added = '; add TickwiseModule.forRoot() beside it by hand (it is not in an imports array)';
        }
      }
      item(call, added.includes('by hand') ? 'not converted' : 'kept', `ScheduleModule.forRoot() kept: ${why}${added}`);
      continue;
    }
    if (decision.tickwisePresent) {
      if (list) {
        edits.push(removeListElement(source, list.elements, call));
        item(
          call,
          'converted',
          'ScheduleModule.forRoot() removed: nothing needs it, and TickwiseModule is already imported',
        );
      } else {
        scheduleModuleGoes = false;
        item(call, 'kept', 'ScheduleModule.forRoot() kept: not in an imports array; remove it by hand');
      }
      continue;
    }
    edits.push({ start: identifier.getStart(source), end: identifier.end, text: 'TickwiseModule' });
    add(TICKWISE_NESTJS, 'TickwiseModule');
    item(
      call,
      'converted',
      'ScheduleModule.forRoot() -> TickwiseModule.forRoot(): nothing in the project needs @nestjs/schedule any more',
    );
  }
  if (scheduleModuleGoes) {
    for (const [local, imported] of importedAs) if (imported === 'ScheduleModule') convertedLocals.add(local);
  }

  for (const local of convertedLocals) {
    const imported = importedAs.get(local) as string;
    const target = TICKWISE_NAMES[imported];
    if (!target || imported === 'ScheduleModule') continue;
    add(TICKWISE_CORE, local === imported ? target : `${target} as ${local}`);
  }
  if (edits.length === 0) return finish();
  edits.push(...rewriteImports(ts, source, style, nestImports, convertedLocals, additions));
  result.text = applyEdits(text, edits);
  result.changed = result.text !== text;
  return finish();

  function finish(): FileMigration {
    result.items.sort((a, b) => a.line - b.line || a.column - b.column);
    return result;
  }
}

/** The Tickwise export an @nestjs/schedule decorator becomes. */
const TICKWISE_NAMES: Readonly<Record<string, string>> = { Cron: 'Cron', Interval: 'Every' };

function isDeclarationName(ts: TypeScript, node: TS.Identifier): boolean {
  const parent = node.parent;
  return (
    (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
    (ts.isPropertyAssignment(parent) && parent.name === node) ||
    ((ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isClassDeclaration(parent)) &&
      parent.name === node)
  );
}

function forRootCall(ts: TypeScript, identifier: TS.Identifier): TS.CallExpression | undefined {
  const access = identifier.parent;
  const call = access?.parent;
  if (
    ts.isPropertyAccessExpression(access) &&
    access.expression === identifier &&
    access.name.text === 'forRoot' &&
    call !== undefined &&
    ts.isCallExpression(call) &&
    call.expression === access
  ) {
    return call;
  }
  return undefined;
}

const REASONS: Readonly<Record<string, string>> = {
  Timeout:
    '@Timeout(ms) runs once, ms after start, and Tickwise has no decorator for that: schedule it in onApplicationBootstrap with scheduler.add({ name, schedule: at(new Date(Date.now() + ms)), run })',
  SchedulerRegistry:
    "SchedulerRegistry: inject Tickwise's Scheduler instead (jobs(), pause(name), resume(name), trigger(name), add({...})); see docs/migrating-from-nestjs-schedule.md",
};

/** How to convert one use of an imported name. */
class UseConverter {
  /** CronExpression members used as a @Cron's schedule, with the local name of that Cron. */
  readonly cronExpressionUses: { local: string; callee: TS.Node }[] = [];

  constructor(
    private readonly ts: TypeScript,
    private readonly source: TS.SourceFile,
    private readonly style: FileStyle,
    private readonly options: FileOptions,
    private readonly otherLocals: ReadonlyMap<string, { module: string; name: string }>,
  ) {}

  /** `CronExpression.X` as the first argument of a decorator call: it belongs to that job. */
  insideCronArgument(identifier: TS.Identifier): boolean {
    const ts = this.ts;
    const access = identifier.parent;
    const call = access?.parent;
    if (!ts.isPropertyAccessExpression(access) || access.expression !== identifier) return false;
    if (!call || !ts.isCallExpression(call) || call.arguments[0] !== access || !ts.isDecorator(call.parent))
      return false;
    if (!ts.isIdentifier(call.expression)) return false;
    this.cronExpressionUses.push({ local: identifier.text, callee: call.expression });
    return true;
  }

  convert(identifier: TS.Identifier, imported: string): Outcome {
    const ts = this.ts;
    if (!this.options.selected)
      return { reason: 'outside the paths being migrated', remains: imported !== 'CronExpression' };
    if (imported === 'CronExpression') {
      return {
        reason: `kept: ${identifier.parent.getText(this.source)} outside a @Cron stays as it is (a string enum; it works while @nestjs/schedule is installed)`,
        remains: false,
      };
    }
    const reason = REASONS[imported];
    if (reason) return { reason, remains: true };
    if (!CONVERTIBLE.has(imported)) {
      // Types (CronOptions) are fine; a value we do not know might need the module.
      const typeOnly = ts.isTypeReferenceNode(identifier.parent) || ts.isExpressionWithTypeArguments(identifier.parent);
      return typeOnly
        ? { reason: `kept: the type ${imported} stays imported from @nestjs/schedule`, remains: false }
        : { reason: `${imported} has no Tickwise equivalent: convert by hand`, remains: true };
    }
    const call = identifier.parent;
    if (!ts.isCallExpression(call) || call.expression !== identifier || !ts.isDecorator(call.parent))
      return { reason: `${imported} used other than as a decorator: convert by hand`, remains: true };
    const target = TICKWISE_NAMES[imported] as string;
    const newLocal = identifier.text === imported ? target : identifier.text;
    const taken = this.otherLocals.get(newLocal);
    if (taken && !(taken.module === TICKWISE_CORE && taken.name === target)) {
      return {
        reason: `the name ${newLocal} is already imported from ${taken.module} in this file: convert by hand`,
        remains: true,
      };
    }
    const rename: Edit[] =
      newLocal === identifier.text
        ? []
        : [{ start: identifier.getStart(this.source), end: identifier.end, text: newLocal }];
    const outcome = imported === 'Interval' ? this.interval(call, rename) : this.cron(call, rename);
    return 'reason' in outcome ? { reason: outcome.reason, remains: true } : { ...outcome, job: true };
  }

  private text(node: TS.Node): string {
    return node.getText(this.source);
  }

  private literal(node: TS.Expression | undefined): string | undefined {
    const ts = this.ts;
    if (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))) return node.text;
    return undefined;
  }

  /** A whole number of milliseconds written with literals, arithmetic and same-file constants. */
  private milliseconds(node: TS.Expression, depth = 0): number | undefined {
    const ts = this.ts;
    if (depth > 10) return undefined;
    if (ts.isNumericLiteral(node)) return Number(node.text);
    if (ts.isParenthesizedExpression(node)) return this.milliseconds(node.expression, depth + 1);
    if (ts.isBinaryExpression(node)) {
      const a = this.milliseconds(node.left, depth + 1);
      const b = this.milliseconds(node.right, depth + 1);
      if (a === undefined || b === undefined) return undefined;
      switch (node.operatorToken.kind) {
        case ts.SyntaxKind.AsteriskToken:
          return a * b;
        case ts.SyntaxKind.PlusToken:
          return a + b;
        case ts.SyntaxKind.MinusToken:
          return a - b;
        case ts.SyntaxKind.SlashToken:
          return a / b;
        default:
          return undefined;
      }
    }
    if (ts.isIdentifier(node)) {
      const init = this.constant(node.text);
      return init ? this.milliseconds(init, depth + 1) : undefined;
    }
    return undefined;
  }

  /** The initializer of a top-level `const name = ...` of this file. */
  private constant(name: string): TS.Expression | undefined {
    const ts = this.ts;
    for (const statement of this.source.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      if (!(statement.declarationList.flags & ts.NodeFlags.Const)) continue;
      for (const d of statement.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.name.text === name && d.initializer) return d.initializer;
      }
    }
    return undefined;
  }

  private interval(call: TS.CallExpression, rename: Edit[]): { edits: Edit[]; note: string } | { reason: string } {
    const args = call.arguments;
    const [first, second] = args;
    const ms = args.length === 1 ? first : second;
    const name = args.length === 2 ? this.literal(first) : undefined;
    if (!ms || args.length > 2 || (args.length === 2 && name === undefined))
      return { reason: '@Interval with a name that is not a string literal: convert by hand' };
    const value = this.milliseconds(ms);
    if (value === undefined || !Number.isInteger(value) || value <= 0)
      return {
        reason: `@Interval(${this.text(ms)}): not a whole number of milliseconds the source text tells: convert by hand`,
      };
    const edits = [...rename];
    if (name !== undefined && first) {
      // @Interval('name', ms) -> @Every(ms, { name: 'name' })
      edits.push({
        start: first.getStart(this.source),
        end: ms.end,
        text: `${this.text(ms)}, { name: ${quoted(name, this.style)} }`,
      });
    }
    return {
      edits,
      note: `@Interval(${name !== undefined ? `'${name}', ` : ''}${this.text(ms)}) -> @Every(${this.text(ms)}${name !== undefined ? ', { name }' : ''}) (every ${value} ms, counted from the epoch instead of from start-up)`,
    };
  }

  private cron(call: TS.CallExpression, rename: Edit[]): { edits: Edit[]; note: string } | { reason: string } {
    const ts = this.ts;
    const context = this.options.context;
    const [expression, options, ...extra] = call.arguments;
    if (!expression || extra.length > 0) return { reason: '@Cron with more than two arguments: convert by hand' };
    let cronText = this.literal(expression);
    let from = cronText === undefined ? undefined : `'${cronText}'`;
    if (cronText === undefined && ts.isPropertyAccessExpression(expression)) {
      const member = expression.name.text;
      cronText = context.cronExpression(member);
      if (cronText === undefined)
        return {
          reason: `${this.text(expression)} is not a CronExpression member this codemod knows: convert by hand`,
        };
      from = this.text(expression);
    }
    if (cronText === undefined)
      return {
        reason: `@Cron(${this.text(expression)}): a Date, a variable or a call is only known at run time: convert by hand`,
      };

    // The options, property by property.
    const props = new Map<string, TS.PropertyAssignment>();
    if (options) {
      if (!ts.isObjectLiteralExpression(options))
        return { reason: '@Cron options that are not an object literal: convert by hand' };
      for (const property of options.properties) {
        if (
          !ts.isPropertyAssignment(property) ||
          !(ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))
        )
          return { reason: '@Cron options with spreads, methods or computed keys: convert by hand' };
        props.set(property.name.text, property);
      }
    }
    const replace = new Map<TS.PropertyAssignment, string>();
    const remove = new Set<TS.PropertyAssignment>();
    const addProps: string[] = [];
    const notes: string[] = [];
    let timezone: string | undefined;
    for (const [key, property] of props) {
      const value = property.initializer;
      switch (key) {
        case 'name':
          break;
        case 'timeZone': {
          const zone = this.literal(value);
          if (zone === undefined) return { reason: '@Cron timeZone that is not a string literal: convert by hand' };
          if (!isKnownTimeZone(zone))
            return { reason: `@Cron timeZone '${zone}' is not an IANA zone Tickwise knows: convert by hand` };
          timezone = zone;
          replace.set(property, `timezone: ${this.text(value)}`);
          break;
        }
        case 'utcOffset': {
          const zone = this.offsetZone(value);
          if ('reason' in zone) return zone;
          timezone = zone.zone;
          replace.set(property, `timezone: ${quoted(zone.zone, this.style)}`);
          notes.push(`utcOffset ${this.text(value)} -> timezone '${zone.zone}'`);
          break;
        }
        case 'disabled': {
          const text = this.text(value);
          const enabled = text === 'true' ? 'false' : text === 'false' ? 'true' : `!(${text})`;
          replace.set(property, `enabled: ${enabled}`);
          break;
        }
        case 'waitForCompletion':
        case 'unrefTimeout':
          // Tickwise skips a tick while the previous run goes (overlap: 'skip'); timers never hold the process.
          remove.add(property);
          break;
        default:
          return { reason: `@Cron option '${key}' has no Tickwise equivalent: convert by hand` };
      }
    }
    if (props.has('timeZone') && props.has('utcOffset'))
      return { reason: '@Cron with both timeZone and utcOffset: convert by hand' };

    const converted = convertNestCron(cronText, { monthsFromZero: context.monthsFromZero === true });
    if (context.monthsFromZero === undefined && !('reason' in converted)) {
      const before4 = convertNestCron(cronText, { monthsFromZero: true });
      if ('reason' in before4)
        return {
          reason: `'${cronText}' runs only from @nestjs/schedule 4 on (cron@2, before 4.0, rejects it), and the @nestjs/schedule version is unknown: install the dependencies or pass --root, then run again`,
        };
      if (before4.text !== converted.text)
        return {
          reason: `'${cronText}' names months, and the @nestjs/schedule version is unknown (before 4.0 months count from 0): install the dependencies or pass --root, then run again`,
        };
    }
    if ('reason' in converted) return { reason: converted.reason };
    if (timezone === undefined && !converted.zoneFree) {
      if (context.timezone === undefined)
        return {
          reason: `@Cron(${from}) runs in the server's local time zone (no timeZone): say which zone the servers run in with --timezone <IANA zone>, or add timeZone to this @Cron`,
        };
      timezone = context.timezone;
      if (timezone !== 'UTC') {
        addProps.push(`timezone: ${quoted(timezone, this.style)}`);
        notes.push(`timezone '${timezone}' from --timezone`);
      }
    }
    if (converted.dayMatch) {
      addProps.push(`dayMatch: ${quoted(converted.dayMatch, this.style)}`);
      notes.push(`dayMatch '${converted.dayMatch}' (cron reads a full day field as no restriction)`);
    }
    const errors = validateSchedule(converted.text, {
      kind: 'cron',
      timezone: timezone ?? 'UTC',
      ...(converted.dayMatch && { dayMatch: converted.dayMatch }),
    }).filter((d) => d.severity === 'error');
    if (errors.length > 0) return { reason: `'${converted.text}' is not valid for Tickwise: ${errors[0]?.message}` };

    const edits = [...rename];
    if (converted.text !== cronText || this.literal(expression) === undefined) {
      edits.push({
        start: expression.getStart(this.source),
        end: expression.end,
        text: quoted(converted.text, this.style),
      });
      if (converted.text !== cronText) notes.push(`rewritten so that Tickwise fires it at the same instants`);
    }
    if (options && ts.isObjectLiteralExpression(options)) {
      edits.push(...this.optionEdits(call, options, replace, remove, addProps));
    } else if (addProps.length > 0) {
      edits.push({ start: expression.end, end: expression.end, text: `, { ${addProps.join(', ')} }` });
    }
    const detail = notes.length > 0 ? ` (${notes.join('; ')})` : '';
    const target = from === `'${converted.text}'` ? '@Cron' : `@Cron('${converted.text}')`;
    return { edits, note: `@Cron(${from}) -> ${target} from @tickwise/core${detail}` };
  }

  /** utcOffset (minutes, as cron@4 reads it) as a fixed-offset IANA zone. */
  private offsetZone(node: TS.Expression): { zone: string } | { reason: string } {
    const ts = this.ts;
    if (this.options.context.monthsFromZero !== false)
      return {
        reason:
          '@Cron utcOffset before @nestjs/schedule 4 (or with an unknown version) may count hours or minutes: convert by hand',
      };
    let minutes: number | undefined;
    if (ts.isNumericLiteral(node)) minutes = Number(node.text);
    else if (
      ts.isPrefixUnaryExpression(node) &&
      node.operator === ts.SyntaxKind.MinusToken &&
      ts.isNumericLiteral(node.operand)
    )
      minutes = -Number(node.operand.text);
    if (minutes === undefined) return { reason: '@Cron utcOffset that is not a number literal: convert by hand' };
    if (minutes === 0) return { zone: 'UTC' };
    const hours = minutes / 60;
    if (!Number.isInteger(hours) || hours < -12 || hours > 14)
      return {
        reason: `@Cron utcOffset ${minutes} is not a whole number of hours from -12 to +14 (IANA has no zone for it): convert by hand`,
      };
    // Etc/GMT zones have the POSIX sign: Etc/GMT-1 is UTC+1.
    return { zone: `Etc/GMT${hours > 0 ? '-' : '+'}${Math.abs(hours)}` };
  }

  private optionEdits(
    call: TS.CallExpression,
    object: TS.ObjectLiteralExpression,
    replace: Map<TS.PropertyAssignment, string>,
    remove: Set<TS.PropertyAssignment>,
    addProps: string[],
  ): Edit[] {
    const source = this.source;
    const properties = [...object.properties] as TS.PropertyAssignment[];
    const kept = properties.filter((p) => !remove.has(p));
    const multiline = this.text(object).includes('\n');
    if (kept.length + addProps.length === 0) {
      // Nothing left: drop the argument.
      const first = call.arguments[0] as TS.Expression;
      return [{ start: first.end, end: object.end, text: '' }];
    }
    if (!multiline) {
      if (replace.size === 0 && remove.size === 0 && addProps.length === 0) return [];
      const parts = [...kept.map((p) => replace.get(p) ?? this.text(p)), ...addProps];
      return [{ start: object.getStart(source), end: object.end, text: `{ ${parts.join(', ')} }` }];
    }
    const edits: Edit[] = [];
    for (const property of properties) {
      if (remove.has(property)) edits.push(removeListElement(source, properties, property));
      else {
        const replacement = replace.get(property);
        if (replacement !== undefined)
          edits.push({ start: property.getStart(source), end: property.end, text: replacement });
      }
    }
    const last = kept.at(-1);
    if (addProps.length > 0) {
      if (!last) return [{ start: object.getStart(source), end: object.end, text: `{ ${addProps.join(', ')} }` }];
      const insertion = insertAfter(
        source,
        last,
        addProps.join(`,${this.style.newline}${indentOf(source, last)}`),
        this.style,
      );
      // A replacement of `last` ends where the insertion starts; merge them so they do not overlap.
      const own = edits.findIndex((e) => e.start === last.getStart(source) && e.end === last.end);
      const merged = edits[own];
      if (merged) {
        edits[own] = { start: merged.start, end: insertion.end, text: merged.text + insertion.text };
      } else edits.push(insertion);
    }
    return edits;
  }
}

function indentOf(source: TS.SourceFile, node: TS.Node): string {
  const text = source.text;
  const start = node.getStart(source);
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
}

/**
 * The @nestjs/schedule import loses its converted names (the whole declaration goes when none
 * stay); the Tickwise names join an existing import of their module, or a new one in its place.
 */
function rewriteImports(
  ts: TypeScript,
  source: TS.SourceFile,
  style: FileStyle,
  nestImports: TS.ImportDeclaration[],
  convertedLocals: Set<string>,
  additions: Map<string, string[]>,
): Edit[] {
  const edits: Edit[] = [];
  const text = source.text;
  const pending = new Map<string, string[]>();
  for (const [module, specifiers] of additions) {
    const unique = [...new Set(specifiers)];
    const existing = source.statements.find(
      (s): s is TS.ImportDeclaration =>
        ts.isImportDeclaration(s) &&
        ts.isStringLiteral(s.moduleSpecifier) &&
        s.moduleSpecifier.text === module &&
        !s.importClause?.isTypeOnly &&
        s.importClause?.namedBindings !== undefined &&
        ts.isNamedImports(s.importClause.namedBindings),
    );
    if (!existing) {
      pending.set(module, unique);
      continue;
    }
    const elements = (existing.importClause as TS.ImportClause & { namedBindings: TS.NamedImports }).namedBindings
      .elements;
    const have = new Set(elements.map((e) => e.getText(source)));
    const missing = unique.filter((s) => !have.has(s));
    const last = elements.at(-1);
    if (missing.length > 0 && last) {
      edits.push(insertAfter(source, last, missing.join(', '), style));
    }
  }
  const semicolon = style.semicolons ? ';' : '';
  const newImports = [...pending]
    .map(([module, names]) => `import { ${names.join(', ')} } from ${quoted(module, style)}${semicolon}`)
    .join(style.newline);
  nestImports.forEach((declaration, i) => {
    const elements = (declaration.importClause as TS.ImportClause & { namedBindings: TS.NamedImports }).namedBindings
      .elements;
    const going = elements.filter((e) => convertedLocals.has(e.name.text));
    const replacement = i === 0 ? newImports : '';
    const start = declaration.getStart(source);
    if (going.length === elements.length) {
      if (replacement) edits.push({ start, end: declaration.end, text: replacement });
      else {
        // The whole line goes.
        const lineEnd = text.indexOf('\n', declaration.end);
        edits.push({ start, end: lineEnd === -1 ? declaration.end : lineEnd + 1, text: '' });
      }
      return;
    }
    for (const element of going) edits.push(removeListElement(source, elements, element));
    if (replacement)
      edits.push({ start: declaration.end, end: declaration.end, text: `${style.newline}${replacement}` });
  });
  return edits;
}

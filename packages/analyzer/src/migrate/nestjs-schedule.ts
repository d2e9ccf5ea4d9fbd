// `tickwise migrate nestjs-schedule`: rewrites @nestjs/schedule decorators and imports to Tickwise
// where the meaning carries over, by editing text ranges (formatting and comments stay), and says
// what it left alone and why. A file is converted name by name: if one use of `Cron` cannot be
// converted, every `Cron` in that file stays, so the two libraries never share a name.

import { validateSchedule } from '@tickwise/core/schedule';
import type * as TS from 'typescript';
import { parseSource } from '../parse.js';
import { LineMap } from '../span.js';
import { type TypeScript, typescript } from '../typescript.js';

export interface MigrationNote {
  line: number;
  column: number;
  message: string;
}

export interface MigrationResult {
  text: string;
  changed: boolean;
  /** What was rewritten, one note per decorator or module call. */
  converted: MigrationNote[];
  /** What was left as it was, and why (for a person to finish). */
  left: MigrationNote[];
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

type Outcome = { edits: Edit[]; note: string } | { reason: string };

const NEST = '@nestjs/schedule';
/** Nest option -> what to do with it in Tickwise options. */
const DROPPED_OPTIONS = new Set(['waitForCompletion']);

export function migrateNestSchedule(file: string, text: string): MigrationResult {
  const unchanged: MigrationResult = { text, changed: false, converted: [], left: [] };
  if (!text.includes(NEST)) return unchanged;
  const ts = typescript();
  // With parent pointers: a use is converted by looking at what encloses it.
  const source = parseSource(file, text, true);
  const lines = new LineMap(text);
  const at = (pos: number) => {
    const p = lines.position(pos);
    return { line: p.line + 1, column: p.character + 1 };
  };
  const start = (node: TS.Node) => node.getStart(source);
  const quote = text.includes(`"${NEST}"`) && !text.includes(`'${NEST}'`) ? '"' : "'";

  // The named imports from @nestjs/schedule: local name -> imported name.
  const imports: TS.ImportDeclaration[] = [];
  const importedAs = new Map<string, string>();
  const left: MigrationNote[] = [];
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    if (statement.moduleSpecifier.text !== NEST) continue;
    const bindings = statement.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings) || statement.importClause?.isTypeOnly) {
      left.push({
        ...at(start(statement)),
        message: 'a namespace or type-only import of @nestjs/schedule: convert by hand',
      });
      continue;
    }
    imports.push(statement);
    for (const element of bindings.elements) {
      importedAs.set(element.name.text, (element.propertyName ?? element.name).getText(source));
    }
  }
  if (imports.length === 0) return { ...unchanged, left };

  // Every use of each imported local name, with what converting it takes.
  const uses = new Map<string, { node: TS.Node; outcome: Outcome }[]>();
  const record = (local: string, node: TS.Node, outcome: Outcome) => {
    const list = uses.get(local) ?? [];
    list.push({ node, outcome });
    uses.set(local, list);
  };
  const visit = (node: TS.Node): void => {
    // Import statements are not visited, so every identifier here is a use.
    if (ts.isIdentifier(node) && importedAs.has(node.text)) {
      const local = node.text;
      const imported = importedAs.get(local) as string;
      record(local, node, convertUse(ts, source, node, imported, local, quote));
      return;
    }
    ts.forEachChild(node, visit);
  };
  for (const statement of source.statements) if (!imports.includes(statement as TS.ImportDeclaration)) visit(statement);

  // A name converts only if all its uses do (so the file never needs both libraries' `Cron`).
  const edits: Edit[] = [];
  const converted: MigrationNote[] = [];
  const convertedNames = new Set<string>();
  for (const [local, list] of uses) {
    const blocked = list.filter((u) => 'reason' in u.outcome);
    if (blocked.length > 0) {
      for (const use of list) {
        const why =
          'reason' in use.outcome
            ? use.outcome.reason
            : `left as @nestjs/schedule's ${importedAs.get(local)} because another use in this file cannot be converted`;
        left.push({ ...at(start(use.node)), message: why });
      }
      continue;
    }
    convertedNames.add(local);
    for (const use of list) {
      const outcome = use.outcome as { edits: Edit[]; note: string };
      edits.push(...outcome.edits);
      converted.push({ ...at(start(use.node)), message: outcome.note });
    }
  }
  // Names imported but never used convert trivially (the import line goes).
  for (const local of importedAs.keys())
    if (!uses.has(local) && tickwiseName(importedAs.get(local) as string)) convertedNames.add(local);
  if (converted.length === 0) return { ...unchanged, left };

  edits.push(...rewriteImports(source, imports, importedAs, convertedNames, quote));
  let output = text;
  for (const edit of edits.sort((a, b) => b.start - a.start)) {
    output = output.slice(0, edit.start) + edit.text + output.slice(edit.end);
  }
  left.sort((a, b) => a.line - b.line || a.column - b.column);
  return { text: output, changed: output !== text, converted, left };
}

/** The Tickwise export an @nestjs/schedule export becomes, when there is one. */
function tickwiseName(imported: string): { name: string; module: string } | undefined {
  if (imported === 'Cron') return { name: 'Cron', module: '@tickwise/core' };
  if (imported === 'Interval') return { name: 'Every', module: '@tickwise/core' };
  if (imported === 'ScheduleModule') return { name: 'TickwiseModule', module: '@tickwise/nestjs' };
  return undefined;
}

const REASONS: Record<string, string> = {
  Timeout:
    '@Timeout runs once after start: schedule it in onApplicationBootstrap with scheduler.add({ schedule: at(new Date(Date.now() + ms)), ... })',
  SchedulerRegistry:
    "SchedulerRegistry: inject Tickwise's Scheduler instead (jobs(), pause(name), resume(name), trigger(name)); see docs/migrating-from-nestjs-schedule.md",
  CronExpression: 'CronExpression: write the cron string itself (the migration guide lists the common ones)',
};

/** How to convert one use of an imported name. */
function convertUse(
  ts: TypeScript,
  source: TS.SourceFile,
  identifier: TS.Identifier,
  imported: string,
  local: string,
  quote: string,
): Outcome {
  const target = tickwiseName(imported);
  if (!target) return { reason: REASONS[imported] ?? `${imported} has no Tickwise equivalent: convert by hand` };
  // The new local name: the Tickwise one, unless the import was renamed (then the alias stays).
  const newLocal = local === imported ? target.name : local;
  const rename: Edit[] =
    newLocal === local ? [] : [{ start: identifier.getStart(source), end: identifier.end, text: newLocal }];
  if (imported === 'ScheduleModule') return scheduleModuleUse(ts, identifier, rename);
  const call = identifier.parent;
  // `@Name(...)`: the identifier is the callee of a call that is a decorator's expression.
  if (!ts.isCallExpression(call) || call.expression !== identifier || !ts.isDecorator(call.parent))
    return { reason: `${imported} used other than as a decorator: convert by hand` };
  if (imported === 'Interval') return intervalUse(ts, source, call, rename, quote);
  return cronUse(ts, source, call, rename);
}

function scheduleModuleUse(ts: TypeScript, identifier: TS.Identifier, rename: Edit[]): Outcome {
  const access = identifier.parent;
  const call = access?.parent;
  const isForRoot =
    ts.isPropertyAccessExpression(access) &&
    access.expression === identifier &&
    access.name.text === 'forRoot' &&
    call !== undefined &&
    ts.isCallExpression(call) &&
    call.expression === access;
  if (!isForRoot || call.arguments.length > 0)
    return { reason: 'ScheduleModule used other than as ScheduleModule.forRoot(): convert by hand' };
  return {
    edits: rename,
    note: 'ScheduleModule.forRoot() -> TickwiseModule.forRoot() (jobs are discovered the same way)',
  };
}

function literalText(ts: TypeScript, node: TS.Expression | undefined): string | undefined {
  if (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))) return node.text;
  return undefined;
}

function cronUse(ts: TypeScript, source: TS.SourceFile, call: TS.CallExpression, rename: Edit[]): Outcome {
  const [expression, options, ...extra] = call.arguments;
  const cronText = literalText(ts, expression);
  if (cronText === undefined || extra.length > 0) {
    return {
      reason:
        expression && /^CronExpression\./.test(expression.getText(source))
          ? `${expression.getText(source)}: write the cron string itself (the migration guide lists the common ones)`
          : '@Cron with a non-literal schedule (a Date, a variable or a call): convert by hand',
    };
  }
  const edits = [...rename];
  let timezone = 'UTC';
  if (options) {
    if (!ts.isObjectLiteralExpression(options))
      return { reason: '@Cron options that are not an object literal: convert by hand' };
    for (const property of options.properties) {
      if (
        !ts.isPropertyAssignment(property) ||
        !(ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))
      ) {
        return { reason: '@Cron options with spreads, methods or computed keys: convert by hand' };
      }
      const key = property.name.text;
      if (key === 'name') continue;
      if (key === 'timeZone') {
        timezone = literalText(ts, property.initializer) ?? timezone;
        edits.push({ start: property.name.getStart(source), end: property.name.end, text: 'timezone' });
      } else if (key === 'disabled') {
        const value = property.initializer.getText(source);
        const enabled = value === 'true' ? 'false' : value === 'false' ? 'true' : `!(${value})`;
        edits.push({ start: property.getStart(source), end: property.end, text: `enabled: ${enabled}` });
      } else if (DROPPED_OPTIONS.has(key)) {
        edits.push(removal(source, options, property));
      } else {
        return { reason: `@Cron option '${key}' has no Tickwise equivalent: convert by hand` };
      }
    }
  }
  const errors = validateSchedule(cronText, { kind: 'cron', timezone }).filter((d) => d.severity === 'error');
  if (errors.length > 0) return { reason: `the schedule is not valid for Tickwise: ${errors[0]?.message}` };
  return { edits, note: `@Cron('${cronText}') -> @Cron from @tickwise/core` };
}

function intervalUse(
  ts: TypeScript,
  source: TS.SourceFile,
  call: TS.CallExpression,
  rename: Edit[],
  quote: string,
): Outcome {
  const args = call.arguments;
  const edits = [...rename];
  if (args.length === 1 && args[0] && ts.isNumericLiteral(args[0])) {
    return { edits, note: `@Interval(${args[0].text}) -> @Every(${args[0].text})` };
  }
  const [name, ms] = args;
  if (args.length === 2 && name && ms && literalText(ts, name) !== undefined && ts.isNumericLiteral(ms)) {
    // @Interval('name', ms) -> @Every(ms, { name: 'name' })
    edits.push({
      start: name.getStart(source),
      end: ms.end,
      text: `${ms.getText(source)}, { name: ${quote}${literalText(ts, name)}${quote} }`,
    });
    return { edits, note: `@Interval('${literalText(ts, name)}', ${ms.text}) -> @Every(${ms.text}, { name })` };
  }
  return { reason: '@Interval with a non-literal interval: convert by hand' };
}

/** Removes an object property with its comma; a property on a line of its own takes the line with it. */
function removal(
  source: TS.SourceFile,
  object: TS.ObjectLiteralExpression,
  property: TS.ObjectLiteralElementLike,
): Edit {
  const text = source.text;
  const start = property.getStart(source);
  const end = property.end + (text[property.end] === ',' ? 1 : 0);
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const newline = text.indexOf('\n', end);
  const lineEnd = newline === -1 ? text.length : newline;
  if (/^\s*$/.test(text.slice(lineStart, start)) && /^\s*$/.test(text.slice(end, lineEnd))) {
    return { start: lineStart, end: Math.min(text.length, lineEnd + 1), text: '' };
  }
  const list = object.properties;
  const index = list.indexOf(property);
  const next = list[index + 1];
  if (next) return { start, end: next.getStart(source), text: '' };
  const previous = list[index - 1];
  // The last property inline: take the comma before it instead.
  return { start: previous ? previous.end : start, end, text: '' };
}

function rewriteImports(
  source: TS.SourceFile,
  imports: TS.ImportDeclaration[],
  importedAs: Map<string, string>,
  convertedNames: Set<string>,
  quote: string,
): Edit[] {
  const byModule = new Map<string, string[]>();
  for (const local of convertedNames) {
    const imported = importedAs.get(local) as string;
    const target = tickwiseName(imported);
    if (!target) continue;
    const specifier = local === imported ? target.name : `${target.name} as ${local}`;
    byModule.set(target.module, [...(byModule.get(target.module) ?? []), specifier]);
  }
  const added = [...byModule]
    .map(([module, names]) => `import { ${names.join(', ')} } from ${quote}${module}${quote};`)
    .join('\n');
  const edits: Edit[] = [];
  imports.forEach((declaration, i) => {
    // Only declarations with named imports were collected.
    const bindings = (declaration.importClause as TS.ImportClause & { namedBindings: TS.NamedImports }).namedBindings
      .elements;
    const kept = bindings.filter((element) => !convertedNames.has(element.name.text));
    const replacement = i === 0 ? added : '';
    if (kept.length === 0) {
      edits.push({ start: declaration.getStart(source), end: declaration.end, text: replacement });
    } else {
      const keptText = `import { ${kept.map((e) => e.getText(source)).join(', ')} } from ${quote}${NEST}${quote};`;
      edits.push({
        start: declaration.getStart(source),
        end: declaration.end,
        text: replacement ? `${keptText}\n${replacement}` : keptText,
      });
    }
  });
  return edits;
}

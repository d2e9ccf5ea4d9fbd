// analyzeSource(): one file's jobs and diagnostics, from its text alone. Tolerates half-typed code:
// the parser recovers from syntax errors, so jobs elsewhere in the file are still found.

import { checkJobOptions } from '@tickwise/core/options';
import { type DayMatch, type ScheduleDiagnostic, type ScheduleKind, validateSchedule } from '@tickwise/core/schedule';
import type * as TS from 'typescript';
import { AnalyzerCode } from './codes.js';
import { type ImportResolver, readImported } from './cross-file.js';
import { type FoundJob, JobDiscovery } from './discover.js';
import { expectationProblems, readExpectation } from './expectations.js';
import { type Binding, frameworkOf, mayDeclareJobs } from './imports.js';
import type { LibraryContext } from './library-calls.js';
import {
  cronPackageDialect,
  FRAMEWORK_LABEL,
  type LibraryVersions,
  machineZone,
  nestRules,
} from './library-semantics.js';
import {
  type AnalyzerDiagnostic,
  type FileAnalysis,
  isDynamic,
  type JobDeclaration,
  type OptionValue,
} from './model.js';
import { parseSource } from './parse.js';
import { LineMap } from './span.js';
import { typescript } from './typescript.js';
import type { ValueContext } from './values.js';

export interface AnalyzeOptions {
  /** Start of the year in which DST warnings look for transitions; default now. */
  now?: Date;
  /**
   * The zone the server runs in, for libraries that use the server's local zone when a job gives
   * none (@nestjs/schedule, node-cron, croner, cron, node-schedule, toad-scheduler). Default: this
   * machine's zone.
   */
  serverZone?: string;
  /** The installed versions of @nestjs/schedule and cron (they change the dialect); default: current. */
  versions?: LibraryVersions;
  /**
   * Wrapper decorators: decorator name -> '<module>:<export>' it forwards to, e.g.
   * { CronOnce: '@nestjs/schedule:Cron' } (tickwise.config.json "decorators").
   */
  decorators?: Readonly<Record<string, string>>;
  /**
   * Reads a constant exported by another file of the workspace: the file's text for a module
   * specifier seen from this file, or the reason it cannot ('imported from node_modules').
   * Without it, imported values are dynamic.
   */
  resolveImport?: ImportResolver;
}

/** The wrappers of the configuration as bindings; unknown targets are ignored (the config loader reports them). */
export function wrapperBindings(decorators: Readonly<Record<string, string>> | undefined): Map<string, Binding> {
  const map = new Map<string, Binding>();
  for (const [name, target] of Object.entries(decorators ?? {})) {
    const colon = target.lastIndexOf(':');
    const framework = colon > 0 ? frameworkOf(target.slice(0, colon)) : undefined;
    if (framework) map.set(name, { framework, name: target.slice(colon + 1) });
  }
  return map;
}

/** The library rules analyzeSource applies for these options. */
export function libraryContext(options: AnalyzeOptions): LibraryContext {
  return {
    serverZone: options.serverZone ?? machineZone(),
    nest: nestRules(options.versions?.['@nestjs/schedule']),
    cron: cronPackageDialect(options.versions?.cron),
    wrappers: wrapperBindings(options.decorators),
  };
}

/** Jobs and diagnostics of one file. Never throws on bad source; never runs it. */
export function analyzeSource(file: string, text: string, options: AnalyzeOptions = {}): FileAnalysis {
  const wrappers = options.decorators ? Object.keys(options.decorators) : [];
  if (!mayDeclareJobs(text) && !wrappers.some((w) => text.includes(w))) return { file, jobs: [], diagnostics: [] };
  const source = parseSource(file, text, false);
  const discovery = JobDiscovery.run(
    typescript(),
    source,
    libraryContext(options),
    options.resolveImport ? importedValues(options.resolveImport, file) : {},
  );
  const lines = new LineMap(text);
  const spanOf = (node: TS.Node) => lines.span(node.getStart(source), node.getEnd());
  const diagnostics: AnalyzerDiagnostic[] = discovery.problems.map((p) => ({
    code: p.code,
    severity: 'error',
    message: p.message,
    file,
    span: spanOf(p.node),
  }));
  const jobs: JobDeclaration[] = [];
  for (const found of discovery.jobs) {
    const job = toDeclaration(found, file, spanOf);
    jobs.push(job);
    if (found.framework === 'tickwise')
      diagnostics.push(...scheduleDiagnostics(found, job, discovery, lines, spanOf, options));
    else diagnostics.push(...libraryDiagnostics(found, job, discovery, lines, spanOf));
    diagnostics.push(...optionDiagnostics(found, job, discovery, spanOf));
    diagnostics.push(...expectationDiagnostics(found, job, spanOf, options));
    if (!found.name.dynamic && found.name.text.trim() === '') {
      diagnostics.push({
        code: AnalyzerCode.EmptyName,
        severity: 'error',
        message: 'a job needs a non-empty name',
        file,
        span: spanOf(found.name.node ?? found.node),
        job: job.name,
      });
    }
  }
  diagnostics.sort((a, b) => a.span.start - b.span.start);
  return { file, jobs, diagnostics };
}

function toDeclaration(
  found: FoundJob,
  file: string,
  spanOf: (node: TS.Node) => JobDeclaration['span'],
): JobDeclaration {
  const text = (key: string) => {
    const value = found.options[key];
    return typeof value === 'string' ? value : undefined;
  };
  const owner = text('owner');
  const description = text('description');
  const runbook = text('runbook');
  const expect = found.framework === 'tickwise' ? readExpectation(found.options.expect) : undefined;
  return {
    name: found.name.text,
    ...(found.name.dynamic && { nameIsDynamic: true as const }),
    file,
    framework: found.framework,
    declaredWith: found.declaredWith,
    schedule: found.schedule,
    timezone: 'dynamic' in found.timezone ? { dynamic: found.timezone.dynamic } : found.timezone.value,
    zoneRule: found.zoneRule,
    ...(found.utcOffset !== undefined && { utcOffset: found.utcOffset }),
    ...(found.dialect !== undefined && { dialect: found.dialect }),
    ...(found.model && { model: found.model }),
    ...(found.unsupported !== undefined && { unsupported: found.unsupported }),
    ...(found.className !== undefined && { className: found.className }),
    ...(found.methodName !== undefined && { methodName: found.methodName }),
    options: found.options,
    ...(owner !== undefined && { owner }),
    ...(description !== undefined && { description }),
    ...(runbook !== undefined && { runbook }),
    ...(expect !== undefined && { expect }),
    span: spanOf(found.node),
    ...(found.name.node && { nameSpan: spanOf(found.name.node) }),
    scheduleSpan: spanOf(found.scheduleNode),
  };
}

/** validateSchedule() — the runtime's own checks — with its ranges moved into the file. */
function scheduleDiagnostics(
  found: FoundJob,
  job: JobDeclaration,
  discovery: JobDiscovery,
  lines: LineMap,
  spanOf: (node: TS.Node) => JobDeclaration['span'],
  options: AnalyzeOptions,
): AnalyzerDiagnostic[] {
  if (found.schedule.dynamic || found.schedule.kind === 'interval' || found.schedule.kind === 'timeout') return [];
  const zone = 'value' in found.timezone ? found.timezone.value : 'UTC';
  const diagnostics = cachedValidation(
    found.schedule.text,
    found.schedule.kind,
    zone,
    found.dayMatch ?? 'or',
    options.now,
  );
  const valueNode = found.scheduleValueNode ?? found.scheduleNode;
  const contentStart = discovery.contentStart(valueNode);
  const place = (d: ScheduleDiagnostic) => {
    if (d.target === 'timezone' && 'node' in found.timezone && found.timezone.node) return spanOf(found.timezone.node);
    if (contentStart === undefined || d.target === 'timezone') return spanOf(valueNode);
    return lines.span(contentStart + d.start, contentStart + d.end);
  };
  return diagnostics.map((d) => ({
    code: d.code,
    severity: d.severity,
    message: d.message,
    file: job.file,
    span: place(d),
    job: job.name,
  }));
}

/**
 * What the library itself would reject at start-up (TW307), and the model's zone and never-fires
 * checks of the equivalent expression. DST warnings are left out: they describe Tickwise's DST
 * rule, and each library has its own.
 */
function libraryDiagnostics(
  found: FoundJob,
  job: JobDeclaration,
  discovery: JobDiscovery,
  lines: LineMap,
  spanOf: (node: TS.Node) => JobDeclaration['span'],
): AnalyzerDiagnostic[] {
  const valueNode = found.scheduleValueNode ?? found.scheduleNode;
  const name = FRAMEWORK_LABEL[found.framework];
  const library =
    found.dialect === undefined ? name : found.dialect.includes(name) ? found.dialect : `${name} (${found.dialect})`;
  const out: AnalyzerDiagnostic[] = [];
  const contentStart = discovery.contentStart(valueNode);
  for (const problem of found.libraryProblems ?? []) {
    const span =
      problem.literal && contentStart !== undefined
        ? lines.span(contentStart + problem.start, contentStart + problem.end)
        : spanOf(valueNode);
    out.push({
      code: AnalyzerCode.LibraryRejects,
      severity: 'error',
      message: `${library} rejects this schedule at start-up: ${problem.message}`,
      file: job.file,
      span,
      job: job.name,
    });
  }
  if (found.model && 'value' in found.timezone) {
    const checked = cachedValidation(
      found.model.expression,
      'cron',
      found.timezone.value,
      found.model.dayMatch,
      undefined,
    );
    for (const d of checked) {
      if (d.severity !== 'error') continue;
      const zoneNode = found.timezone.node;
      out.push({
        code: d.code,
        severity: 'error',
        message: d.code === 'TW108' ? `${d.message} (read as ${library} reads it)` : d.message,
        file: job.file,
        span: d.target === 'timezone' && zoneNode ? spanOf(zoneNode) : spanOf(valueNode),
        job: job.name,
      });
    }
  }
  return out;
}

/** Constants imported from other workspace files, read by parsing those files (cached per analysis). */
function importedValues(resolve: ImportResolver, file: string): ValueContext {
  return {
    imported: (specifier, exportName, member, depth) =>
      readImported(resolve, file, specifier, exportName, member, depth),
  };
}

const HOUR_MS = 3_600_000;
const VALIDATION_CACHE_LIMIT = 2000;
const validations = new Map<string, ScheduleDiagnostic[]>();

/**
 * validateSchedule() is pure, and the editor re-analyses the same schedules on every keystroke:
 * remember results. DST warnings look a year ahead from `now`, so the hour is part of the key.
 */
function cachedValidation(
  text: string,
  kind: ScheduleKind,
  timezone: string,
  dayMatch: DayMatch,
  now: Date | undefined,
): readonly ScheduleDiagnostic[] {
  const hour = Math.floor((now ?? new Date()).getTime() / HOUR_MS);
  const key = `${kind}\u0000${timezone}\u0000${dayMatch}\u0000${hour}\u0000${text}`;
  let result = validations.get(key);
  if (!result) {
    result = validateSchedule(text, { kind, timezone, dayMatch, from: now ?? new Date(hour * HOUR_MS) });
    if (validations.size >= VALIDATION_CACHE_LIMIT) validations.clear();
    validations.set(key, result);
  }
  return result;
}

function containsDynamic(value: OptionValue): boolean {
  if (isDynamic(value)) return true;
  if (Array.isArray(value)) return value.some(containsDynamic);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(containsDynamic);
  return false;
}

/** Stands in for a function written in source when options are checked: registration only asks `typeof`. */
const A_FUNCTION = () => true;

/**
 * An option's value for checkJobOptions when parts of it are dynamic (`expect: { duration: '2m',
 * result: (v) => … }`): functions become a function, other dynamic parts and spreads are left
 * out. `exact` says whether the check still sees the value registration will (only functions
 * were dynamic); otherwise only its keys can be checked.
 */
function checkableValue(
  value: OptionValue,
  functions: ReadonlySet<string>,
): { value: unknown; exact: boolean } | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || isDynamic(value)) return undefined;
  const checked: Record<string, unknown> = {};
  let exact = true;
  for (const [key, inner] of Object.entries(value)) {
    if (!containsDynamic(inner)) checked[key] = inner;
    else if (isDynamic(inner) && functions.has(key)) checked[key] = A_FUNCTION;
    else exact = false;
    // A spread may add any keys, and a dynamic part any value: neither is known here.
    if (key === '...') {
      delete checked[key];
      exact = false;
    }
  }
  return { value: checked, exact };
}

/** The registration checks of each static option, pointed at the option that fails. */
function optionDiagnostics(
  found: FoundJob,
  job: JobDeclaration,
  discovery: JobDiscovery,
  spanOf: (node: TS.Node) => JobDeclaration['span'],
): AnalyzerDiagnostic[] {
  const diagnostics: AnalyzerDiagnostic[] = [];
  for (const property of found.checkedOptions) {
    if (property.value.dynamic) continue;
    let value: unknown = property.value.value;
    let keysOnly = false;
    if (containsDynamic(property.value.value)) {
      const checkable = checkableValue(property.value.value, discovery.functionKeys(property.valueNode));
      if (!checkable) continue;
      value = checkable.value;
      keysOnly = !checkable.exact;
    }
    const problem = checkJobOptions({ [property.key]: value });
    if (!problem) continue;
    const unknown = problem.code === 'UNKNOWN_OPTION';
    // With parts known only at run time, a value problem may be the default of a missing part.
    if (keysOnly && !unknown) continue;
    const inner = nestedProperty(property.valueNode, problem.option.slice(property.key.length + 1));
    diagnostics.push({
      code: unknown ? AnalyzerCode.UnknownOption : AnalyzerCode.InvalidOption,
      severity: 'error',
      message: problem.message,
      file: job.file,
      span: spanOf(unknown ? (inner?.name ?? property.keyNode) : (inner?.value ?? property.valueNode)),
      job: job.name,
    });
  }
  return diagnostics;
}

/** TW308/TW309: an expected duration the schedule or the timeout contradicts, at the duration's value. */
function expectationDiagnostics(
  found: FoundJob,
  job: JobDeclaration,
  spanOf: (node: TS.Node) => JobDeclaration['span'],
  options: AnalyzeOptions,
): AnalyzerDiagnostic[] {
  const problems = expectationProblems(job, options.now ?? new Date());
  if (problems.length === 0) return [];
  const property = found.checkedOptions.find((p) => p.key === 'expect');
  if (!property) return [];
  const node = nestedProperty(property.valueNode, 'duration')?.value ?? property.valueNode;
  return problems.map((problem) => ({
    code: problem.code,
    severity: 'warning',
    message: problem.message,
    file: job.file,
    span: spanOf(node),
    job: job.name,
  }));
}

/**
 * `retry: { minTimout: 1 }`: the property `minTimout` of an object literal written in place, if
 * it is one: its name, and its value (absent for a method).
 */
function nestedProperty(value: TS.Node, key: string): { name: TS.Node; value?: TS.Node } | undefined {
  if (key === '') return undefined;
  const ts = typescript();
  let node = value;
  while (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node))
    node = node.expression;
  if (!ts.isObjectLiteralExpression(node)) return undefined;
  for (const property of node.properties) {
    const name = property.name;
    if (!name) continue;
    const text = ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
    if (text !== key) continue;
    if (ts.isPropertyAssignment(property)) return { name, value: property.initializer };
    if (ts.isShorthandPropertyAssignment(property)) return { name, value: property.name };
    if (ts.isMethodDeclaration(property)) return { name };
  }
  return undefined;
}

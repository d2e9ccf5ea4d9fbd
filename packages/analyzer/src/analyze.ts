// analyzeSource(): one file's jobs and diagnostics, from its text alone. Tolerates half-typed code:
// the parser recovers from syntax errors, so jobs elsewhere in the file are still found.

import { checkJobOptions } from '@tickwise/core/options';
import { type ScheduleDiagnostic, validateSchedule } from '@tickwise/core/schedule';
import type * as TS from 'typescript';
import { AnalyzerCode } from './codes.js';
import { type FoundJob, JobDiscovery } from './discover.js';
import { mayDeclareJobs } from './imports.js';
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

export interface AnalyzeOptions {
  /** Start of the year in which DST warnings look for transitions; default now. */
  now?: Date;
}

/** Jobs and diagnostics of one file. Never throws on bad source; never runs it. */
export function analyzeSource(file: string, text: string, options: AnalyzeOptions = {}): FileAnalysis {
  if (!mayDeclareJobs(text)) return { file, jobs: [], diagnostics: [] };
  const source = parseSource(file, text, false);
  const discovery = JobDiscovery.run(typescript(), source);
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
    diagnostics.push(...scheduleDiagnostics(found, job, discovery, lines, spanOf, options));
    diagnostics.push(...optionDiagnostics(found, job, spanOf));
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
  return {
    name: found.name.text,
    ...(found.name.dynamic && { nameIsDynamic: true as const }),
    file,
    framework: found.framework,
    declaredWith: found.declaredWith,
    schedule: found.schedule,
    timezone: 'dynamic' in found.timezone ? { dynamic: found.timezone.dynamic } : found.timezone.value,
    ...(found.className !== undefined && { className: found.className }),
    ...(found.methodName !== undefined && { methodName: found.methodName }),
    options: found.options,
    ...(owner !== undefined && { owner }),
    ...(description !== undefined && { description }),
    ...(runbook !== undefined && { runbook }),
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
  if (found.schedule.dynamic) return [];
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

const HOUR_MS = 3_600_000;
const VALIDATION_CACHE_LIMIT = 2000;
const validations = new Map<string, ScheduleDiagnostic[]>();

/**
 * validateSchedule() is pure, and the editor re-analyses the same schedules on every keystroke:
 * remember results. DST warnings look a year ahead from `now`, so the hour is part of the key.
 */
function cachedValidation(
  text: string,
  kind: 'cron' | 'every' | 'at',
  timezone: string,
  dayMatch: 'or' | 'and',
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

/** The registration checks of each static option, pointed at the option that fails. */
function optionDiagnostics(
  found: FoundJob,
  job: JobDeclaration,
  spanOf: (node: TS.Node) => JobDeclaration['span'],
): AnalyzerDiagnostic[] {
  const diagnostics: AnalyzerDiagnostic[] = [];
  for (const property of found.checkedOptions) {
    if (property.value.dynamic || containsDynamic(property.value.value)) continue;
    const problem = checkJobOptions({ [property.key]: property.value.value });
    if (!problem) continue;
    const unknown = problem.code === 'UNKNOWN_OPTION';
    diagnostics.push({
      code: unknown ? AnalyzerCode.UnknownOption : AnalyzerCode.InvalidOption,
      severity: 'error',
      message: problem.message,
      file: job.file,
      span: spanOf(unknown ? property.keyNode : property.valueNode),
      job: job.name,
    });
  }
  return diagnostics;
}

// Compares the jobs of two versions of the code (pure): which were added, removed, rescheduled
// or re-owned. A job is the same job in both when it has the same name.

import { scheduleText, zoneText } from './job-text.js';
import { FRAMEWORK_LABEL } from './library-semantics.js';
import { isDynamic, type JobDeclaration, type OptionValue } from './model.js';

/** `added` and `removed` stand alone; a job in both versions can be `rescheduled`, `re-owned` or both. */
export type ChangeKind = 'added' | 'removed' | 'rescheduled' | 're-owned';

/** One property of a job that differs, as people read it ('-' where it is not set). */
export interface FieldChange {
  /** 'schedule', 'zone', 'anchor', 'utcOffset', 'library', 'read as', 'owner', or an option's key. */
  field: string;
  before: string;
  after: string;
}

export interface JobChange {
  name: string;
  kinds: ChangeKind[];
  /** The job in the old version; absent when added. */
  before?: JobDeclaration;
  /** The job in the new version; absent when removed. */
  after?: JobDeclaration;
  /** What differs, timing fields first; empty for added and removed jobs. */
  fields: FieldChange[];
}

/**
 * Options that change when (or whether) a job runs, by the libraries that read them. Everything
 * else (retry, timeout, lease, expect, description, runbook, …) changes what a run does, not when.
 * The zone options are not here: they are compared as the job's zone.
 */
const TIMING_OPTIONS: readonly string[] = [
  // Tickwise
  'dayMatch',
  'overlap',
  'catchUp',
  'jitter',
  'enabled',
  'runOnStart',
  // @nestjs/schedule and cron
  'disabled',
  'waitForCompletion',
  'threshold',
  'start',
  'runOnInit',
  // node-cron
  'noOverlap',
  'maxExecutions',
  'maxRandomDelay',
  'scheduled',
  // croner
  'paused',
  'maxRuns',
  'startAt',
  'stopAt',
  'interval',
  'protect',
  'legacyMode',
  'domAndDow',
  // node-schedule ('start' above)
  'end',
  // toad-scheduler
  'runImmediately',
  'preventOverrun',
  // a spread of options the analyzer cannot read: any of the above may be in it
  '...',
];

/** An option value as one line: strings as written, dynamic values as '(dynamic) <source>', objects with sorted keys. */
function valueText(value: OptionValue | undefined): string {
  if (value === undefined) return '-';
  if (typeof value === 'string') return value;
  if (isDynamic(value)) return `(dynamic) ${value.dynamic}`;
  return canonical(value);
}

// Keys sorted, so `{ policy, window }` and `{ window, policy }` read as the same value.
function canonical(value: OptionValue): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    if (isDynamic(value)) return `(dynamic) ${value.dynamic}`;
    const entries = Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, item]) => `${key}: ${canonical(item)}`);
    return `{ ${entries.join(', ')} }`;
  }
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

interface Field {
  field: string;
  /** What is compared. */
  key(job: JobDeclaration): string;
  /** What is shown; the key when absent. */
  text?(job: JobDeclaration): string;
}

/** The fields that decide when a job runs, compared in this order. */
const WHEN: readonly Field[] = [
  { field: 'library', key: (job) => FRAMEWORK_LABEL[job.framework] },
  { field: 'schedule', key: scheduleText },
  { field: 'anchor', key: (job) => (job.schedule.dynamic ? '-' : (job.schedule.anchor ?? '-')) },
  { field: 'zone', key: zoneText },
  { field: 'utcOffset', key: (job) => valueText(job.utcOffset) },
  // How the analyzer predicts another library's cron: changes with the library's version even
  // when the schedule text does not (cron@2 counts months from 0).
  {
    field: 'read as',
    key: (job) => (job.model ? `${job.model.expression} (days: ${job.model.dayMatch})` : '-'),
    text: (job) => (job.model ? `${job.model.expression}${job.dialect ? ` (${job.dialect})` : ''}` : '-'),
  },
];

const TIMING_FIELDS: readonly Field[] = TIMING_OPTIONS.map((key) => ({
  field: key,
  key: (job: JobDeclaration) => valueText(job.options[key]),
}));

const OWNER: Field = { field: 'owner', key: (job) => valueText(job.options.owner) };

function compare(fields: readonly Field[], before: JobDeclaration, after: JobDeclaration): FieldChange[] {
  return fields
    .filter((f) => f.key(before) !== f.key(after))
    .map((f) => ({ field: f.field, before: (f.text ?? f.key)(before), after: (f.text ?? f.key)(after) }));
}

function timingChanges(before: JobDeclaration, after: JobDeclaration): FieldChange[] {
  const changes = compare(WHEN, before, after);
  // 'read as' follows from a changed schedule or library: said once, as that.
  const explained = changes.some((c) => c.field === 'schedule' || c.field === 'library');
  return [...changes.filter((c) => !(explained && c.field === 'read as')), ...compare(TIMING_FIELDS, before, after)];
}

function byName(jobs: readonly JobDeclaration[]): Map<string, JobDeclaration[]> {
  const map = new Map<string, JobDeclaration[]>();
  for (const job of jobs) {
    const list = map.get(job.name);
    if (list) list.push(job);
    else map.set(job.name, [job]);
  }
  return map;
}

/** Where a change is read in a review: the new place, or the old one for a removed job. */
function place(change: JobChange): [file: string, line: number, character: number] {
  const job = (change.after ?? change.before) as JobDeclaration;
  return [job.file, job.span.line, job.span.character];
}

/**
 * The changes from `before` to `after`, in file order (a removed job where it was). A name
 * declared more than once (TW301) is matched in order of appearance. A job that only moved, or
 * whose comments or formatting changed, is not a change.
 */
export function diffJobs(before: readonly JobDeclaration[], after: readonly JobDeclaration[]): JobChange[] {
  const old = byName(before);
  const changes: JobChange[] = [];
  const seen = new Map<string, number>();
  for (const job of after) {
    const index = seen.get(job.name) ?? 0;
    seen.set(job.name, index + 1);
    const previous = old.get(job.name)?.[index];
    if (!previous) {
      changes.push({ name: job.name, kinds: ['added'], after: job, fields: [] });
      continue;
    }
    const timing = timingChanges(previous, job);
    const owner = compare([OWNER], previous, job);
    const kinds: ChangeKind[] = [];
    if (timing.length > 0) kinds.push('rescheduled');
    if (owner.length > 0) kinds.push('re-owned');
    if (kinds.length > 0)
      changes.push({ name: job.name, kinds, before: previous, after: job, fields: [...timing, ...owner] });
  }
  for (const [name, jobs] of old) {
    for (const job of jobs.slice(seen.get(name) ?? 0))
      changes.push({ name, kinds: ['removed'], before: job, fields: [] });
  }
  return changes.sort((a, b) => {
    const [fileA, lineA, characterA] = place(a);
    const [fileB, lineB, characterB] = place(b);
    if (fileA !== fileB) return fileA < fileB ? -1 : 1;
    return lineA === lineB ? characterA - characterB : lineA - lineB;
  });
}

// The changes `tickwise diff` found, as text, JSON, or GitHub Actions notices: each job with what
// changed and its next runs before and after, with the DST notes of the schedule model.

import { describeJob } from '../describe-job.js';
import type { ChangeKind, JobChange } from '../job-diff.js';
import { displayZone, scheduleText, zoneText } from '../job-text.js';
import type { JobDeclaration } from '../model.js';
import { runsWithDstNotes, scheduleOf } from '../schedule-of.js';
import { formatInZone, isoSeconds } from '../time-format.js';
import { workflowCommand } from './workflow-commands.js';

export type DiffFormat = 'text' | 'json' | 'github';

export const DIFF_FORMATS: readonly DiffFormat[] = ['text', 'json', 'github'];

export interface DiffReport {
  /** The ref as given, and the commit it names. */
  ref: string;
  commit: string;
  now: Date;
  /** Next runs shown per version of a job (-n). */
  count: number;
  changes: readonly JobChange[];
  /** How many jobs each version has, for the summary. */
  jobsBefore: number;
  jobsAfter: number;
  /** Whether a file exists in the working tree: a removed job's notice goes on its old file only if it does. */
  fileExists(file: string): boolean;
}

/** A version's next runs, each with the DST note of a transition that moves it, and the notes of later transitions. */
interface Upcoming {
  runs: { at: Date; text: string; note?: string }[];
  later: string[];
}

/** The runs `tickwise list` computes (the schedule model's), with the notes `tickwise next` shows. */
function upcoming(job: JobDeclaration, count: number, now: Date): Upcoming {
  const schedule = scheduleOf(job);
  if (!schedule) return { runs: [], later: [] };
  const zone = displayZone(job);
  const { runs, laterNotes } = runsWithDstNotes(schedule, count, now);
  return {
    runs: runs.map(({ run, note }) => ({ at: run, text: formatInZone(run, zone), ...(note && { note }) })),
    later: laterNotes,
  };
}

const sameRuns = (a: Upcoming, b: Upcoming) =>
  a.runs.map((r) => r.at.getTime()).join() === b.runs.map((r) => r.at.getTime()).join() &&
  a.later.join('\n') === b.later.join('\n');

/** Which versions' runs to show: before and after, or once ('next') when a change does not move them. */
function sidesOf(change: JobChange, report: DiffReport): { label: string; job: JobDeclaration; runs: Upcoming }[] {
  const before = change.before && { job: change.before, runs: upcoming(change.before, report.count, report.now) };
  const after = change.after && { job: change.after, runs: upcoming(change.after, report.count, report.now) };
  if (before && after && sameRuns(before.runs, after.runs)) return [{ label: 'next', ...after }];
  return [...(before ? [{ label: 'before', ...before }] : []), ...(after ? [{ label: 'after', ...after }] : [])];
}

/** What a change says besides its runs: the fields that changed, or what an added or removed job is. */
function factsOf(change: JobChange): [label: string, text: string][] {
  if (change.fields.length > 0) return change.fields.map((f) => [f.field, `${f.before} → ${f.after}`]);
  const job = (change.after ?? change.before) as JobDeclaration;
  const zone = zoneText(job);
  return [
    ['schedule', zone === '-' ? scheduleText(job) : `${scheduleText(job)} (${zone})`],
    ...(job.owner !== undefined ? [['owner', job.owner] as [string, string]] : []),
  ];
}

const line = (job: JobDeclaration) => job.span.line + 1;
const column = (job: JobDeclaration) => job.span.character + 1;

function counts(changes: readonly JobChange[]): Record<ChangeKind, number> {
  const count = (kind: ChangeKind) => changes.filter((c) => c.kinds.includes(kind)).length;
  return {
    added: count('added'),
    removed: count('removed'),
    rescheduled: count('rescheduled'),
    're-owned': count('re-owned'),
  };
}

/** 'Since main (1a2b3c4): 1 added, 0 removed, 2 rescheduled, 0 re-owned.' or the line saying nothing changed. */
export function diffSummary(report: DiffReport): string {
  const at = `${report.ref} (${report.commit.slice(0, 7)})`;
  if (report.changes.length === 0) {
    const jobs = (n: number) => `${n} job${n === 1 ? '' : 's'}`;
    return `No job added, removed, rescheduled or re-owned since ${at}: ${jobs(report.jobsBefore)} there, ${jobs(report.jobsAfter)} in the working tree.`;
  }
  const c = counts(report.changes);
  return `Since ${at}: ${c.added} added, ${c.removed} removed, ${c.rescheduled} rescheduled, ${c['re-owned']} re-owned.`;
}

const LABEL_WIDTH = 9;

function textBlock(change: JobChange, report: DiffReport): string[] {
  const where = change.after
    ? `${change.after.file}:${line(change.after)}`
    : `${change.before?.file}:${line(change.before as JobDeclaration)} (at ${report.ref})`;
  const row = (label: string, text: string) => `  ${label.padEnd(LABEL_WIDTH)}  ${text}`;
  const lines = [`${change.kinds.join(', ')}  ${change.name}  ${where}`];
  for (const [label, text] of factsOf(change)) lines.push(row(label, text));
  for (const { label, job, runs } of sidesOf(change, report)) {
    if (runs.runs.length === 0) lines.push(row(label, `- (${describeJob(job)})`));
    runs.runs.forEach((run, index) => {
      lines.push(row(index === 0 ? label : '', run.note ? `${run.text}  ${run.note}` : run.text));
    });
    for (const note of runs.later) lines.push(row('', `later: ${note}`));
  }
  return lines;
}

function notice(change: JobChange, report: DiffReport): string {
  const message = factsOf(change).map(([label, text]) => `${label}: ${text}`);
  for (const { label, job, runs } of sidesOf(change, report)) {
    message.push(
      `${label}: ${runs.runs.length === 0 ? `- (${describeJob(job)})` : runs.runs.map((r) => r.text).join(', ')}`,
    );
    for (const note of [...runs.runs.flatMap((r) => (r.note ? [r.note] : [])), ...runs.later])
      message.push(`DST: ${note}`);
  }
  const title = `Tickwise: ${change.name} ${change.kinds.join(', ')}`;
  if (change.after) {
    const job = change.after;
    return workflowCommand('notice', { file: job.file, line: line(job), col: column(job), title }, message.join('\n'));
  }
  // A removed job has no place in the new code: its old file, when that is still there, else none.
  const old = change.before as JobDeclaration;
  const file = report.fileExists(old.file) ? old.file : undefined;
  return workflowCommand('notice', { file, title }, [`was at ${old.file}:${line(old)}`, ...message].join('\n'));
}

function jsonVersion(job: JobDeclaration, report: DiffReport) {
  const { runs, later } = upcoming(job, report.count, report.now);
  return {
    file: job.file,
    line: line(job),
    column: column(job),
    framework: job.framework,
    schedule: job.schedule,
    timezone: job.timezone,
    zoneRule: job.zoneRule,
    ...(job.owner !== undefined && { owner: job.owner }),
    describe: describeJob(job),
    nextRuns: runs.map((r) => isoSeconds(r.at)),
    dstNotes: [
      ...runs.flatMap((r) => (r.note ? [{ run: isoSeconds(r.at), message: r.note }] : [])),
      ...later.map((message) => ({ message })),
    ],
  };
}

/** The report in a format; GitHub notices are one per changed job (none when nothing changed). */
export function formatDiff(report: DiffReport, format: DiffFormat): string {
  if (format === 'json') {
    const c = counts(report.changes);
    return JSON.stringify(
      {
        ref: report.ref,
        commit: report.commit,
        now: isoSeconds(report.now),
        summary: { added: c.added, removed: c.removed, rescheduled: c.rescheduled, reOwned: c['re-owned'] },
        jobs: report.changes.map((change) => {
          const job = (change.after ?? change.before) as JobDeclaration;
          return {
            name: change.name,
            kinds: change.kinds,
            file: job.file,
            line: line(job),
            column: column(job),
            changes: change.fields,
            ...(change.before && { before: jsonVersion(change.before, report) }),
            ...(change.after && { after: jsonVersion(change.after, report) }),
          };
        }),
      },
      null,
      2,
    );
  }
  if (format === 'github') return report.changes.map((change) => notice(change, report)).join('\n');
  const blocks = report.changes.map((change) => textBlock(change, report).join('\n'));
  const header =
    report.changes.length === 0
      ? diffSummary(report)
      : `${diffSummary(report)} Next runs after ${isoSeconds(report.now)}.`;
  return [header, ...blocks].join('\n\n');
}

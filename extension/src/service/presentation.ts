// What the editor shows for a job: CodeLens title, tree text, hover Markdown, copied next runs.
// Pure functions of a job (or its view-model, JobView) and the time; the schedule math is the
// runtime's (via the analyzer).

import {
  describeExpectation,
  describeJob,
  FRAMEWORK_LABEL,
  formatInZone,
  formatRelative,
  formatShortInZone,
  isoSeconds,
  type JobDeclaration,
  runsWithDstNotes,
  scheduleOf,
  summarizeExpectation,
} from '@tickwise/analyzer';
import { formatDuration, guessScheduleKind, validateSchedule } from '@tickwise/core/schedule';
import { machineTimeZone } from './dates.js';
import { type FleetMatch, fleetDescription } from './fleet-presentation.js';
import { escapeMarkdown, inlineCode } from './markdown.js';
import { shortRelative } from './relative-time.js';

export interface DisplayOptions {
  now: Date;
  /** The zone shown as "local"; default this machine's. */
  localZone?: string;
  /** How many next runs the hover and the copy show. */
  count?: number;
}

function zoneOf(job: JobDeclaration): string {
  return typeof job.timezone === 'string' ? job.timezone : 'UTC';
}

export function nextRun(job: JobDeclaration, now: Date): Date | undefined {
  return scheduleOf(job)?.next(now) ?? undefined;
}

/**
 * A job as a view shows it: the declaration plus what is known about it now. What a view will
 * show next (say, a status reported by the fleet) is one more field here and one more part in
 * {@link jobDescription}.
 */
export interface JobView {
  job: JobDeclaration;
  /** Its next run, when the schedule predicts one. */
  nextRun?: Date;
  /** Its name is declared more than once. */
  duplicate?: boolean;
  /** Where it is declared ("report.ts:12"), for views that do not group jobs by file. */
  location?: string;
  /** What the connected service reports of it (setting tickwise.fleet.url); absent when not connected. */
  fleet?: FleetMatch;
}

/** "report.ts:12": the file name and 1-based line of a declaration (the tooltip has the full path). */
export function shortLocation(job: JobDeclaration): string {
  return `${fileName(job.file)}:${job.span.line + 1}`;
}

/** The last segment of a slash-separated path. */
export function fileName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * The folder of a workspace-relative path, at most its last two segments: "…/src/jobs" for
 * "packages/billing/src/jobs/report.ts", "src" for "src/report.ts", "" at the root.
 */
export function shortDirectory(path: string): string {
  const folders = path.split('/').slice(0, -1);
  return folders.length > 2 ? `…/${folders.slice(-2).join('/')}` : folders.join('/');
}

/**
 * "At 09:00, Monday through Friday (Europe/Berlin) — next: Mon 1 Dec 09:00, in 14h", then what the
 * job declares about itself: " · owner data-team · expected < 2 min, a success every 26 h · runbook".
 */
export function lensTitle(job: JobDeclaration, now: Date): string {
  return `${lensSchedule(job, now)}${lensMetadata(job)}`;
}

function lensSchedule(job: JobDeclaration, now: Date): string {
  const prefix = job.framework === 'tickwise' ? '' : `${FRAMEWORK_LABEL[job.framework]} · `;
  if (job.schedule.dynamic)
    return `${prefix}Dynamic schedule (${job.schedule.expression}) — next run known at run time`;
  const schedule = scheduleOf(job);
  if (!schedule) return `${prefix}Invalid schedule — see Problems`;
  const next = schedule.next(now);
  if (!next) return `${prefix}${schedule.describe()} — no more runs`;
  return `${prefix}${schedule.describe()} — next: ${formatShortInZone(next, zoneOf(job))}, ${shortRelative(next, now)}`;
}

/** " · owner data-team · expected < 2 min, a success every 26 h · runbook" (the runbook itself is in the hover). */
function lensMetadata(job: JobDeclaration): string {
  const expected = summarizeExpectation(job.expect);
  const parts = [
    job.owner && `owner ${oneLine(job.owner)}`,
    expected && `expected ${expected}`,
    job.runbook && 'runbook',
  ].filter(Boolean);
  return parts.map((p) => ` · ${p}`).join('');
}

/** Workspace text in a one-line place (a CodeLens title). */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * The tree item's description, most important first so a narrow sidebar cuts the least useful
 * part: what the fleet reports when connected ("paused by alice: deploy freeze", "failed 3×"),
 * when it runs next ("in 3s", "in 2h 13m"), owner, "duplicate name", location.
 */
export function jobDescription(view: JobView, now: Date): string {
  const { job } = view;
  return [
    view.fleet && fleetDescription(view.fleet, now),
    view.nextRun ? shortRelative(view.nextRun, now) : withoutNextRun(job),
    job.owner && oneLine(job.owner),
    view.duplicate && 'duplicate name',
    view.location,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** Why a job has no next run, in a few words (the tooltip says more). */
function withoutNextRun(job: JobDeclaration): string {
  const { schedule } = job;
  if (schedule.dynamic) return 'dynamic schedule';
  if (schedule.kind === 'interval' || schedule.kind === 'timeout') {
    const ms = Number(schedule.text);
    const every = Number.isFinite(ms) && ms > 0 ? formatDuration(ms) : `${schedule.text} ms`;
    return schedule.kind === 'interval' ? `every ${every} from start` : `once, ${every} after start`;
  }
  if (job.unsupported) return 'not predicted';
  return scheduleOf(job) ? 'no more runs' : 'invalid schedule';
}

/** The tree item's tooltip: the hover, then where the job is declared (the full path). */
export function treeTooltipMarkdown(job: JobDeclaration, options: DisplayOptions): string {
  return `${hoverMarkdown(job, options)}\n\nDeclared in ${escapeMarkdown(`${job.file}:${job.span.line + 1}`)}`;
}

/** Hover Markdown: the next runs in the job's zone, local time and UTC, with DST notes. */
export function hoverMarkdown(job: JobDeclaration, options: DisplayOptions): string {
  const { now } = options;
  const count = options.count ?? 5;
  const local = options.localZone || machineTimeZone();
  const zone = zoneOf(job);
  const lines = [`**${escapeMarkdown(job.name)}** — ${escapeMarkdown(describeJob(job))}`, ''];
  if (job.framework !== 'tickwise') {
    const zone =
      job.zoneRule === 'server-local' && typeof job.timezone === 'string'
        ? ` Runs in the server's local zone (assumed: ${escapeMarkdown(job.timezone)}; setting \`tickwise.serverTimeZone\`).`
        : '';
    lines.push(
      `_Declared with ${escapeMarkdown(FRAMEWORK_LABEL[job.framework])}${job.dialect ? `, read as ${escapeMarkdown(job.dialect)}` : ''}._${zone}`,
      '',
    );
  }
  const schedule = scheduleOf(job);
  if (job.schedule.dynamic) {
    lines.push(
      `The schedule is ${inlineCode(job.schedule.expression)}: known only at run time (${escapeMarkdown(job.schedule.reason)}).`,
    );
  } else if (job.unsupported || job.schedule.kind === 'interval' || job.schedule.kind === 'timeout') {
    lines.push(escapeMarkdown(describeJob(job)));
  } else if (!schedule) {
    lines.push('The schedule is invalid: see the Problems panel.');
  } else {
    const { runs: rows, laterNotes } = runsWithDstNotes(schedule, count, now);
    if (rows.length === 0) lines.push('No more runs.');
    else {
      // The job's zone, then local time, then UTC: each once (UTC always has its own column).
      const zones = [zone, local].filter((z, i, all) => z !== 'UTC' && all.indexOf(z) === i);
      const title = (z: string) => (z === zone ? z : `local (${z})`);
      lines.push(
        `| # | ${zones.map((z) => `${title(z)} | `).join('')}UTC | |`,
        `|---|${zones.map(() => '---|').join('')}---|---|`,
      );
      rows.forEach((row, index) => {
        const cells = zones.map((z) => formatInZone(row.run, z));
        const note = row.note ? `⚠ ${escapeMarkdown(row.note)}` : formatRelative(row.run, now);
        lines.push(`| ${index + 1} | ${cells.map((c) => `${c} | `).join('')}${isoSeconds(row.run)} | ${note} |`);
      });
      for (const note of laterNotes) lines.push('', `⚠ ${escapeMarkdown(note)}`);
    }
  }
  const expected = describeExpectation(job.expect);
  const meta = [
    job.owner && `Owner: ${escapeMarkdown(job.owner)}`,
    job.description && `Description: ${escapeMarkdown(job.description)}`,
    expected && `Expected: ${escapeMarkdown(expected)}`,
    job.runbook && `Runbook: ${escapeMarkdown(job.runbook)}`,
  ].filter(Boolean);
  if (meta.length > 0) lines.push('', ...meta.map((m) => `${m}  `));
  return lines.join('\n');
}

/** Plain text for the clipboard: one run per line, in the job's zone and UTC. */
export function nextRunsText(job: JobDeclaration, options: DisplayOptions): string {
  const schedule = scheduleOf(job);
  const rows = schedule ? runsWithDstNotes(schedule, options.count ?? 5, options.now).runs : [];
  const zone = zoneOf(job);
  const header = `${job.name}: ${describeJob(job)}`;
  if (rows.length === 0) return `${header}\n(no next runs known)`;
  return [
    header,
    ...rows.map((r) => `${formatInZone(r.run, zone)}  (${isoSeconds(r.run)})${r.note ? `  — ${r.note}` : ''}`),
  ].join('\n');
}

/** The `tickwise next` preview of a selected string, as Markdown. */
export function previewMarkdown(text: string, zone: string, options: DisplayOptions): string {
  const expression = text.trim().replace(/^['"`]|['"`]$/g, '');
  const kind = guessScheduleKind(expression);
  const problems = validateSchedule(expression, { kind, timezone: zone, from: options.now });
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    return [
      `**${inlineCode(expression)}** is not a valid schedule:`,
      '',
      ...errors.map((e) => `- ${e.code}: ${escapeMarkdown(e.message)}`),
    ].join('\n');
  }
  const job: JobDeclaration = {
    name: expression,
    file: '',
    framework: 'tickwise',
    declaredWith: 'add',
    schedule: { dynamic: false, kind, text: expression },
    timezone: zone,
    zoneRule: 'explicit',
    options: {},
    span: { start: 0, end: 0, line: 0, character: 0, endLine: 0, endCharacter: 0 },
    scheduleSpan: { start: 0, end: 0, line: 0, character: 0, endLine: 0, endCharacter: 0 },
  };
  const warnings = problems
    .filter((p) => p.code !== 'TW202' && p.code !== 'TW203')
    .map((w) => `⚠ ${w.code}: ${escapeMarkdown(w.message)}`);
  return [hoverMarkdown(job, options), ...(warnings.length ? ['', ...warnings] : [])].join('\n');
}

// What the editor shows of a job as the running service reports it (core's FleetJob): the CodeLens
// ("✓ 2 min ago on web-2 · 1.3 s (p95 2.1 s) — next 09:00"), the tree's icon and description,
// the Markdown of tooltips and hovers (with the last runs), and the status bar item.
// Pure: takes the job and the time; the service's text is escaped wherever it reaches Markdown.

import { formatInZone, formatShortInZone } from '@tickwise/analyzer';
import type { FleetRun } from '@tickwise/core';
import type { FleetErrorCode, FleetHealth, FleetJob } from './fleet-client.js';
import { escapeMarkdown } from './markdown.js';

/** A job of the code as the fleet knows it: its FleetJob, or not reported by any replica. */
export type FleetMatch = FleetJob | 'not-in-fleet';

/** Where the connection to the service is. */
export type FleetState =
  | { kind: 'connecting'; url: string }
  | { kind: 'connected'; url: string; health: FleetHealth; checkedAt: Date }
  | { kind: 'failed'; url: string; error: { code: FleetErrorCode; message: string }; checkedAt: Date };

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const OUTCOME: Record<FleetRun['outcome'], string> = {
  success: 'succeeded',
  failure: 'failed',
  timeout: 'timed out',
  cancelled: 'cancelled',
  unexpected: 'failed unexpectedly',
};

/** The service's text in a one-line place (a CodeLens title, a tree description). */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** "203 ms", "1.3 s", "42 s", "2.5 min", "1.2 h". */
export function formatMs(ms: number): string {
  const decimal = (value: number, unit: string) => `${value.toFixed(1).replace(/\.0$/, '')} ${unit}`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return decimal(ms / 1000, 's');
  if (ms < MINUTE) return `${Math.round(ms / 1000)} s`;
  if (ms < HOUR) return decimal(ms / MINUTE, 'min');
  return decimal(ms / HOUR, 'h');
}

/**
 * "12 s ago", "2 min ago", "5 h ago", "3 d ago" (rounded down); "just now" within a second (or a
 * clock ahead of ours). `unit` 'minute': "just now" for the first minute too, for labels that are
 * redrawn only when the fleet is read (the CodeLens, the tree), not every second.
 */
export function ago(date: Date, now: Date, unit: 'second' | 'minute' = 'second'): string {
  const ms = now.getTime() - date.getTime();
  if (ms < (unit === 'minute' ? MINUTE : 1000)) return 'just now';
  if (ms < MINUTE) return `${Math.floor(ms / 1000)} s ago`;
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)} min ago`;
  if (ms < 2 * DAY) return `${Math.floor(ms / HOUR)} h ago`;
  return `${Math.floor(ms / DAY)} d ago`;
}

const clockFormats = new Map<string, Intl.DateTimeFormat>();

/** "09:00" in `zone`; "09:00:15" when `seconds` and they are not 0. */
function clock(date: Date, zone: string, seconds: boolean): string {
  let format = clockFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZone: zone,
    });
    clockFormats.set(zone, format);
  }
  const text = format.format(date);
  return !seconds || text.endsWith(':00') ? text.slice(0, -3) : text;
}

/**
 * "09:00" within a day of `now`, else "Wed 3 Dec 09:00"; in `zone`. `seconds`: "09:00:15" when they
 * are not 0 (a tick of a sub-minute schedule; a pause's end is shown to the minute).
 */
export function formatWhen(date: Date, now: Date, zone: string, seconds = true): string {
  return Math.abs(date.getTime() - now.getTime()) < DAY ? clock(date, zone, seconds) : formatShortInZone(date, zone);
}

/** The job's next tick the service predicted that is still ahead of `now`. */
export function nextTick(job: FleetJob, now: Date): Date | undefined {
  return job.nextRuns.find((run) => run.getTime() > now.getTime());
}

function zoneOf(job: FleetJob): string {
  return job.timezone ?? 'UTC';
}

function failureWords(job: FleetJob, run: FleetRun): string {
  return job.failureStreak > 1 ? `failed ${job.failureStreak}×` : OUTCOME[run.outcome];
}

/**
 * The CodeLens of a job the fleet reports, in the job's zone:
 * "✓ 2 min ago on web-2 · 1.3 s (p95 2.1 s) — next 09:00", "✗ failed 3× · TimeoutError · 5 min ago
 * on web-2 — next 09:00", "‖ paused by alice — deploy freeze · until 14:00", "○ no runs yet — next
 * 09:00". Ages to the minute ("just now" in the first). The p95 shows once there are two runs;
 * "overdue", a regression and "on no live replica" are added when they apply.
 */
export function fleetLensTitle(job: FleetJob, now: Date): string {
  const zone = zoneOf(job);
  if (job.paused) {
    const until = job.paused.until ? ` · until ${formatWhen(job.paused.until, now, zone, false)}` : '';
    return `‖ paused by ${oneLine(job.paused.by)} — ${oneLine(job.paused.reason)}${until}`;
  }
  const parts: string[] = [];
  const run = job.lastRun;
  if (!run) parts.push('○ no runs yet');
  else if (run.outcome === 'success') {
    const p95 = job.durationMs && job.runs >= 2 ? ` (p95 ${formatMs(job.durationMs.p95)})` : '';
    parts.push(
      `✓ ${ago(run.endedAt, now, 'minute')} on ${oneLine(run.instanceId)}`,
      `${formatMs(run.durationMs)}${p95}`,
    );
  } else {
    parts.push(`✗ ${failureWords(job, run)}`);
    if (run.error) parts.push(oneLine(run.error.type));
    parts.push(`${ago(run.endedAt, now, 'minute')} on ${oneLine(run.instanceId)}`);
  }
  if (job.overdue) parts.push('overdue');
  if (job.regression) parts.push(`worse since ${oneLine(job.regression.version)}`);
  if (job.replicas.length === 0) parts.push('on no live replica');
  const next = nextTick(job, now);
  return `${parts.join(' · ')}${next ? ` — next ${formatWhen(next, now, zone)}` : ''}`;
}

/** The lens's tooltip (plain text): the last run in full, the figures, and what a click does. */
export function fleetLensTooltip(job: FleetJob, now: Date, url: string): string {
  const lines = [`${job.name} in the fleet at ${url}: ${job.status}`];
  const run = job.lastRun;
  if (run) {
    const error = run.error ? ` (${run.error.type}${run.error.message ? `: ${run.error.message}` : ''})` : '';
    lines.push(
      `Last run ${OUTCOME[run.outcome]}${error}, ended ${formatInZone(run.endedAt, zoneOf(job))} (${ago(run.endedAt, now)}) on ${run.instanceId}, took ${formatMs(run.durationMs)}`,
    );
  }
  const figures = figuresText(job);
  if (figures) lines.push(figures);
  const next = nextTick(job, now);
  if (next && !job.paused) lines.push(`Next run ${formatInZone(next, zoneOf(job))}`);
  lines.push('Click to run it now, pause or resume it.');
  return lines.join('\n');
}

/** "14 runs, 2 failed · 3 failures in a row · duration p50 1.2 s, p95 2.1 s". */
function figuresText(job: FleetJob): string {
  const parts: string[] = [];
  if (job.runs > 0) parts.push(`${job.runs} run${job.runs === 1 ? '' : 's'}, ${job.failures} failed`);
  if (job.failureStreak > 1) parts.push(`${job.failureStreak} failures in a row`);
  if (job.durationMs) parts.push(`duration p50 ${formatMs(job.durationMs.p50)}, p95 ${formatMs(job.durationMs.p95)}`);
  return parts.join(' · ');
}

/** A codicon id and theme colour for the tree. */
export interface FleetIcon {
  id: string;
  color?: string;
}

/** The tree item's icon for a job's fleet status. */
export function fleetIcon(match: FleetMatch): FleetIcon {
  if (match === 'not-in-fleet') return { id: 'circle-slash' };
  if (match.paused) return { id: 'debug-pause' };
  if (match.status === 'failing') return { id: 'error', color: 'problemsErrorIcon.foreground' };
  if (match.status === 'degraded') return { id: 'warning', color: 'problemsWarningIcon.foreground' };
  if (match.status === 'unknown') return { id: 'question' };
  return match.lastRun ? { id: 'pass', color: 'testing.iconPassed' } : { id: 'circle-outline' };
}

/**
 * The fleet's part of a tree item's description, a few words (the icon carries the status):
 * "paused by alice: deploy freeze", "failed 3× (TimeoutError)", "ran 2 min ago", "no runs yet",
 * "not in the fleet".
 */
export function fleetDescription(match: FleetMatch, now: Date): string {
  if (match === 'not-in-fleet') return 'not in the fleet';
  if (match.paused) return `paused by ${oneLine(match.paused.by)}: ${oneLine(match.paused.reason)}`;
  const run = match.lastRun;
  let text: string;
  if (!run) text = 'no runs yet';
  else if (run.outcome === 'success') text = `ran ${ago(run.endedAt, now, 'minute')}`;
  else text = `${failureWords(match, run)}${run.error ? ` (${oneLine(run.error.type)})` : ''}`;
  return match.overdue ? `${text}, overdue` : text;
}

/** The fleet's part of a tooltip or hover, as Markdown: status, last run, figures, pause, runbook. */
export function fleetMarkdown(match: FleetMatch, now: Date, url: string): string {
  if (match === 'not-in-fleet') {
    return `**Fleet** (${escapeMarkdown(url)}): no live replica reports a job of this name, and it has no runs there.`;
  }
  const job = match;
  const zone = zoneOf(job);
  const replicas =
    job.replicas.length > 0 ? ` · on ${escapeMarkdown(job.replicas.join(', '))}` : ' · on no live replica';
  const lines = [`**Fleet** (${escapeMarkdown(url)}): ${escapeMarkdown(job.status)}${replicas}`];
  if (job.paused) {
    const { paused } = job;
    const until = paused.until ? `, until ${formatInZone(paused.until, zone)}` : ', until resumed';
    const pattern = paused.pattern !== job.name ? ` (pause of ${escapeMarkdown(paused.pattern)})` : '';
    lines.push(
      `‖ Paused by ${escapeMarkdown(paused.by)} at ${formatInZone(paused.at, zone)}${until}: ${escapeMarkdown(paused.reason)}${pattern}`,
    );
  }
  const run = job.lastRun;
  if (run) {
    lines.push(
      `Last run: ${run.outcome === 'success' ? '✓' : '✗'} ${OUTCOME[run.outcome]}${errorMarkdown(run)} ${ago(run.endedAt, now)} on ${escapeMarkdown(run.instanceId)}, took ${formatMs(run.durationMs)}`,
    );
    if (run.outcome !== 'success') {
      lines.push(
        `Last success: ${job.lastSuccess ? `${formatInZone(job.lastSuccess, zone)} (${ago(job.lastSuccess, now)})` : 'none in the window'}`,
      );
    }
  } else lines.push('No runs yet.');
  const figures = figuresText(job);
  if (figures) lines.push(escapeMarkdown(figures));
  if (job.overdue) lines.push('⚠ Overdue: two ticks have passed without a run.');
  if (job.regression) {
    const { regression } = job;
    const worse = [
      regression.failureRate &&
        `failure rate ${percent(regression.failureRate.now)} (was ${percent(regression.failureRate.before)})`,
      regression.p95DurationMs &&
        `p95 ${formatMs(regression.p95DurationMs.now)} (was ${formatMs(regression.p95DurationMs.before)})`,
    ].filter(Boolean);
    lines.push(
      `⚠ Worse since version ${escapeMarkdown(regression.version)} (before: ${escapeMarkdown(regression.previous)}): ${worse.join(', ')}`,
    );
  }
  if (job.runbook) lines.push(`Runbook: ${escapeMarkdown(job.runbook)}`);
  return lines.map((line) => `${line}  `).join('\n');
}

function percent(rate: number): string {
  return `${Math.round(rate * 100)}%`;
}

function errorMarkdown(run: FleetRun): string {
  if (!run.error) return '';
  return ` (${escapeMarkdown(run.error.type)}${run.error.message ? `: ${escapeMarkdown(run.error.message)}` : ''})`;
}

/** The hover's table of the last runs, newest first, in `zone` (the user's local zone). */
export function runsMarkdown(runs: readonly FleetRun[], now: Date, zone: string): string {
  if (runs.length === 0) return '_No runs recorded yet._';
  return [
    '| ended | | took | on | trigger |',
    '|---|---|---|---|---|',
    ...runs.map((run) => {
      const outcome = `${run.outcome === 'success' ? '✓' : '✗'} ${OUTCOME[run.outcome]}${errorMarkdown(run)}`;
      const attempts = run.attempts > 1 ? `, ${run.attempts} attempts` : '';
      return `| ${formatShortInZone(run.endedAt, zone)} (${ago(run.endedAt, now)}) | ${outcome} | ${formatMs(run.durationMs)}${attempts} | ${escapeMarkdown(run.instanceId)} | ${escapeMarkdown(run.trigger)} |`;
    }),
  ].join('\n');
}

/** The first http(s) address in a runbook note, for a lens that opens it; undefined when there is none. */
export function runbookUrl(runbook: string | undefined): string | undefined {
  const match = /\bhttps?:\/\/[^\s<>"'`]+/i.exec(runbook ?? '');
  if (!match) return undefined;
  const url = match[0].replace(/[.,;:!?)\]}]+$/, '');
  try {
    return new URL(url).href;
  } catch {
    return undefined;
  }
}

/** The status bar item: its text (with a codicon), tooltip, whether it warns, and what a click does. */
export interface FleetStatusBar {
  text: string;
  tooltip: string;
  warning: boolean;
  click: 'refresh' | 'setToken';
}

const STATUS_ORDER: readonly FleetJob['status'][] = ['failing', 'degraded', 'paused', 'unknown', 'ok'];

export function fleetStatusBar(state: FleetState, now: Date): FleetStatusBar {
  if (state.kind === 'connecting') {
    return { text: '$(sync~spin) Fleet', tooltip: `Connecting to ${state.url}…`, warning: false, click: 'refresh' };
  }
  if (state.kind === 'failed') {
    const { code, message } = state.error;
    const retry = `\nTried ${ago(state.checkedAt, now)}; retried every 30 s while the jobs are in view.`;
    if (code === 'FLEET_UNAUTHORIZED') {
      return {
        text: '$(lock) Fleet: token needed',
        tooltip: `${message}${retry}\nClick to set the token.`,
        warning: true,
        click: 'setToken',
      };
    }
    const text =
      code === 'FLEET_UNREACHABLE' || code === 'FLEET_TIMEOUT'
        ? '$(debug-disconnect) Fleet unreachable'
        : code === 'FLEET_FORBIDDEN'
          ? '$(lock) Fleet: refused (403)'
          : code === 'FLEET_NOT_FOUND'
            ? '$(warning) Fleet: no fleet API (404)'
            : '$(warning) Fleet: error';
    return { text, tooltip: `${message}${retry}\nClick to try again now.`, warning: true, click: 'refresh' };
  }
  const counts = new Map<FleetJob['status'], number>();
  for (const job of state.health.jobs) counts.set(job.status, (counts.get(job.status) ?? 0) + 1);
  const parts = STATUS_ORDER.filter((status) => counts.has(status)).map((status) => `${counts.get(status)} ${status}`);
  const icon = counts.has('failing') ? '$(error)' : counts.has('degraded') ? '$(warning)' : '$(pass)';
  const alive = state.health.replicas.filter((replica) => replica.alive).length;
  return {
    text: `${icon} Fleet: ${parts.join(', ') || 'no jobs'}`,
    tooltip: [
      `Tickwise fleet at ${state.url}: ${state.health.status}`,
      `${alive} of ${state.health.replicas.length} replica${state.health.replicas.length === 1 ? '' : 's'} alive; checked ${ago(state.checkedAt, now)}`,
      'Click to refresh.',
    ].join('\n'),
    warning: false,
    click: 'refresh',
  };
}

/** The jobs view's message while the service cannot be read; undefined otherwise. */
export function fleetViewMessage(state: FleetState | undefined): string | undefined {
  if (state?.kind !== 'failed') return undefined;
  return `Fleet status unavailable: ${state.error.message}`;
}

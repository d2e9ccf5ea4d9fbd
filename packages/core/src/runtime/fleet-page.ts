// The fleet's web page as HTML text (served by health-handler.ts through fleet-page-routes.ts):
// every job with owner, schedule in words, next runs and a timeline of its recent runs across
// replicas; failures with the runbook beside them; pause/resume/run-now forms for a signed-in
// visitor. Pure: model in, HTML out. Every value goes through the `html` template, which escapes
// it; the page has no script at all, so it reads the same with JavaScript off.

import { PAGE_STYLE } from './fleet-page-style.js';
import type { FleetHealth, FleetJob, FleetReplica, FleetRun } from './fleet-status.js';

/** What the page's forms ask for (each has its own CSRF field). */
export type PageAction = 'pause' | 'resume' | 'trigger' | 'signout';

export const PAGE_ACTIONS: readonly PageAction[] = ['pause', 'resume', 'trigger', 'signout'];

/** Who looks at the page, as far as the controls go. */
export type PageVisitor =
  /** The handler has no token: the page shows no controls. */
  | { kind: 'no-token' }
  /** A token is set but this visitor has no session: the page offers the sign-in form. */
  | { kind: 'signed-out' }
  | { kind: 'signed-in'; name: string; csrf: Readonly<Record<PageAction, string>> };

/** A one-time message after a form post (flash cookie, fleet-page-routes.ts). */
export interface Flash {
  kind: 'ok' | 'error';
  text: string;
}

export interface FleetPageModel {
  /** The handler's basePath ('' or '/internal'). */
  base: string;
  health: FleetHealth;
  /** Each job's recent runs, newest first (what the timeline shows). */
  runs: ReadonlyMap<string, readonly FleetRun[]>;
  visitor: PageVisitor;
  flash: Flash | null;
}

/** Text that is already HTML; everything else interpolated into `html` is escaped. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Part = Html | string | number | null | undefined | false | readonly Part[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for element content and for double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

function part(value: Part): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(part).join('');
  return escapeHtml(String(value));
}

/** A template whose interpolations are escaped unless they are Html (or arrays of it). */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let text = strings[0] as string;
  for (let i = 0; i < values.length; i++) text += part(values[i] as Part) + (strings[i + 1] as string);
  return new Html(text);
}

/** How many runs the timeline shows per job. */
export const TIMELINE_RUNS = 30;
/** How many of a failing job's recent failures its card lists. */
const FAILURES_SHOWN = 5;

/** Outcome -> symbol: the timeline reads without colour too. */
const SYMBOLS: Record<FleetRun['outcome'], string> = {
  success: '✓',
  failure: '✗',
  timeout: '◷',
  unexpected: '!',
  cancelled: '–',
};

/** The whole page for people with access. */
export function renderFleetPage(model: FleetPageModel): string {
  const { health, visitor, base } = model;
  const now = health.checkedAt.getTime();
  const live = health.replicas.filter((replica) => replica.alive).length;
  const failing = health.jobs.filter((job) => job.lastRun !== null && job.lastRun.outcome !== 'success');
  const controls = visitor.kind === 'signed-in' ? visitor : null;
  const body = html`<header>
<h1>Tickwise fleet <span class="badge ${health.status}">${health.status}</span></h1>
<p class="muted">Checked <time datetime="${health.checkedAt.toISOString()}">${when(health.checkedAt, now)}</time> by the store’s clock · ${live} of ${health.replicas.length} replicas live · ${health.jobs.length} jobs · <a href="${base}/jobs">Reload</a></p>
${!health.history && html`<p class="failing">This store keeps no run history (history: false): no timeline, no failures, no figures.</p>`}
</header>
${flashBlock(model.flash)}
${visitorBar(base, visitor)}
<section id="failures">
<h2>Failures</h2>
${failing.length === 0 ? html`<p class="muted">No job’s last run failed.</p>` : failing.map((job) => failureCard(job, model.runs.get(job.name) ?? [], now))}
</section>
<section id="jobs">
<h2>Jobs</h2>
${legend()}
<table>
<thead><tr><th>Job</th><th>Owner</th><th>Schedule</th><th>Next runs</th><th>Recent runs <span class="muted">(oldest → newest)</span></th><th>Status</th>${controls && html`<th>Controls</th>`}</tr></thead>
<tbody>
${health.jobs.map((job) => jobRow(job, model.runs.get(job.name) ?? [], now, base, controls))}
</tbody>
</table>
${health.jobs.length === 0 && html`<p class="muted">No job: no live replica has registered one, and the history has no runs.</p>`}
</section>
<section id="replicas">
<h2>Replicas</h2>
${replicaTable(health.replicas, now)}
</section>
<footer><p class="muted">The same data as JSON: <code>GET ${base}/jobs?scope=fleet</code> (docs/fleet.md).</p></footer>`;
  return layout(`Tickwise fleet: ${health.status}`, body);
}

/** The page for a visitor who must sign in first (jobsAccess 'token' without a session). */
export function renderSignInPage(base: string, flash: Flash | null): string {
  return layout(
    'Tickwise fleet: sign in',
    html`<header><h1>Tickwise fleet</h1></header>
${flashBlock(flash)}
<p>This page shows job names, owners and runbooks: it needs the token the health handler was given.</p>
${signInForm(base)}
<p class="muted">Signed in already, but you came here by a link from another site? The session cookie is SameSite=Strict: <a href="${base}/jobs">open the page again from here</a>.</p>`,
  );
}

/** A short page that says what went wrong or what to do (403, 404, 405, 500 …). */
export function renderNoticePage(base: string, title: string, message: string): string {
  return layout(
    `Tickwise fleet: ${title}`,
    html`<header><h1>Tickwise fleet</h1></header>
<h2>${title}</h2>
<p>${message}</p>
<p><a href="${base}/jobs">Back to the fleet page</a></p>`,
  );
}

function layout(title: string, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${new Html(PAGE_STYLE)}</style>
</head>
<body>
${body}
</body>
</html>
`.text;
}

function flashBlock(flash: Flash | null): Html | null {
  if (!flash) return null;
  return html`<p class="flash ${flash.kind}" role="status">${flash.text}</p>`;
}

function signInForm(base: string): Html {
  return html`<form method="post" action="${base}/jobs/session" class="control" id="sign-in">
<label>Token <input type="password" name="token" required autocomplete="current-password"></label>
<label>Your name <input type="text" name="name" maxlength="60" autocomplete="username" placeholder="shown on pauses"></label>
<button type="submit">Sign in</button>
</form>`;
}

function visitorBar(base: string, visitor: PageVisitor): Html {
  if (visitor.kind === 'no-token') {
    return html`<p class="bar muted">Read only: pause, resume and run-now appear when createHealthHandler is given a token.</p>`;
  }
  if (visitor.kind === 'signed-out') {
    return html`<div class="bar"><span>Sign in with the handler’s token to pause, resume or run jobs:</span>${signInForm(base)}</div>`;
  }
  return html`<div class="bar"><span>Signed in${visitor.name && html` as <strong>${visitor.name}</strong>`}: the controls are in the last column.</span>
<form method="post" action="${base}/jobs/page" class="inline">${hidden('signout', '', visitor.csrf.signout)}<button type="submit">Sign out</button></form></div>`;
}

function legend(): Html {
  const items: [FleetRun['outcome'], string][] = [
    ['success', 'success'],
    ['failure', 'failure'],
    ['timeout', 'timeout'],
    ['unexpected', 'unexpected error'],
    ['cancelled', 'cancelled'],
  ];
  return html`<p class="legend muted">${items.map(([outcome, label]) => html`<span><b class="r-${outcome}">${SYMBOLS[outcome]}</b> ${label}</span>`)}</p>`;
}

function jobRow(
  job: FleetJob,
  runs: readonly FleetRun[],
  now: number,
  base: string,
  controls: Extract<PageVisitor, { kind: 'signed-in' }> | null,
): Html {
  return html`<tr data-job="${job.name}">
<td><strong>${job.name}</strong>${job.description && html`<br>${job.description}`}<br><span class="muted">${job.replicas.length === 0 ? 'on no live replica' : `on ${job.replicas.join(', ')}`}</span></td>
<td>${job.owner ?? html`<span class="muted">—</span>`}</td>
<td>${scheduleCell(job)}</td>
<td>${nextRuns(job, now)}</td>
<td>${timeline(runs, now)}${job.lastRun && html`<span class="muted">last ${job.lastRun.outcome} ${relative(job.lastRun.endedAt, now)} on ${job.lastRun.instanceId}</span>`}</td>
<td>${statusCell(job, now)}</td>
${controls && html`<td>${controlForms(job, base, controls.csrf)}</td>`}
</tr>`;
}

function scheduleCell(job: FleetJob): Html {
  if (job.schedule === undefined) return html`<span class="muted">no live replica has it</span>`;
  // describe() names the time zone when it is not UTC.
  return html`${job.describe}<br><code>${job.schedule}</code>`;
}

function nextRuns(job: FleetJob, now: number): Html {
  if (job.paused) return html`<span class="paused">paused</span>`;
  if (job.nextRuns.length === 0) return html`<span class="muted">—</span>`;
  return html`<ul class="plain">${job.nextRuns.map((date) => html`<li><time datetime="${date.toISOString()}">${when(date, now)}</time> <span class="muted">${relative(date, now)}</span></li>`)}</ul>`;
}

/** One cell per run, oldest first; its title says when, where, how long, and why it failed. */
export function timeline(runs: readonly FleetRun[], now: number): Html {
  if (runs.length === 0) return html`<p class="muted">no runs in the history</p>`;
  const shown = runs.slice(0, TIMELINE_RUNS).reverse();
  return html`<ol class="timeline">${shown.map((run) => html`<li class="r-${run.outcome}" title="${runTitle(run, now)}">${SYMBOLS[run.outcome]}</li>`)}</ol>`;
}

function runTitle(run: FleetRun, now: number): string {
  const parts = [
    run.outcome,
    `${when(run.startedAt, now)} (${relative(run.startedAt, now)})`,
    `on ${run.instanceId}`,
    `took ${duration(run.durationMs)}`,
  ];
  if (run.trigger !== 'schedule') parts.push(`trigger: ${run.trigger}`);
  if (run.attempts > 1) parts.push(`${run.attempts} attempts`);
  if (run.version !== undefined) parts.push(`version ${run.version}`);
  if (run.error) parts.push(errorText(run.error));
  return parts.join(' · ');
}

function statusCell(job: FleetJob, now: number): Html {
  const notes: Html[] = [];
  if (job.paused) {
    const until = job.paused.until ? `until ${when(job.paused.until, now)}` : 'until resumed';
    notes.push(
      html`<br>by ${job.paused.by}: ${job.paused.reason} <span class="muted">(${until}${job.paused.pattern !== job.name ? `, pattern ${job.paused.pattern}` : ''})</span>`,
    );
  }
  if (job.failureStreak > 0) notes.push(html`<br><span class="failing">${job.failureStreak} failed in a row</span>`);
  if (job.overdue) notes.push(html`<br><span class="degraded">overdue: no replica ran it for two ticks</span>`);
  if (job.regression) {
    notes.push(
      html`<br><span class="degraded">version ${job.regression.version} does worse than ${job.regression.previous}</span>`,
    );
  }
  if (job.durationMs) {
    notes.push(
      html`<br><span class="muted">p50 ${duration(job.durationMs.p50)} · p95 ${duration(job.durationMs.p95)} · ${job.runs} runs</span>`,
    );
  }
  return html`<span class="badge ${job.status}">${job.status}</span>${notes}`;
}

function failureCard(job: FleetJob, runs: readonly FleetRun[], now: number): Html {
  const failed = runs.filter((run) => run.outcome !== 'success').slice(0, FAILURES_SHOWN);
  if (failed.length === 0) failed.push(job.lastRun as FleetRun);
  // The same error run after run is shown once, with when else it happened.
  const groups: FleetRun[][] = [];
  for (const run of failed) {
    const same = groups.find(([first]) => first?.outcome === run.outcome && errorOf(first) === errorOf(run));
    if (same) same.push(run);
    else groups.push([run]);
  }
  return html`<article class="failure" data-job="${job.name}">
<div>
<h3>${job.name} <span class="badge ${job.status}">${job.failureStreak} failed in a row</span></h3>
${groups.map(([run, ...again]) => failureLine(run as FleetRun, again, now))}
<p class="muted">Last success: ${job.lastSuccess ? `${when(job.lastSuccess, now)} (${relative(job.lastSuccess, now)})` : 'none in the history kept'} · owner: ${job.owner ?? '—'}${job.paused && ` · paused by ${job.paused.by}`}</p>
</div>
<aside class="runbook"><h4>Runbook</h4>${runbook(job.runbook)}</aside>
</article>`;
}

function failureLine(run: FleetRun, again: readonly FleetRun[], now: number): Html {
  return html`<p><strong>${run.outcome}</strong> <time datetime="${run.endedAt.toISOString()}">${when(run.endedAt, now)}</time> <span class="muted">(${relative(run.endedAt, now)})</span> on ${run.instanceId}, after ${duration(run.durationMs)}${run.attempts > 1 && ` and ${run.attempts} attempts`}</p>
${run.error && html`<pre class="error">${errorText(run.error)}</pre>`}
${again.length > 0 && html`<p class="muted">The same ${again.length === 1 ? 'once more' : `${again.length} more times`}: ${again.map((other) => `${when(other.endedAt, now)} on ${other.instanceId}`).join(', ')}</p>`}`;
}

const errorOf = (run: FleetRun | undefined) => (run?.error ? errorText(run.error) : '');

/** A runbook that is an http(s) URL becomes a link; any other text stays text (no javascript: links). */
export function runbook(text: string | undefined): Html {
  if (text === undefined || text.trim() === '') {
    return html`<span class="muted">none: give the job a runbook (its runbook option) so whoever is on call knows what to do.</span>`;
  }
  const trimmed = text.trim();
  if (/^https?:\/\/\S+$/i.test(trimmed) && URL.canParse(trimmed)) {
    return html`<a href="${trimmed}" target="_blank" rel="noopener noreferrer">${trimmed}</a>`;
  }
  return html`${text}`;
}

function controlForms(job: FleetJob, base: string, csrf: Readonly<Record<PageAction, string>>): Html {
  const action = `${base}/jobs/page`;
  const pauseOrResume = job.paused
    ? html`<form method="post" action="${action}" class="control">${hidden('resume', job.paused.pattern, csrf.resume)}
<label><input type="checkbox" name="confirm" value="yes" required> resume ${job.paused.pattern}${job.paused.pattern !== job.name && ' (every job it matches)'}</label>
<button type="submit">Resume</button></form>`
    : html`<form method="post" action="${action}" class="control">${hidden('pause', job.name, csrf.pause)}
<input type="text" name="reason" required maxlength="500" placeholder="reason (required)" aria-label="Reason for pausing ${job.name}">
<input type="text" name="for" maxlength="20" size="6" placeholder="for: 2h" aria-label="Pause for (empty: until resumed)">
<button type="submit">Pause</button></form>`;
  return html`<details><summary>Pause, resume, run now</summary>
${pauseOrResume}
<form method="post" action="${action}" class="control">${hidden('trigger', job.name, csrf.trigger)}
<label><input type="checkbox" name="confirm" value="yes" required> run it once now, on one replica</label>
<button type="submit">Run now</button></form>
</details>`;
}

function hidden(action: PageAction, job: string, csrf: string): Html {
  return html`<input type="hidden" name="action" value="${action}"><input type="hidden" name="job" value="${job}"><input type="hidden" name="csrf" value="${csrf}">`;
}

function replicaTable(replicas: readonly FleetReplica[], now: number): Html {
  if (replicas.length === 0) return html`<p class="muted">No replica has beaten in the last hour.</p>`;
  return html`<table>
<thead><tr><th>Replica</th><th>Host</th><th>Version</th><th>State</th><th>Last seen</th><th>Jobs</th><th>Clock offset</th></tr></thead>
<tbody>
${replicas.map(
  (replica) => html`<tr data-replica="${replica.instanceId}">
<td><code>${replica.instanceId}</code></td><td>${replica.host} <span class="muted">pid ${replica.pid}</span></td><td>${replica.version ?? '—'}</td>
<td>${replica.alive ? html`<span class="ok">● live</span>` : html`<span class="muted">○ gone</span>`}</td>
<td>${relative(replica.lastSeen, now)}</td><td>${replica.jobs}</td><td>${replica.clockOffsetMs === null ? '—' : `${replica.clockOffsetMs} ms`}</td>
</tr>`,
)}
</tbody>
</table>`;
}

function errorText(error: { type: string; message?: string }): string {
  return error.message === undefined ? error.type : `${error.type}: ${error.message}`;
}

/** `09:05:00 UTC`, with the date when it is not the day of `now` (UTC: a page has no time zone). */
export function when(date: Date, now: number): string {
  const iso = date.toISOString();
  const day = iso.slice(0, 10);
  return `${day === new Date(now).toISOString().slice(0, 10) ? '' : `${day} `}${iso.slice(11, 19)} UTC`;
}

/** `in 42s`, `5m ago`, `just now`. */
export function relative(date: Date, now: number): string {
  const ms = date.getTime() - now;
  if (Math.abs(ms) < 1000) return 'just now';
  return ms > 0 ? `in ${span(ms)}` : `${span(-ms)} ago`;
}

function span(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m}m` : `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h}h` : `${h}h ${m % 60}m`;
  return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** `12 ms`, `1.2 s`, `3m 12s`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return span(ms);
}

// `tickwise fleet` for people: the fleet's status as a job table, the replicas and what needs a
// look (failures, pauses, overdue jobs, regressions), and a job's runs. Pure: times are relative
// to the `now` given (the store's clock for status).

import type { FleetHealth, FleetJob, FleetPause, FleetRun, Regression } from '@tickwise/core';
import { formatRelative } from '../time-format.js';
import { renderTable } from './table.js';

/** '850 ms', '1.3 s', '12 s', '2m 5s'. */
export function formatRunDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  if (ms < 60_000) return `${Math.floor(ms / 1000)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return seconds === 0 ? `${minutes}m` : `${minutes}m ${seconds}s`;
}

/** '2026-12-01 12:00:05Z': to the second, UTC. */
export function utcSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** '2m ago'; 'just now' within a second, also for an instant a little ahead (another clock's). */
function ago(date: Date, now: Date): string {
  return now.getTime() - date.getTime() < 1000 ? 'just now' : formatRelative(date, now);
}

/** '2 %', '40 %', '0.5 %'. */
function percent(rate: number): string {
  const value = rate * 100;
  return `${value > 0 && value < 1 ? value.toFixed(1) : Math.round(value)} %`;
}

function errorText(error: FleetRun['error']): string {
  if (!error) return '';
  return error.message ? `${error.type}: ${error.message}` : error.type;
}

/** '✓ 2m ago on web-2 · 1.3 s (p95 2.1 s)', '✗ failed 3× · TimeoutError', '-'. */
function lastRunCell(job: FleetJob, now: Date): string {
  const run = job.lastRun;
  if (!run) return '-';
  if (run.outcome === 'success') {
    const p95 = job.durationMs ? ` (p95 ${formatRunDuration(job.durationMs.p95)})` : '';
    return `✓ ${ago(run.endedAt, now)} on ${run.instanceId} · ${formatRunDuration(run.durationMs)}${p95}`;
  }
  return `✗ ${run.outcome === 'failure' ? 'failed' : run.outcome} ${job.failureStreak}× · ${run.error?.type ?? run.outcome}`;
}

function nextRunCell(job: FleetJob, now: Date): string {
  if (job.paused) return 'paused';
  const next = job.nextRuns[0];
  return next ? formatRelative(next, now) : '-';
}

function pauseText(pause: FleetPause, now: Date): string {
  const until = pause.until
    ? `until ${utcSeconds(pause.until)} (${formatRelative(pause.until, now)})`
    : 'until resumed';
  return `by ${pause.by} ${until} · ${pause.reason}`;
}

/** '1.5.0 fails 40 % vs 2 % in 1.4.0', '1.5.0 p95 2.1 s vs 1.0 s in 1.4.0'. */
export function regressionText(regression: Regression): string {
  const parts: string[] = [];
  if (regression.failureRate) {
    const { now, before } = regression.failureRate;
    parts.push(`${regression.version} fails ${percent(now)} vs ${percent(before)} in ${regression.previous}`);
  }
  if (regression.p95DurationMs) {
    const { now, before } = regression.p95DurationMs;
    parts.push(
      `${regression.version} p95 ${formatRunDuration(now)} vs ${formatRunDuration(before)} in ${regression.previous}`,
    );
  }
  return parts.join('; ');
}

function summary(health: FleetHealth): string {
  const alive = health.replicas.filter((replica) => replica.alive).length;
  const counts = new Map<string, number>();
  for (const job of health.jobs) counts.set(job.status, (counts.get(job.status) ?? 0) + 1);
  const byStatus = ['ok', 'degraded', 'failing', 'paused', 'unknown']
    .filter((status) => counts.has(status))
    .map((status) => `${counts.get(status)} ${status}`)
    .join(', ');
  const jobs = `${health.jobs.length} job${health.jobs.length === 1 ? '' : 's'}${byStatus ? `: ${byStatus}` : ''}`;
  return `Fleet ${health.status} · ${alive} of ${health.replicas.length} replicas alive · ${jobs} · store time ${utcSeconds(health.checkedAt)}`;
}

/** What needs a look, one line each: failures, overdue jobs, regressions, pauses. */
function attention(health: FleetHealth, now: Date): string[][] {
  const rows: string[][] = [];
  if (!health.replicas.some((replica) => replica.alive))
    rows.push(['no replica', 'no replica is alive on this store: nothing runs']);
  if (!health.history) rows.push(['no history', 'the store keeps no run history (history: false): no last runs']);
  const pauses = new Map<string, { pause: FleetPause; jobs: string[] }>();
  for (const job of health.jobs) {
    if (job.paused) {
      const entry = pauses.get(job.paused.pattern) ?? { pause: job.paused, jobs: [] };
      entry.jobs.push(job.name);
      pauses.set(job.paused.pattern, entry);
    }
    const run = job.lastRun;
    if (job.failureStreak > 0 && run && !job.paused) {
      const error = errorText(run.error);
      rows.push([
        job.status,
        `${job.name}: ${job.failureStreak} failed run${job.failureStreak === 1 ? '' : 's'} in a row, the last ${ago(run.endedAt, now)} on ${run.instanceId}${error ? ` · ${error}` : ''}`,
      ]);
    }
    if (job.overdue) {
      const last = job.lastRun ? `last run ${ago(job.lastRun.endedAt, now)}` : 'never ran';
      rows.push(['overdue', `${job.name}: ${last}; two of its ticks passed without a run`]);
    }
    if (job.regression) rows.push(['regression', `${job.name}: ${regressionText(job.regression)}`]);
  }
  for (const [pattern, { pause, jobs }] of pauses) {
    const held = pattern === jobs[0] && jobs.length === 1 ? '' : ` (${jobs.join(', ')})`;
    rows.push(['paused', `${pattern}${held} ${pauseText(pause, now)}`]);
  }
  return rows;
}

export function formatStatus(health: FleetHealth): string {
  const now = health.checkedAt;
  const blocks = [summary(health)];
  if (health.jobs.length > 0) {
    blocks.push(
      renderTable(
        ['JOB', 'STATUS', 'LAST RUN', 'NEXT RUN', 'OWNER'],
        health.jobs.map((job) => [
          job.name,
          job.status,
          lastRunCell(job, now),
          nextRunCell(job, now),
          job.owner ?? '-',
        ]),
      ),
    );
  }
  if (health.replicas.length > 0) {
    blocks.push(
      renderTable(
        ['REPLICA', 'STATE', 'VERSION', 'HOST', 'JOBS', 'LAST SEEN'],
        health.replicas.map((replica) => [
          replica.instanceId,
          replica.alive ? 'alive' : 'gone',
          replica.version ?? '-',
          `${replica.host}:${replica.pid}`,
          String(replica.jobs),
          ago(replica.lastSeen, now),
        ]),
      ),
    );
  }
  const flags = attention(health, now);
  if (flags.length > 0) blocks.push(renderTable(['ATTENTION', ''], flags));
  return blocks.join('\n\n');
}

export function formatRuns(job: string, runs: readonly FleetRun[], now: Date): string {
  if (runs.length === 0) return `No runs of '${job}' in the store's history.`;
  const versions = runs.some((run) => run.version !== undefined);
  const header = ['STARTED', 'REPLICA', ...(versions ? ['VERSION'] : []), 'TRIGGER', 'OUTCOME', 'DURATION', 'ERROR'];
  const rows = runs.map((run) => [
    `${utcSeconds(run.startedAt)} (${ago(run.startedAt, now)})`,
    run.instanceId,
    ...(versions ? [run.version ?? '-'] : []),
    run.trigger,
    `${run.outcome === 'success' ? '✓' : '✗'} ${run.outcome}${run.attempts > 1 ? ` (${run.attempts} attempts)` : ''}`,
    formatRunDuration(run.durationMs),
    errorText(run.error),
  ]);
  return `${job}: ${runs.length} run${runs.length === 1 ? '' : 's'}, newest first\n\n${renderTable(header, rows)}`;
}

// The fleet's HTTP API as the editor uses it: GET <base>/jobs?scope=fleet, GET <base>/jobs/<job>/runs,
// POST <base>/jobs/<job>/pause|resume|trigger (core's fleet-routes.ts). Over a fetch function passed
// in, so it is unit-tested against a real node:http server. Answers are checked (the address may
// not be a Tickwise service at all) and their ISO dates made Dates again; every failure is a
// FleetRequestError whose code the status bar and the tree explain.

import type {
  FleetHealth as CoreFleetHealth,
  FleetJob as CoreFleetJob,
  FleetPause,
  FleetReplica,
  FleetRun,
} from '@tickwise/core';

/** A fleet job as the editor shows it: `unknown` for a status a newer service sends that this version does not know. */
export type FleetJob = Omit<CoreFleetJob, 'status'> & { status: CoreFleetJob['status'] | 'unknown' };
export type FleetHealth = Omit<CoreFleetHealth, 'jobs'> & { jobs: FleetJob[] };

/** The part of the global `fetch` used here (Node's fits). */
export type FleetFetch = (
  url: string,
  init: {
    method: string;
    headers: Record<string, string>;
    body?: string;
    signal: AbortSignal;
    redirect: 'manual';
  },
) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;

export interface FleetClientOptions {
  /** The service's base address, as fleetUrlSetting returns it (no trailing slash). */
  baseUrl: string;
  fetch: FleetFetch;
  /** Sent as `Authorization: Bearer <token>`; reads may work without it (loopback), controls never do. */
  token?: string;
  /** How long a request may take; default {@link DEFAULT_TIMEOUT_MS}. */
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Larger answers are refused: a fleet of thousands of jobs is a few MB. */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

export type FleetErrorCode =
  | 'FLEET_UNREACHABLE'
  | 'FLEET_TIMEOUT'
  | 'FLEET_UNAUTHORIZED'
  | 'FLEET_FORBIDDEN'
  | 'FLEET_NOT_FOUND'
  | 'FLEET_HTTP'
  | 'FLEET_BAD_ANSWER';

/** A request to the service failed: `code` says how, the message says what to do. */
export class FleetRequestError extends Error {
  override readonly name = 'FleetRequestError';
  constructor(
    readonly code: FleetErrorCode,
    message: string,
    /** The HTTP status, when the service answered. */
    readonly status?: number,
    /** The job the request was about, if any. */
    readonly job?: string,
  ) {
    super(message);
  }
}

export interface PauseRequest {
  reason: string;
  /** How long, e.g. '2h'; none: until resumed. */
  for?: string;
  /** Who pauses, recorded with the pause. */
  by: string;
}

export class FleetClient {
  private readonly timeoutMs: number;

  constructor(private readonly options: FleetClientOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /** The whole fleet: every job with its status, last run, figures and pause. */
  async status(): Promise<FleetHealth> {
    const body = await this.request('GET', '/jobs?scope=fleet');
    return parseFleetHealth(body, this.options.baseUrl);
  }

  /** The job's newest runs, newest first (at most `limit`). */
  async runs(job: string, limit: number, timeoutMs?: number): Promise<FleetRun[]> {
    const body = await this.request('GET', `/jobs/${encodeURIComponent(job)}/runs?limit=${limit}`, { job, timeoutMs });
    const runs = (body as { runs?: unknown } | null)?.runs;
    if (!Array.isArray(runs)) throw this.badAnswer(`/jobs/${job}/runs`, 'no runs list', job);
    return runs.map((run) => parseRun(run, this.options.baseUrl));
  }

  /** Pauses the job (or pattern) on every replica sharing the service's store. */
  async pause(pattern: string, request: PauseRequest): Promise<FleetPause> {
    const body = await this.request('POST', `/jobs/${encodeURIComponent(pattern)}/pause`, {
      job: pattern,
      body: { reason: request.reason, by: request.by, ...(request.for !== undefined && { for: request.for }) },
    });
    const paused = (body as { paused?: unknown } | null)?.paused;
    if (!isObject(paused)) throw this.badAnswer(`/jobs/${pattern}/pause`, 'no pause in the answer', pattern);
    return parsePause(paused);
  }

  /** Removes the pause of exactly this pattern; false when there was none. */
  async resume(pattern: string, by: string): Promise<boolean> {
    const body = await this.request('POST', `/jobs/${encodeURIComponent(pattern)}/resume`, {
      job: pattern,
      body: { by },
    });
    return (body as { resumed?: unknown } | null)?.resumed === true;
  }

  /** Asks for one run now, on one of the replicas that have the job. */
  async trigger(job: string, by: string): Promise<void> {
    await this.request('POST', `/jobs/${encodeURIComponent(job)}/trigger`, { job, body: { by } });
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    options: { job?: string; body?: object; timeoutMs?: number } = {},
  ): Promise<unknown> {
    const base = this.options.baseUrl;
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (options.body) headers['content-type'] = 'application/json';
    let response: Awaited<ReturnType<FleetFetch>>;
    let text: string;
    try {
      response = await this.options.fetch(`${base}${path}`, {
        method,
        headers,
        ...(options.body && { body: JSON.stringify(options.body) }),
        signal: AbortSignal.timeout(timeoutMs),
        // A redirect could carry the token elsewhere: the setting must name the service itself.
        redirect: 'manual',
      });
      const length = Number(response.headers.get('content-length') ?? 0);
      if (length > MAX_ANSWER_BYTES) throw this.badAnswer(path, `an answer of ${length} bytes`, options.job);
      text = await response.text();
    } catch (error) {
      if (error instanceof FleetRequestError) throw error;
      if (isTimeout(error)) {
        throw new FleetRequestError(
          'FLEET_TIMEOUT',
          `${base} did not answer within ${formatSeconds(timeoutMs)}`,
          undefined,
          options.job,
        );
      }
      throw new FleetRequestError(
        'FLEET_UNREACHABLE',
        `cannot reach ${base}: ${causeOf(error)}`,
        undefined,
        options.job,
      );
    }
    const { status } = response;
    let body: unknown;
    try {
      body = text.trim() === '' ? null : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (status >= 200 && status < 300) {
      if (body === undefined) throw this.badAnswer(path, 'an answer that is not JSON', options.job);
      return body;
    }
    const said = serverMessage(body);
    const detail = said ? `: ${said}` : '';
    const where = `${method} ${base}${path.split('?')[0]}`;
    if (status === 401) {
      const hint = this.options.token
        ? 'the fleet token was refused; run "Tickwise: Set Fleet Token" with the service\'s token'
        : 'the service needs a token; run "Tickwise: Set Fleet Token"';
      throw new FleetRequestError('FLEET_UNAUTHORIZED', `${where} answered 401 (${hint})${detail}`, 401, options.job);
    }
    if (status === 403)
      throw new FleetRequestError('FLEET_FORBIDDEN', `${where} refused (403)${detail}`, 403, options.job);
    if (status === 404) {
      const hint = path.startsWith('/jobs?')
        ? ' (is tickwise.fleet.url the address the service serves /jobs under, and does its store keep fleet state?)'
        : '';
      throw new FleetRequestError('FLEET_NOT_FOUND', `${where} answered 404${detail}${hint}`, 404, options.job);
    }
    if (status >= 300 && status < 400) {
      const location = response.headers.get('location');
      throw new FleetRequestError(
        'FLEET_HTTP',
        `${where} redirects${location ? ` to ${location}` : ''}; set tickwise.fleet.url to the service's own address`,
        status,
        options.job,
      );
    }
    throw new FleetRequestError('FLEET_HTTP', `${where} answered ${status}${detail}`, status, options.job);
  }

  private badAnswer(path: string, what: string, job?: string): FleetRequestError {
    return new FleetRequestError(
      'FLEET_BAD_ANSWER',
      `${this.options.baseUrl}${path.split('?')[0]} sent ${what}, not the Tickwise fleet API's JSON`,
      undefined,
      job,
    );
  }
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

/** "ECONNREFUSED 127.0.0.1:3000", "getaddrinfo ENOTFOUND svc": what Node's fetch hides in `cause`. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (cause && typeof cause.message === 'string' && cause.message !== '') return cause.message;
  if (cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}

/** The `error` of a JSON error answer, on one line and short (it is shown in a status bar tooltip). */
function serverMessage(body: unknown): string | undefined {
  const error = (body as { error?: unknown } | null | undefined)?.error;
  if (typeof error !== 'string' || error.trim() === '') return undefined;
  const line = error.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

// --- the JSON of core's FleetHealth, back to its types ---------------------------------------

const STATUSES: readonly FleetJob['status'][] = ['ok', 'degraded', 'failing', 'paused', 'unknown'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** An ISO string (as JSON has it) or epoch milliseconds (as control answers have it); null otherwise. */
function date(value: unknown): Date | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

function percentiles(value: unknown): { p50: number; p95: number } | null {
  return isObject(value) ? { p50: count(value.p50), p95: count(value.p95) } : null;
}

function parsePause(value: Record<string, unknown>): FleetPause {
  return {
    pattern: text(value.pattern) ?? '',
    reason: text(value.reason) ?? '',
    by: text(value.by) ?? 'unknown',
    at: date(value.at) ?? new Date(0),
    until: date(value.until),
  };
}

function parseRun(value: unknown, base: string): FleetRun {
  if (!isObject(value) || typeof value.outcome !== 'string') {
    throw new FleetRequestError('FLEET_BAD_ANSWER', `${base} sent a run without an outcome`);
  }
  const endedAt = date(value.endedAt) ?? new Date(0);
  const error = isObject(value.error)
    ? {
        type: text(value.error.type) ?? 'Error',
        ...(text(value.error.message) && { message: text(value.error.message) }),
      }
    : undefined;
  return {
    outcome: value.outcome as FleetRun['outcome'],
    tick: date(value.tick) ?? endedAt,
    startedAt: date(value.startedAt) ?? endedAt,
    endedAt,
    durationMs: count(value.durationMs),
    lateMs: count(value.lateMs),
    instanceId: text(value.instanceId) ?? '?',
    trigger: (text(value.trigger) ?? 'schedule') as FleetRun['trigger'],
    attempts: count(value.attempts),
    ...(text(value.version) !== undefined && { version: text(value.version) }),
    ...(error && { error }),
  };
}

function parseJob(value: unknown, base: string): FleetJob {
  if (!isObject(value) || typeof value.name !== 'string') {
    throw new FleetRequestError('FLEET_BAD_ANSWER', `${base} sent a fleet job without a name`);
  }
  const status = STATUSES.includes(value.status as FleetJob['status'])
    ? (value.status as FleetJob['status'])
    : 'unknown';
  const optional = (key: 'schedule' | 'timezone' | 'describe' | 'owner' | 'description' | 'runbook') =>
    text(value[key]) !== undefined ? { [key]: text(value[key]) } : {};
  return {
    name: value.name,
    ...optional('schedule'),
    ...optional('timezone'),
    ...optional('describe'),
    ...optional('owner'),
    ...optional('description'),
    ...optional('runbook'),
    status,
    replicas: Array.isArray(value.replicas) ? value.replicas.filter((r): r is string => typeof r === 'string') : [],
    paused: isObject(value.paused) ? parsePause(value.paused) : null,
    nextRuns: Array.isArray(value.nextRuns) ? value.nextRuns.map(date).filter((d): d is Date => d !== null) : [],
    lastRun: isObject(value.lastRun) ? parseRun(value.lastRun, base) : null,
    lastSuccess: date(value.lastSuccess),
    failureStreak: count(value.failureStreak),
    runs: count(value.runs),
    failures: count(value.failures),
    durationMs: percentiles(value.durationMs),
    lateMs: percentiles(value.lateMs),
    overdue: value.overdue === true,
    // The per-version figures and regressions are the CLI's and the web page's to show.
    byVersion: [],
    regression: parseRegression(value.regression),
  };
}

function parseRegression(value: unknown): FleetJob['regression'] {
  if (!isObject(value) || typeof value.version !== 'string' || typeof value.previous !== 'string') return null;
  const pair = (part: unknown) => (isObject(part) ? { now: count(part.now), before: count(part.before) } : undefined);
  const failureRate = pair(value.failureRate);
  const p95DurationMs = pair(value.p95DurationMs);
  return {
    version: value.version,
    previous: value.previous,
    ...(failureRate && { failureRate }),
    ...(p95DurationMs && { p95DurationMs }),
  };
}

function parseReplica(value: unknown): FleetReplica | null {
  if (!isObject(value) || typeof value.instanceId !== 'string') return null;
  return {
    instanceId: value.instanceId,
    host: text(value.host) ?? '',
    pid: count(value.pid),
    ...(text(value.version) !== undefined && { version: text(value.version) }),
    startedAt: date(value.startedAt) ?? new Date(0),
    lastSeen: date(value.lastSeen) ?? new Date(0),
    alive: value.alive === true,
    jobs: count(value.jobs),
    clockOffsetMs: typeof value.clockOffsetMs === 'number' ? value.clockOffsetMs : null,
  };
}

/** GET /jobs?scope=fleet's JSON as a FleetHealth; throws FLEET_BAD_ANSWER when it is not that. */
export function parseFleetHealth(body: unknown, base: string): FleetHealth {
  if (!isObject(body) || body.scope !== 'fleet' || !Array.isArray(body.jobs)) {
    throw new FleetRequestError(
      'FLEET_BAD_ANSWER',
      `${base}/jobs?scope=fleet did not answer with the fleet's JSON (is it a Tickwise service, and a version with the fleet view?)`,
    );
  }
  return {
    scope: 'fleet',
    status: body.status === 'failing' || body.status === 'degraded' ? body.status : 'ok',
    checkedAt: date(body.checkedAt) ?? new Date(0),
    history: body.history !== false,
    replicas: Array.isArray(body.replicas)
      ? body.replicas.map(parseReplica).filter((r): r is FleetReplica => r !== null)
      : [],
    jobs: body.jobs.map((job) => parseJob(job, base)),
  };
}

// The fleet asked over a service's HTTP routes (--url <service>/jobs): GET ?scope=fleet, GET
// <job>/runs, POST <job>/pause|resume|trigger (core's fleet-routes.ts), each within a timeout,
// with a message per refusal that says what to change.

import type { FleetHealth, FleetPause, FleetRun } from '@tickwise/core';
import { UsageError } from '../node/usage-error.js';
import { type FleetClient, FleetClientError, type FleetPauseRequest, type FleetTrigger } from './fleet-client.js';
import { formatRunDuration } from './fleet-formats.js';

export interface HttpOptions {
  /** The service's jobs endpoint: http(s)://host[:port][/base]/jobs. */
  url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Each request gives up after this long; default 10 s. */
  timeoutMs?: number;
}

export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;

/** The fields of the fleet's answers that hold instants (ISO strings in JSON, epoch ms in a pause's or trigger's record). */
const DATE_FIELDS = new Set(['checkedAt', 'startedAt', 'lastSeen', 'at', 'until', 'tick', 'endedAt', 'lastSuccess']);

function revive(key: string, value: unknown): unknown {
  if (DATE_FIELDS.has(key) && (typeof value === 'string' || typeof value === 'number')) return new Date(value);
  if (key === 'nextRuns' && Array.isArray(value)) return value.map((item) => new Date(item as string));
  return value;
}

/** Checks the URL: an http(s) URL of a `/jobs` endpoint without a query. Throws UsageError. */
export function jobsEndpoint(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url must be the service's jobs endpoint, such as http://web-1:3000/jobs; got '${url}'`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new UsageError(`--url must be an http:// or https:// URL, got '${parsed.protocol}'`);
  const path = parsed.pathname.replace(/\/+$/, '');
  if (!path.endsWith('/jobs') || parsed.search !== '' || parsed.hash !== '') {
    throw new UsageError(
      `--url must end with the jobs endpoint (createHealthHandler's basePath + /jobs), such as http://web-1:3000/jobs; got '${url}'`,
    );
  }
  if (parsed.username || parsed.password)
    throw new UsageError('--url may not carry credentials: pass the token with TICKWISE_TOKEN or --token');
  return `${parsed.origin}${path}`;
}

export function httpClient(options: HttpOptions): FleetClient {
  return new HttpClient(jobsEndpoint(options.url), options.token, options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS);
}

class HttpClient implements FleetClient {
  constructor(
    readonly target: string,
    private readonly token: string | undefined,
    private readonly timeoutMs: number,
  ) {}

  status(): Promise<FleetHealth> {
    return this.request('GET', '?scope=fleet');
  }

  async runs(job: string, limit: number): Promise<FleetRun[]> {
    const answer = await this.request<{ runs: FleetRun[] }>('GET', `/${encodeURIComponent(job)}/runs?limit=${limit}`);
    return answer.runs;
  }

  async pause(pattern: string, request: FleetPauseRequest): Promise<FleetPause> {
    const body = { reason: request.reason, by: request.by, ...(request.forMs !== undefined && { for: request.forMs }) };
    const answer = await this.request<{ paused: FleetPause }>('POST', `/${encodeURIComponent(pattern)}/pause`, body);
    return answer.paused;
  }

  async resume(pattern: string): Promise<boolean> {
    const answer = await this.request<{ resumed: boolean }>('POST', `/${encodeURIComponent(pattern)}/resume`, {});
    return answer.resumed;
  }

  async trigger(job: string, by: string): Promise<FleetTrigger> {
    const answer = await this.request<{ triggered: FleetTrigger }>('POST', `/${encodeURIComponent(job)}/trigger`, {
      by,
    });
    return answer.triggered;
  }

  async close(): Promise<void> {
    // Nothing held: each request's connection is released with its answer.
  }

  private async request<T>(method: 'GET' | 'POST', rest: string, body?: object): Promise<T> {
    const url = `${this.target}${rest}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(this.token !== undefined && { authorization: `Bearer ${this.token}` }),
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new FleetClientError(
          'FLEET_UNREACHABLE',
          `${this.target}: no answer within ${formatRunDuration(this.timeoutMs)}`,
          {
            cause: error,
          },
        );
      }
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new FleetClientError('FLEET_UNREACHABLE', `cannot reach ${this.target}: ${why}`, { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text, revive);
    } catch {
      parsed = undefined;
    }
    if (response.ok) {
      if (typeof parsed !== 'object' || parsed === null) {
        throw new FleetClientError(
          'FLEET_UNREACHABLE',
          `${url} answered ${response.status} without a JSON object: is it a Tickwise jobs endpoint?`,
        );
      }
      return parsed as T;
    }
    throw this.refusal(method, url, response.status, (parsed as { error?: unknown } | undefined)?.error);
  }

  private refusal(method: string, url: string, status: number, said: unknown): FleetClientError {
    const detail = typeof said === 'string' ? ` (${said})` : '';
    switch (status) {
      case 401:
        return new FleetClientError(
          'FLEET_REFUSED',
          this.token === undefined
            ? `${method} ${url}: the service wants a token (401): set TICKWISE_TOKEN (or pass --token)`
            : `${method} ${url}: the service refused the token (401): check TICKWISE_TOKEN or --token`,
        );
      case 403:
        return new FleetClientError('FLEET_REFUSED', `${method} ${url}: refused (403)${detail}`);
      case 404:
        return new FleetClientError(
          'FLEET_NOT_FOUND',
          `${method} ${url}: not found (404)${detail}: give the service's jobs endpoint (createHealthHandler's basePath + /jobs), on a service whose store keeps fleet state`,
        );
      case 400:
        return new FleetClientError('FLEET_BAD_REQUEST', `${method} ${url}: the service rejected the request${detail}`);
      default:
        return new FleetClientError('FLEET_UNREACHABLE', `${method} ${url}: the service answered ${status}${detail}`);
    }
  }
}

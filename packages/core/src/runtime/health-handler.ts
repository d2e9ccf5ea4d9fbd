// HTTP endpoints for health, as a node:http request handler (also usable as Express/Fastify
// middleware): GET /health for load balancers and probes, GET /jobs for people and dashboards.
// Hardened for being reachable by strangers: /jobs is served only with a token or to loopback
// clients, every answer carries safe headers, bodies and long URLs are refused, nothing crashes.

import { createHash, timingSafeEqual } from 'node:crypto';
import { errorType, redactError } from '../telemetry/error-detail.js';
import type { HealthOptions, HealthSnapshot } from './health.js';

// The request and response are typed by the parts the handler uses, not by node:http's classes, so
// the published declarations compile without @types/node (TypeScript 6 defaults `types` to []).
// Node's IncomingMessage/ServerResponse, Express's and Fastify's raw objects all fit.

/** What the handler reads of a request (Node's `IncomingMessage` fits). */
export interface HealthRequest {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: {
    readonly authorization?: string | undefined;
    readonly 'content-length'?: string | undefined;
    readonly 'transfer-encoding'?: string | undefined;
    readonly 'x-forwarded-for'?: string | string[] | undefined;
    readonly forwarded?: string | undefined;
  };
  /** The connection: its peer address decides whether a request is from loopback. */
  readonly socket?: { readonly remoteAddress?: string | undefined } | undefined;
}

/** What the handler calls on a response (Node's `ServerResponse` fits). */
export interface HealthResponse {
  setHeader(name: string, value: string): unknown;
  writeHead(status: number, headers: Record<string, string | number>): unknown;
  end(chunk?: string): unknown;
  readonly headersSent?: boolean;
}

/**
 * Who may GET /jobs (job names, schedules, owners, descriptions, runbooks):
 * - `'token'`: requests with `Authorization: Bearer <token>` (needs `token`);
 * - `'loopback'`: requests whose connection comes from 127.0.0.0/8 or ::1 and that carry no
 *   `X-Forwarded-For`/`Forwarded` header (a proxy on the same machine makes every request loopback);
 * - `'public'`: anyone (for when your own middleware in front of it authenticates).
 */
export type JobsAccess = 'token' | 'loopback' | 'public';

export interface HealthHandlerOptions extends HealthOptions {
  /** Prefix of both paths, e.g. '/internal' → /internal/health and /internal/jobs. Default ''. */
  basePath?: string;
  /**
   * The bearer token GET /jobs requires (compared in constant time). GET /health stays open: it
   * says only ok / degraded / failing and counts.
   */
  token?: string;
  /** Who may GET /jobs; default `'token'` when `token` is set, else `'loopback'`. */
  jobsAccess?: JobsAccess;
}

interface HealthSource {
  health(options?: HealthOptions): Promise<HealthSnapshot>;
}

type Next = (error?: unknown) => void;

/** Longer request targets are answered 414: both paths are short, so a long one is not for us. */
export const MAX_URL_LENGTH = 2048;

/** On every answer: JSON only, never sniffed as HTML, never cached, never framed, no CORS. */
const SAFE_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
} as const;

function send(
  response: HealthResponse,
  status: number,
  body: unknown,
  head: boolean,
  extra: Record<string, string> = {},
): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  response.writeHead(status, { ...SAFE_HEADERS, ...extra, 'content-length': Buffer.byteLength(text) });
  response.end(head ? undefined : text);
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Constant time, whatever the lengths: both sides are hashed first. */
function tokenMatches(header: string | undefined, expected: Buffer): boolean {
  return timingSafeEqual(digest(header ?? ''), expected);
}

function fromLoopback(request: HealthRequest): boolean {
  if (request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined) return false;
  const address = request.socket?.remoteAddress ?? '';
  return address === '::1' || /^(::ffff:)?127\./.test(address);
}

function hasBody(request: HealthRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

/**
 * `(request, response, next?)`: serves GET `/health` (200 when ok or degraded, 503 when failing;
 * a small body) and GET `/jobs` (the full snapshot, see `jobsAccess`). Other paths go to `next`
 * when given, else 404. Throws at creation when `jobsAccess` is 'token' without a `token`.
 */
export function createHealthHandler(
  scheduler: HealthSource,
  options: HealthHandlerOptions = {},
): (request: HealthRequest, response: HealthResponse, next?: Next) => void {
  const base = (options.basePath ?? '').replace(/\/+$/, '');
  const { token, basePath: _basePath, jobsAccess: access, ...healthOptions } = options;
  if (token !== undefined && (typeof token !== 'string' || token.length === 0)) {
    throw new TypeError('createHealthHandler: token must be a non-empty string');
  }
  const jobsAccess: JobsAccess = access ?? (token === undefined ? 'loopback' : 'token');
  if (!['token', 'loopback', 'public'].includes(jobsAccess)) {
    throw new TypeError(`createHealthHandler: jobsAccess must be 'token', 'loopback' or 'public'; got '${jobsAccess}'`);
  }
  if (jobsAccess === 'token' && token === undefined) {
    throw new TypeError("createHealthHandler: jobsAccess 'token' needs the token option");
  }
  const expected = token === undefined ? null : digest(`Bearer ${token}`);

  const serve = (request: HealthRequest, response: HealthResponse, next: Next | undefined): void => {
    const url = typeof request.url === 'string' ? request.url : '/';
    if (url.length > MAX_URL_LENGTH) {
      send(response, 414, { error: `request target longer than ${MAX_URL_LENGTH} characters` }, false);
      return;
    }
    const path = url.split('?')[0] as string;
    const route = path === `${base}/health` ? 'health' : path === `${base}/jobs` ? 'jobs' : null;
    if (!route) {
      if (next) next();
      else send(response, 404, { error: `not found; try GET ${base}/health or ${base}/jobs` }, false);
      return;
    }
    const head = request.method === 'HEAD';
    if (request.method !== 'GET' && !head) {
      send(response, 405, { error: 'method not allowed' }, false, { allow: 'GET, HEAD' });
      return;
    }
    if (hasBody(request)) {
      // Not read: the connection is closed so its bytes are not taken for the next request.
      send(response, 413, { error: 'these endpoints take no request body' }, false, { connection: 'close' });
      return;
    }
    if (route === 'jobs') {
      if (jobsAccess === 'token' && !tokenMatches(request.headers.authorization, expected as Buffer)) {
        send(response, 401, { error: `GET ${base}/jobs needs Authorization: Bearer <token>` }, head, {
          'www-authenticate': 'Bearer',
        });
        return;
      }
      if (jobsAccess === 'loopback' && !fromLoopback(request)) {
        send(
          response,
          403,
          { error: `GET ${base}/jobs is served to loopback clients only; set a token to serve it to others` },
          head,
        );
        return;
      }
    }
    scheduler.health(healthOptions).then(
      (snapshot) => {
        if (route === 'jobs') {
          // A store's error text may carry its connection string.
          const store =
            snapshot.store.error === undefined
              ? snapshot.store
              : { ...snapshot.store, error: redactError(snapshot.store.error) };
          send(response, 200, { ...snapshot, store }, head);
          return;
        }
        const counts: Record<string, number> = { total: snapshot.jobs.length };
        for (const job of snapshot.jobs) counts[job.status] = (counts[job.status] ?? 0) + 1;
        send(
          response,
          snapshot.status === 'failing' ? 503 : 200,
          {
            status: snapshot.status,
            checkedAt: snapshot.checkedAt,
            store: { reachable: snapshot.store.reachable },
            jobs: counts,
          },
          head,
        );
      },
      (error: unknown) => fail(response, error, head),
    );
  };

  return (request, response, next) => {
    try {
      serve(request, response, next);
    } catch (error) {
      fail(response, error, false);
    }
  };
}

/** A 500 that names the error's class only: its message may carry secrets. */
function fail(response: HealthResponse, error: unknown, head: boolean): void {
  if (response.headersSent) return;
  try {
    send(response, 500, { error: 'health check failed', type: errorType(error) }, head);
  } catch {
    // The connection is gone; nothing left to tell.
  }
}

// HTTP endpoints for health, as a node:http request handler (also usable as Express/Fastify
// middleware): GET /health for load balancers and probes, GET /jobs for people and dashboards,
// the fleet routes beside it (fleet-routes.ts: GET /jobs?scope=fleet, runs, controls), and the
// fleet's web page for browsers (fleet-page-routes.ts: GET /jobs preferring HTML, sign-in, forms).
// Hardened for being reachable by strangers: /jobs is served only with a token or to loopback
// clients, every answer carries safe headers, bodies and long URLs are refused, nothing crashes.

import { createHash, timingSafeEqual } from 'node:crypto';
import { errorType, redactError } from '../telemetry/error-detail.js';
import { TickwiseError } from './errors.js';
import type { Fleet } from './fleet.js';
import { createPageServer, pageRoute, type ReadAccess } from './fleet-page-routes.js';
import { PageSessions } from './fleet-page-session.js';
import { answerFleet, type ControlBody, type FleetRoute, fleetRoute, MAX_CONTROL_BODY } from './fleet-routes.js';
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
    readonly 'content-type'?: string | undefined;
    readonly 'content-length'?: string | undefined;
    readonly 'transfer-encoding'?: string | undefined;
    readonly 'x-forwarded-for'?: string | string[] | undefined;
    readonly forwarded?: string | undefined;
    /** The web page's: content negotiation, its session cookie, the forms' same-origin check. */
    readonly accept?: string | undefined;
    readonly cookie?: string | undefined;
    readonly origin?: string | undefined;
    readonly referer?: string | undefined;
    readonly host?: string | undefined;
    readonly 'x-forwarded-proto'?: string | string[] | undefined;
  };
  /** The connection: its peer address decides whether a request is from loopback; a TLS one makes the page's cookies Secure. */
  readonly socket?:
    | { readonly remoteAddress?: string | undefined; readonly encrypted?: boolean | undefined }
    | undefined;
  /** A control's body is read from the stream (Node's IncomingMessage)… */
  on?(event: 'data' | 'end' | 'error', listener: (chunk?: unknown) => void): unknown;
  /** …or taken as parsed by middleware before this handler (Express's express.json()). */
  readonly body?: unknown;
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
  /** The fleet view (Scheduler.fleet): the fleet routes answer 404 without it. */
  readonly fleet?: Fleet | null;
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
 * a small body) and GET `/jobs` (the full snapshot, see `jobsAccess`); a browser asking for
 * `/jobs` as text/html gets the fleet's web page (docs/fleet.md, "The web page"). Other paths go to `next`
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
  /** GET /jobs's rules, for the web page (which also takes its session cookie where they want the token). */
  const readAccess = (request: HealthRequest): ReadAccess => {
    if (jobsAccess === 'token' && !tokenMatches(request.headers.authorization, expected as Buffer))
      return 'needs-token';
    if (jobsAccess === 'loopback' && !fromLoopback(request)) return 'not-loopback';
    return 'ok';
  };
  const page = createPageServer<HealthRequest>({
    base,
    readAccess,
    sessions: token === undefined ? null : new PageSessions(token),
    fleet: () => scheduler.fleet,
  });

  const serve = (request: HealthRequest, response: HealthResponse, next: Next | undefined): void => {
    const url = typeof request.url === 'string' ? request.url : '/';
    if (url.length > MAX_URL_LENGTH) {
      send(response, 414, { error: `request target longer than ${MAX_URL_LENGTH} characters` }, false);
      return;
    }
    const [path = '', query = ''] = url.split('?', 2);
    // `<base>/` is ours only with a basePath, or when this handler is the whole server (no next).
    const forPage = pageRoute(request, path, query, base, base !== '' || next === undefined);
    if (forPage) {
      page(forPage, request, response);
      return;
    }
    const fleet = fleetRoute(path, query, base);
    if (fleet) {
      serveFleet(request, response, fleet, query);
      return;
    }
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
    if (route === 'jobs' && !mayRead(request, response, head)) return;
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

  /** The access rules of GET /jobs; answers 401/403 itself and returns false when they refuse. */
  const mayRead = (request: HealthRequest, response: HealthResponse, head: boolean): boolean => {
    const access = readAccess(request);
    if (access === 'needs-token') {
      send(response, 401, { error: `GET ${base}/jobs needs Authorization: Bearer <token>` }, head, {
        'www-authenticate': 'Bearer',
      });
      return false;
    }
    if (access === 'not-loopback') {
      send(
        response,
        403,
        { error: `GET ${base}/jobs is served to loopback clients only; set a token to serve it to others` },
        head,
      );
      return false;
    }
    return true;
  };

  const serveFleet = (request: HealthRequest, response: HealthResponse, route: FleetRoute, query: string): void => {
    const control = route.kind === 'control';
    const head = request.method === 'HEAD';
    const method = control ? 'POST' : 'GET';
    if (request.method !== method && !(head && !control)) {
      send(response, 405, { error: 'method not allowed' }, false, { allow: control ? 'POST' : 'GET, HEAD' });
      return;
    }
    if (control) {
      // Controls need the token whatever jobsAccess says: reading is not changing.
      if (!expected || !tokenMatches(request.headers.authorization, expected)) {
        send(
          response,
          expected ? 401 : 403,
          {
            error: expected
              ? `POST ${base}/jobs/<job>/${route.action} needs Authorization: Bearer <token>`
              : 'fleet controls over HTTP need the handler’s token option',
          },
          false,
          expected ? { 'www-authenticate': 'Bearer' } : {},
        );
        return;
      }
      if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '') && hasBody(request)) {
        send(response, 415, { error: 'send the control’s body as application/json' }, false);
        return;
      }
    } else {
      if (hasBody(request)) {
        send(response, 413, { error: 'these endpoints take no request body' }, false, { connection: 'close' });
        return;
      }
      if (!mayRead(request, response, head)) return;
    }
    const view = scheduler.fleet;
    if (!view) {
      send(response, 404, { error: 'no fleet view: the store keeps no fleet state (or fleet: false)' }, head);
      return;
    }
    const body = control ? readBody(request) : Promise.resolve({});
    body
      .then((parsed) => answerFleet(view, route, parsed, query))
      .then(
        (answer) => send(response, answer.status, answer.body, head),
        (error: unknown) => {
          if (error instanceof BadBody)
            send(response, error.status, { error: error.message }, false, { connection: 'close' });
          else if (error instanceof TickwiseError && error.code === 'INVALID_OPTION')
            send(response, 400, { error: error.message }, false);
          else if (error instanceof TypeError && /job name or pattern/.test(error.message))
            send(response, 400, { error: error.message }, false);
          else fail(response, error, head);
        },
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

class BadBody extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A control's JSON body: from middleware that parsed it, or read from the stream (at most MAX_CONTROL_BODY bytes). */
function readBody(request: HealthRequest): Promise<ControlBody> {
  if (request.body !== undefined && typeof request.body === 'object' && request.body !== null) {
    return Promise.resolve(request.body as ControlBody);
  }
  if (!hasBody(request) || !request.on) return Promise.resolve({});
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error: BadBody | null, value?: ControlBody) => {
      if (done) return;
      done = true;
      if (error) reject(error);
      else resolve(value ?? {});
    };
    request.on?.('data', (chunk) => {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      size += buffer.length;
      if (size > MAX_CONTROL_BODY) finish(new BadBody(413, `a control's body is at most ${MAX_CONTROL_BODY} bytes`));
      else chunks.push(buffer);
    });
    request.on?.('error', () => finish(new BadBody(400, 'the request body could not be read')));
    request.on?.('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return finish(null, {});
      try {
        const parsed: unknown = JSON.parse(text);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
          finish(new BadBody(400, 'the body must be a JSON object'));
        } else finish(null, parsed as ControlBody);
      } catch {
        finish(new BadBody(400, 'the body is not valid JSON'));
      }
    });
  });
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

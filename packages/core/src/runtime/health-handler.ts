// HTTP endpoints for health, as a node:http request handler (also usable as Express/Fastify
// middleware): GET /health for load balancers and probes, GET /jobs for people and dashboards.

import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HealthOptions, HealthSnapshot } from './health.js';

export interface HealthHandlerOptions extends HealthOptions {
  /** Prefix of both paths, e.g. '/internal' → /internal/health and /internal/jobs. Default ''. */
  basePath?: string;
  /**
   * When set, GET /jobs requires `Authorization: Bearer <token>` (it lists job names, owners and
   * runbooks). GET /health stays open: it says only ok / degraded / failing and counts.
   */
  token?: string;
}

interface HealthSource {
  health(options?: HealthOptions): Promise<HealthSnapshot>;
}

type Next = (error?: unknown) => void;

function send(response: ServerResponse, status: number, body: unknown, head: boolean): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  response.end(head ? undefined : text);
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const expected = Buffer.from(`Bearer ${token}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * `(request, response, next?)`: serves GET `/health` (200 when ok or degraded, 503 when failing;
 * a small body) and GET `/jobs` (the full snapshot). Other paths go to `next` when given, else 404.
 */
export function createHealthHandler(
  scheduler: HealthSource,
  options: HealthHandlerOptions = {},
): (request: IncomingMessage, response: ServerResponse, next?: Next) => void {
  const base = (options.basePath ?? '').replace(/\/+$/, '');
  const { token, basePath: _basePath, ...healthOptions } = options;
  return (request, response, next) => {
    const path = (request.url ?? '/').split('?')[0];
    const route = path === `${base}/health` ? 'health' : path === `${base}/jobs` ? 'jobs' : null;
    if (!route) {
      if (next) next();
      else send(response, 404, { error: `not found; try GET ${base}/health or ${base}/jobs` }, false);
      return;
    }
    const head = request.method === 'HEAD';
    if (request.method !== 'GET' && !head) {
      response.setHeader('allow', 'GET, HEAD');
      send(response, 405, { error: 'method not allowed' }, false);
      return;
    }
    if (route === 'jobs' && token !== undefined && !tokenMatches(request.headers.authorization, token)) {
      response.setHeader('www-authenticate', 'Bearer');
      send(response, 401, { error: 'GET /jobs needs Authorization: Bearer <token>' }, head);
      return;
    }
    scheduler.health(healthOptions).then(
      (snapshot) => {
        if (route === 'jobs') {
          send(response, 200, snapshot, head);
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
      (error: unknown) => send(response, 500, { error: error instanceof Error ? error.message : String(error) }, head),
    );
  };
}

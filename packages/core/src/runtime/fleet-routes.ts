// The fleet's HTTP API beside GET /jobs (health-handler.ts), for `tickwise fleet --url`, the editor
// and scripts: GET /jobs?scope=fleet (FleetHealth), GET /jobs/<job>/runs, and the controls
// POST /jobs/<job or pattern>/pause|resume, POST /jobs/<job>/trigger. Controls always need the
// handler's token (Authorization: Bearer), whoever may read: a header a browser never sends on
// its own, so a page elsewhere cannot make a visitor's browser pause jobs (no CSRF).

import type { Fleet } from './fleet.js';

export type FleetAction = 'pause' | 'resume' | 'trigger';

/** A request for one of the fleet routes under `<base>/jobs`; null when the path is not one. */
export type FleetRoute =
  | { kind: 'status' }
  | { kind: 'runs'; job: string }
  | { kind: 'control'; action: FleetAction; job: string };

const ACTIONS: readonly string[] = ['pause', 'resume', 'trigger'];

/** The largest control body read (a reason, a duration, a name). */
export const MAX_CONTROL_BODY = 4096;

/**
 * Reads `<base>/jobs/<job>/<what>` (the job name URL-encoded, so names with `/` fit); `query` is
 * the search part of the URL. Null when the path is none of the fleet routes.
 */
export function fleetRoute(path: string, query: string, base: string): FleetRoute | null {
  const jobs = `${base}/jobs`;
  if (path === jobs) return new URLSearchParams(query).get('scope') === 'fleet' ? { kind: 'status' } : null;
  if (!path.startsWith(`${jobs}/`)) return null;
  const rest = path.slice(jobs.length + 1);
  const slash = rest.lastIndexOf('/');
  if (slash <= 0) return null;
  let job: string;
  try {
    job = decodeURIComponent(rest.slice(0, slash));
  } catch {
    return null;
  }
  const what = rest.slice(slash + 1);
  if (what === 'runs') return { kind: 'runs', job };
  if (ACTIONS.includes(what)) return { kind: 'control', action: what as FleetAction, job };
  return null;
}

export interface ControlBody {
  reason?: unknown;
  for?: unknown;
  by?: unknown;
}

/** What a fleet route answers: a status code and a JSON body. */
export interface FleetAnswer {
  status: number;
  body: unknown;
}

/** Runs a fleet route that passed the access checks. */
export async function answerFleet(
  fleet: Fleet,
  route: FleetRoute,
  body: ControlBody,
  query: string,
): Promise<FleetAnswer> {
  switch (route.kind) {
    case 'status':
      return { status: 200, body: await fleet.status() };
    case 'runs': {
      const limit = Number(new URLSearchParams(query).get('limit') ?? Number.NaN);
      const runs = await fleet.runs(route.job, Number.isInteger(limit) && limit > 0 ? { limit } : {});
      return { status: 200, body: { job: route.job, runs } };
    }
    case 'control': {
      const by = typeof body.by === 'string' && body.by.trim() !== '' ? body.by.trim() : 'http';
      if (route.action === 'pause') {
        if (typeof body.reason !== 'string' || body.reason.trim() === '') {
          return { status: 400, body: { error: 'a pause needs { "reason": "…" } (and may have "for": "2h")' } };
        }
        const duration = typeof body.for === 'string' || typeof body.for === 'number' ? body.for : undefined;
        if (body.for !== undefined && duration === undefined) {
          return { status: 400, body: { error: '"for" must be a duration such as "2h" or a number of ms' } };
        }
        const pause = await fleet.pause(route.job, {
          reason: body.reason,
          by,
          ...(duration !== undefined && { for: duration }),
        });
        return { status: 200, body: { paused: pause } };
      }
      if (route.action === 'resume') return { status: 200, body: { resumed: await fleet.resume(route.job) } };
      return { status: 202, body: { triggered: await fleet.trigger(route.job, { by }) } };
    }
  }
}

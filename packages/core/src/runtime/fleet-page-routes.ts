// The web page's side of the health handler (health-handler.ts): which requests are for the page
// (GET <base>/jobs preferring text/html, GET <base>/), who may see it (the handler's jobsAccess, or
// with jobsAccess 'token' a session cookie, since a browser cannot send a Bearer header when it
// navigates), and the form posts: sign-in (POST <base>/jobs/session) and the controls
// (POST <base>/jobs/page). Each post is checked for same origin, session and CSRF field, and
// answered with a 303 back to the page and a one-time flash message. The JSON routes never read
// the cookie: they stay Bearer-only.

import { errorType } from '../telemetry/error-detail.js';
import { TickwiseError } from './errors.js';
import type { Fleet } from './fleet.js';
import {
  type Flash,
  PAGE_ACTIONS,
  type PageAction,
  type PageVisitor,
  renderFleetPage,
  renderNoticePage,
  renderSignInPage,
  TIMELINE_RUNS,
} from './fleet-page.js';
import {
  FLASH_COOKIE,
  type PageSession,
  type PageSessions,
  parseCookies,
  SESSION_COOKIE,
  SESSION_MS,
  sameOrigin,
} from './fleet-page-session.js';
import { PAGE_STYLE_SOURCE } from './fleet-page-style.js';
import type { FleetRun } from './fleet-status.js';

/** What the page reads of a request (health-handler.ts's HealthRequest has all of it). */
export interface PageRequest {
  readonly method?: string | undefined;
  readonly headers: {
    readonly accept?: string | undefined;
    readonly cookie?: string | undefined;
    readonly origin?: string | undefined;
    readonly referer?: string | undefined;
    readonly host?: string | undefined;
    readonly 'content-type'?: string | undefined;
    readonly 'content-length'?: string | undefined;
    readonly 'transfer-encoding'?: string | undefined;
    readonly 'x-forwarded-proto'?: string | string[] | undefined;
  };
  readonly socket?: { readonly encrypted?: boolean | undefined } | undefined;
  on?(event: 'data' | 'end' | 'error', listener: (chunk?: unknown) => void): unknown;
  readonly body?: unknown;
}

export interface PageResponse {
  writeHead(status: number, headers: Record<string, string | number>): unknown;
  end(chunk?: string): unknown;
  readonly headersSent?: boolean;
}

/** `page`: GET <base>/jobs as HTML; `home`: GET <base>/; `sign-in`, `form`: the posts. */
export type PageRoute = 'page' | 'home' | 'sign-in' | 'form';

/** The largest form body read (a token, a reason, a duration, a name). */
export const MAX_FORM_BODY = 4096;

/** What GET /jobs's own rules (jobsAccess) say of a request: 'ok', or what it lacks. */
export type ReadAccess = 'ok' | 'needs-token' | 'not-loopback';

export interface PageOptions<R extends PageRequest> {
  base: string;
  /** GET /jobs's rules for this request (the Bearer header, loopback), without the cookie. */
  readAccess: (request: R) => ReadAccess;
  /** Null when the handler has no token: no sign-in, no controls. */
  sessions: PageSessions | null;
  fleet: () => Fleet | null | undefined;
  /** Wall-clock time for sessions (a scheduler's clock may be virtual; cookies live in browsers). */
  now?: () => number;
}

/**
 * Which page route a request is for; null when it is for the JSON routes. `ownsRoot`: the
 * handler may answer `<base>/` (it has a basePath, or it is the whole server: no `next`).
 */
export function pageRoute(
  request: PageRequest,
  path: string,
  query: string,
  base: string,
  ownsRoot: boolean,
): PageRoute | null {
  const jobs = `${base}/jobs`;
  if (path === `${jobs}/session`) return 'sign-in';
  if (path === `${jobs}/page`) return 'form';
  if (path === jobs) {
    if (request.method !== 'GET' && request.method !== 'HEAD') return null;
    if (new URLSearchParams(query).has('scope')) return null;
    return prefersHtml(request.headers.accept) ? 'page' : null;
  }
  if (ownsRoot && (path === `${base}/` || (base !== '' && path === base))) return 'home';
  return null;
}

/**
 * Whether an Accept header ranks text/html above application/json (each by its most specific
 * match: `text/html` over `text/*` over `*∕*`). A browser's navigation does; `*∕*` (curl, fetch) ties: JSON.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const best = { html: { rank: 0, q: 0 }, json: { rank: 0, q: 0 } };
  for (const item of accept.split(',')) {
    const [type = '', ...params] = item.split(';').map((piece) => piece.trim().toLowerCase());
    const qParam = params.find((param) => param.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q)) continue;
    const ranks = {
      html: type === 'text/html' ? 3 : type === 'text/*' ? 2 : type === '*/*' ? 1 : 0,
      json: type === 'application/json' ? 3 : type === 'application/*' ? 2 : type === '*/*' ? 1 : 0,
    };
    for (const key of ['html', 'json'] as const) {
      if (ranks[key] > best[key].rank) best[key] = { rank: ranks[key], q };
    }
  }
  return best.html.q > 0 && best.html.q > best.json.q;
}

/** The page's headers: HTML, never cached or framed, its one stylesheet by hash, forms to itself only. */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy': `default-src 'none'; style-src ${PAGE_STYLE_SOURCE}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'x-frame-options': 'DENY',
  // Not no-referrer: with it a browser sends `Origin: null` on form posts, and the origin check needs the origin.
  'referrer-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  vary: 'accept, cookie',
} as const;

class BadForm extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Serves the page routes; `route` comes from pageRoute(). */
export function createPageServer<R extends PageRequest>(
  options: PageOptions<R>,
): (route: PageRoute, request: R, response: PageResponse) => void {
  const { base, sessions, readAccess } = options;
  const now = options.now ?? Date.now;
  const page = `${base}/jobs`;

  const answer = (
    response: PageResponse,
    status: number,
    body: string,
    head: boolean,
    extra: Record<string, string> = {},
  ): void => {
    response.writeHead(status, { ...PAGE_HEADERS, ...extra, 'content-length': Buffer.byteLength(body) });
    response.end(head ? undefined : body);
  };
  const notice = (response: PageResponse, status: number, title: string, message: string, extra = {}) =>
    answer(response, status, renderNoticePage(base, title, message), false, extra);
  const cookie = (request: R, name: string, value: string, maxAgeMs: number): string => {
    // The first proxy's word; a spoofed header only makes the cookie stricter.
    const proto = String(request.headers['x-forwarded-proto'] ?? '').split(',')[0] ?? '';
    const secure = request.socket?.encrypted === true || /^\s*https\s*$/i.test(proto);
    return `${name}=${value}; Path=${page}; Max-Age=${Math.floor(maxAgeMs / 1000)}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
  };
  /** 303 to the page, with a flash message or another cookie. */
  const back = (response: PageResponse, setCookie: string): void =>
    answer(response, 303, '', false, { location: page, 'set-cookie': setCookie });
  const flash = (request: R, kind: Flash['kind'], text: string): string =>
    cookie(request, FLASH_COOKIE, encodeFlash({ kind, text }), 60_000);

  const servePage = (request: R, response: PageResponse, head: boolean): void => {
    if (hasBody(request)) {
      notice(response, 413, 'Request refused', 'This page takes no request body.', { connection: 'close' });
      return;
    }
    const cookies = parseCookies(request.headers.cookie);
    const session = sessions?.read(cookies.get(SESSION_COOKIE), now()) ?? null;
    const shown = decodeFlash(cookies.get(FLASH_COOKIE));
    const clear: Record<string, string> = shown ? { 'set-cookie': cookie(request, FLASH_COOKIE, '', 0) } : {};
    const access = readAccess(request);
    if (access === 'not-loopback') {
      notice(
        response,
        403,
        'Loopback only',
        'This page is served to loopback clients only; give createHealthHandler a token to serve it to others.',
      );
      return;
    }
    if (access === 'needs-token' && !session) {
      answer(response, 401, renderSignInPage(base, shown), head, { ...clear, 'www-authenticate': 'Bearer' });
      return;
    }
    const fleet = options.fleet();
    if (!fleet) {
      notice(response, 404, 'No fleet view', 'The store keeps no fleet state (or the scheduler has fleet: false).');
      return;
    }
    const visitor: PageVisitor = !sessions
      ? { kind: 'no-token' }
      : session
        ? { kind: 'signed-in', name: session.name, csrf: csrfFields(sessions, session) }
        : { kind: 'signed-out' };
    load(fleet).then(
      ({ health, runs }) =>
        answer(response, 200, renderFleetPage({ base, health, runs, visitor, flash: shown }), head, clear),
      (error: unknown) => failed(response, error),
    );
  };

  const serveForm = (route: 'sign-in' | 'form', request: R, response: PageResponse): void => {
    const close = hasBody(request) ? { connection: 'close' } : {};
    if (request.method !== 'POST') {
      notice(response, 405, 'Method not allowed', 'This address takes the page’s form posts only.', {
        ...close,
        allow: 'POST',
      });
      return;
    }
    if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(request.headers['content-type'] ?? '')) {
      notice(response, 415, 'Request refused', 'Send the form as application/x-www-form-urlencoded.', close);
      return;
    }
    // Before the body is read: a post from another site changes nothing, whatever it carries.
    if (!sameOrigin(request.headers)) {
      notice(
        response,
        403,
        'Request refused',
        'This form was not sent from this page (its Origin or Referer names another site, or neither was sent).',
        close,
      );
      return;
    }
    if (!sessions) {
      notice(response, 403, 'No controls', 'The fleet page’s controls need the health handler’s token option.', close);
      return;
    }
    readForm(request)
      .then((form) =>
        route === 'sign-in' ? signIn(sessions, form, request, response) : act(sessions, form, request, response),
      )
      .catch((error: unknown) => {
        if (error instanceof BadForm)
          notice(response, error.status, 'Request refused', error.message, { connection: 'close' });
        else failed(response, error);
      });
  };

  const signIn = (sessions: PageSessions, form: URLSearchParams, request: R, response: PageResponse): void => {
    if (!sessions.isToken(form.get('token') ?? '')) {
      back(response, flash(request, 'error', 'That is not the health handler’s token.'));
      return;
    }
    back(response, cookie(request, SESSION_COOKIE, sessions.issue(form.get('name') ?? '', now()), SESSION_MS));
  };

  const act = async (sessions: PageSessions, form: URLSearchParams, request: R, response: PageResponse) => {
    const session = sessions.read(parseCookies(request.headers.cookie).get(SESSION_COOKIE), now());
    if (!session) {
      back(response, flash(request, 'error', 'Sign in first: nothing was changed (a sign-in lasts 12 hours).'));
      return;
    }
    const action = form.get('action') as PageAction | null;
    if (action === null || !PAGE_ACTIONS.includes(action)) throw new BadForm(400, 'The form names no known action.');
    if (!sessions.checkCsrf(session, action, form.get('csrf') ?? undefined)) {
      notice(
        response,
        403,
        'Request refused',
        'This form does not belong to your session (it is from another page, or from before you signed in again): reload the page and try again.',
      );
      return;
    }
    if (action === 'signout') {
      back(response, cookie(request, SESSION_COOKIE, '', 0));
      return;
    }
    const fleet = options.fleet();
    if (!fleet) {
      notice(response, 404, 'No fleet view', 'The store keeps no fleet state (or the scheduler has fleet: false).');
      return;
    }
    const job = form.get('job') ?? '';
    const by = session.name === '' ? 'web page' : `${session.name} (web page)`;
    try {
      back(response, flash(request, 'ok', await control(fleet, action, job, by, form)));
    } catch (error) {
      if (!(error instanceof TickwiseError && error.code === 'INVALID_OPTION') && !isPatternError(error)) throw error;
      back(response, flash(request, 'error', (error as Error).message));
    }
  };

  const failed = (response: PageResponse, error: unknown): void => {
    if (response.headersSent) return;
    try {
      notice(response, 500, 'The page failed', `Reading the fleet state failed (${errorType(error)}); try again.`);
    } catch {
      // The connection is gone; nothing left to tell.
    }
  };

  return (route, request, response) => {
    if (route === 'sign-in' || route === 'form') {
      serveForm(route, request, response);
      return;
    }
    const head = request.method === 'HEAD';
    if (request.method !== 'GET' && !head) {
      notice(response, 405, 'Method not allowed', 'Open this address with GET.', { allow: 'GET, HEAD' });
      return;
    }
    if (route === 'home') answer(response, 303, '', head, { location: page });
    else servePage(request, response, head);
  };
}

/** Runs one control; resolves to the flash message, rejects with the Fleet's errors. */
async function control(fleet: Fleet, action: PageAction, job: string, by: string, form: URLSearchParams) {
  const confirmed = form.get('confirm') === 'yes';
  if (action === 'pause') {
    const reason = form.get('reason') ?? '';
    const duration = (form.get('for') ?? '').trim();
    const pause = await fleet.pause(job, { reason, by, ...(duration !== '' && { for: duration }) });
    const until = pause.until === null ? 'until resumed' : `until ${new Date(pause.until).toISOString()}`;
    return `Paused ${pause.pattern} ${until}: every replica stops starting it within a second.`;
  }
  if (!confirmed)
    throw new TickwiseError('INVALID_OPTION', `tick the box to confirm the ${action}; nothing was changed`);
  if (action === 'resume') {
    return (await fleet.resume(job))
      ? `Resumed ${job}.`
      : `${job} was not paused (by that pattern): nothing to resume.`;
  }
  await fleet.trigger(job, { by });
  return `Asked for one run of ${job} now: one replica that has it runs it (the request waits up to 10 minutes).`;
}

function isPatternError(error: unknown): boolean {
  return error instanceof TypeError && /job name or pattern/.test(error.message);
}

async function load(fleet: Fleet): Promise<{
  health: Awaited<ReturnType<Fleet['status']>>;
  runs: Map<string, FleetRun[]>;
}> {
  const health = await fleet.status();
  // One small read per job (its newest TIMELINE_RUNS): status() has the runs, but not per job.
  const lists = health.history
    ? await Promise.all(health.jobs.map((job) => fleet.runs(job.name, { limit: TIMELINE_RUNS })))
    : [];
  return { health, runs: new Map(health.jobs.map((job, i) => [job.name, lists[i] ?? []])) };
}

function csrfFields(sessions: PageSessions, session: PageSession): Record<PageAction, string> {
  return Object.fromEntries(PAGE_ACTIONS.map((action) => [action, sessions.csrf(session, action)])) as Record<
    PageAction,
    string
  >;
}

function encodeFlash(flash: Flash): string {
  return Buffer.from(JSON.stringify({ kind: flash.kind, text: flash.text.slice(0, 400) }), 'utf8').toString(
    'base64url',
  );
}

/** The flash in a cookie; null for none or anything that is not one (it is shown escaped either way). */
export function decodeFlash(value: string | undefined): Flash | null {
  if (!value || value.length > 2000) return null;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<Flash>;
    if ((parsed.kind !== 'ok' && parsed.kind !== 'error') || typeof parsed.text !== 'string') return null;
    return { kind: parsed.kind, text: parsed.text.slice(0, 400) };
  } catch {
    return null;
  }
}

function hasBody(request: PageRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

/** A form body: parsed by middleware before this handler (express.urlencoded()), or read from the stream. */
function readForm(request: PageRequest): Promise<URLSearchParams> {
  const { body } = request;
  if (typeof body === 'string') return Promise.resolve(new URLSearchParams(body));
  if (body !== undefined && typeof body === 'object' && body !== null && !Buffer.isBuffer(body)) {
    const entries = Object.entries(body).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
    return Promise.resolve(new URLSearchParams(entries));
  }
  if (!hasBody(request) || !request.on) return Promise.resolve(new URLSearchParams());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error: BadForm | null) => {
      if (done) return;
      done = true;
      if (error) reject(error);
      else resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    };
    request.on?.('data', (chunk) => {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      size += buffer.length;
      if (size > MAX_FORM_BODY) finish(new BadForm(413, `A form is at most ${MAX_FORM_BODY} bytes.`));
      else chunks.push(buffer);
    });
    request.on?.('error', () => finish(new BadForm(400, 'The form could not be read.')));
    request.on?.('end', () => finish(null));
  });
}

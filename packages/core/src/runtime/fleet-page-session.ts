// Who may use the web page's forms: a session cookie issued for the handler's token, a CSRF field
// per action bound to that session, and a same-origin check of Origin/Referer. The cookie holds an
// HMAC keyed by the token, never the token: it cannot be turned back into a Bearer header for the
// JSON API. Everything is derived from the token alone, so every replica behind a load balancer
// accepts the sessions of the others, and changing the token signs everybody out. No I/O.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { PageAction } from './fleet-page.js';

export const SESSION_COOKIE = 'tickwise_session';
export const FLASH_COOKIE = 'tickwise_flash';
/** How long a sign-in lasts. */
export const SESSION_MS = 12 * 60 * 60_000;
/** The longest name a visitor may give at sign-in (it goes into pauses' `by`). */
export const MAX_NAME = 60;

export interface PageSession {
  /** What the visitor called themselves at sign-in ('' when nothing). */
  readonly name: string;
  /** Epoch ms (wall clock). */
  readonly expires: number;
  /** The session's MAC: what its CSRF fields are bound to. */
  readonly id: string;
}

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest();

/** Constant time whatever the lengths: both sides are hashed first. */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(sha256(given), sha256(expected));
}

/** Sessions and CSRF fields for one token. */
export class PageSessions {
  private readonly key: Buffer;
  private readonly token: Buffer;

  constructor(token: string) {
    // A key of its own (not the token itself), so the MACs here say nothing usable about the token.
    this.key = createHmac('sha256', token).update('tickwise fleet page session v1').digest();
    this.token = sha256(token);
  }

  /** Whether `given` is the token (constant time). */
  isToken(given: string): boolean {
    return timingSafeEqual(sha256(given), this.token);
  }

  /** A cookie value for a new session of `name` (cleaned, at most MAX_NAME characters), valid SESSION_MS from `now`. */
  issue(name: string, now: number): string {
    const expires = now + SESSION_MS;
    const encoded = Buffer.from(cleanName(name), 'utf8').toString('base64url');
    return `${expires}.${encoded}.${this.mac(`session\n${expires}\n${encoded}`)}`;
  }

  /** The session in a cookie value; null when it is missing, altered, forged or expired. */
  read(value: string | undefined, now: number): PageSession | null {
    if (value === undefined || value.length > 300) return null;
    const [expiresText, encoded, mac, extra] = value.split('.');
    if (extra !== undefined || expiresText === undefined || encoded === undefined || mac === undefined) return null;
    if (!/^\d{1,16}$/.test(expiresText)) return null;
    if (!sameSecret(mac, this.mac(`session\n${expiresText}\n${encoded}`))) return null;
    const expires = Number(expiresText);
    if (!(expires > now)) return null;
    return { name: cleanName(Buffer.from(encoded, 'base64url').toString('utf8')), expires, id: mac };
  }

  /** The CSRF field of `action`'s forms in this session. */
  csrf(session: PageSession, action: PageAction): string {
    return this.mac(`csrf\n${session.id}\n${action}`);
  }

  /** Whether a posted CSRF field is this session's for `action` (constant time). */
  checkCsrf(session: PageSession, action: PageAction, field: string | undefined): boolean {
    return sameSecret(field ?? '', this.csrf(session, action));
  }

  private mac(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('base64url');
  }
}

/** Printable, trimmed, at most MAX_NAME characters. */
function cleanName(name: string): string {
  return (
    name
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes
      .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
      .trim()
      .slice(0, MAX_NAME)
  );
}

/** The cookies of a `Cookie` header, by name (the first of a repeated name wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const pair of header.split(';')) {
    const equals = pair.indexOf('=');
    if (equals < 0) continue;
    const name = pair.slice(0, equals).trim();
    if (name !== '' && !cookies.has(name)) cookies.set(name, pair.slice(equals + 1).trim());
  }
  return cookies;
}

/**
 * Whether a form post comes from a page of this origin: its Origin header (or, without one, its
 * Referer's origin) names the host the request was sent to. `Origin: null` (sandboxed frames,
 * privacy redirects) and neither header are refused: browsers send Origin on every form post.
 */
export function sameOrigin(headers: { origin?: string; referer?: string; host?: string }): boolean {
  const { host } = headers;
  if (!host) return false;
  let source: URL;
  try {
    if (headers.origin !== undefined) {
      if (headers.origin === 'null') return false;
      source = new URL(headers.origin);
    } else if (headers.referer !== undefined) {
      source = new URL(headers.referer);
    } else {
      return false;
    }
    if (source.protocol !== 'http:' && source.protocol !== 'https:') return false;
    // Compared as the browser would write it (default ports dropped); the scheme is not compared,
    // since a proxy that ends TLS sends the request here over http.
    return new URL(`${source.protocol}//${host}`).host === source.host;
  } catch {
    return false;
  }
}

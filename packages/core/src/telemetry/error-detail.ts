// What of an error leaves the process through spans and logs: its class always, its message
// with secrets masked by default (error text often carries connection strings and tokens), and
// the full message and stack only when the application asks for them (`errorDetail: 'full'`).

/**
 * What spans and log lines record of a failed run's error (the `errorDetail` scheduler option):
 *
 * - `'redacted'` (default): the class (`error.type`) and the message with secrets masked by
 *   {@link redactSecrets} (credentials in URLs, `password=…`/`token: …` pairs, bearer tokens, JWTs,
 *   long random strings), cut to 300 characters. No stack trace.
 * - `'class'`: the class only; the message is withheld.
 * - `'full'`: the message and stack trace as they are (only where spans and logs are as private
 *   as the secrets your errors may carry).
 * - a function `(error) => string`: its result is the recorded message (the class is still
 *   recorded; no stack). If it throws, only the class is recorded.
 *
 * Events (`run:failure`, …) and `trigger()` results always carry the original error: that is
 * your own code, in the process.
 */
export type ErrorDetail = 'class' | 'redacted' | 'full' | ((error: unknown) => string);

const MAX_MESSAGE = 300;
const MASK = '[REDACTED]';

/** `scheme://user:password@` and `scheme://token@`: the whole user part goes. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi;
/** `password=…`, `api_key: …`, `Authorization: Bearer …`, `"token":"…"` (key names that mean a secret). */
const SECRET_PAIRS =
  /\b([\w-]*(?:passw(?:or)?d|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?|authorization|auth|session|signature)[\w-]*)(["']?\s*[=:]\s*)(?:(?:bearer|basic|token)\s+)?("[^"]*"|'[^']*'|[^\s&,;"')\]}]+)/gi;
/** A credential scheme followed by its credential, wherever it appears. */
const AUTH_SCHEMES = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/-]+=*/g;
/** JSON Web Tokens. */
const JWT = /\beyJ[\w-]+\.[\w-]+\.[\w-]*/g;
/** Long random-looking strings (API keys, session ids, hex secrets): 24+ characters with letters and digits. */
const LONG_TOKEN = /[A-Za-z0-9_+/-]{24,}={0,2}/g;

/**
 * `text` with the usual shapes of secrets replaced by `[REDACTED]`: credentials in URLs
 * (`postgres://[REDACTED]@db:5432/app`), values of keys like password, secret, token, api_key,
 * authorization, bearer/basic credentials, JWTs, and random-looking strings of 24 characters or
 * more that mix letters and digits. A heuristic: the safe choice for text you did not write is
 * still `errorDetail: 'class'`.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(URL_CREDENTIALS, `$1${MASK}@`)
    .replace(SECRET_PAIRS, (_match, key: string, separator: string) => `${key}${separator}${MASK}`)
    .replace(AUTH_SCHEMES, `$1 ${MASK}`)
    .replace(JWT, MASK)
    .replace(LONG_TOKEN, (token) => (/[0-9]/.test(token) && /[A-Za-z]/.test(token) ? MASK : token));
}

/** The error's class name (`error.type`): `PgError`, `JobTimeoutError`, `Error`; `typeof` for non-errors. */
export function errorType(error: unknown): string {
  if (error instanceof Error) return error.name || error.constructor.name || 'Error';
  return typeof error;
}

function rawMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return '';
  }
}

/** The message `'redacted'` records: {@link redactSecrets} over the message, cut to 300 characters. */
export function redactError(error: unknown): string {
  const masked = redactSecrets(rawMessage(error));
  return masked.length > MAX_MESSAGE ? `${masked.slice(0, MAX_MESSAGE - 1)}…` : masked;
}

const WITHHELD = "(message withheld: errorDetail is 'class')";

/** Applies one `errorDetail` choice to errors on their way to spans and logs. */
export class ErrorRecorder {
  readonly full: boolean;

  constructor(private readonly detail: ErrorDetail = 'redacted') {
    if (typeof detail !== 'function' && detail !== 'class' && detail !== 'redacted' && detail !== 'full') {
      throw new TypeError(
        `errorDetail must be 'class', 'redacted', 'full' or a function (error) => string; got ${JSON.stringify(detail)}`,
      );
    }
    this.full = detail === 'full';
  }

  /** The message to record, or undefined when only the class is recorded. */
  message(error: unknown): string | undefined {
    const { detail } = this;
    if (detail === 'class') return undefined;
    if (detail === 'full') return rawMessage(error);
    if (detail === 'redacted') return redactError(error);
    try {
      const text = detail(error);
      return typeof text === 'string' ? text : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * What a log line's `err` field carries: the error itself with 'full'; otherwise a new Error
   * with the original's class as its `name`, the recorded message, a stack of that one line and
   * the original's `code` when it is a plain code (ECONNREFUSED, JOB_TIMEOUT): no frames, no cause.
   */
  forLog(error: unknown): unknown {
    if (this.full) return error;
    const type = errorType(error);
    const message = this.message(error);
    const logged = new Error(message ?? WITHHELD);
    logged.name = type;
    logged.stack = message === undefined ? type : `${type}: ${message}`;
    const code = (error as { code?: unknown } | null)?.code;
    if (this.detail !== 'class' && typeof code === 'string' && /^[A-Z0-9_.-]{1,40}$/i.test(code)) {
      (logged as Error & { code?: string }).code = code;
    }
    return logged;
  }
}

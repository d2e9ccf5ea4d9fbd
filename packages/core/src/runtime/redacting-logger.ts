// The `errorDetail` policy on log lines: every `err` field goes out as ErrorRecorder.forLog()
// makes it (class and masked message by default), through child loggers too.

import type { ErrorRecorder } from '../telemetry/error-detail.js';
import type { Logger } from './logger.js';

/** `logger` with every `err` field passed through `errors.forLog`; `logger` itself with 'full'. */
export function redactingLogger(logger: Logger, errors: ErrorRecorder): Logger {
  if (errors.full) return logger;
  const wrap =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (fields: Record<string, unknown>, message: string): void => {
      const safe = fields !== null && typeof fields === 'object' && 'err' in fields && fields.err !== undefined;
      logger[level](safe ? { ...fields, err: errors.forLog(fields.err) } : fields, message);
    };
  const wrapped: Logger = { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
  if (typeof logger.child === 'function') {
    wrapped.child = (bindings) => redactingLogger(logger.child!(bindings), errors);
  }
  return wrapped;
}

// Tickwise's pino-style logger (fields, message) on top of Nest's Logger, so scheduler lines go
// wherever the app's Nest logs go. The module's default when no logger is given.
//
// Levels: a run that succeeded is routine and goes to debug; a failed run is error; a failed
// attempt (retried or not) and other warnings are warn; lifecycle lines (scheduler started,
// stopped, a skipped tick) stay at log.

import { Logger as NestLogger } from '@nestjs/common';
import type { Logger } from '@tickwise/core';

function line(fields: Record<string, unknown>, message: string): string {
  const { err, ...rest } = fields;
  const detail = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  const error = err instanceof Error ? ` (${err.name}: ${err.message})` : '';
  return `${message}${detail}${error}`;
}

/** The scheduler's own line for a finished run that succeeded (not a handler's ctx.logger line). */
function isRoutineSuccess(fields: Record<string, unknown>, message: string): boolean {
  return fields.outcome === 'success' && message.startsWith('tickwise: ');
}

export function nestLogger(context = 'Tickwise'): Logger {
  const logger = new NestLogger(context);
  const info: Logger['info'] = (fields, message) => {
    if (isRoutineSuccess(fields, message)) logger.debug(line(fields, message));
    else logger.log(line(fields, message));
  };
  return {
    debug: (fields, message) => logger.debug(line(fields, message)),
    info,
    warn: (fields, message) => logger.warn(line(fields, message)),
    error: (fields, message) => logger.error(line(fields, message)),
  };
}

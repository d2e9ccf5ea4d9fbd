// Tickwise's pino-style logger (fields, message) on top of Nest's Logger, so scheduler lines go
// wherever the app's Nest logs go. The module's default when no logger is given.

import { Logger as NestLogger } from '@nestjs/common';
import type { Logger } from '@tickwise/core';

function line(fields: Record<string, unknown>, message: string): string {
  const { err, ...rest } = fields;
  const detail = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  const error = err instanceof Error ? ` (${err.name}: ${err.message})` : '';
  return `${message}${detail}${error}`;
}

export function nestLogger(context = 'Tickwise'): Logger {
  const logger = new NestLogger(context);
  return {
    debug: (fields, message) => logger.debug(line(fields, message)),
    info: (fields, message) => logger.log(line(fields, message)),
    warn: (fields, message) => logger.warn(line(fields, message)),
    error: (fields, message) => logger.error(line(fields, message)),
  };
}

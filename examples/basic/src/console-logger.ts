// A small pino-style logger for the example: `logger.info({ fields }, 'message')` → one line.
// Real services would pass pino itself.

import type { Logger } from '@tickwise/core';

type Level = 'debug' | 'info' | 'warn' | 'error';

function line(level: Level, bindings: Record<string, unknown>) {
  return (fields: Record<string, unknown>, message: string) => {
    const all = { ...bindings, ...fields };
    const err = all.err instanceof Error ? all.err.message : undefined;
    if (err !== undefined) all.err = err;
    const extra = Object.keys(all).length > 0 ? ` ${JSON.stringify(all)}` : '';
    const out = level === 'error' || level === 'warn' ? process.stderr : process.stdout;
    out.write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}${extra}\n`);
  };
}

export function consoleLogger(bindings: Record<string, unknown> = {}, minLevel: Level = 'info'): Logger {
  const order: Level[] = ['debug', 'info', 'warn', 'error'];
  const enabled = (level: Level) => order.indexOf(level) >= order.indexOf(minLevel);
  const noop = () => {};
  return {
    debug: enabled('debug') ? line('debug', bindings) : noop,
    info: line('info', bindings),
    warn: line('warn', bindings),
    error: line('error', bindings),
    child: (more) => consoleLogger({ ...bindings, ...more }, minLevel),
  };
}

// The logger the scheduler writes to: anything with debug/info/warn/error, called pino-style
// as logger.info({ fields }, 'message'). silentLogger (`logger: false`) writes nothing; the
// default, warnings and errors on stderr, is default-logger.ts.

export type LogFn = (fields: Record<string, unknown>, message: string) => void;

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** pino and bunyan loggers have it; used to bind job fields to a run's logger. */
  child?: (bindings: Record<string, unknown>) => Logger;
}

const noop: LogFn = () => {};

export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/** A logger that adds `bindings` to every line, via child() when the logger has it. */
export function withBindings(logger: Logger, bindings: Record<string, unknown>): Logger {
  if (typeof logger.child === 'function') return logger.child(bindings);
  const bind =
    (fn: LogFn): LogFn =>
    (fields, message) =>
      fn.call(logger, { ...bindings, ...fields }, message);
  return { debug: bind(logger.debug), info: bind(logger.info), warn: bind(logger.warn), error: bind(logger.error) };
}

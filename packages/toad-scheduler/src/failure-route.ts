// A toad task's error handler, called once per failed Tickwise run (after its retries), and kept
// from ever breaking the process: a handler that throws or rejects is logged. Runs cancelled by
// Tickwise (shutdown, cancel-other, a lost lease) are not the task's errors: no call.

import type { Logger, Scheduler } from '@tickwise/core';

export interface FailureRoute {
  errorHandler: (error: Error) => unknown;
  logger: Logger;
}

/** One run:failure listener per scheduler, dispatching by job name. */
const routes = new WeakMap<Scheduler, Map<string, FailureRoute>>();

export const consoleLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (fields, message) => console.warn(message, fields),
  error: (fields, message) => console.error(message, fields),
};

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/** Calls the handler; whatever it throws or rejects with is logged, never rethrown. */
export function callErrorHandler(job: string, route: FailureRoute, error: unknown): void {
  const report = (handlerError: unknown) => {
    try {
      route.logger.error(
        { job, err: handlerError, originalError: error },
        `tickwise: the toad-scheduler error handler of ${job} threw`,
      );
    } catch {
      // A logger that throws has nowhere left to report to.
    }
  };
  try {
    const result = route.errorHandler(error as Error);
    if (isThenable(result)) result.then(undefined, report);
  } catch (handlerError) {
    report(handlerError);
  }
}

export function routeFailures(scheduler: Scheduler, job: string, route: FailureRoute): void {
  let byName = routes.get(scheduler);
  if (!byName) {
    const created = new Map<string, FailureRoute>();
    byName = created;
    routes.set(scheduler, created);
    scheduler.on('run:failure', (event) => {
      const found = created.get(event.job.name);
      if (found && event.outcome !== 'cancelled') callErrorHandler(event.job.name, found, event.error);
    });
  }
  byName.set(job, route);
}

// The RunContext handed to handlers. A class with lazy getters: the AbortSignal and the bound
// logger are only built if the handler reads them.

import type { AbortSource } from './abort-source.js';
import type { JobInfo, RunContext, RunTrigger } from './job.js';
import type { Logger } from './logger.js';

export class HandlerContext implements RunContext {
  readonly job: JobInfo;
  readonly scheduledAt: Date;
  readonly startedAt: Date;
  readonly attempt: number;
  readonly fence: number;
  readonly trigger: RunTrigger;
  readonly #abort: AbortSource;
  readonly #logs: { logger(): Logger };

  /** `logs`: what builds the bound logger on first read (the run's ObservedRun). */
  constructor(fields: Omit<RunContext, 'signal' | 'logger'>, abort: AbortSource, logs: { logger(): Logger }) {
    this.job = fields.job;
    this.scheduledAt = fields.scheduledAt;
    this.startedAt = fields.startedAt;
    this.attempt = fields.attempt;
    this.fence = fields.fence;
    this.trigger = fields.trigger;
    this.#abort = abort;
    this.#logs = logs;
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get logger(): Logger {
    return this.#logs.logger();
  }
}

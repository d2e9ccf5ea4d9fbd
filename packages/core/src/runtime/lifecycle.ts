// The scheduler's state, idle -> running -> stopping -> stopped, and the promises of start() and
// stop(): each is made by the first call, and every later call returns the same one.

import { TickwiseError } from './errors.js';

export type SchedulerState = 'idle' | 'running' | 'stopping' | 'stopped';

export interface StopOptions {
  /** How long running jobs may take to finish before their signals abort; default 30 s. */
  graceMs?: number;
}

export interface StopResult {
  /** Jobs whose handlers ignored the aborted signal and were still running when stop() resolved. */
  stillRunning: string[];
}

export class Lifecycle {
  state: SchedulerState = 'idle';
  /** When start() set the state to running (store time); null before. */
  startedAt: number | null = null;
  private starting: Promise<void> | null = null;
  private stopping: Promise<StopResult> | null = null;

  get running(): boolean {
    return this.state === 'running';
  }

  /** stop() has been called (and a stopped scheduler cannot be restarted). */
  get shuttingDown(): boolean {
    return this.state === 'stopping' || this.state === 'stopped';
  }

  /** Runs `startOnce` on the first call; rejects with SCHEDULER_STATE once stop() was called. */
  start(startOnce: () => Promise<void>): Promise<void> {
    if (this.shuttingDown) {
      return Promise.reject(
        new TickwiseError(
          'SCHEDULER_STATE',
          'start() after stop(): a stopped scheduler cannot be restarted; create a new Scheduler',
        ),
      );
    }
    this.starting ??= startOnce();
    return this.starting;
  }

  /** Runs `stopOnce` on the first call: a second signal handler cannot cut the first one's grace short. */
  stop(stopOnce: () => Promise<StopResult>): Promise<StopResult> {
    this.stopping ??= stopOnce();
    return this.stopping;
  }

  /** Resolves when a start() under way has ended, however it ended (at once when there is none). */
  async startSettled(): Promise<void> {
    await this.starting?.catch(() => {});
  }
}

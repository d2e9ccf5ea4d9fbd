// The fleet view and its controls over a store that keeps fleet state: what `tickwise fleet`,
// the health handler (GET /jobs?scope=fleet, the web page) and scheduler.health({ scope: 'fleet' })
// use. It needs no running scheduler: the CLI builds one over a RedisStore or PostgresStore.

import { parseDuration } from '../schedule/duration.js';
import { TickwiseError } from './errors.js';
import { type FleetHealth, type FleetRun, type FleetStatusOptions, fleetHealth, runView } from './fleet-status.js';
import { checkPattern, type FleetStore, isFleetStore, type PauseRecord, type TriggerRecord } from './fleet-store.js';
import type { ClaimStore } from './store.js';

export interface PauseOptions {
  /** Why (shown in the fleet view, logs and events). Required: a pause nobody can explain is an incident of its own. */
  reason: string;
  /** Who; default 'unknown'. */
  by?: string;
  /** Ends by itself after this long ('2h', '30m', ms); default: until resumed. */
  for?: string | number;
}

export interface FleetOptions {
  /**
   * Call the store's init() (connect, check the schema) before the first read or write; default
   * true. A scheduler's own fleet view (scheduler.fleet) leaves it to start().
   */
  init?: boolean;
}

export class Fleet {
  private readonly store: FleetStore;
  private ready: Promise<void> | null;

  /** Throws a TickwiseError `FLEET_UNSUPPORTED` when the store keeps no fleet state. */
  constructor(store: ClaimStore, options: FleetOptions = {}) {
    if (!isFleetStore(store)) {
      throw new TickwiseError(
        'FLEET_UNSUPPORTED',
        'this claim store keeps no fleet state (run history, heartbeats, controls): use MemoryStore, RedisStore or PostgresStore, or implement FleetStore (docs/store-authors.md)',
      );
    }
    this.store = store;
    this.ready = options.init === false ? Promise.resolve() : null;
  }

  /** The store, initialized once (a failed init() is tried again by the next call). */
  private async connected(): Promise<FleetStore> {
    if (!this.ready) {
      const init = this.store.init?.() ?? Promise.resolve();
      this.ready = init.catch((error: unknown) => {
        this.ready = null;
        throw error;
      });
    }
    await this.ready;
    return this.store;
  }

  /** Every job and replica the store knows of, with their figures (see FleetHealth). */
  async status(options: FleetStatusOptions = {}): Promise<FleetHealth> {
    const store = await this.connected();
    const [controls, replicas, runs] = await Promise.all([
      store.readControls(),
      store.listReplicas(),
      store.listRuns(),
    ]);
    return fleetHealth({ now: controls.storeTime, replicas, runs, controls, history: store.history !== null }, options);
  }

  /** The job's recent runs across replicas, newest first. */
  async runs(job: string, options: { limit?: number } = {}): Promise<FleetRun[]> {
    checkPattern(job);
    const runs = await (await this.connected()).listRuns({
      job,
      ...(options.limit !== undefined && { limit: options.limit }),
    });
    return runs.map(runView);
  }

  /**
   * Pauses every job matching `pattern` (`*` wildcards) on every replica, within a second
   * (SchedulerOptions.fleet.controlPollMs) and across restarts. A run in progress is not stopped.
   */
  async pause(pattern: string, options: PauseOptions): Promise<PauseRecord> {
    checkPattern(pattern);
    if (typeof options?.reason !== 'string' || options.reason.trim() === '') {
      throw new TickwiseError('INVALID_OPTION', `a fleet pause needs a reason (pausing '${pattern}')`);
    }
    let forMs: number | null = null;
    if (options.for !== undefined) {
      const parsed = parseDuration(options.for);
      if (!(parsed.ms > 0)) {
        const why = parsed.diagnostics[0]?.message ?? 'it must be more than 0';
        throw new TickwiseError(
          'INVALID_OPTION',
          `the pause duration ${JSON.stringify(options.for)} is not a duration such as '2h' or '30m': ${why}`,
        );
      }
      forMs = parsed.ms;
    }
    return (await this.connected()).pauseJobs({
      pattern,
      reason: options.reason.trim().slice(0, 500),
      by: (options.by ?? 'unknown').slice(0, 200),
      forMs,
    });
  }

  /** Removes the pause of exactly this pattern (as it was given to pause()); false when there was none. */
  async resume(pattern: string): Promise<boolean> {
    checkPattern(pattern);
    return (await this.connected()).resumeJobs(pattern);
  }

  /**
   * Asks for one run of the job now, on one of the replicas that have it (claimed like a tick,
   * under `<job>#trigger`). The request waits up to 10 minutes for such a replica.
   */
  async trigger(job: string, options: { by?: string } = {}): Promise<TriggerRecord> {
    checkPattern(job);
    if (job.includes('*'))
      throw new TickwiseError('INVALID_OPTION', `trigger takes one job name, not a pattern: '${job}'`);
    return (await this.connected()).requestTrigger({ job, by: (options.by ?? 'unknown').slice(0, 200) });
  }
}

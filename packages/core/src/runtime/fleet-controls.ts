// The fleet controls on this replica: every `pollMs` (default 500 ms, so a pause or a trigger
// takes effect within a second) it reads the pauses and trigger requests from the store, marks
// the jobs they cover as paused (their ticks are then skipped, reason `paused`) or not, and starts
// a run for each new trigger request of a job it has. A trigger's run is claimed in the store
// under `<job>#trigger` at the request's time, so of the replicas that have the job, one runs it.
// Start-up reads the controls once before any tick is queued: a pause survives restarts.

import type { Clock, TimerHandle } from './clock.js';
import { withinDeadline } from './deadline.js';
import type { EventHub, JobControlEvent } from './events.js';
import { type FleetControls, type FleetStore, type PauseRecord, pauseFor, type TriggerRecord } from './fleet-store.js';
import type { JobState } from './job-state.js';
import type { Logger } from './logger.js';

export const DEFAULT_CONTROL_POLL_MS = 500;
/** A read of the controls waits this long for the store. */
const READ_WAIT_MS = 2000;

export interface FleetControlParts {
  store: FleetStore;
  /** Store time. */
  clock: Clock;
  logger: Logger;
  events: EventHub;
  instanceId: string;
  jobs: () => Iterable<JobState>;
  job: (name: string) => JobState | undefined;
  /** Runs one trigger request of a job this replica has. */
  trigger: (job: JobState, request: TriggerRecord) => void;
  pollMs: number;
}

export class FleetControlPoller {
  private timer: TimerHandle | null = null;
  private stopped = false;
  /** Trigger requests already handled here (kept while the store still lists them). */
  private readonly handled = new Set<string>();
  private failing = false;
  private unwatch: (() => void) | null = null;
  /** The earliest end of a pause in force: a watched store says nothing when a pause runs out. */
  private nextEnd = Number.POSITIVE_INFINITY;

  constructor(private readonly parts: FleetControlParts) {}

  /**
   * Reads the controls once (start-up, before any tick), then every pollMs until stop() — or, on a
   * store that announces its changes (watchControls), at each change and when a pause ends.
   */
  async start(): Promise<void> {
    this.stopped = false;
    const { store } = this.parts;
    if (store.watchControls) {
      this.unwatch = store.watchControls(() => {
        if (!this.stopped) void this.poll();
      });
    }
    await this.poll();
    if (!this.unwatch) this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    this.unwatch?.();
    this.unwatch = null;
  }

  /** One read and its effects; a store that does not answer leaves the jobs as they were. */
  async poll(): Promise<void> {
    const { clock, logger } = this.parts;
    const answer = await withinDeadline(clock, this.parts.store.readControls(), READ_WAIT_MS);
    if (answer.kind !== 'value') {
      if (!this.failing) {
        logger.warn(
          { err: answer.kind === 'error' ? answer.error : 'no answer in time' },
          'tickwise: could not read the fleet controls; pauses stay as they were until the store answers',
        );
      }
      this.failing = true;
      return;
    }
    this.failing = false;
    this.apply(answer.value);
  }

  private apply(controls: FleetControls): void {
    for (const job of this.parts.jobs())
      this.applyPause(job, pauseFor(job.info.name, controls.pauses, controls.storeTime));
    if (this.unwatch) this.wakeAtNextEnd(controls);
    const listed = new Set<string>();
    for (const request of controls.triggers) {
      listed.add(request.id);
      if (this.handled.has(request.id)) continue;
      const job = this.parts.job(request.job);
      if (!job) continue;
      this.handled.add(request.id);
      this.parts.trigger(job, request);
    }
    for (const id of this.handled) if (!listed.has(id)) this.handled.delete(id);
  }

  private applyPause(job: JobState, pause: PauseRecord | null): void {
    const before = job.fleetPause;
    if (samePause(before, pause)) return;
    job.fleetPause = pause;
    const { events, logger, instanceId } = this.parts;
    const event: JobControlEvent = { job: job.info, pause: pause && eventPause(pause), instanceId };
    if (pause) {
      logger.info(
        { job: job.info.name, pattern: pause.pattern, by: pause.by, reason: pause.reason, until: pause.until },
        'tickwise: job paused for the fleet',
      );
      events.emit('job:paused', event);
    } else {
      logger.info({ job: job.info.name }, 'tickwise: job resumed for the fleet');
      events.emit('job:resumed', event);
    }
  }

  /** On a watched store: read again when the next pause in force ends. */
  private wakeAtNextEnd(controls: FleetControls): void {
    let end = Number.POSITIVE_INFINITY;
    for (const pause of controls.pauses)
      if (pause.until !== null && pause.until > controls.storeTime) end = Math.min(end, pause.until);
    if (end === this.nextEnd || this.stopped) return;
    this.nextEnd = end;
    this.timer?.cancel();
    this.timer = null;
    if (end === Number.POSITIVE_INFINITY) return;
    this.timer = this.parts.clock.setTimer(() => {
      this.timer = null;
      this.nextEnd = Number.POSITIVE_INFINITY;
      void this.poll();
    }, end - controls.storeTime);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.parts.clock.setTimer(() => {
      this.timer = null;
      this.poll().then(
        () => this.schedule(),
        () => this.schedule(),
      );
    }, this.parts.pollMs);
  }
}

function samePause(a: PauseRecord | null, b: PauseRecord | null): boolean {
  if (a === null || b === null) return a === b;
  return a.pattern === b.pattern && a.at === b.at && a.until === b.until && a.reason === b.reason && a.by === b.by;
}

function eventPause(pause: PauseRecord): NonNullable<JobControlEvent['pause']> {
  return {
    pattern: pause.pattern,
    reason: pause.reason,
    by: pause.by,
    at: new Date(pause.at),
    until: pause.until === null ? null : new Date(pause.until),
  };
}

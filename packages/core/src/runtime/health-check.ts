// The health() projection: the store pinged (bounded: a frozen store must not hang a health
// endpoint), what the heartbeat found (clock offset, data loss, a shared instance id), and each
// job's health from its state (health.ts decides the statuses).

import type { Clock } from './clock.js';
import { withinDeadline } from './deadline.js';
import { type HealthOptions, type HealthSnapshot, jobHealth, overallStatus, type StoreHealth } from './health.js';
import type { JobState } from './job-state.js';
import type { Lifecycle } from './lifecycle.js';
import type { Membership } from './membership.js';
import type { ClaimStore } from './store.js';

/** A health check's ping waits this long. */
const PING_WAIT_MS = 2000;

export interface HealthParts {
  instanceId: string;
  store: ClaimStore;
  /** Store time. */
  clock: Clock;
  lifecycle: Pick<Lifecycle, 'state' | 'startedAt'>;
  membership: Pick<Membership, 'status'>;
  jobs: () => Iterable<JobState>;
  /** The job's next run as jobs() shows it (TickQueue.nextRun). */
  nextRun: (job: JobState) => Date | null;
}

export class HealthCheck {
  constructor(private readonly parts: HealthParts) {}

  async check(options: HealthOptions): Promise<HealthSnapshot> {
    const { clock, lifecycle } = this.parts;
    const store = await this.storeHealth();
    const now = clock.now();
    const jobs = [...this.parts.jobs()].map((job) =>
      jobHealth(
        {
          info: job.info,
          schedule: job.schedule,
          timeoutMs: job.options.timeoutMs,
          disabledReason: job.disabledReason,
          paused: job.paused,
          nextTick: this.parts.nextRun(job)?.getTime() ?? Number.NaN,
          lastRun: job.lastRun?.snapshot(),
          lastSuccess: job.lastSuccess,
          lastSuccessTick: job.lastSuccessTick,
          consecutiveFailures: job.consecutiveFailures,
          running: job.runningCount,
          runningForMs: job.runningForMs(now),
          strayHandlers: job.strayHandlers,
          expect: job.options.expect,
        },
        now,
        lifecycle.startedAt,
        options,
      ),
    );
    return {
      status: overallStatus(lifecycle.state, store, jobs, options),
      checkedAt: new Date(now),
      instanceId: this.parts.instanceId,
      scheduler: lifecycle.state,
      store,
      jobs,
    };
  }

  private async storeHealth(): Promise<StoreHealth> {
    const { clock } = this.parts;
    const pingStarted = clock.now();
    const member = this.parts.membership.status();
    const shared = {
      clockOffsetMs: member.clockOffsetMs,
      dataLossDetectedAt: member.dataLossDetectedAt === null ? null : new Date(member.dataLossDetectedAt),
      instanceIdConflict: member.instanceIdConflict,
    };
    const pinged = await withinDeadline(clock, this.parts.store.ping(), PING_WAIT_MS);
    if (pinged.kind === 'value') return { reachable: true, roundTripMs: clock.now() - pingStarted, ...shared };
    const error = pinged.kind === 'error' ? pinged.error : `no answer within ${PING_WAIT_MS} ms`;
    return {
      reachable: false,
      roundTripMs: null,
      error: error instanceof Error ? error.message : String(error),
      ...shared,
    };
  }
}

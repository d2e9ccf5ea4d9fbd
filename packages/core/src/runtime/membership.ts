// The scheduler's presence in the store: a heartbeat every few seconds that registers its instance
// id (two live schedulers with one id are detected), measures the offset of the local clock from
// the store's (claims then go by store time), and notices when the store lost its data (a Redis
// restarted without persistence) so it can be reported.

import { sleep, type TimerHandle } from './clock.js';
import { withinDeadline } from './deadline.js';
import { StoreError, TickwiseError } from './errors.js';
import type { Logger } from './logger.js';
import type { ReplicaCard } from './replica-card.js';
import type { BeatResult, ClaimStore } from './store.js';
import type { StoreClock } from './store-clock.js';

/** How often a scheduler beats. */
export const BEAT_INTERVAL_MS = 5000;
/** A registration not refreshed for this long is free: two missed beats and some slack. */
export const BEAT_TTL_MS = 2 * BEAT_INTERVAL_MS + 2000;
/** A beat waits this long for the store. */
const BEAT_WAIT_MS = 2000;
/** Readings of the store's clock taken at start, back to back (the shortest round trip wins). */
const START_SAMPLES = 3;
/** An offset beyond this is worth a warning: claims are right, but logs and dashboards disagree. */
export const CLOCK_OFFSET_WARN_MS = 2000;

export interface MembershipStatus {
  /** Store clock minus local clock, ms; null until measured (and for an in-process store). */
  clockOffsetMs: number | null;
  /** The store's data changed identity while this scheduler ran (it lost what it knew), when noticed. */
  dataLossDetectedAt: number | null;
  /** Another live scheduler took over this instance id (while this one could not beat). */
  instanceIdConflict: boolean;
}

export class Membership {
  private timer: TimerHandle | null = null;
  private epoch: string | null = null;
  private measured = false;
  private dataLossAt: number | null = null;
  private conflict = false;
  private stopped = false;
  private joined = false;
  private warnedOffset = false;
  /** The live instance ids at the last beat, sorted. */
  private live: readonly string[] = [];

  constructor(
    private readonly store: ClaimStore,
    private readonly clock: StoreClock,
    private readonly instanceId: string,
    private readonly session: string,
    private readonly logger: Logger,
    /** Called when the offset estimate moved by more than a second (a clock was set). */
    private readonly offsetJumped: () => void,
    /** This replica's details for the fleet view, sent with each beat; null when the store keeps no fleet state. */
    private readonly card: ReplicaCard | null = null,
  ) {}

  /**
   * Registers the instance id and measures the clock offset. If another live scheduler holds the
   * id, waits until its registration would have run out (a crashed process's does); if it is
   * still held then, its holder is alive, and start fails.
   */
  async join(): Promise<void> {
    let beat = await this.beatOrThrow();
    if (beat.conflict) {
      await sleep(this.clock, Math.max(0, BEAT_TTL_MS - beat.conflict.ageMs) + 100);
      beat = await this.beatOrThrow();
      if (beat.conflict) {
        throw new TickwiseError(
          'DUPLICATE_INSTANCE',
          `another live scheduler on this store uses the instance id '${this.instanceId}' (it beat ${beat.conflict.ageMs} ms ago): give each replica its own instanceId, or leave instanceId out (the default is unique per process)`,
        );
      }
    }
    this.epoch = beat.epoch;
    for (let i = 1; i < START_SAMPLES && this.measured; i++) await this.beatOrThrow();
    this.joined = true;
    this.schedule();
  }

  async leave(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    const left = await withinDeadline(this.clock, this.store.leave(this.instanceId, this.session), BEAT_WAIT_MS);
    if (left.kind !== 'value')
      this.logger.warn({ err: left.kind === 'error' ? left.error : 'timeout' }, 'tickwise: could not deregister');
  }

  /** This scheduler's place among the live ones (rank 0 of 1 when alone, or before the first beat). */
  position(): { rank: number; count: number } {
    const rank = this.live.indexOf(this.instanceId);
    return rank < 0 ? { rank: 0, count: 1 } : { rank, count: this.live.length };
  }

  status(): MembershipStatus {
    return {
      clockOffsetMs: this.measured ? this.clock.offsetMs : null,
      dataLossDetectedAt: this.dataLossAt,
      instanceIdConflict: this.conflict,
    };
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimer(() => {
      this.timer = null;
      this.beat().then(
        () => this.schedule(),
        () => this.schedule(),
      );
    }, BEAT_INTERVAL_MS);
  }

  private async beatOrThrow(): Promise<BeatResult> {
    try {
      return await this.beat();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new StoreError(
        'STORE_UNAVAILABLE',
        `the store did not answer the scheduler's first heartbeat: ${message}`,
        {
          cause: error,
        },
      );
    }
  }

  /** One beat: registration, a clock reading, the data's identity. Throws when the store does not answer. */
  private async beat(): Promise<BeatResult> {
    const sentAt = this.clock.local.now();
    const details = this.card?.next();
    const answer = await withinDeadline(
      this.clock,
      this.store.heartbeat({
        instanceId: this.instanceId,
        session: this.session,
        ttlMs: BEAT_TTL_MS,
        ...(details ? { info: details.info } : {}),
      }),
      BEAT_WAIT_MS,
    );
    if (answer.kind === 'timeout') throw new Error(`no answer within ${BEAT_WAIT_MS} ms`);
    if (answer.kind === 'error') throw answer.error;
    const beat = answer.value;
    if (details && !beat.conflict) this.card?.acknowledge(details.generation, details.info.catalog !== undefined);
    if (beat.live) this.live = beat.live;
    if (beat.storeTime !== undefined) this.measure(sentAt, beat.storeTime, this.clock.local.now());
    if (this.epoch !== null && beat.epoch !== this.epoch) {
      this.dataLossAt = this.clock.now();
      // The catalog went with the data: the next beat sends it again.
      this.card?.forget();
      this.logger.error(
        { previous: this.epoch, now: beat.epoch },
        'tickwise: the claim store lost its data (restarted without persistence?): fences stay monotonic and lost ticks are not taken over, but catch-up after a restart no longer knows what ran before',
      );
    }
    if (this.joined) this.epoch = beat.epoch;
    if (beat.conflict && this.joined && !this.conflict) {
      this.conflict = true;
      this.logger.error(
        { instanceId: this.instanceId },
        'tickwise: another live scheduler registered this instance id: give each replica its own instanceId',
      );
    }
    return beat;
  }

  private measure(sentAt: number, storeTime: number, receivedAt: number): void {
    const moved = this.clock.sample(sentAt, storeTime, receivedAt);
    this.measured = true;
    const offset = this.clock.offsetMs;
    if (Math.abs(offset) > CLOCK_OFFSET_WARN_MS && !this.warnedOffset) {
      this.warnedOffset = true;
      this.logger.warn(
        { clockOffsetMs: offset },
        `tickwise: this machine's clock is ${Math.abs(offset)} ms ${offset > 0 ? 'behind' : 'ahead of'} the store's; ticks follow the store's clock (check NTP)`,
      );
    } else if (Math.abs(offset) <= CLOCK_OFFSET_WARN_MS) {
      this.warnedOffset = false;
    }
    if (Math.abs(moved) > 1000) this.offsetJumped();
  }
}

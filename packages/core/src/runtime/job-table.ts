// The registered jobs by name, and the removed jobs whose runs have not ended yet (their names
// stay taken; stop() waits for their runs). A name is unique across both, and one the store can
// hold; a job disabled by its options or the kill switch is marked so when it is added.

import { JobDefinitionError, TickwiseError } from './errors.js';
import type { BuiltJob } from './job-registry.js';
import { type ActiveRun, JobState } from './job-state.js';
import { DISABLED_JOBS_ENV, matchesAny } from './kill-switch.js';
import type { Logger } from './logger.js';
import { START_CLAIM_SUFFIX } from './run-on-start.js';
import type { ClaimStore } from './store.js';

export class JobTable {
  private readonly byName = new Map<string, JobState>();
  private readonly draining = new Set<JobState>();
  /** Grows with every insert and remove: the fleet catalog is sent again when it moved. */
  generation = 0;

  constructor(
    /** Whose limits a name must fit (StoreLimits.maxJobNameBytes). */
    private readonly store: Pick<ClaimStore, 'limits'>,
    /** The `disabled` option and TICKWISE_DISABLED_JOBS (`*` wildcards). */
    private readonly disabledPatterns: readonly string[],
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.byName.size;
  }

  values(): IterableIterator<JobState> {
    return this.byName.values();
  }

  /** Throws before anything is added: names unique here (and among `built`), and holdable by the store. */
  checkNames(built: BuiltJob[]): void {
    const names = built.length > 1 ? new Set<string>() : null;
    for (const job of built) {
      const { name } = job.info;
      checkStorableName(name, this.store.limits.maxJobNameBytes);
      if (job.options.runOnStart) checkStorableName(`${name}${START_CLAIM_SUFFIX}`, this.store.limits.maxJobNameBytes);
      if (this.byName.has(name) || names?.has(name) || this.isDraining(name)) {
        throw new TickwiseError(
          'DUPLICATE_JOB',
          'a job with this name is already registered; give one of them { name }',
          {
            job: name,
          },
        );
      }
      names?.add(name);
    }
  }

  /** Adds a job checked by checkNames(); its registration order is its place in the table. */
  insert(job: BuiltJob): JobState {
    const state = new JobState(job, this.byName.size, this.disabledReasonFor(job));
    this.byName.set(job.info.name, state);
    this.generation++;
    if (state.disabledReason)
      this.logger.warn({ job: job.info.name, reason: state.disabledReason }, 'tickwise: job disabled');
    return state;
  }

  /** The job named `name`; a TickwiseError UNKNOWN_JOB when there is none. */
  get(name: string): JobState {
    const job = this.byName.get(name);
    if (!job) throw new TickwiseError('UNKNOWN_JOB', `no job named '${name}' is registered`, { job: name });
    return job;
  }

  /** The job named `name`, or undefined. */
  find(name: string): JobState | undefined {
    return this.byName.get(name);
  }

  /** Whether `job` is still the one registered under its name (not removed, nor replaced since). */
  has(job: JobState): boolean {
    return this.byName.get(job.info.name) === job;
  }

  /** Takes a job out of the table; its name stays taken until drained(). */
  remove(name: string): JobState {
    const job = this.get(name);
    this.byName.delete(name);
    this.generation++;
    this.draining.add(job);
    return job;
  }

  /** The removed job's runs have ended: its name is free again. */
  drained(job: JobState): void {
    this.draining.delete(job);
  }

  /** The registered jobs, then the removed ones still draining. */
  withDraining(): JobState[] {
    return [...this.byName.values(), ...this.draining];
  }

  /** Every run in progress: each is in its job's `active` list from the gate until it has ended. */
  activeRuns(): ActiveRun[] {
    const runs: ActiveRun[] = [];
    for (const job of this.byName.values()) if (job.active) runs.push(...job.active);
    for (const job of this.draining) if (job.active) runs.push(...job.active);
    return runs;
  }

  /** Registered jobs with a handler that ignored its aborted signal and has not returned. */
  strayJobNames(): string[] {
    return [...this.byName.values()].filter((job) => job.strayHandlers > 0).map((job) => job.info.name);
  }

  private isDraining(name: string): boolean {
    for (const job of this.draining) if (job.info.name === name) return true;
    return false;
  }

  private disabledReasonFor(job: BuiltJob): string | null {
    if (!job.options.enabled) return 'enabled: false';
    const pattern = matchesAny(job.info.name, this.disabledPatterns);
    return pattern ? `disabled by '${pattern}' (${DISABLED_JOBS_ENV} or the disabled option)` : null;
  }
}

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Job names go into the store's keys: no NUL (PostgreSQL cannot hold it), no broken UTF-16, within the store's limit. */
function checkStorableName(name: string, maxBytes: number): void {
  if (name.includes('\u0000') || UNPAIRED_SURROGATE.test(name)) {
    throw new JobDefinitionError(
      'INVALID_JOB_NAME',
      'a job name must not contain NUL characters or unpaired surrogates (the claim store could not hold it)',
      { job: JSON.stringify(name) },
    );
  }
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > maxBytes) {
    throw new JobDefinitionError(
      'INVALID_JOB_NAME',
      `the job name is ${bytes} bytes long; this claim store holds names of at most ${maxBytes} bytes (UTF-8)`,
      { job: `${name.slice(0, 40)}…` },
    );
  }
}

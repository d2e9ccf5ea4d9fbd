// The parts of a Scheduler, built from its options and connected: the store and its clock, the
// logger, the job table and the state, and the steps of a tick in the order a tick takes them.
// Which part hands what to which is decided here, and only here.

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { checkSchedulerOptions } from '../options/scheduler-options.js';
import { type ErrorDetail, ErrorRecorder } from '../telemetry/error-detail.js';
import { Instrumentation, type TelemetryOptions } from '../telemetry/instrumentation.js';
import { AskAgainQueue } from './ask-again.js';
import { type TakeoverAsk, TickClaim } from './claim.js';
import { CLAIM_LIMITS, ClaimBatcher } from './claim-batcher.js';
import { ClaimReleaser } from './claim-release.js';
import { type Clock, SystemClock } from './clock.js';
import { type BatchLimits, cappedAt } from './coalescer.js';
import { COMPLETION_LIMITS, CompletionRecorder } from './completion.js';
import { resolveLogger } from './default-logger.js';
import { DueTicks } from './due-ticks.js';
import { EventHub } from './events.js';
import { Fleet } from './fleet.js';
import { DEFAULT_CONTROL_POLL_MS, FleetControlPoller } from './fleet-controls.js';
import { isFleetStore, TRIGGER_CLAIM_SUFFIX, TRIGGER_TTL_MS, type TriggerRecord } from './fleet-store.js';
import { Gate } from './gate.js';
import { HealthCheck } from './health-check.js';
import type { RunTrigger } from './job.js';
import type { JobState } from './job-state.js';
import { JobTable } from './job-table.js';
import { DISABLED_JOBS_ENV, parseDisabledList } from './kill-switch.js';
import { LeaseKeeper, RENEWAL_LIMITS } from './lease-keeper.js';
import { Lifecycle } from './lifecycle.js';
import type { Logger } from './logger.js';
import { Membership } from './membership.js';
import { MemoryStore } from './memory-store.js';
import { redactingLogger } from './redacting-logger.js';
import { ReplicaCard } from './replica-card.js';
import { RunEvents } from './run-events.js';
import { RunLog } from './run-log.js';
import type { RunObserver } from './run-observer.js';
import { RunReport } from './run-report.js';
import { Shutdown } from './shutdown.js';
import { Startup } from './startup.js';
import type { ClaimStore } from './store.js';
import { StoreClock } from './store-clock.js';
import { TickQueue } from './tick-queue.js';
import { TickRunner } from './tick-runner.js';

export interface SchedulerOptions {
  /** Where claims live; default an in-process MemoryStore. */
  store?: ClaimStore;
  /** Default the system clock; tests pass a VirtualClock. */
  clock?: Clock;
  /**
   * Any object with debug/info/warn/error (pino works as is); a logger that throws cannot break
   * the scheduler. Default: warnings and errors to stderr, one line each. `false`: nothing at all.
   */
  logger?: Logger | false;
  /**
   * Identifies this replica in events, logs, telemetry and the store; default host-pid-random.
   * Must be unique among live schedulers sharing a store: start() fails (DUPLICATE_INSTANCE) when
   * another live scheduler already uses it.
   */
  instanceId?: string;
  /** Job names to disable (`*` wildcards allowed), in addition to TICKWISE_DISABLED_JOBS. */
  disabled?: string[];
  /** A tick reached later than this counts as missed (catch-up policy applies); default '60s'. */
  missedAfterMs?: number;
  /** Environment to read TICKWISE_DISABLED_JOBS from; default process.env. */
  env?: Record<string, string | undefined>;
  /** OpenTelemetry providers and span kind; default the global providers (no-op without an SDK). */
  telemetry?: TelemetryOptions;
  /**
   * What spans and log lines record of a failed run's error: 'redacted' (default: the class and
   * the message with secrets masked, no stack), 'class', 'full', or `(error) => string`.
   */
  errorDetail?: ErrorDetail;
  /**
   * Claims, renewals and completions sent to the store in one round trip, at most; default 1000.
   * 1 sends each on its own (the benchmark compares the two).
   */
  batchSize?: number;
  /**
   * The service's version, recorded with every run in the fleet history and with the replica's
   * heartbeat (so the fleet view can compare versions after a deploy). Default
   * TICKWISE_SERVICE_VERSION, else npm_package_version (set by `npm start`), else none.
   */
  serviceVersion?: string;
  /**
   * The fleet view (docs/fleet.md): with a store that keeps fleet state (the three bundled ones
   * do), runs go to the fleet history, the replica's details go with its heartbeat, and the fleet
   * controls (pause, resume, trigger) are read every `controlPollMs` (default 500 ms). `false`:
   * none of it (the store then only claims).
   */
  fleet?: { controlPollMs?: number } | false;
}

/** What the Scheduler facade keeps: its state and the parts its public methods reach. */
export interface SchedulerParts {
  instanceId: string;
  /** The local clock corrected to the store's: every time the scheduler reads is store time. */
  clock: Clock;
  logger: Logger;
  events: EventHub;
  jobs: JobTable;
  lifecycle: Lifecycle;
  report: RunReport;
  ticks: TickQueue;
  gate: Gate;
  runner: TickRunner;
  startup: Startup;
  shutdown: Shutdown;
  health: HealthCheck;
  /** The fleet view over the store; null without fleet state (or with `fleet: false`). */
  fleet: Fleet | null;
}

/** Throws a SchedulerOptionError on an unknown or invalid option. */
export function buildSchedulerParts(options: SchedulerOptions): SchedulerParts {
  checkSchedulerOptions(options as Record<string, unknown>);
  const local = options.clock ?? new SystemClock();
  const clock = new StoreClock(local);
  const store = options.store ?? new MemoryStore();
  if (store instanceof MemoryStore) store.followClock(() => local.now());
  const errors = new ErrorRecorder(options.errorDetail);
  const { logger, logging } = resolveLogger(
    options.logger,
    () => local.now(),
    (given) => redactingLogger(given, errors),
  );
  const instanceId = options.instanceId ?? `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const session = randomBytes(6).toString('base64url');
  // This process's claims: the instance id plus a session, so two processes never share an owner.
  const owner = `${instanceId}/${session}`;
  const batched = (limits: BatchLimits) => cappedAt(limits, options.batchSize ?? 1000);
  const missedAfterMs = options.missedAfterMs ?? 60_000;
  const lifecycle = new Lifecycle();
  const env = options.env ?? process.env;
  const disabled = [...(options.disabled ?? []), ...parseDisabledList(env[DISABLED_JOBS_ENV])];
  const jobs = new JobTable(store, disabled, logger);
  const events = new EventHub(logger, () => local.now());
  const fleetStore = options.fleet !== false && isFleetStore(store) ? store : null;
  const serviceVersion = options.serviceVersion ?? env.TICKWISE_SERVICE_VERSION ?? env.npm_package_version;
  const card: ReplicaCard | null = fleetStore
    ? new ReplicaCard({
        version: serviceVersion,
        startedAt: () => lifecycle.startedAt ?? Number.NaN,
        now: () => clock.now(),
        jobs: () => jobs.values(),
        jobCount: () => jobs.size,
        generation: () => jobs.generation,
        clockOffsetMs: (): number | null => membership.status().clockOffsetMs,
      })
    : null;
  const membership: Membership = new Membership(
    store,
    clock,
    instanceId,
    session,
    logger,
    () => {
      // A clock was set: timers armed by the old estimate would fire early or late.
      ticks.refresh();
      asks.refresh();
    },
    card,
  );
  const telemetry: RunObserver = new Instrumentation(
    instanceId,
    () => jobs.values(),
    { ...options.telemetry, errorDetail: options.errorDetail },
    () => membership.status().clockOffsetMs,
  );
  // Telemetry first: the trace ids it writes go into the log lines.
  const report = new RunReport([telemetry, new RunEvents(events, instanceId), new RunLog(logger, logging)], clock);
  const releaser = new ClaimReleaser(store, clock, owner, logger);
  const claims = new ClaimBatcher(store, clock, owner, logger, batched(CLAIM_LIMITS), (orphans) => {
    void releaser.release(orphans);
  });
  const leases = new LeaseKeeper(clock, store, owner, logger, batched(RENEWAL_LIMITS));

  // The steps of a tick call each other in a circle (a run that ends lets the gate pass the next
  // waiting tick; a refused claim asks again later, which starts a run): hence the closures.
  const run = (job: JobState, tick: number, trigger: RunTrigger, takeover: TakeoverAsk = false): void => {
    void runner.start(job, tick, trigger, undefined, takeover);
  };
  const gate = new Gate(lifecycle, report, run);
  const due = new DueTicks(missedAfterMs, gate, report);
  const ticks = new TickQueue(
    clock,
    lifecycle,
    () => membership.position(),
    () => jobs.size,
    (job, now) => due.take(job, now),
  );
  const asks = new AskAgainQueue(clock, lifecycle, (job) => jobs.has(job), run);
  const claim = new TickClaim({
    clock,
    claims,
    leases,
    report,
    logger,
    missedAfterMs,
    askAgain: (job, tick, retryAfterMs, ask) => asks.add(job, tick, retryAfterMs, ask),
  });
  const completions = new CompletionRecorder(store, clock, owner, logger, batched(COMPLETION_LIMITS), releaser);
  const history = fleetStore?.history ? { version: serviceVersion, errors } : null;
  const runner = new TickRunner({ instanceId, clock, logger, report, claim, completions, releaser, history }, (job) =>
    gate.drain(job),
  );
  // A fleet trigger: through the gate's checks for a manual run, then claimed under `<job>#trigger`
  // at the request's time, so one replica of those that have the job runs it.
  const runTrigger = (job: JobState, request: TriggerRecord): void => {
    const claimAs = { job: `${job.info.name}${TRIGGER_CLAIM_SUFFIX}`, retainMs: 2 * TRIGGER_TTL_MS };
    if (!lifecycle.running) return;
    if (Buffer.byteLength(claimAs.job) > store.limits.maxJobNameBytes) {
      logger.warn({ job: job.info.name }, 'tickwise: job name too long for a fleet trigger claim; not triggered');
      return;
    }
    const refused = gate.manual(job);
    if (refused) {
      if (refused.reason) report.skip(job, request.at, refused.reason);
      return;
    }
    logger.info({ job: job.info.name, by: request.by, id: request.id }, 'tickwise: fleet trigger received');
    void runner.start(job, request.at, 'fleet', undefined, false, claimAs);
  };
  const controls = fleetStore
    ? new FleetControlPoller({
        store: fleetStore,
        clock,
        logger,
        events,
        instanceId,
        jobs: () => jobs.values(),
        job: (name) => jobs.find(name),
        trigger: runTrigger,
        pollMs: (options.fleet || undefined)?.controlPollMs ?? DEFAULT_CONTROL_POLL_MS,
      })
    : null;

  const startup = new Startup({
    instanceId,
    store,
    clock,
    logger,
    lifecycle,
    membership,
    controls,
    jobs,
    ticks,
    asks,
    claims,
    runner,
    report,
  });
  const shutdown = new Shutdown({
    clock,
    logger,
    lifecycle,
    membership,
    controls,
    jobs,
    ticks,
    asks,
    claims,
    leases,
    report,
  });
  const health = new HealthCheck({
    instanceId,
    store,
    clock,
    lifecycle,
    membership,
    jobs: () => jobs.values(),
    nextRun: (job) => ticks.nextRun(job),
  });
  const fleet = fleetStore ? new Fleet(fleetStore, { init: false }) : null;
  return {
    instanceId,
    clock,
    logger,
    events,
    jobs,
    lifecycle,
    report,
    ticks,
    gate,
    runner,
    startup,
    shutdown,
    health,
    fleet,
  };
}

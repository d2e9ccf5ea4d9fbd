// Traces and metrics for runs and skipped ticks, through @opentelemetry/api only: a no-op until
// the application installs an OpenTelemetry SDK. One trace per run: a root span `run <job>` with
// a child span per attempt; skipped ticks are short spans `skip <job>`. The API itself is loaded
// only once it can do something (otel-api.ts): until then spans are a local no-op.
// Instrumentation is the runtime's telemetry RunObserver (runtime/run-observer.ts) by shape: the
// types below say what it reads, and telemetry imports nothing of the runtime (no import cycle).

import type {
  Attributes,
  Context,
  Counter,
  Histogram,
  Link,
  Meter,
  MeterProvider,
  Span,
  SpanContext,
  SpanKind,
  Tracer,
  TracerProvider,
  UpDownCounter,
} from '@opentelemetry/api';
import { VERSION } from '../version.js';
import * as A from './attributes.js';
import { BUCKETS_CLAIM_DURATION, BUCKETS_JOB_DURATION, BUCKETS_JOB_LATENESS } from './buckets.js';
import { type ErrorDetail, ErrorRecorder, errorType } from './error-detail.js';
import { type OtelApi, otelApi, otelApiIfRegistered } from './otel-api.js';

const SCOPE = '@tickwise/core';

export interface TelemetryOptions {
  /** Default: the global provider registered by the OpenTelemetry SDK. */
  tracerProvider?: TracerProvider;
  /** Default: the global provider registered by the OpenTelemetry SDK. */
  meterProvider?: MeterProvider;
  /** Kind of the root `run` span; default 'server' (a run is work the service does on request of the clock). */
  spanKind?: 'server' | 'internal' | 'consumer';
}

type SpanKindName = NonNullable<TelemetryOptions['spanKind']>;

/** What telemetry reads of a job (the runtime's JobInfo). */
export interface TracedJob {
  readonly name: string;
  readonly schedule: string;
  readonly timezone: string;
  readonly owner?: string;
}

/** A tick that did not run (the runtime's SkippedTick); the skip span's trace id is written back. */
export interface TracedSkip {
  readonly job: TracedJob;
  readonly tick: number;
  readonly reason: string;
  readonly count: number;
  readonly at: number;
  traceId: string | undefined;
}

/** A run that starts (the runtime's ObservedRun); its trace id is written back, for its log lines. */
export interface TracedRun {
  readonly job: TracedJob;
  readonly functionName: string;
  readonly tick: number;
  readonly startedAt: number;
  readonly trigger: string;
  readonly fence: number;
  /** The caller's span, for manual runs. */
  readonly link: SpanContext | undefined;
  traceId: string | undefined;
}

/** How a run ended (the runtime's RunEnd). */
export interface TracedRunEnd {
  readonly outcome: string;
  readonly error: unknown;
  readonly durationMs: number;
  readonly attempts: number;
  readonly finishedAt: number;
  /** What became of the claim (`tickwise.claim.completion`). */
  readonly completion: string;
  readonly slow: boolean;
}

/** Watches one attempt (the runtime's AttemptObserver): the handler runs inside wrap(). */
export interface AttemptSpan {
  wrap<T>(fn: () => T): T;
  end(error: unknown, at: number): void;
}

const spanKindOf = (otel: OtelApi, name: SpanKindName): SpanKind =>
  ({ server: otel.SpanKind.SERVER, internal: otel.SpanKind.INTERNAL, consumer: otel.SpanKind.CONSUMER })[name];

/** The API's INVALID_TRACEID: the trace id of a no-op span. */
const INVALID_TRACEID = '00000000000000000000000000000000';

const INVALID_SPAN_CONTEXT: SpanContext = { traceId: INVALID_TRACEID, spanId: '0000000000000000', traceFlags: 0 };

/** What the API's no-op tracer returns for a root span, without loading the API. */
const NOOP_SPAN: Span = {
  spanContext: () => INVALID_SPAN_CONTEXT,
  setAttribute: () => NOOP_SPAN,
  setAttributes: () => NOOP_SPAN,
  addEvent: () => NOOP_SPAN,
  addLink: () => NOOP_SPAN,
  addLinks: () => NOOP_SPAN,
  setStatus: () => NOOP_SPAN,
  updateName: () => NOOP_SPAN,
  end: () => {},
  isRecording: () => false,
  recordException: () => {},
};

/** The metric instruments, created only when a metrics SDK is there. */
interface Instruments {
  runs: Counter;
  duration: Histogram;
  lateness: Histogram;
  skipped: Counter;
  active: UpDownCounter;
  claimDuration: Histogram;
  expectationMissed: Counter;
}

/** Per-job attribute sets, built once: the hot path does not allocate them per run. */
interface JobAttributes {
  job: Attributes;
  /** By outcome. */
  outcome: Record<string, Attributes>;
  /** By claim result, then by skip reason: both are small closed sets. */
  claim: Record<string, Attributes>;
  skip: Record<string, Attributes>;
  /** By missed expectation (`slow`, `unexpected`). */
  missed: Record<string, Attributes>;
}

export interface JobTelemetrySource {
  info: TracedJob;
  /** Epoch ms of the last success, if any. */
  lastSuccess: number | undefined;
}

/** Status, `error.type` and the exception event of a failed span, as much as `errors` allows. */
function recordError(span: Span, error: unknown, at: number, errors: ErrorRecorder): void {
  // A recording span comes from an SDK, through the API: it is loaded.
  const { SpanStatusCode } = otelApi();
  const type = errorType(error);
  span.setAttribute(A.ATTR_ERROR_TYPE, type);
  if (errors.full) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    if (error instanceof Error) span.recordException(error, at);
    return;
  }
  const message = errors.message(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: message ?? type });
  // A plain object: the SDK copies name and message, and records no stack without a `stack`.
  span.recordException(message === undefined ? { name: type } : { name: type, message }, at);
}

export class Instrumentation {
  /**
   * Undefined until the API is loaded: when no provider was passed and nothing was registered
   * through the API when the scheduler was built, it is looked up again per span, so an SDK
   * registered later gets the spans (as the API's proxy tracer does).
   */
  private tracer: Tracer | undefined;
  private spanKind: SpanKind | undefined;
  private readonly tracerProvider: TracerProvider | undefined;
  private readonly spanKindName: SpanKindName;
  /** Undefined when metrics are off. */
  private readonly instruments: Instruments | undefined;
  private readonly attributesByJob = new WeakMap<TracedJob, JobAttributes>();
  /** What spans and logs record of errors (the scheduler's `errorDetail`). */
  readonly errors: ErrorRecorder;
  /**
   * False when the meter is the API's no-op (no metrics SDK was registered before the scheduler
   * was created): recording is then skipped, attribute sets and all.
   */
  readonly metered: boolean;

  constructor(
    private readonly instanceId: string,
    jobs: () => Iterable<JobTelemetrySource>,
    options: TelemetryOptions & { errorDetail?: ErrorDetail } = {},
    /** The measured offset of the store's clock, ms; null before it is known (or in process). */
    clockOffsetMs: () => number | null = () => null,
  ) {
    this.tracerProvider = options.tracerProvider;
    this.spanKindName = options.spanKind ?? 'server';
    this.errors = new ErrorRecorder(options.errorDetail);
    const otel = options.tracerProvider || options.meterProvider ? otelApi() : otelApiIfRegistered();
    if (otel) this.bindTracer(otel);
    // The global meter provider is read once, here, as before: the API has no proxy for it.
    // Without the registry there is no global meter provider, so no metrics (and no API load).
    const meter = otel && (options.meterProvider ?? otel.metrics.getMeterProvider()).getMeter(SCOPE, VERSION);
    this.metered = meter !== undefined && meter !== otel?.createNoopMeter();
    this.instruments = meter && this.metered ? this.createInstruments(meter, jobs, clockOffsetMs) : undefined;
  }

  private bindTracer(otel: OtelApi): void {
    this.tracer = (this.tracerProvider ?? otel.trace.getTracerProvider()).getTracer(SCOPE, VERSION);
    this.spanKind = spanKindOf(otel, this.spanKindName);
  }

  /** The tracer; undefined while the API would only return no-op spans. */
  private currentTracer(): Tracer | undefined {
    if (this.tracer === undefined) {
      const otel = otelApiIfRegistered();
      if (otel) this.bindTracer(otel);
    }
    return this.tracer;
  }

  private createInstruments(
    meter: Meter,
    jobs: () => Iterable<JobTelemetrySource>,
    clockOffsetMs: () => number | null,
  ): Instruments {
    const instruments: Instruments = {
      runs: meter.createCounter(A.METRIC_JOB_RUNS, {
        description: 'Runs that finished, by job and outcome',
        unit: '{run}',
      }),
      duration: meter.createHistogram(A.METRIC_JOB_DURATION, {
        description: 'Run duration, all attempts and waits included',
        unit: 's',
        advice: { explicitBucketBoundaries: [...BUCKETS_JOB_DURATION] },
      }),
      lateness: meter.createHistogram(A.METRIC_JOB_LATENESS, {
        description: 'Start of a run minus its scheduled tick',
        unit: 's',
        advice: { explicitBucketBoundaries: [...BUCKETS_JOB_LATENESS] },
      }),
      skipped: meter.createCounter(A.METRIC_JOB_SKIPPED, {
        description: 'Ticks that did not run, by reason',
        unit: '{tick}',
      }),
      active: meter.createUpDownCounter(A.METRIC_JOB_ACTIVE, {
        description: 'Runs in progress',
        unit: '{run}',
      }),
      claimDuration: meter.createHistogram(A.METRIC_CLAIM_DURATION, {
        description: 'Claim round trip to the store',
        unit: 's',
        advice: { explicitBucketBoundaries: [...BUCKETS_CLAIM_DURATION] },
      }),
      expectationMissed: meter.createCounter(A.METRIC_JOB_EXPECTATION_MISSED, {
        description: 'Runs that missed their expect option: slow (expect.duration) or unexpected (expect.result)',
        unit: '{run}',
      }),
    };
    const lastSuccess = meter.createObservableGauge(A.METRIC_JOB_LAST_SUCCESS, {
      description: 'Time of the last successful run, Unix seconds',
      unit: 's',
    });
    const offset = meter.createObservableGauge(A.METRIC_STORE_CLOCK_OFFSET, {
      description: "The claim store's clock minus this replica's clock",
      unit: 's',
    });
    offset.addCallback((result) => {
      const ms = clockOffsetMs();
      if (ms !== null) result.observe(ms / 1000, { [A.ATTR_INSTANCE_ID]: this.instanceId });
    });
    lastSuccess.addCallback((result) => {
      for (const job of jobs()) {
        if (job.lastSuccess !== undefined) result.observe(job.lastSuccess / 1000, this.attributesOf(job.info).job);
      }
    });
    return instruments;
  }

  /** Whether claims are worth timing: only the claim-duration metric reads them. */
  get timesClaims(): boolean {
    return this.metered;
  }

  private attributesOf(job: TracedJob): JobAttributes {
    let attributes = this.attributesByJob.get(job);
    if (!attributes) {
      attributes = { job: { [A.ATTR_JOB_NAME]: job.name }, outcome: {}, claim: {}, skip: {}, missed: {} };
      this.attributesByJob.set(job, attributes);
    }
    return attributes;
  }

  /** Starts the trace of a run; `link` is the caller's span for manual triggers. */
  runStarted(input: TracedRun): RunTrace {
    const { job } = input;
    const links: Link[] | undefined = input.link ? [{ context: input.link }] : undefined;
    const tracer = this.currentTracer();
    const span = tracer
      ? tracer.startSpan(`run ${job.name}`, {
          ...(this.spanKind !== undefined && { kind: this.spanKind }),
          root: true,
          startTime: input.startedAt,
          ...(links && { links }),
        })
      : NOOP_SPAN;
    if (span.isRecording()) {
      span.setAttributes({
        [A.ATTR_JOB_NAME]: job.name,
        [A.ATTR_JOB_SCHEDULE]: job.schedule,
        [A.ATTR_JOB_TIMEZONE]: job.timezone,
        [A.ATTR_TICK_SCHEDULED_TIME]: new Date(input.tick).toISOString(),
        [A.ATTR_RUN_LATENESS_MS]: input.startedAt - input.tick,
        [A.ATTR_RUN_TRIGGER]: input.trigger,
        [A.ATTR_CLAIM_FENCE]: input.fence,
        [A.ATTR_INSTANCE_ID]: this.instanceId,
        [A.ATTR_CODE_FUNCTION_NAME]: input.functionName,
        ...(job.owner !== undefined && { [A.ATTR_JOB_OWNER]: job.owner }),
      });
    }
    const instruments = this.instruments;
    const attributes = instruments ? this.attributesOf(job) : null;
    if (instruments && attributes) {
      instruments.active.add(1, attributes.job);
      instruments.lateness.record(Math.max(0, input.startedAt - input.tick) / 1000, attributes.job);
    }
    const trace = new RunTrace(this, span, attributes, job.name, input.functionName, this.errors);
    input.traceId = trace.traceId;
    return trace;
  }

  /** Records the end of a run in the metrics. */
  runFinished(attributes: JobAttributes | null, outcome: string, durationMs: number, slow: boolean): void {
    const instruments = this.instruments;
    if (!attributes || !instruments) return;
    attributes.outcome[outcome] ??= { ...attributes.job, [A.ATTR_RUN_OUTCOME]: outcome };
    const withOutcome = attributes.outcome[outcome];
    instruments.runs.add(1, withOutcome);
    instruments.duration.record(durationMs / 1000, withOutcome);
    instruments.active.add(-1, attributes.job);
    if (slow) instruments.expectationMissed.add(1, this.missedAttributes(attributes, 'slow'));
    if (outcome === 'unexpected') instruments.expectationMissed.add(1, this.missedAttributes(attributes, 'unexpected'));
  }

  private missedAttributes(attributes: JobAttributes, missed: 'slow' | 'unexpected'): Attributes {
    attributes.missed[missed] ??= { ...attributes.job, [A.ATTR_EXPECTATION_MISSED]: missed };
    return attributes.missed[missed] as Attributes;
  }

  startAttemptSpan(
    parent: Span,
    name: string,
    attempt: number,
    functionName: string,
    at: number,
  ): { span: Span; context: Context } {
    // Only for a traced run: its span came from the API's tracer, so the API is loaded.
    const { context, trace, SpanKind } = otelApi();
    const tracer = this.currentTracer() as Tracer;
    const parentContext = trace.setSpan(context.active(), parent);
    const span = tracer.startSpan(`attempt ${attempt}`, { kind: SpanKind.INTERNAL, startTime: at }, parentContext);
    if (span.isRecording()) {
      span.setAttributes({
        [A.ATTR_JOB_NAME]: name,
        [A.ATTR_RUN_ATTEMPT]: attempt,
        [A.ATTR_CODE_FUNCTION_NAME]: functionName,
      });
    }
    return { span, context: trace.setSpan(parentContext, span) };
  }

  /** A short span for a tick that did not run; its trace id is written to `skip` for the log line. */
  tickSkipped(skip: TracedSkip): void {
    skip.traceId = this.skipTraced(skip);
  }

  private skipTraced({ job, tick, reason, count, at }: TracedSkip): string | undefined {
    if (this.instruments) {
      const attributes = this.attributesOf(job);
      attributes.skip[reason] ??= { ...attributes.job, [A.ATTR_SKIP_REASON]: reason };
      this.instruments.skipped.add(count, attributes.skip[reason]);
    }
    const tracer = this.currentTracer();
    if (!tracer) return undefined;
    const span = tracer.startSpan(`skip ${job.name}`, {
      kind: otelApi().SpanKind.INTERNAL,
      root: true,
      startTime: at,
    });
    if (!span.isRecording()) {
      span.end(at);
      return undefined;
    }
    span.setAttributes({
      [A.ATTR_JOB_NAME]: job.name,
      [A.ATTR_JOB_SCHEDULE]: job.schedule,
      [A.ATTR_TICK_SCHEDULED_TIME]: new Date(tick).toISOString(),
      [A.ATTR_SKIP_REASON]: reason,
      [A.ATTR_SKIP_COUNT]: count,
      [A.ATTR_INSTANCE_ID]: this.instanceId,
      ...(job.owner !== undefined && { [A.ATTR_JOB_OWNER]: job.owner }),
    });
    span.end(at);
    return span.spanContext().traceId;
  }

  /** Records a claim's round trip in the claim-duration metric. */
  claimAnswered(job: TracedJob, durationMs: number, result: string): void {
    if (!this.instruments) return;
    const attributes = this.attributesOf(job);
    attributes.claim[result] ??= { ...attributes.job, [A.ATTR_CLAIM_RESULT]: result };
    this.instruments.claimDuration.record(durationMs / 1000, attributes.claim[result]);
  }
}

/**
 * The trace of one run (its RunObservation): its root span, and a span per attempt. Its methods
 * get the run as their first argument, like every RunObservation's; the trace already knows it.
 */
export class RunTrace {
  constructor(
    private readonly instrumentation: Instrumentation,
    readonly span: Span,
    /** Null when metrics are off. */
    private readonly attributes: JobAttributes | null,
    private readonly jobName: string,
    private readonly functionName: string,
    private readonly errors: ErrorRecorder,
  ) {
    const spanContext = span.spanContext();
    this.traceId = span.isRecording() ? spanContext.traceId : undefined;
    // Without an SDK the span is the API's no-op with an invalid context: there is no trace to
    // record or to propagate to the handler. A span sampled out still has a valid context (its
    // children must know the decision), so it keeps its attempt spans.
    // (The id comparison first: isSpanContextValid runs a regular expression. A span with a
    // valid id came from the API's tracer, so the API is loaded.)
    this.traced = spanContext.traceId !== INVALID_TRACEID && otelApi().isSpanContextValid(spanContext);
  }

  private readonly traced: boolean;

  /** The trace id for log lines; undefined when tracing is off. */
  readonly traceId: string | undefined;

  /** Starts an attempt span; the handler runs inside it (AttemptTrace.wrap), so spans it creates are its children. */
  attemptStarted(_run: unknown, attempt: number, at: number): AttemptSpan {
    if (!this.traced) return UNTRACED_ATTEMPT;
    const { span, context: attemptContext } = this.instrumentation.startAttemptSpan(
      this.span,
      this.jobName,
      attempt,
      this.functionName,
      at,
    );
    return new AttemptTrace(span, attemptContext, this.errors);
  }

  leaseRenewed(_run: unknown, at: number): void {
    if (this.span.isRecording()) this.span.addEvent(A.EVENT_LEASE_RENEWED, undefined, at);
  }

  /** Recorded by the attempt's span, which ends with the error. */
  attemptFailed(): void {}

  strayReturned(): void {}

  completionUnrecorded(): void {}

  runEnded(
    _run: unknown,
    { outcome, error, durationMs, attempts, finishedAt: at, completion, slow }: TracedRunEnd,
  ): void {
    if (this.span.isRecording()) {
      const { SpanStatusCode } = otelApi();
      this.span.setAttributes({
        [A.ATTR_RUN_OUTCOME]: outcome,
        [A.ATTR_RUN_ATTEMPT]: attempts,
        [A.ATTR_CLAIM_COMPLETION]: completion,
        ...(slow && { [A.ATTR_RUN_SLOW]: true }),
      });
      if (outcome === 'success') {
        this.span.setStatus({ code: SpanStatusCode.OK });
      } else {
        recordError(this.span, error, at, this.errors);
      }
    }
    this.span.end(at);
    this.instrumentation.runFinished(this.attributes, outcome, durationMs, slow);
  }
}

/** The attempt of a run without a trace: the handler runs in the caller's context, nothing is recorded. */
const UNTRACED_ATTEMPT: AttemptSpan = {
  wrap: (fn) => fn(),
  end: () => {},
};

export class AttemptTrace implements AttemptSpan {
  constructor(
    readonly span: Span,
    private readonly attemptContext: Context,
    private readonly errors: ErrorRecorder,
  ) {}

  /** Calls `fn` with this attempt's span as the active span. */
  wrap<T>(fn: () => T): T {
    return otelApi().context.with(this.attemptContext, fn);
  }

  end(error: unknown, at: number): void {
    if (this.span.isRecording()) {
      const { SpanStatusCode } = otelApi();
      if (error === undefined) {
        this.span.setStatus({ code: SpanStatusCode.OK });
      } else {
        const type = errorType(error);
        // By class name, as error.type reads it: telemetry does not import the runtime's errors.
        if (type === 'JobTimeoutError') this.span.addEvent(A.EVENT_TIMEOUT, undefined, at);
        if (type === 'RunCancelledError') {
          // (An Error: errorType() names only Errors by their class.)
          const { reason } = error as { reason?: unknown };
          if (typeof reason === 'string') this.span.addEvent(A.EVENT_CANCELLED, { [A.ATTR_CANCEL_REASON]: reason }, at);
        }
        recordError(this.span, error, at, this.errors);
      }
    }
    this.span.end(at);
  }
}

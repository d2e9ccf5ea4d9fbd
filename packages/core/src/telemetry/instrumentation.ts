// Traces and metrics for runs and skipped ticks, through @opentelemetry/api only: a no-op until
// the application installs an OpenTelemetry SDK. One trace per run: a root span `run <job>` with
// a child span per attempt; skipped ticks are short spans `skip <job>`.

import {
  type Attributes,
  type Context,
  type Counter,
  context,
  createNoopMeter,
  type Histogram,
  INVALID_TRACEID,
  isSpanContextValid,
  type Link,
  type Meter,
  type MeterProvider,
  metrics,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
  type UpDownCounter,
} from '@opentelemetry/api';
import type { AttemptObserver } from '../runtime/attempts.js';
import type { CompletionStatus } from '../runtime/completion.js';
import { RunCancelledError } from '../runtime/errors.js';
import type { JobInfo, RunTrigger } from '../runtime/job.js';
import type { RunOutcome } from '../runtime/store.js';
import { VERSION } from '../version.js';
import * as A from './attributes.js';
import { BUCKETS_CLAIM_DURATION, BUCKETS_JOB_DURATION, BUCKETS_JOB_LATENESS } from './buckets.js';
import { type ErrorDetail, ErrorRecorder, errorType } from './error-detail.js';

const SCOPE = '@tickwise/core';

export interface TelemetryOptions {
  /** Default: the global provider registered by the OpenTelemetry SDK. */
  tracerProvider?: TracerProvider;
  /** Default: the global provider registered by the OpenTelemetry SDK. */
  meterProvider?: MeterProvider;
  /** Kind of the root `run` span; default 'server' (a run is work the service does on request of the clock). */
  spanKind?: 'server' | 'internal' | 'consumer';
}

const SPAN_KINDS = { server: SpanKind.SERVER, internal: SpanKind.INTERNAL, consumer: SpanKind.CONSUMER } as const;

/** Per-job attribute sets, built once: the hot path does not allocate them per run. */
interface JobAttributes {
  job: Attributes;
  outcome: Partial<Record<RunOutcome, Attributes>>;
  /** By claim result, then by skip reason: both are small closed sets. */
  claim: Record<string, Attributes>;
  skip: Record<string, Attributes>;
}

export interface JobTelemetrySource {
  info: JobInfo;
  /** Epoch ms of the last success, if any. */
  lastSuccess: number | undefined;
}

/** Status, `error.type` and the exception event of a failed span, as much as `errors` allows. */
function recordError(span: Span, error: unknown, at: number, errors: ErrorRecorder): void {
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
  private readonly tracer: Tracer;
  private readonly meter: Meter;
  private readonly spanKind: SpanKind;
  private readonly runs: Counter;
  private readonly duration: Histogram;
  private readonly lateness: Histogram;
  private readonly skipped: Counter;
  private readonly active: UpDownCounter;
  private readonly claimDuration: Histogram;
  private readonly attributesByJob = new WeakMap<JobInfo, JobAttributes>();
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
    this.tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE, VERSION);
    this.meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE, VERSION);
    this.spanKind = SPAN_KINDS[options.spanKind ?? 'server'];
    this.errors = new ErrorRecorder(options.errorDetail);
    this.metered = this.meter !== createNoopMeter();
    this.runs = this.meter.createCounter(A.METRIC_JOB_RUNS, {
      description: 'Runs that finished, by job and outcome',
      unit: '{run}',
    });
    this.duration = this.meter.createHistogram(A.METRIC_JOB_DURATION, {
      description: 'Run duration, all attempts and waits included',
      unit: 's',
      advice: { explicitBucketBoundaries: [...BUCKETS_JOB_DURATION] },
    });
    this.lateness = this.meter.createHistogram(A.METRIC_JOB_LATENESS, {
      description: 'Start of a run minus its scheduled tick',
      unit: 's',
      advice: { explicitBucketBoundaries: [...BUCKETS_JOB_LATENESS] },
    });
    this.skipped = this.meter.createCounter(A.METRIC_JOB_SKIPPED, {
      description: 'Ticks that did not run, by reason',
      unit: '{tick}',
    });
    this.active = this.meter.createUpDownCounter(A.METRIC_JOB_ACTIVE, {
      description: 'Runs in progress',
      unit: '{run}',
    });
    this.claimDuration = this.meter.createHistogram(A.METRIC_CLAIM_DURATION, {
      description: 'Claim round trip to the store',
      unit: 's',
      advice: { explicitBucketBoundaries: [...BUCKETS_CLAIM_DURATION] },
    });
    const lastSuccess = this.meter.createObservableGauge(A.METRIC_JOB_LAST_SUCCESS, {
      description: 'Time of the last successful run, Unix seconds',
      unit: 's',
    });
    const offset = this.meter.createObservableGauge(A.METRIC_STORE_CLOCK_OFFSET, {
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
  }

  private attributesOf(job: JobInfo): JobAttributes {
    let attributes = this.attributesByJob.get(job);
    if (!attributes) {
      attributes = { job: { [A.ATTR_JOB_NAME]: job.name }, outcome: {}, claim: {}, skip: {} };
      this.attributesByJob.set(job, attributes);
    }
    return attributes;
  }

  /** Starts the trace of a run; `link` is the caller's span for manual triggers. */
  runStarted(input: {
    job: JobInfo;
    functionName: string;
    tick: number;
    startedAt: number;
    trigger: RunTrigger;
    fence: number;
    link: SpanContext | undefined;
  }): RunTrace {
    const { job } = input;
    const links: Link[] | undefined = input.link ? [{ context: input.link }] : undefined;
    const span = this.tracer.startSpan(`run ${job.name}`, {
      kind: this.spanKind,
      root: true,
      startTime: input.startedAt,
      ...(links && { links }),
    });
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
    const attributes = this.metered ? this.attributesOf(job) : null;
    if (attributes) {
      this.active.add(1, attributes.job);
      this.lateness.record(Math.max(0, input.startedAt - input.tick) / 1000, attributes.job);
    }
    return new RunTrace(this, span, attributes, job.name, input.functionName, this.errors);
  }

  /** Records the end of a run in the metrics. */
  runFinished(attributes: JobAttributes | null, outcome: RunOutcome, durationMs: number): void {
    if (!attributes) return;
    attributes.outcome[outcome] ??= { ...attributes.job, [A.ATTR_RUN_OUTCOME]: outcome };
    const withOutcome = attributes.outcome[outcome] as Attributes;
    this.runs.add(1, withOutcome);
    this.duration.record(durationMs / 1000, withOutcome);
    this.active.add(-1, attributes.job);
  }

  startAttemptSpan(
    parent: Span,
    name: string,
    attempt: number,
    functionName: string,
    at: number,
  ): { span: Span; context: Context } {
    const parentContext = trace.setSpan(context.active(), parent);
    const span = this.tracer.startSpan(`attempt ${attempt}`, { kind: SpanKind.INTERNAL, startTime: at }, parentContext);
    if (span.isRecording()) {
      span.setAttributes({
        [A.ATTR_JOB_NAME]: name,
        [A.ATTR_RUN_ATTEMPT]: attempt,
        [A.ATTR_CODE_FUNCTION_NAME]: functionName,
      });
    }
    return { span, context: trace.setSpan(parentContext, span) };
  }

  /** A short span for a tick that did not run; returns its trace id for the log line. */
  tickSkipped(job: JobInfo, tick: number, reason: string, count: number, at: number): string | undefined {
    if (this.metered) {
      const attributes = this.attributesOf(job);
      attributes.skip[reason] ??= { ...attributes.job, [A.ATTR_SKIP_REASON]: reason };
      this.skipped.add(count, attributes.skip[reason]);
    }
    const span = this.tracer.startSpan(`skip ${job.name}`, { kind: SpanKind.INTERNAL, root: true, startTime: at });
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

  claimFinished(job: JobInfo, durationMs: number, result: string): void {
    if (!this.metered) return;
    const attributes = this.attributesOf(job);
    attributes.claim[result] ??= { ...attributes.job, [A.ATTR_CLAIM_RESULT]: result };
    this.claimDuration.record(durationMs / 1000, attributes.claim[result]);
  }
}

/** The trace of one run: its root span, and a span per attempt. */
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
    // (The id comparison first: isSpanContextValid runs a regular expression.)
    this.traced = spanContext.traceId !== INVALID_TRACEID && isSpanContextValid(spanContext);
  }

  private readonly traced: boolean;

  /** The trace id for log lines; undefined when tracing is off. */
  readonly traceId: string | undefined;

  /** Starts an attempt span; the handler runs inside it (AttemptTrace.wrap), so spans it creates are its children. */
  attempt(attempt: number, at: number): AttemptObserver {
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

  event(name: string, attributes?: Attributes, at?: number): void {
    if (this.span.isRecording()) this.span.addEvent(name, attributes, at);
  }

  end(
    outcome: RunOutcome,
    error: unknown,
    durationMs: number,
    attempts: number,
    at: number,
    completion: CompletionStatus,
  ): void {
    if (this.span.isRecording()) {
      this.span.setAttributes({
        [A.ATTR_RUN_OUTCOME]: outcome,
        [A.ATTR_RUN_ATTEMPT]: attempts,
        [A.ATTR_CLAIM_COMPLETION]: completion,
      });
      if (outcome === 'success') {
        this.span.setStatus({ code: SpanStatusCode.OK });
      } else {
        recordError(this.span, error, at, this.errors);
      }
    }
    this.span.end(at);
    this.instrumentation.runFinished(this.attributes, outcome, durationMs);
  }
}

/** The attempt of a run without a trace: the handler runs in the caller's context, nothing is recorded. */
const UNTRACED_ATTEMPT: AttemptObserver = {
  wrap: (fn) => fn(),
  end: () => {},
};

export class AttemptTrace implements AttemptObserver {
  constructor(
    readonly span: Span,
    private readonly attemptContext: Context,
    private readonly errors: ErrorRecorder,
  ) {}

  /** Calls `fn` with this attempt's span as the active span. */
  wrap<T>(fn: () => T): T {
    return context.with(this.attemptContext, fn);
  }

  end(error: unknown, at: number): void {
    if (this.span.isRecording()) {
      if (error === undefined) {
        this.span.setStatus({ code: SpanStatusCode.OK });
      } else {
        const type = errorType(error);
        if (type === 'JobTimeoutError') this.span.addEvent(A.EVENT_TIMEOUT, undefined, at);
        if (error instanceof RunCancelledError) {
          this.span.addEvent(A.EVENT_CANCELLED, { [A.ATTR_CANCEL_REASON]: error.reason }, at);
        }
        recordError(this.span, error, at, this.errors);
      }
    }
    this.span.end(at);
  }
}

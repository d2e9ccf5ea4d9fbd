// @opentelemetry/api, loaded when first needed rather than at import (it is ~35 ms of a cold
// start). Until an OpenTelemetry SDK (or anything else: a context manager, a propagator) is
// registered, the API is a no-op, and it can only be registered through the API's global
// registry. So the scheduler loads the API when a provider is passed in its options, or when
// that registry exists at the moment a span or metric would be recorded, which also covers an SDK
// registered after the scheduler was built. Only type imports of the API here and elsewhere:
// they are erased.

import { createRequire } from 'node:module';
import type * as OtelApiModule from '@opentelemetry/api';
import type { SpanContext } from '@opentelemetry/api';

export type OtelApi = typeof OtelApiModule;

/**
 * Where @opentelemetry/api 1.x keeps its global registry (the API's GLOBAL_OPENTELEMETRY_API_KEY:
 * `opentelemetry.js.api.<major>`; the peer dependency range is ^1). It is created by the first
 * registration (setGlobalTracerProvider, setGlobalMeterProvider, setGlobalContextManager, …),
 * not by loading the API.
 */
export const OTEL_GLOBAL_KEY = Symbol.for('opentelemetry.js.api.1');

let api: OtelApi | undefined;

/**
 * The API, required on first use so the scheduler stays synchronous. A bundler that turns this
 * module into CommonJS sees the plain `require` and bundles the API; as ESM on Node, `require` is
 * not defined and createRequire finds it (on Node, import and require of the API resolve to the
 * same CommonJS build, so this is the instance the application and its SDK use).
 */
export function otelApi(): OtelApi {
  api ??= (
    typeof require === 'function' ? require('@opentelemetry/api') : createRequire(import.meta.url)('@opentelemetry/api')
  ) as OtelApi;
  return api;
}

/** The API if it is loaded or something was registered through it; undefined while it would be a no-op. */
export function otelApiIfRegistered(): OtelApi | undefined {
  if (api) return api;
  return (globalThis as Record<symbol, unknown>)[OTEL_GLOBAL_KEY] === undefined ? undefined : otelApi();
}

/** The span context of the active span (the caller's, for manual triggers), if any. */
export function activeSpanContext(): SpanContext | undefined {
  const otel = otelApiIfRegistered();
  return otel?.trace.getSpanContext(otel.context.active());
}

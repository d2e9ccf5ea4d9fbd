// The app side of the Nest app harness (harness.ts copies this file into every app it builds as
// src/harness-events.ts): apps report what happened as marked JSON lines on stdout, which the
// test reads as events. Plain Node, no decorators: it compiles in any app.

/** The prefix of an event line; everything else on stdout is the app's own output. */
export const EVENT_MARK = '@@harness-event ';

export interface AppEvent {
  type: string;
  /** Epoch ms in the app's process when it was emitted. */
  at: number;
  [field: string]: unknown;
}

/** Reports `type` (e.g. 'fired', with `{ job: 'cleanup' }`) to the test. */
export function emit(type: string, fields: Record<string, unknown> = {}): void {
  // Writes to a pipe are synchronous on Linux: an event emitted just before exit is not lost.
  process.stdout.write(`${EVENT_MARK}${JSON.stringify({ ...fields, type, at: Date.now() })}\n`);
}

/**
 * A provider the default main adds beside the app's module: reports Nest's shutdown steps
 * ('destroying' when onModuleDestroy hooks start, 'shutdown' when onApplicationShutdown runs).
 */
export class ShutdownProbe {
  onModuleDestroy(): void {
    emit('destroying');
  }
  onApplicationShutdown(signal?: string): void {
    emit('shutdown', { signal: signal ?? null });
  }
}

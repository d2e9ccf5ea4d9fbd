// What `tickwise fleet` asks of the fleet, whichever way it reaches it: a store directly
// (fleet-direct.ts) or a service's HTTP routes (fleet-http.ts). Both answer with the same plain data.

import type { FleetHealth, FleetPause, FleetRun } from '@tickwise/core';

/** A trigger request as the fleet recorded it. */
export interface FleetTrigger {
  id: string;
  job: string;
  by: string;
  /** When it was requested (store clock): the tick its run is recorded for. */
  at: Date;
}

export interface FleetPauseRequest {
  reason: string;
  by: string;
  /** Ends by itself after this long; absent: until resumed. */
  forMs?: number;
}

export interface FleetClient {
  /** Where the fleet state is read, for messages (credentials masked). */
  readonly target: string;
  status(): Promise<FleetHealth>;
  /** Newest first. */
  runs(job: string, limit: number): Promise<FleetRun[]>;
  pause(pattern: string, request: FleetPauseRequest): Promise<FleetPause>;
  /** False when there was no pause of exactly this pattern. */
  resume(pattern: string): Promise<boolean>;
  trigger(job: string, by: string): Promise<FleetTrigger>;
  /** Lets go of connections; the process can then exit. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Why the fleet could not be asked. `FLEET_UNREACHABLE`: no connection, no answer in time, or the
 * store failed; `FLEET_REFUSED`: credentials or the token were refused (401/403); `FLEET_NOT_FOUND`:
 * no fleet routes at the URL (404); `FLEET_NOT_INSTALLED`: the store package is missing;
 * `FLEET_BAD_REQUEST`: the service rejected what was sent (400).
 */
export type FleetClientErrorCode =
  | 'FLEET_UNREACHABLE'
  | 'FLEET_REFUSED'
  | 'FLEET_NOT_FOUND'
  | 'FLEET_NOT_INSTALLED'
  | 'FLEET_BAD_REQUEST';

export class FleetClientError extends Error {
  override name = 'FleetClientError';

  constructor(
    readonly code: FleetClientErrorCode,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/** `redis://user:***@host:6379`: a URL fit for messages. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

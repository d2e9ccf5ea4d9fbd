// The job's `expect` option at run time: keeping the handler's return value for the result check,
// the check itself, and whether a run was slow. Health reads the same expectation (health.ts).

import { UnexpectedResultError } from './errors.js';
import type { NormalizedExpectation } from './job-options.js';
import { isThenable } from './listener-guard.js';

/** Passes the handler's return value (or what its promise resolves to) to `keep`, unchanged otherwise. */
export function keepingResult(value: unknown, keep: (result: unknown) => void): unknown {
  if (!isThenable(value)) {
    keep(value);
    return value;
  }
  return Promise.resolve(value).then((result) => {
    keep(result);
    return result;
  });
}

/** Null when the result passes the job's check; else the error that makes the run `unexpected`. */
export function checkResult(
  job: string,
  check: (value: unknown) => boolean | string,
  value: unknown,
): UnexpectedResultError | null {
  let verdict: boolean | string;
  try {
    verdict = check(value);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return new UnexpectedResultError(job, `the result check threw: ${message}`, { cause: error });
  }
  if (verdict === true) return null;
  if (typeof verdict === 'string') return new UnexpectedResultError(job, verdict);
  return new UnexpectedResultError(
    job,
    verdict === false ? 'the result check returned false' : `the result check returned ${String(verdict)}, not true`,
  );
}

/** A run that took longer than the expected duration. */
export function isSlow(expectation: NormalizedExpectation | null, durationMs: number): boolean {
  return expectation !== null && expectation.durationMs > 0 && durationMs > expectation.durationMs;
}

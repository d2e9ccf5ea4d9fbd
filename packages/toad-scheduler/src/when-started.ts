// Runs callbacks once a Scheduler has started, for toad's runImmediately ("run when the job starts";
// under Tickwise no job runs before start()). Tickwise has no "started" event, so the first use
// wraps this instance's start() — it returns the same promise on every call, so wrapping keeps
// that — and asks health() whether the scheduler was already running.

import type { Scheduler } from '@tickwise/core';

interface Hook {
  started: boolean;
  waiting: (() => void)[];
}

const hooks = new WeakMap<Scheduler, Hook>();

function install(scheduler: Scheduler): Hook {
  const hook: Hook = { started: false, waiting: [] };
  hooks.set(scheduler, hook);
  const release = () => {
    if (hook.started) return;
    hook.started = true;
    for (const callback of hook.waiting.splice(0)) callback();
  };
  const start = scheduler.start;
  scheduler.start = function startThenRunImmediately(this: Scheduler) {
    const started = start.call(this);
    started.then(release, () => {});
    return started;
  };
  scheduler.health().then(
    (snapshot) => {
      if (snapshot.scheduler === 'running') release();
    },
    () => {},
  );
  return hook;
}

/** Calls `callback` after `scheduler.start()` has resolved, or soon if it already has. */
export function whenStarted(scheduler: Scheduler, callback: () => void): void {
  const hook = hooks.get(scheduler) ?? install(scheduler);
  if (hook.started) callback();
  else hook.waiting.push(callback);
}

// Per-run pipeline overhead: 1,000 trivial every-second jobs driven by a VirtualClock for 100
// virtual seconds (100,000 runs: gate, claim in the MemoryStore, attempt, completion, events).

import { every, Scheduler, type TelemetryOptions } from '@tickwise/core';
import { VirtualClock } from '@tickwise/core/testing';

export async function measureOverhead(
  jobs = 1000,
  seconds = 100,
  telemetry?: TelemetryOptions,
): Promise<{ runs: number; microsPerRun: number }> {
  const clock = new VirtualClock();
  const scheduler = new Scheduler({ clock, env: {}, ...(telemetry && { telemetry }) });
  let runs = 0;
  for (let i = 0; i < jobs; i++) {
    scheduler.add({
      name: `j${i}`,
      schedule: every('1s'),
      run: () => {
        runs++;
      },
    });
  }
  await scheduler.start();
  await clock.advance('5s'); // warm up
  runs = 0;
  const began = performance.now();
  await clock.advance(seconds * 1000);
  const elapsed = performance.now() - began;
  await scheduler.stop();
  return { runs, microsPerRun: (elapsed * 1000) / runs };
}

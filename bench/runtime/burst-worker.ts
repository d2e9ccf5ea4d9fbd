// One library, N jobs all due on the same second: how late do they start, and do all of them?
// Prints one JSON line. Usage: burst-worker.ts <library> <count> <leadMs>
// (leadMs: how far ahead the tick is set; it must outlast the library's registration)

import { type Library, percentile, registerJobs } from './peers.js';

const [library, countText, leadText] = process.argv.slice(2) as [Library, string, string];
const count = Number(countText);
const leadMs = Number(leadText);
const WAIT_MS = 60_000;

const registering = performance.now();
// The tick: a whole second far enough ahead for registration to end first.
const tick = Math.ceil((Date.now() + leadMs) / 1000) * 1000;
const t = new Date(tick);
const expression = `${t.getUTCSeconds()} ${t.getUTCMinutes()} ${t.getUTCHours()} * * *`;
const lateness: number[] = [];
let resolveAll: () => void = () => {};
const allStarted = new Promise<void>((resolve) => {
  resolveAll = resolve;
});
const registered = await registerJobs(library, Array(count).fill(expression), () => {
  lateness.push(Date.now() - tick);
  if (lateness.length === count) resolveAll();
});
const registerMs = performance.now() - registering;
if (Date.now() >= tick) throw new Error('registration took past the tick; raise the lead time');
await Promise.race([allStarted, new Promise((resolve) => setTimeout(resolve, tick - Date.now() + WAIT_MS))]);
await registered.stop();
console.log(
  JSON.stringify({
    library,
    count,
    registerMs,
    started: lateness.length,
    early: lateness.filter((ms) => ms < 0).length,
    p50: percentile(lateness, 50),
    p99: percentile(lateness, 99),
    lastStartMs: lateness.length ? Math.max(...lateness) : Number.NaN,
  }),
);
process.exit(0);

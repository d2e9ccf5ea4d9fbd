// One library, N jobs due hours from now: registration time, heap per job, idle CPU.
// Prints one JSON line. Usage: scale-worker.ts <library> <count> <idleSeconds> [distinct|shared]
// (distinct: ~72% distinct expressions, nothing to share; shared: one expression for all jobs)

import { gc, type Library, registerJobs } from './peers.js';

const [library, countText, idleText, variety = 'distinct'] = process.argv.slice(2) as [
  Library,
  string,
  string,
  string?,
];
const count = Number(countText);
const idleMs = Number(idleText) * 1000;

// Daily jobs at least two hours away, so nothing fires during the idle measurement.
const hour = new Date().getUTCHours();
const expressions = Array.from(
  { length: count },
  (_, i) => `${i % 60} ${(i >> 6) % 60} ${(hour + 2 + (i % 20)) % 24} * * *`,
);

gc();
const heapBefore = process.memoryUsage().heapUsed;
const began = performance.now();
const registered = await registerJobs(library, expressions, () => {});
const registerMs = performance.now() - began;
gc();
const heapPerJob = count > 0 ? (process.memoryUsage().heapUsed - heapBefore) / count : 0;

const cpuBefore = process.cpuUsage();
const idleBegan = performance.now();
await new Promise((resolve) => setTimeout(resolve, idleMs));
const cpu = process.cpuUsage(cpuBefore);
const idleCpuPercent = ((cpu.user + cpu.system) / 1000 / (performance.now() - idleBegan)) * 100;
await registered.stop();
console.log(
  JSON.stringify({
    library: variety === 'shared' ? `${library} (one shared expression)` : library,
    count,
    registerMs,
    heapPerJob,
    idleCpuPercent,
  }),
);
process.exit(0);

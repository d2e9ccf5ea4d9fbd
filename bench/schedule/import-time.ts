// Import time: how long `await import(x)` takes in a fresh Node process, Tickwise beside croner.
// Every CLI run, test run and serverless cold start pays it. Each sample is a new `node` process
// (no tsx, no tickwise-source condition: the published dist/ code, as an app loads it) that times
// the import() alone; the order of the modules is rotated per round so drift on a busy machine
// spreads over all of them. Prints the median of IMPORT_RUNS (default 15) samples per module.
// Part of `npm run bench:schedule`; alone: `npm run schedule:import -w @tickwise/bench` (after a build).

import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

interface Case {
  label: string;
  /** Module code run after the clock starts; the time until it settles is the sample. */
  code: string;
}

const CASES: Case[] = [
  { label: "`import('@tickwise/core')`", code: "await import('@tickwise/core');" },
  { label: "`import('@tickwise/core/schedule')`", code: "await import('@tickwise/core/schedule');" },
  {
    label: "`import('@tickwise/core')` + first `describe()`",
    code: "const { cron } = await import('@tickwise/core'); await cron('0 9 * * 1-5').describe();",
  },
  { label: "`import('croner')`", code: "await import('croner');" },
  { label: "`import('cron-parser')`", code: "await import('cron-parser');" },
  { label: "`import('@opentelemetry/api')`", code: "await import('@opentelemetry/api');" },
  { label: "`import('cronstrue')`", code: "await import('cronstrue');" },
];

function sample(code: string): number {
  const script = `const began = performance.now(); ${code} process.stdout.write(String(performance.now() - began));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: here,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return Number(out);
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

export function importTimeTable(runs = Number(process.env.IMPORT_RUNS ?? 15)): Map<string, number> {
  const samples = new Map<string, number[]>(CASES.map((c) => [c.label, []]));
  for (const c of CASES) sample(c.code); // warm the file system cache
  for (let round = 0; round < runs; round++) {
    for (let i = 0; i < CASES.length; i++) {
      const c = CASES[(i + round) % CASES.length] as Case;
      samples.get(c.label)?.push(sample(c.code));
    }
  }
  const medians = new Map([...samples].map(([label, values]) => [label, median(values)]));
  const croner = medians.get("`import('croner')`") as number;
  console.log(`\n## Import time (fresh node process per sample, median of ${runs}; lower is better)\n`);
  console.log('| module | median | min | max | vs croner |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [label, values] of samples) {
    const m = medians.get(label) as number;
    console.log(
      `| ${label} | ${m.toFixed(1)} ms | ${Math.min(...values).toFixed(1)} ms | ${Math.max(...values).toFixed(1)} ms | ${(m / croner).toFixed(1)}x |`,
    );
  }
  const core = medians.get("`import('@tickwise/core')`") as number;
  console.log(
    `\n\`import('@tickwise/core')\` takes ${core.toFixed(1)} ms, ${(core / croner).toFixed(1)}x croner's ${croner.toFixed(1)} ms (target: under 40 ms).`,
  );
  return medians;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) importTimeTable();

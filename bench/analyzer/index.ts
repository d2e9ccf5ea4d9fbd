// Analyzer benchmark: a cold `tickwise list --json` of a generated 10,000-file workspace (5% of files
// declare jobs), and re-analysis of one 2,000-line file, each beside the parser-only baseline
// (ts.createSourceFile on the same input, without parent pointers, as the analyzer parses: what
// any TypeScript-based scan pays at least).
// Run: npm run bench:analyzer

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeSource } from '@tickwise/analyzer';
import { findSourceFiles } from '@tickwise/analyzer/node';
import type * as TS from 'typescript';

const FILES = 10_000;
const JOB_SHARE = 0.05;
const JOBS_PER_FILE = 4;
const here = dirname(fileURLToPath(import.meta.url));
const cliPath = join(here, '..', '..', 'packages', 'analyzer', 'dist', 'cli', 'main.js');
const ts = createRequire(import.meta.url)('typescript') as typeof TS;

/** An ordinary service module: imports, a class, helpers. ~70 lines. */
function plainModule(i: number): string {
  const lines = [
    `import { readFile } from 'node:fs/promises';`,
    `import type { Logger } from '../logger';`,
    ``,
    `export interface Record${i} { id: string; amount: number; createdAt: Date; tags: string[] }`,
    ``,
    `export class Service${i} {`,
    `  private readonly cache = new Map<string, Record${i}>();`,
    `  constructor(private readonly logger: Logger) {}`,
    ``,
  ];
  for (let m = 0; m < 6; m++) {
    lines.push(
      `  async method${m}(id: string): Promise<Record${i} | undefined> {`,
      `    const cached = this.cache.get(id);`,
      `    if (cached) return cached;`,
      `    const text = await readFile(\`/data/\${id}.json\`, 'utf8');`,
      `    const parsed = JSON.parse(text) as Record${i};`,
      `    this.cache.set(id, { ...parsed, createdAt: new Date(parsed.createdAt) });`,
      `    this.logger.info({ id, step: ${m} }, 'loaded');`,
      `    return this.cache.get(id);`,
      `  }`,
      ``,
    );
  }
  lines.push(`}`, ``, `export const helper${i} = (values: number[]) => values.reduce((a, b) => a + b, 0);`);
  return lines.join('\n');
}

const SCHEDULES = ['0 9 * * 1-5', '*/15 * * * *', '30 2 * * *', '0 0 1 * *'];

/** A module that declares jobs: decorators and an add() call, the shapes users write. */
function jobModule(i: number): string {
  const lines = [
    `import { Cron, Every, Scheduler } from '@tickwise/core';`,
    `import { SHARED_CRON } from '../shared';`,
    `const ZONE = 'Europe/Berlin';`,
    ``,
    `export class Jobs${i} {`,
  ];
  for (let j = 0; j < JOBS_PER_FILE - 1; j++) {
    lines.push(
      j % 2 === 0
        ? `  @Cron('${SCHEDULES[j % SCHEDULES.length]}', { timezone: ZONE, owner: 'team-${i % 7}', retry: 2 })`
        : `  @Every('${(j + 1) * 5}m', { owner: 'team-${i % 7}' })`,
      `  async job${j}(): Promise<void> {}`,
      ``,
    );
  }
  lines.push(
    `  @Cron(SHARED_CRON) // a constant from another file: cross-file resolution`,
    `  async shared(): Promise<void> {}`,
    `}`,
    ``,
    `export function setup${i}(scheduler: Scheduler): void {`,
    `  scheduler.add({ name: 'sync-${i}', schedule: '*/10 * * * *', run: async () => {} });`,
    `}`,
    plainModule(i),
  );
  return lines.join('\n');
}

function generateWorkspace(root: string): number {
  let withJobs = 0;
  for (let i = 0; i < FILES; i++) {
    const dir = join(root, 'services', `svc-${i % 50}`, 'src', `area-${i % 10}`);
    mkdirSync(dir, { recursive: true });
    const declaresJobs = i % Math.round(1 / JOB_SHARE) === 0;
    if (declaresJobs) withJobs++;
    writeFileSync(join(dir, `module-${i}.ts`), declaresJobs ? jobModule(i) : plainModule(i));
    if (i < 50)
      writeFileSync(
        join(root, 'services', `svc-${i}`, 'src', 'shared.ts'),
        `export const SHARED_CRON = '0 4 * * *';\n`,
      );
  }
  // Dependencies the scan must skip without reading.
  const deps = join(root, 'node_modules', 'some-lib');
  mkdirSync(deps, { recursive: true });
  for (let i = 0; i < 2000; i++) writeFileSync(join(deps, `f${i}.js`), jobModule(i));
  return withJobs;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;

function coldScan(root: string, expectedJobs: number): number[] {
  const times: number[] = [];
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    const result = spawnSync(process.execPath, [cliPath, 'list', '--json'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    times.push(performance.now() - start);
    if (result.status !== 0) throw new Error(`tickwise failed: ${result.stderr}`);
    const listed = JSON.parse(result.stdout).jobs;
    const jobs = listed.length;
    if (jobs !== expectedJobs) throw new Error(`expected ${expectedJobs} jobs, found ${jobs}`);
    const resolved = listed.filter(
      (j: { name: string; nextRuns: string[] }) => j.name.endsWith('.shared') && j.nextRuns.length > 0,
    );
    if (resolved.length !== expectedJobs / (JOBS_PER_FILE + 1))
      throw new Error(
        `cross-file constants resolved for ${resolved.length} jobs, expected ${expectedJobs / (JOBS_PER_FILE + 1)}`,
      );
  }
  return times;
}

/** Every file through ts.createSourceFile, in one warm process: the parser-only floor of a scan. */
function parseEverything(root: string): number {
  const files = findSourceFiles([], { cwd: root });
  const start = performance.now();
  for (const file of files) ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  return performance.now() - start;
}

function bigFile(): string {
  const parts = [`import { Cron, Every } from '@tickwise/core';`];
  let i = 0;
  while (parts.join('\n').split('\n').length < 2000) parts.push(jobModule(i++).split('\n').slice(1).join('\n'));
  return parts.join('\n').split('\n').slice(0, 2000).join('\n');
}

function reanalysis(text: string): { analyzer: number; parser: number; jobs: number } {
  let jobs = 0;
  const analyzerTimes: number[] = [];
  const parserTimes: number[] = [];
  for (let run = 0; run < 60; run++) {
    let start = performance.now();
    jobs = analyzeSource('big.ts', text).jobs.length;
    analyzerTimes.push(performance.now() - start);
    start = performance.now();
    ts.createSourceFile('big.ts', text, ts.ScriptTarget.Latest, false);
    parserTimes.push(performance.now() - start);
  }
  // The first runs warm the JIT; an editor re-analyses a file it has analysed before.
  return { analyzer: median(analyzerTimes.slice(10)), parser: median(parserTimes.slice(10)), jobs };
}

const root = mkdtempSync(join(tmpdir(), 'tw-bench-analyzer-'));
try {
  const withJobs = generateWorkspace(root);
  // Each job module also has one job on a constant imported from the service's shared.ts.
  const expectedJobs = withJobs * (JOBS_PER_FILE + 1);
  console.log(
    `Workspace: ${FILES} files (${withJobs} with ${JOBS_PER_FILE} jobs each) + 2,000 files in node_modules\n`,
  );
  const cold = coldScan(root, expectedJobs);
  const parseAll = parseEverything(root);
  console.log('| measurement | tickwise | parser-only baseline | ratio | target |');
  console.log('|---|---:|---:|---:|---|');
  console.log(
    `| cold \`tickwise list\` of the workspace (process start to exit; median of 3: ${cold.map(ms).join(', ')}) | ${ms(median(cold))} | ${ms(parseAll)} | ${(parseAll / median(cold)).toFixed(1)}x faster | < 3,000 ms |`,
  );
  const text = bigFile();
  const again = reanalysis(text);
  console.log(
    `| re-analysis of one 2,000-line file (${again.jobs} jobs; median of 50 warm runs) | ${ms(again.analyzer)} | ${ms(again.parser)} | ${(again.analyzer / again.parser).toFixed(2)}x the parse | < 20 ms |`,
  );
  console.log(
    '\nThe baseline scan parses every file in an already-warm process (no process start, no TypeScript load).',
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}

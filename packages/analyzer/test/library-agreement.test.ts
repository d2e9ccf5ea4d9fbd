// For every library the analyzer reads, the next runs it predicts for a static job are the
// instants the REAL library computes, in the zone that library uses (the server's local zone
// when none is given: the tests run with TZ=Pacific/Chatham). Expressions come from a seeded
// generator over each dialect's grammar. Runs the libraries themselves never execute jobs here.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { type AnalyzeOptions, analyzeSource, type JobDeclaration, nextRunsOf } from '@tickwise/analyzer';

const require = createRequire(import.meta.url);
const { CronTime } = require('cron') as typeof import('cron');
// cron@2.4.3 (installed as `cron2`): what @nestjs/schedule < 4 and apps pinning cron < 3 run.
const { CronTime: CronTime2 } = require('cron2') as {
  CronTime: new (
    expr: string,
    zone?: string,
  ) => { getNextDateFrom(start: Date, zone?: string): { toMillis(): number; toJSDate(): Date } };
};
const { DateTime } = require('luxon') as { DateTime: typeof import('luxon').DateTime };
const { Cron } = require('croner') as typeof import('croner');
const nodeCron = require('node-cron') as typeof import('node-cron');
const schedule = require('node-schedule') as typeof import('node-schedule');
// node-schedule's and toad-scheduler's own copies of their engines, as they run them.
const requireFromSchedule = createRequire(require.resolve('node-schedule'));
const cronParser = requireFromSchedule('cron-parser') as {
  parseExpression(e: string, o: { currentDate: Date; tz?: string }): { next(): { getTime(): number } };
};
const requireFromToad = createRequire(require.resolve('toad-scheduler'));
const { Cron: ToadCroner } = requireFromToad('croner') as typeof import('croner');

const SERVER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;
const ZONES = [undefined, 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'UTC'];
const CASES = 300;
const RUNS = 5;

/** A small seeded PRNG (mulberry32), so a failure names a reproducible case. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Grammar {
  seconds: boolean;
  names: boolean;
  /** `5/15` (start/step without a range). */
  startStep: boolean;
  /** Day specials: L, LW, 15W in day-of-month; 5L, 5#2 in day-of-week. */
  specials: boolean;
  /** Day-of-week 7 for Sunday. */
  seven: boolean;
  /** Months 0-11 (cron@2), names included ('jan' is 0). */
  monthsFromZero?: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function generator(grammar: Grammar, seed: number): () => string {
  const next = random(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)] as T;
  const item = (lo: number, hi: number, names?: readonly string[], nameBase = 0): string => {
    const value = (v: number) =>
      names && grammar.names && next() < 0.3 ? (names[v - nameBase] ?? String(v)) : String(v);
    const a = int(lo, hi);
    const b = int(a, hi);
    switch (int(0, 6)) {
      case 0:
        return '*';
      case 1:
        return `*/${int(1, Math.max(1, Math.floor((hi - lo) / 2)))}`;
      case 2:
        return `${value(a)}-${value(b)}`;
      case 3:
        return `${a}-${b}/${int(1, 4)}`;
      case 4:
        return grammar.startStep ? `${a}/${int(1, 10)}` : value(a);
      case 5:
        return `${value(a)},${value(b)}`;
      default:
        return value(a);
    }
  };
  // Sparse fields keep the runs close together; wide ones make schedules that run for years.
  return () => {
    const fields = [
      ...(grammar.seconds && next() < 0.4 ? [pick(['0', '*/15', '10,40', item(0, 59)])] : []),
      pick(['0', '*/5', '30', item(0, 59)]),
      pick(['*', '9', item(0, 23)]),
      (() => {
        if (grammar.specials && next() < 0.1) return pick(['L', 'LW', `${int(1, 28)}W`]);
        return next() < 0.5 ? '*' : item(1, 31);
      })(),
      next() < 0.6 ? '*' : grammar.monthsFromZero ? item(0, 11, MONTHS, 0) : item(1, 12, MONTHS, 1),
      (() => {
        if (grammar.specials && next() < 0.1) return pick([`${int(0, 6)}L`, `${int(0, 6)}#${int(1, 4)}`]);
        if (grammar.seven && next() < 0.05) return `${int(1, 5)}-7`;
        return next() < 0.5 ? '*' : item(0, 6, DAYS);
      })(),
    ];
    return fields.join(' ');
  };
}

/** Instants (ms) of a zone's offset changes in [from - 1 day, to + 1 day], sampled hourly. */
function nearTransition(zone: string, at: number): boolean {
  const offset = (ms: number) => {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(ms);
    return parts.find((p) => p.type === 'timeZoneName')?.value;
  };
  const reference = offset(at - 26 * 3_600_000);
  for (let ms = at - 26 * 3_600_000; ms <= at + 26 * 3_600_000; ms += 3_600_000)
    if (offset(ms) !== reference) return true;
  return false;
}

interface Outcome {
  compared: number;
  dst: number;
  rejectedByBoth: number;
}

/**
 * Compares the analyzer's runs with the library's for many expressions. A mismatch whose first
 * differing run lies within a day of a DST transition is counted (each library has its own DST
 * rule; the analyzer predicts with Tickwise's, see docs/cli.md) and must stay rare.
 */
function agree(
  label: string,
  grammar: Grammar,
  seed: number,
  source: (expr: string, zone: string | undefined) => string,
  library: (expr: string, zone: string | undefined, from: Date, count: number) => number[] | 'rejects',
  options: Omit<AnalyzeOptions, 'now' | 'serverZone'> = {},
): Outcome {
  const generate = generator(grammar, seed);
  const next = random(seed + 1);
  const outcome: Outcome = { compared: 0, dst: 0, rejectedByBoth: 0 };
  for (let i = 0; i < CASES; i++) {
    const expr = generate();
    const zone = ZONES[Math.floor(next() * ZONES.length)];
    const from = new Date(
      Date.UTC(2026, 0, 1) + Math.floor(next() * 3 * 365) * 86_400_000 + Math.floor(next() * 86_400) * 1000,
    );
    const { jobs, diagnostics } = analyzeSource('jobs.ts', source(expr, zone), {
      ...options,
      now: from,
      serverZone: SERVER_ZONE,
    });
    const job = jobs[0] as JobDeclaration;
    const context = `${label} #${i}: '${expr}' in ${zone ?? `(server) ${SERVER_ZONE}`} after ${from.toISOString()}`;
    assert.ok(job, `${context}: no job found`);
    const expected = library(expr, zone, from, RUNS);
    const rejected = diagnostics.some((d) => d.severity === 'error');
    if (expected === 'rejects') {
      assert.ok(rejected || job.unsupported, `${context}: the library rejects it, the analyzer does not`);
      outcome.rejectedByBoth++;
      continue;
    }
    if (job.unsupported) continue;
    if (expected.length === 0 && diagnostics.some((d) => d.code === 'TW108')) {
      outcome.compared++; // the library accepts a day that never comes; the analyzer says it never fires
      continue;
    }
    assert.ok(
      !rejected,
      `${context}: the analyzer rejects what the library runs: ${diagnostics.map((d) => d.message)}`,
    );
    assert.equal(job.timezone, zone ?? SERVER_ZONE, context);
    const actual = nextRunsOf(job, expected.length, from).map((d) => d.getTime());
    const mismatch = expected.findIndex((ms, k) => actual[k] !== ms);
    if (mismatch === -1 && actual.length === expected.length) {
      outcome.compared++;
      continue;
    }
    const at = Math.min(expected[mismatch] ?? Number.POSITIVE_INFINITY, actual[mismatch] ?? Number.POSITIVE_INFINITY);
    if (Number.isFinite(at) && nearTransition(zone ?? SERVER_ZONE, at)) {
      outcome.dst++;
      continue;
    }
    assert.deepEqual(
      actual.map((ms) => new Date(ms).toISOString()),
      expected.map((ms) => new Date(ms).toISOString()),
      `${context} (model: ${job.model?.expression} ${job.model?.dayMatch})`,
    );
  }
  return outcome;
}

function check(outcome: Outcome): void {
  assert.ok(
    outcome.compared >= CASES * 0.75,
    `only ${outcome.compared} of ${CASES} cases compared: ${JSON.stringify(outcome)}`,
  );
  assert.ok(outcome.dst <= CASES * 0.05, `too many DST differences: ${JSON.stringify(outcome)}`);
}

const quote = (s: string) => JSON.stringify(s);

describe('next runs agree with the real libraries (property tests)', function () {
  this.timeout(300_000);

  it('@nestjs/schedule @Cron: cron@4 CronTime, server-local zone unless timeZone', () => {
    const outcome = agree(
      'nest',
      { seconds: true, names: true, startStep: true, specials: false, seven: true },
      13,
      (expr, zone) =>
        `import { Cron } from '@nestjs/schedule';\nexport class T { @Cron(${quote(expr)}${zone ? `, { timeZone: ${quote(zone)} }` : ''}) run() {} }`,
      cronTimeRuns,
    );
    check(outcome);
  });

  it('cron: new CronJob(expr, fn, null, false, zone)', () => {
    const outcome = agree(
      'cron',
      { seconds: true, names: true, startStep: true, specials: false, seven: true },
      17,
      (expr, zone) =>
        `import { CronJob } from 'cron';\nexport const job = new CronJob(${quote(expr)}, () => {}, null, false${zone ? `, ${quote(zone)}` : ''});`,
      cronTimeRuns,
    );
    check(outcome);
  });

  it('cron@2 (an app pinning cron < 3): CronTime of the real cron@2.4.3, months 0-11', () => {
    const outcome = agree(
      'cron@2',
      { seconds: true, names: true, startStep: true, specials: false, seven: false, monthsFromZero: true },
      41,
      (expr, zone) =>
        `import { CronJob } from 'cron';\nexport const job = new CronJob(${quote(expr)}, () => {}, null, false${zone ? `, ${quote(zone)}` : ''});`,
      cron2Runs,
      { versions: { cron: '2.4.3' } },
    );
    check(outcome);
  });

  it('@nestjs/schedule 3 @Cron: cron@2 CronTime, months 0-11, server-local zone unless timeZone', () => {
    const outcome = agree(
      'nest@3',
      { seconds: true, names: true, startStep: true, specials: false, seven: false, monthsFromZero: true },
      43,
      (expr, zone) =>
        `import { Cron } from '@nestjs/schedule';\nexport class T { @Cron(${quote(expr)}${zone ? `, { timeZone: ${quote(zone)} }` : ''}) run() {} }`,
      cron2Runs,
      { versions: { '@nestjs/schedule': '3.0.4' } },
    );
    check(outcome);
  });

  it('node-cron: cron.schedule(expr, fn, { timezone }), read by its own matcher', () => {
    const outcome = agree(
      'node-cron',
      { seconds: true, names: true, startStep: false, specials: true, seven: true },
      19,
      (expr, zone) =>
        `import cron from 'node-cron';\nexport const task = cron.schedule(${quote(expr)}, () => {}${zone ? `, { timezone: ${quote(zone)} }` : ''});`,
      (expr, zone, from, count) => {
        if (!nodeCron.validate(expr)) return 'rejects';
        const task = nodeCron.createTask(expr, () => {}, zone ? { timezone: zone } : {});
        const matcher = (task as unknown as { timeMatcher: { getNextMatch(d: Date): Date } }).timeMatcher;
        const runs: number[] = [];
        let cursor = from;
        try {
          for (let k = 0; k < count; k++) {
            cursor = matcher.getNextMatch(cursor);
            runs.push(cursor.getTime());
          }
        } catch {
          // node-cron accepts a day that never comes (31 in February, AND day-of-week) and then finds no run.
          if (runs.length === 0) return 'rejects';
        } finally {
          task.destroy();
        }
        return runs;
      },
    );
    check(outcome);
  });

  it("croner rejects '5/10' (a step on a number) and the analyzer says so", () => {
    const { diagnostics } = analyzeSource('j.ts', "import { Cron } from 'croner';\nnew Cron('0 6/2 * * *', () => {});");
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.message]),
      [
        [
          'TW307',
          "croner rejects this schedule at start-up: '6/2' in hour: croner takes steps only on '*' or a range (write */2 or 6-23/2)",
        ],
      ],
    );
    assert.throws(() => new Cron('0 6/2 * * *', { paused: true }));
  });

  it('croner: new Cron(expr, { timezone }).nextRuns()', () => {
    const outcome = agree(
      'croner',
      { seconds: true, names: true, startStep: false, specials: true, seven: true },
      23,
      (expr, zone) =>
        `import { Cron } from 'croner';\nexport const job = new Cron(${quote(expr)}${zone ? `, { timezone: ${quote(zone)} }` : ''}, () => {});`,
      (expr, zone, from, count) => croneRuns(Cron, expr, zone, from, count),
    );
    check(outcome);
  });

  it("toad-scheduler: new CronJob({ cronExpression, timezone }), read by toad's croner", () => {
    const outcome = agree(
      'toad',
      { seconds: true, names: true, startStep: false, specials: true, seven: true },
      29,
      (expr, zone) =>
        `import { CronJob, Task } from 'toad-scheduler';\nexport const job = new CronJob({ cronExpression: ${quote(expr)}${zone ? `, timezone: ${quote(zone)}` : ''} }, new Task('t', () => {}));`,
      (expr, zone, from, count) => croneRuns(ToadCroner, expr, zone, from, count),
    );
    check(outcome);
  });

  it("node-schedule: scheduleJob(expr) / scheduleJob({ rule, tz }), read by node-schedule's cron-parser", () => {
    const outcome = agree(
      'node-schedule',
      { seconds: true, names: true, startStep: true, specials: false, seven: true },
      31,
      (expr, zone) =>
        `import { scheduleJob } from 'node-schedule';\nexport const job = scheduleJob(${zone ? `{ rule: ${quote(expr)}, tz: ${quote(zone)} }` : quote(expr)}, () => {});`,
      (expr, zone, from, count) => {
        let parsed: ReturnType<typeof cronParser.parseExpression>;
        try {
          parsed = cronParser.parseExpression(expr, { currentDate: from, ...(zone && { tz: zone }) });
        } catch {
          return 'rejects';
        }
        const runs: number[] = [];
        for (let k = 0; k < count; k++) runs.push(parsed.next().getTime());
        return runs;
      },
    );
    check(outcome);
  });

  it('node-schedule: object specs run as RecurrenceRule (months 0-11), and scheduleJob().nextInvocation() agrees', () => {
    const next = random(37);
    for (let i = 0; i < 100; i++) {
      const spec: Record<string, number | number[]> = { minute: Math.floor(next() * 60) };
      if (next() < 0.7) spec.hour = Math.floor(next() * 24);
      if (next() < 0.4) spec.dayOfWeek = [Math.floor(next() * 7), Math.floor(next() * 7)];
      if (next() < 0.3) spec.month = Math.floor(next() * 12);
      if (next() < 0.3) spec.date = 1 + Math.floor(next() * 28);
      const text = `import * as schedule from 'node-schedule';\nexport const job = schedule.scheduleJob(${JSON.stringify(spec)}, () => {});`;
      const [job] = analyzeSource('jobs.ts', text, { serverZone: SERVER_ZONE }).jobs;
      assert.ok(job?.model, JSON.stringify(spec));
      const now = new Date();
      const real = schedule.scheduleJob({ ...spec }, () => {});
      const expected = real?.nextInvocation()?.getTime();
      real?.cancel();
      const [predicted] = nextRunsOf(job, 1, now);
      if (expected === undefined || predicted?.getTime() === expected) continue;
      assert.ok(
        nearTransition(SERVER_ZONE, expected),
        `${JSON.stringify(spec)}: ${predicted?.toISOString()} vs ${new Date(expected).toISOString()}`,
      );
    }
  });
});

function cronTimeRuns(expr: string, zone: string | undefined, from: Date, count: number): number[] | 'rejects' {
  let time: InstanceType<typeof CronTime>;
  try {
    time = new CronTime(expr, zone);
  } catch {
    return 'rejects';
  }
  const runs: number[] = [];
  let cursor = DateTime.fromJSDate(from).setZone(zone ?? SERVER_ZONE);
  for (let k = 0; k < count; k++) {
    try {
      cursor = time.getNextDateFrom(cursor, zone ?? SERVER_ZONE) as typeof cursor;
    } catch {
      break; // cron@4 gives up after 8 years
    }
    runs.push(cursor.toMillis());
  }
  return runs;
}

function cron2Runs(expr: string, zone: string | undefined, from: Date, count: number): number[] | 'rejects' {
  let time: InstanceType<typeof CronTime2>;
  const warn = console.warn;
  console.warn = () => {}; // cron@2 warns about days a month lacks ('Month '1' is limited to '29' days.')
  try {
    time = new CronTime2(expr, zone);
  } catch {
    return 'rejects';
  } finally {
    console.warn = warn;
  }
  const runs: number[] = [];
  let cursor = from;
  for (let k = 0; k < count; k++) {
    try {
      const next = time.getNextDateFrom(cursor, zone ?? SERVER_ZONE);
      runs.push(next.toMillis());
      cursor = next.toJSDate();
    } catch {
      break; // cron@2 gives up after 8 years
    }
  }
  return runs;
}

function croneRuns(
  Engine: typeof Cron,
  expr: string,
  zone: string | undefined,
  from: Date,
  count: number,
): number[] | 'rejects' {
  let job: InstanceType<typeof Cron>;
  try {
    job = new Engine(expr, { paused: true, ...(zone && { timezone: zone }) });
  } catch {
    return 'rejects';
  }
  const runs = job.nextRuns(count, from).map((d) => d.getTime());
  job.stop();
  return runs;
}

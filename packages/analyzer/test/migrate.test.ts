import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { migrateFile } from '../src/migrate/nestjs-schedule.js';
import { migrateProject } from '../src/migrate/project-migration.js';
import { cli, FIXTURES, NOW } from './helpers.js';

const GOLDEN = join(FIXTURES, 'migrate-golden');
/** `UPDATE_GOLDEN=1` rewrites the expected files from what the codemod does (review the diff!). */
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(dir, path));
    }
  };
  walk(dir);
  return out.sort();
}

/** A fixture project copied to a temporary directory (no node_modules above it: versions come from its package.json). */
function copyOf(fixture: string): string {
  const dir = mkdtempSync(join(tmpdir(), `tw-${fixture}-`));
  cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  return dir;
}

const context = { cronExpression: () => undefined, monthsFromZero: false };

interface Scenario {
  name: string;
  fixture: string;
  args: string[];
  /** What the scenario shows, as the test title. */
  title: string;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'nest-app-no-timezone',
    fixture: 'nest-app',
    args: [],
    title:
      'without --timezone: zone-free and explicit-zone jobs convert, server-local ones are refused; ScheduleModule stays (a @Timeout and a SchedulerRegistry remain) with TickwiseModule beside it',
  },
  {
    name: 'nest-app-berlin',
    fixture: 'nest-app',
    args: ['--timezone', 'Europe/Berlin'],
    title: 'with --timezone: server-local crons get that zone; ScheduleModule stays beside TickwiseModule',
  },
  {
    name: 'nest-app-one-folder',
    fixture: 'nest-app',
    args: ['src/reports', '--timezone', 'Europe/Berlin'],
    title:
      'one folder: its jobs convert, and the root module outside the folder gets TickwiseModule beside ScheduleModule',
  },
  {
    name: 'nest-small-all',
    fixture: 'nest-small',
    args: ['--timezone', 'UTC'],
    title:
      'everything converts: ScheduleModule.forRoot() becomes TickwiseModule.forRoot(); no semicolons and double quotes stay',
  },
  {
    name: 'nest-cron2',
    fixture: 'nest-cron2',
    args: ['--timezone', 'UTC'],
    title:
      '@nestjs/schedule 3 (cron@2): months move to 1-12, cron OR day matching is kept, a schedule Nest rejects is refused',
  },
];

describe('tickwise migrate nestjs-schedule: whole projects (golden files)', () => {
  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: ${scenario.title}`, async () => {
      const dir = copyOf(scenario.fixture);
      const expected = join(GOLDEN, scenario.name);
      try {
        const original = join(FIXTURES, scenario.fixture);
        const run = await cli(dir, 'migrate', 'nestjs-schedule', ...scenario.args, '--write');
        assert.equal(run.code, 0, run.err);
        const changed = filesUnder(dir).filter(
          (f) => readFileSync(join(dir, f), 'utf8') !== readFileSync(join(original, f), 'utf8'),
        );
        if (UPDATE) {
          rmSync(expected, { recursive: true, force: true });
          mkdirSync(expected, { recursive: true });
          writeFileSync(join(expected, 'plan.txt'), `${run.out}\n`);
          for (const f of changed) {
            mkdirSync(dirname(join(expected, 'files', f)), { recursive: true });
            cpSync(join(dir, f), join(expected, 'files', f));
          }
        }
        assert.equal(`${run.out}\n`, readFileSync(join(expected, 'plan.txt'), 'utf8'));
        const goldenFiles = existsSync(join(expected, 'files')) ? filesUnder(join(expected, 'files')) : [];
        assert.deepEqual(changed, goldenFiles);
        for (const f of goldenFiles) {
          assert.equal(readFileSync(join(dir, f), 'utf8'), readFileSync(join(expected, 'files', f), 'utf8'), f);
        }

        // The result is never a broken app: check finds no wiring error (TW320-TW322) in it.
        const check = await cli(dir, 'check', '--format', 'json', '--now', NOW.toISOString());
        const wiring = (JSON.parse(check.out).diagnostics as { code: string }[]).filter((d) => /^TW32/.test(d.code));
        assert.deepEqual(wiring, []);

        // A second run changes nothing.
        const again = await cli(dir, 'migrate', 'nestjs-schedule', ...scenario.args);
        assert.match(again.out, / 0 files would change /);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('a dry run prints the plan and writes nothing; --check exits 1 while items are left, 0 when none are', async () => {
    const dir = copyOf('nest-app');
    try {
      const before = filesUnder(dir).map((f) => readFileSync(join(dir, f), 'utf8'));
      const dry = await cli(dir, 'migrate', 'nestjs-schedule');
      assert.equal(dry.code, 0);
      assert.match(
        dry.out,
        /\n4 converted, 1 kept, 3 not converted; 3 files would change \(dry run: nothing written; add --write\)\./,
      );
      assert.deepEqual(
        filesUnder(dir).map((f) => readFileSync(join(dir, f), 'utf8')),
        before,
      );
      const check = await cli(dir, 'migrate', 'nestjs-schedule', '--check');
      assert.equal(check.code, 1);
      assert.match(check.err, /tickwise migrate --check: 4 items left for a person/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const small = copyOf('nest-small');
    try {
      const done = await cli(small, 'migrate', 'nestjs-schedule', '--timezone', 'UTC', '--write', '--check');
      assert.equal(done.code, 0);
      const after = await cli(small, 'migrate', 'nestjs-schedule', '--check');
      assert.equal(after.code, 0);
      assert.match(after.out, /^0 converted, 0 kept, 0 not converted; 0 files would change/m);
    } finally {
      rmSync(small, { recursive: true, force: true });
    }
  });

  it('reads the installed @nestjs/schedule (version and CronExpression table) from node_modules above the project', async () => {
    // In place: the repository's node_modules holds @nestjs/schedule 6.1.3. A dry run writes nothing.
    const { code, out } = await cli(join(FIXTURES, 'nest-app'), 'migrate', 'nestjs-schedule', '--timezone', 'UTC');
    assert.equal(code, 0);
    assert.match(out, /^Decided for the whole project at \. \(@nestjs\/schedule 6\.1\.3\)$/m);
    assert.match(out, /converted: @Cron\(CronExpression\.EVERY_30_MINUTES\) -> @Cron\('0 \*\/30 \* \* \* \*'\)/);
  });

  it('--check with --write still exits 1 while items are left', async () => {
    const dir = copyOf('nest-app');
    try {
      const run = await cli(dir, 'migrate', 'nestjs-schedule', '--write', '--check');
      assert.equal(run.code, 1);
      assert.match(run.out, /3 files written\./);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never touches a file that only mentions @nestjs/schedule in a comment', async () => {
    const dir = copyOf('nest-app');
    try {
      await cli(dir, 'migrate', 'nestjs-schedule', '--timezone', 'UTC', '--write');
      assert.equal(
        readFileSync(join(dir, 'src/lookalike.ts'), 'utf8'),
        readFileSync(join(FIXTURES, 'nest-app/src/lookalike.ts'), 'utf8'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unknown --timezone, and --check/--timezone outside migrate', async () => {
    const bad = await cli(FIXTURES, 'migrate', 'nestjs-schedule', '--timezone', 'Europe/Berln');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /unknown time zone 'Europe\/Berln'/);
    assert.equal((await cli(FIXTURES, 'list', '--check')).code, 2);
    assert.equal((await cli(FIXTURES, 'check', '--timezone', 'UTC')).code, 2);
  });

  it('needs to be told what to migrate from', async () => {
    const { code, err } = await cli(FIXTURES, 'migrate');
    assert.equal(code, 2);
    assert.match(err, /tickwise migrate takes what to migrate from: tickwise migrate nestjs-schedule/);
  });
});

describe('tickwise migrate nestjs-schedule: one file (regressions of the first codemod)', () => {
  const project = (files: Record<string, string>, options: { timezone?: string } = {}) =>
    migrateProject(
      Object.entries(files).map(([name, text]) => ({ name, text, selected: true })),
      { ...context, ...options },
    );

  it('adds no semicolons to code written without them', () => {
    const text = "import { Interval } from '@nestjs/schedule'\n\nexport class A {\n  @Interval(1000)\n  tick() {}\n}\n";
    const result = migrateFile('a.ts', text, { context, selected: true });
    assert.equal(
      result.text,
      "import { Every } from '@tickwise/core'\n\nexport class A {\n  @Every(1000)\n  tick() {}\n}\n",
    );
  });

  it('keeps CRLF line endings and double quotes', () => {
    const text =
      'import { Module } from "@nestjs/common";\r\nimport { Interval, Timeout } from "@nestjs/schedule";\r\n\r\nexport class A {\r\n  @Interval("sync", 1000)\r\n  a() {}\r\n  @Timeout(5)\r\n  b() {}\r\n}\r\n';
    const result = migrateFile('a.ts', text, { context, selected: true });
    assert.equal(
      result.text,
      'import { Module } from "@nestjs/common";\r\nimport { Timeout } from "@nestjs/schedule";\r\nimport { Every } from "@tickwise/core";\r\n\r\nexport class A {\r\n  @Every(1000, { name: "sync" })\r\n  a() {}\r\n  @Timeout(5)\r\n  b() {}\r\n}\r\n',
    );
  });

  it('counts a @Cron(CronExpression.X) once, whether it converts or not', () => {
    const text =
      "import { Cron, CronExpression } from '@nestjs/schedule';\nexport class A {\n  @Cron(CronExpression.EVERY_HOUR)\n  a() {}\n}\n";
    const refused = migrateFile('a.ts', text, {
      context: { ...context, cronExpression: () => '0 0-23/1 * * *' },
      selected: true,
    });
    assert.deepEqual(
      refused.items.map((i) => `${i.line}:${i.column} ${i.status}`),
      ['3:4 not converted'],
    );
    const converted = migrateFile('a.ts', text, {
      context: { ...context, timezone: 'Europe/Berlin', cronExpression: () => '0 0-23/1 * * *' },
      selected: true,
    });
    assert.deepEqual(
      converted.items.map((i) => `${i.line}:${i.column} ${i.status}`),
      ['3:4 converted'],
    );
    assert.equal(
      converted.text,
      "import { Cron } from '@tickwise/core';\nexport class A {\n  @Cron('0 0-23/1 * * *', { timezone: 'Europe/Berlin' })\n  a() {}\n}\n",
    );
  });

  it('keeps ScheduleModule.forRoot() while a service injects SchedulerRegistry, and adds TickwiseModule beside it', () => {
    const result = project({
      'app.module.ts':
        "import { Module } from '@nestjs/common';\nimport { ScheduleModule } from '@nestjs/schedule';\n\n@Module({ imports: [ScheduleModule.forRoot()] })\nexport class AppModule {}\n",
      'jobs.ts':
        "import { Injectable } from '@nestjs/common';\nimport { Interval, SchedulerRegistry } from '@nestjs/schedule';\n\n@Injectable()\nexport class Jobs {\n  constructor(private readonly registry: SchedulerRegistry) {}\n\n  @Interval(1000)\n  tick() {}\n}\n",
    });
    const app = result.files.find((f) => f.name === 'app.module.ts');
    assert.equal(
      app?.text,
      "import { Module } from '@nestjs/common';\nimport { ScheduleModule } from '@nestjs/schedule';\nimport { TickwiseModule } from '@tickwise/nestjs';\n\n@Module({ imports: [ScheduleModule.forRoot(), TickwiseModule.forRoot()] })\nexport class AppModule {}\n",
    );
    assert.match(
      app?.items[0]?.message ?? '',
      /kept: 1 use of @nestjs\/schedule remains \(jobs\.ts:6:42 SchedulerRegistry\)/,
    );
    assert.deepEqual(result.counts, { converted: 1, kept: 1, notConverted: 1 });
  });

  it('says so when converted jobs have no ScheduleModule.forRoot() to put TickwiseModule beside', () => {
    const result = project({
      'jobs.ts':
        "import { Interval } from '@nestjs/schedule';\nexport class Jobs {\n  @Interval(1000)\n  tick() {}\n}\n",
    });
    assert.equal(result.projectItems.length, 1);
    assert.match(result.projectItems[0]?.message ?? '', /no ScheduleModule\.forRoot\(\) in the project/);
  });

  it('refuses what it cannot carry over, with the reason', () => {
    const cases: [string, RegExp][] = [
      ["@Cron('0 9 * * *')", /runs in the server's local time zone \(no timeZone\): say which zone .* --timezone/],
      [
        "@Cron('0 9 * * *', { utcOffset: 90, timeZone: undefined })",
        /utcOffset 90 is not a whole number of hours|both timeZone and utcOffset/,
      ],
      ["@Cron('0 9 * * *', { utcOffset: 330 })", /utcOffset 330 is not a whole number of hours/],
      ["@Cron('0 9 * * *', { timeZone: 'Mars/Olympus' })", /timeZone 'Mars\/Olympus' is not an IANA zone/],
      [
        "@Cron('0 9 * * *', { initialDelay: 5000, timeZone: 'UTC' })",
        /option 'initialDelay' has no Tickwise equivalent/,
      ],
      ["@Cron(new Date('2026-12-24T18:00:00Z'))", /a Date, a variable or a call is only known at run time/],
      [
        "@Cron('0 0 ? * *', { timeZone: 'UTC' })",
        /'\?' is not supported by cron@4 \(it rejects L, W, # and \?\): '\?' in day-of-month; @nestjs\/schedule throws at start-up/,
      ],
      ['@Interval(process.env.MS)', /not a whole number of milliseconds the source text tells/],
      ['@Timeout(1000)', /Tickwise has no decorator for that/],
    ];
    for (const [decorator, reason] of cases) {
      const text = `import { Cron, Interval, Timeout } from '@nestjs/schedule';\nexport class A {\n  ${decorator}\n  run() {}\n}\n`;
      const result = migrateFile('a.ts', text, { context, selected: true });
      assert.equal(result.text, text, decorator);
      assert.match(result.items[0]?.message ?? '', reason, decorator);
      assert.equal(result.items[0]?.status, 'not converted');
    }
  });

  it('leaves months alone only when it knows the @nestjs/schedule version', () => {
    const text =
      "import { Cron } from '@nestjs/schedule';\nexport class A {\n  @Cron('0 0 1 6 *', { timeZone: 'UTC' })\n  run() {}\n}\n";
    const unknown = migrateFile('a.ts', text, { context: { cronExpression: () => undefined }, selected: true });
    assert.match(unknown.items[0]?.message ?? '', /names months, and the @nestjs\/schedule version is unknown/);
    const everyDay = text.replace('0 0 1 6 *', '0 0 * * *');
    const fine = migrateFile('a.ts', everyDay, { context: { cronExpression: () => undefined }, selected: true });
    assert.equal(fine.items[0]?.status, 'converted');
  });
});

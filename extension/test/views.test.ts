// What the jobs views show at a narrow width, while the workspace scan runs, and when it found
// nothing: the tree model, the scan's message, and the empty state package.json declares.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyzeSource, FRAMEWORK_LABEL } from '@tickwise/analyzer';
import { JobIndex } from '../src/service/job-index.js';
import { shortDirectory, treeTooltipMarkdown } from '../src/service/presentation.js';
import { scanMessage } from '../src/service/scan-progress.js';
import { buildTree, runsShown } from '../src/service/tree-model.js';

const NOW = new Date('2026-11-30T18:00:00Z');

const BILLING = `import { Cron, Every } from '@tickwise/core';
export class Billing {
  @Every('5s', { owner: 'payments' })
  poll() {}

  @Cron('0 2 * * *', { owner: 'payments' })
  invoices() {}

  @Cron(process.env.CRON!)
  configured() {}
}
`;
const MAINTENANCE = `import { Cron } from '@tickwise/core';
export class Maintenance {
  @Cron('0 25 * * *')
  broken() {}
}
`;

function index(): JobIndex {
  const index = new JobIndex(() => NOW);
  index.update('file:///w/packages/billing/src/jobs/billing.ts', 'packages/billing/src/jobs/billing.ts', BILLING, 'v1');
  index.update('file:///w/maintenance.ts', 'maintenance.ts', MAINTENANCE, 'v1');
  return index;
}

describe('jobs tree at a narrow width: what matters first', () => {
  it('a job: its name, then next run and owner; no schedule text to push them out of sight', () => {
    const billing = buildTree(index().jobs(), 'file', NOW).find((g) => g.label === 'billing.ts');
    assert.deepEqual(
      billing?.children.map((c) => [c.label, c.description]),
      [
        ['Billing.poll', 'in 5s · payments'],
        ['Billing.invoices', 'in 8h · payments'],
        ['Billing.configured', 'dynamic schedule'],
      ],
    );
  });

  it('a file: its name, then its folder shortened and the count; the full path in the tooltip', () => {
    const groups = buildTree(index().jobs(), 'file', NOW);
    assert.deepEqual(
      groups.map((g) => [g.label, g.description, g.tooltip]),
      [
        ['maintenance.ts', '1 job', 'maintenance.ts'],
        ['billing.ts', '…/src/jobs · 3 jobs', 'packages/billing/src/jobs/billing.ts'],
      ],
    );
    assert.equal(shortDirectory('src/billing.ts'), 'src');
    assert.equal(shortDirectory('src/jobs/billing.ts'), 'src/jobs');
  });

  it('sorted by next run (no file groups): each job ends with its file name and line', () => {
    const groups = buildTree(index().jobs(), 'nextRun', NOW);
    assert.deepEqual(
      groups.map((g) => [g.label, g.children.map((c) => c.description)]),
      [
        ['In the next 24 hours', ['in 5s · payments · billing.ts:3', 'in 8h · payments · billing.ts:6']],
        [
          'No next run (dynamic, invalid or finished)',
          ['dynamic schedule · billing.ts:9', 'invalid schedule · maintenance.ts:3'],
        ],
      ],
    );
  });

  it('the tooltip: the hover’s next runs, then the full path and line', () => {
    const [poll] = index().jobs();
    assert.ok(poll);
    const md = treeTooltipMarkdown(poll.job, { now: NOW, localZone: 'UTC', count: 1 });
    assert.match(md, /^\*\*Billing\\\.poll\*\* — Every 5 seconds\n/);
    assert.match(md, /\n\nDeclared in packages/);
    assert.ok(md.endsWith('Declared in packages/billing/src/jobs/billing\\.ts:3'), md);
  });

  it('the runs the refresh timer watches are the ones the labels count down to', () => {
    const groups = buildTree(index().jobs(), 'file', NOW);
    assert.deepEqual(
      runsShown(groups).map((d) => d.toISOString()),
      ['2026-11-30T18:00:05.000Z', '2026-12-01T02:00:00.000Z'],
    );
  });
});

describe('jobs view while the workspace scan runs', () => {
  it('says what it is doing, with counts grouped by thousands; nothing once done', () => {
    assert.equal(scanMessage({ phase: 'finding' }), 'Looking for files to scan…');
    assert.equal(scanMessage({ phase: 'reading', done: 1234, total: 8318 }), 'Scanning 1,234 of 8,318 files…');
    assert.equal(scanMessage({ phase: 'reading', done: 0, total: 1 }), 'Scanning 0 of 1 file…');
    assert.equal(scanMessage({ phase: 'done' }), undefined);
  });
});

describe('jobs view when the scan found nothing (package.json viewsWelcome)', () => {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    contributes: {
      views: Record<string, { id: string }[]>;
      viewsWelcome: { view: string; contents: string; when: string }[];
    };
  };
  const welcome = manifest.contributes.viewsWelcome;
  const contents = welcome[0]?.contents ?? '';

  it('both jobs views have it, and only once a scan is done (not while the view is still empty because it scans)', () => {
    const views = Object.values(manifest.contributes.views)
      .flat()
      .map((v) => v.id);
    assert.deepEqual(welcome.map((w) => w.view).sort(), views.sort());
    for (const w of welcome) {
      assert.equal(w.contents, contents);
      assert.equal(w.when, 'tickwise.scan == done');
    }
    assert.match(contents, /^No scheduled jobs found in this workspace\.\n/);
    assert.match(contents, /\n\[Refresh\]\(command:tickwise\.refresh\)$/);
  });

  // Each claim of the empty state, with a file the analyzer reads as a job of that library.
  const CLAIMS: [claim: string, framework: keyof typeof FRAMEWORK_LABEL, source: string][] = [
    ['@Cron', 'tickwise', "import { Cron } from '@tickwise/core';\nclass A { @Cron('0 1 * * *') m() {} }"],
    ['@Every', 'tickwise', "import { Every } from '@tickwise/core';\nclass A { @Every('5m') m() {} }"],
    ['@Job', 'tickwise', "import { Job } from '@tickwise/core';\nclass A { @Job({ schedule: '0 1 * * *' }) m() {} }"],
    [
      'scheduler.add()',
      'tickwise',
      "import { every } from '@tickwise/core';\nscheduler.add({ name: 'n', schedule: every('1m'), run() {} });",
    ],
    ['@Cron', 'nestjs', "import { Cron } from '@nestjs/schedule';\nclass A { @Cron('0 1 * * *') m() {} }"],
    ['@Interval', 'nestjs', "import { Interval } from '@nestjs/schedule';\nclass A { @Interval(5000) m() {} }"],
    ['@Timeout', 'nestjs', "import { Timeout } from '@nestjs/schedule';\nclass A { @Timeout(5000) m() {} }"],
    [
      'SchedulerRegistry',
      'nestjs',
      "import { SchedulerRegistry } from '@nestjs/schedule';\nclass A { constructor(private r: SchedulerRegistry) {}\n  m() { this.r.addInterval('poll', setInterval(() => {}, 1000)); } }",
    ],
    ['schedule()', 'node-cron', "import cron from 'node-cron';\ncron.schedule('0 1 * * *', () => {});"],
    ['createTask()', 'node-cron', "import cron from 'node-cron';\ncron.createTask('0 1 * * *', () => {});"],
    ['Cron', 'croner', "import { Cron } from 'croner';\nnew Cron('0 1 * * *', () => {});"],
    ['CronJob', 'cron', "import { CronJob } from 'cron';\nnew CronJob('0 1 * * *', () => {});"],
    [
      'scheduleJob()',
      'node-schedule',
      "import { scheduleJob } from 'node-schedule';\nscheduleJob('0 1 * * *', () => {});",
    ],
    [
      'SimpleIntervalJob',
      'toad-scheduler',
      "import { SimpleIntervalJob, Task } from 'toad-scheduler';\nnew SimpleIntervalJob({ seconds: 20 }, new Task('t', () => {}));",
    ],
    [
      'LongIntervalJob',
      'toad-scheduler',
      "import { LongIntervalJob, Task } from 'toad-scheduler';\nnew LongIntervalJob({ days: 30 }, new Task('t', () => {}));",
    ],
    [
      'CronJob',
      'toad-scheduler',
      "import { CronJob, Task } from 'toad-scheduler';\nnew CronJob({ cronExpression: '0 1 * * *' }, new Task('t', () => {}));",
    ],
  ];

  it('names every library the analyzer knows, each with the exports it reads, and those are jobs', () => {
    const recognised = /Recognised in files that import their library: (.*?)\. Also/.exec(contents)?.[1] ?? '';
    const claimed = recognised.split('; ').flatMap((part) => {
      const [, names = '', library = ''] = /^(.*) from (\S+)$/.exec(part) ?? [];
      return names.split(/, | and /).map((name) => `${name} from ${library}`);
    });
    assert.deepEqual(
      claimed,
      CLAIMS.map(
        ([claim, framework]) =>
          `${claim} from ${framework === 'tickwise' ? '@tickwise/core' : FRAMEWORK_LABEL[framework]}`,
      ),
    );
    assert.deepEqual(new Set(CLAIMS.map(([, framework]) => framework)), new Set(Object.keys(FRAMEWORK_LABEL)));
    for (const [claim, framework, source] of CLAIMS) {
      const { jobs } = analyzeSource('a.ts', source, { now: NOW });
      assert.deepEqual(
        jobs.map((j) => j.framework),
        [framework],
        `${claim} (${framework})`,
      );
    }
  });

  it('wrapper decorators named in tickwise.config.json are jobs too, without importing a library', () => {
    assert.match(contents, /\. Also wrapper decorators named in tickwise\.config\.json\.\n/);
    const source = "import { CronOnce } from './decorators';\nclass A { @CronOnce('0 1 * * *') m() {} }";
    const { jobs } = analyzeSource('a.ts', source, { now: NOW, decorators: { CronOnce: '@nestjs/schedule:Cron' } });
    assert.deepEqual(
      jobs.map((j) => j.framework),
      ['nestjs'],
    );
  });

  it('says which settings choose the files scanned: the two that exist', () => {
    const settings = (manifest.contributes as unknown as { configuration: { properties: Record<string, unknown> } })
      .configuration.properties;
    assert.match(
      contents,
      /\nThe scan reads the files the settings tickwise\.include and tickwise\.exclude select\.\n/,
    );
    for (const setting of ['tickwise.include', 'tickwise.exclude']) assert.ok(settings[setting], setting);
  });
});

// The extension's service layer, without VS Code: index, presentation, tree model, escaping.

import assert from 'node:assert/strict';
import { JobIndex } from '../src/service/job-index.js';
import { escapeMarkdown, inlineCode } from '../src/service/markdown.js';
import {
  hoverMarkdown,
  jobDescription,
  lensTitle,
  nextRun,
  nextRunsText,
  previewMarkdown,
} from '../src/service/presentation.js';
import { buildTree } from '../src/service/tree-model.js';

const NOW = new Date('2026-11-30T18:00:00Z');

const REPORTS = `import { Cron, Every } from '@tickwise/core';
export class Reports {
  @Cron('0 9 * * 1-5', { timezone: 'Europe/Berlin', owner: 'data-team' })
  digest() {}

  @Every('90s')
  heartbeat() {}

  @Cron(process.env.CRON!)
  configured() {}
}
`;

function indexWith(files: Record<string, string>): JobIndex {
  const index = new JobIndex(() => NOW);
  for (const [path, text] of Object.entries(files)) index.update(`file:///w/${path}`, path, text, 'v1');
  return index;
}

describe('extension service: JobIndex', () => {
  it('analyses a version once, and again when the version changes', () => {
    const index = new JobIndex(() => NOW);
    assert.equal(index.update('file:///w/a.ts', 'a.ts', REPORTS, 'doc:1'), true);
    assert.equal(index.update('file:///w/a.ts', 'a.ts', REPORTS.replace('0 9', '0 25'), 'doc:1'), false);
    assert.equal(index.diagnosticsOf('file:///w/a.ts').length, 0, 'the same version is not re-analysed');
    assert.equal(index.update('file:///w/a.ts', 'a.ts', REPORTS.replace('0 9', '0 25'), 'doc:2'), true);
    assert.deepEqual(
      index.diagnosticsOf('file:///w/a.ts').map((d) => `${d.code} ${d.message}`),
      ['TW103 hour 25 is out of range 0-23'],
    );
  });

  it('keeps only files with jobs or diagnostics, and forgets a file whose jobs are gone', () => {
    const index = indexWith({ 'a.ts': REPORTS, 'b.ts': 'export const x = 1;' });
    assert.deepEqual(index.uris(), ['file:///w/a.ts']);
    assert.equal(index.update('file:///w/a.ts', 'a.ts', 'export {};', 'v2'), true);
    assert.deepEqual(index.uris(), []);
  });

  it('flags duplicate names across files, in both files', () => {
    const other = `import { Cron } from '@tickwise/core';\nexport class Reports { @Cron('0 1 * * *') digest() {} }\n`;
    const index = indexWith({ 'a.ts': REPORTS, 'b.ts': other });
    assert.deepEqual([...index.duplicateNames()], ['Reports.digest']);
    assert.deepEqual(
      index.diagnosticsOf('file:///w/b.ts').map((d) => d.message),
      ["job name 'Reports.digest' is also declared at a.ts:3"],
    );
    index.remove('file:///w/a.ts');
    assert.deepEqual(index.diagnosticsOf('file:///w/b.ts'), []);
  });
});

describe('extension service: what the editor shows', () => {
  const [digest, heartbeat, configured] = indexWith({ 'a.ts': REPORTS })
    .jobs()
    .map((e) => e.job);
  assert.ok(digest && heartbeat && configured);

  it('CodeLens: description, next run in the job’s zone, relative time, owner', () => {
    assert.equal(
      lensTitle(digest, NOW),
      'At 09:00, Monday through Friday (Europe/Berlin) — next: Tue 1 Dec 09:00, in 14h · owner data-team',
    );
    assert.equal(lensTitle(heartbeat, NOW), 'Every 1 minute 30 seconds — next: Mon 30 Nov 18:01, in 1m');
    assert.equal(lensTitle(configured, NOW), 'Dynamic schedule (process.env.CRON!) — next run known at run time');
  });

  it('tree description: next run, then owner (the schedule is in the tooltip)', () => {
    assert.equal(jobDescription({ job: digest, nextRun: nextRun(digest, NOW) }, NOW), 'in 14h · data-team');
    assert.equal(jobDescription({ job: configured }, NOW), 'dynamic schedule');
  });

  it('hover: next runs in the job’s zone, local time and UTC', () => {
    const md = hoverMarkdown(digest, { now: NOW, localZone: 'America/New_York', count: 2 });
    const lines = md.split('\n');
    assert.equal(lines[0], '**Reports\\.digest** — At 09:00, Monday through Friday \\(Europe/Berlin\\)');
    assert.equal(lines[2], '| # | Europe/Berlin | local (America/New_York) | UTC | |');
    assert.equal(
      lines[4],
      '| 1 | Tue 2026-12-01 09:00 GMT+1 | Tue 2026-12-01 03:00 EST | 2026-12-01T08:00:00Z | in 14h |',
    );
    assert.match(md, /Owner: data\\-team/);
  });

  describe('the expectation, beside owner and runbook', () => {
    const [nightly, sync, plain, configured] = indexWith({
      'exports.ts': `import { Cron, Every } from '@tickwise/core';
const NIGHTLY = '2m';
export class Exports {
  @Cron('0 2 * * *', {
    owner: 'data-team',
    runbook: 'Rerun with --since',
    expect: { duration: NIGHTLY, successWithin: '26h', result: (v) => v.processed > 0 || 'no orders exported' },
  })
  nightly() {}

  @Every('5m', { expect: { duration: '30s' } })
  sync() {}

  @Cron('0 3 * * *', { owner: 'ops', runbook: 'https://runbooks.example/x' })
  plain() {}

  @Cron(process.env.CRON!, { expect: { successWithin: '2d' } })
  configured() {}
}
`,
    })
      .jobs()
      .map((e) => e.job);
    assert.ok(nightly && sync && plain && configured);

    it('CodeLens: "owner … · expected < 2 min, a success every 26 h, result checked · runbook"', () => {
      assert.equal(
        lensTitle(nightly, NOW),
        'At 02:00 (UTC) — next: Tue 1 Dec 02:00, in 8h · owner data-team · expected < 2 min, a success every 26 h, result checked · runbook',
      );
      assert.equal(lensTitle(sync, NOW), 'Every 5 minutes — next: Mon 30 Nov 18:05, in 5m · expected < 30 s');
      assert.equal(lensTitle(plain, NOW), 'At 03:00 (UTC) — next: Tue 1 Dec 03:00, in 9h · owner ops · runbook');
      assert.equal(
        lensTitle(configured, NOW),
        'Dynamic schedule (process.env.CRON!) — next run known at run time · expected a success every 2 days',
      );
    });

    it('hover: an "Expected:" line between the description and the runbook, in the same words', () => {
      const md = hoverMarkdown(nightly, { now: NOW, localZone: 'UTC', count: 1 });
      assert.deepEqual(md.split('\n').slice(-3), [
        'Owner: data\\-team  ',
        'Expected: under 2 min per run; at least one success every 26 h; result checked  ',
        'Runbook: Rerun with \\-\\-since  ',
      ]);
      assert.match(hoverMarkdown(sync, { now: NOW, localZone: 'UTC' }), /\nExpected: under 30 s per run {2}$/);
      assert.doesNotMatch(hoverMarkdown(plain, { now: NOW, localZone: 'UTC' }), /Expected/);
    });

    it('the tree item keeps its short description (its tooltip is the hover)', () => {
      assert.equal(jobDescription({ job: nightly, nextRun: nextRun(nightly, NOW) }, NOW), 'in 8h · data-team');
    });
  });

  it('hover: DST notes on the runs a transition moves', () => {
    const [job] = indexWith({
      'dst.ts': `import { Cron } from '@tickwise/core';\nclass D { @Cron('30 2 * * *', { timezone: 'Europe/Berlin' }) m() {} }\n// @tickwise/core`,
    })
      .jobs()
      .map((e) => e.job);
    assert.ok(job);
    const md = hoverMarkdown(job, { now: new Date('2027-03-27T12:00:00Z'), localZone: 'Europe/Berlin', count: 2 });
    assert.match(
      md,
      /\| 1 \| Sun 2027-03-28 03:30 GMT\+2 \| 2027-03-28T01:30:00Z \| ⚠ 2027\\-03\\-28 02:30 does not exist in Europe\/Berlin \\\(clocks spring forward\\\); it runs at 03:30 instead \|/,
    );
    // The fall-back day of 2027 is listed below the table as a later note.
    assert.match(md, /⚠ 2027\\-10\\-31 02:30 happens twice in Europe\/Berlin/);
  });

  it('escapes workspace text: no links, HTML or formatting from a job’s metadata', () => {
    const [job] = indexWith({
      'evil.ts': `import { Cron } from '@tickwise/core';\nclass E { @Cron('0 1 * * *', { owner: '[x](command:workbench.action.terminal.new) <img src=x onerror=alert(1)> **b**' }) m() {} }`,
    })
      .jobs()
      .map((e) => e.job);
    assert.ok(job);
    const md = hoverMarkdown(job, { now: NOW, localZone: 'UTC' });
    assert.match(
      md,
      /Owner: \\\[x\\\]\\\(command:workbench\\\.action\\\.terminal\\\.new\\\) \\<img src=x onerror=alert\\\(1\\\)\\> \\\*\\\*b\\\*\\\*/,
    );
    assert.doesNotMatch(md, /[^\\]\[x\]\(command/);
  });

  it('copy: one run per line in the job’s zone, with UTC', () => {
    assert.equal(
      nextRunsText(digest, { now: NOW, count: 2 }),
      [
        'Reports.digest: At 09:00, Monday through Friday (Europe/Berlin)',
        'Tue 2026-12-01 09:00 GMT+1  (2026-12-01T08:00:00Z)',
        'Wed 2026-12-02 09:00 GMT+1  (2026-12-02T08:00:00Z)',
      ].join('\n'),
    );
  });

  it('preview of a selected string: runs, or the errors', () => {
    assert.match(
      previewMarkdown("'*/15 * * * *'", 'UTC', { now: NOW, localZone: 'UTC', count: 1 }),
      /\| # \| UTC \| \|\n\|---\|---\|---\|\n\| 1 \| 2026-11-30T18:15:00Z \| in 15m \|$/,
    );
    assert.equal(
      previewMarkdown('0 25 * * *', 'UTC', { now: NOW }),
      '**`0 25 * * *`** is not a valid schedule:\n\n- TW103: hour 25 is out of range 0\\-23',
    );
  });
});

describe('extension service: the jobs tree', () => {
  const index = indexWith({
    'b.ts': REPORTS,
    'a.ts': `import { Every } from '@tickwise/core';\nclass A { @Every('1d') daily() {} }\n`,
  });

  it('groups by file (sorted), jobs in source order', () => {
    const groups = buildTree(index.jobs(), 'file', NOW);
    assert.deepEqual(
      groups.map((g) => [g.label, g.description, g.children.map((c) => c.label)]),
      [
        ['a.ts', '1 job', ['A.daily']],
        ['b.ts', '3 jobs', ['Reports.digest', 'Reports.heartbeat', 'Reports.configured']],
      ],
    );
  });

  it('sorts by next run, with an "in the next 24 hours" group', () => {
    const groups = buildTree(index.jobs(), 'nextRun', NOW);
    assert.deepEqual(
      groups.map((g) => [g.label, g.children.map((c) => c.label)]),
      [
        ['In the next 24 hours', ['Reports.heartbeat', 'A.daily', 'Reports.digest']],
        ['No next run (dynamic, invalid or finished)', ['Reports.configured']],
      ],
    );
  });
});

describe('extension service: Markdown escaping', () => {
  it('escapes every character Markdown gives meaning to', () => {
    assert.equal(escapeMarkdown('a_b*c [d](e) <f> #g |h|'), 'a\\_b\\*c \\[d\\]\\(e\\) \\<f\\> \\#g \\|h\\|');
  });
  it('inline code survives backticks in the text', () => {
    assert.equal(inlineCode('a`b'), '``a`b``');
    assert.equal(inlineCode('`x`'), '`` `x` ``');
  });
});

// tickwise diff <ref>: the jobs a change adds, removes, reschedules or re-owns, run against real git repositories.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cli } from './helpers.js';

// The Friday before the last Sunday of March: Europe/Berlin springs forward on 2026-03-29.
const NOW = '--now=2026-03-27T00:00:00Z';

const COMMITTED = {
  'src/reports.ts': `import { Cron, Every } from '@tickwise/core';

export class Reports {
  @Cron('0 9 * * 1-5', { timezone: 'Europe/Berlin', owner: 'data-team' })
  digest() {}

  @Cron('0 1 * * *')
  cleanup() {}

  @Cron('0 4 * * *', { owner: 'ops' })
  legacy() {}

  @Every('15m')
  poll() {}
}
`,
  'src/old.ts': `import { Cron } from '@tickwise/core';
export class Old { @Cron('0 5 * * *') gone() {} }
`,
};

/** The working tree of the pull request: one job re-owned, one rescheduled into Berlin at 02:30, one removed, a comment added. */
const CHANGED = {
  'src/reports.ts': `import { Cron, Every } from '@tickwise/core';

export class Reports {
  // Owned by the platform team since the re-org.
  @Cron('0 9 * * 1-5', { timezone: 'Europe/Berlin', owner: 'platform' })
  digest() {}

  @Cron('30 2 * * *', { timezone: 'Europe/Berlin' })
  cleanup() {}

  /** Polls the queue: only this comment is new. */
  @Every('15m')
  poll() {}
}
`,
  // Never committed: untracked files are part of the working tree.
  'src/sync.ts': `import { Every } from '@tickwise/core';
export class Sync { @Every('5m', { owner: 'ops' }) often() {} }
`,
};

describe('tickwise diff <ref>', () => {
  let repo: string;
  const write = (files: Record<string, string>) => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(repo, path)), { recursive: true });
      writeFileSync(join(repo, path), text);
    }
  };
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
      cwd: repo,
      encoding: 'utf8',
    }).trim();
  /** The commit's short id in the output, replaced so the expected text can be written down. */
  const stable = (text: string) => text.replaceAll(git('rev-parse', '--short=7', 'HEAD'), '<commit>');

  beforeEach(() => {
    repo = mkdtempSync(join(tmpdir(), 'tw-diff-'));
    git('-c', 'init.defaultBranch=main', 'init', '-q');
    write(COMMITTED);
    git('add', '-A');
    git('-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'jobs');
    write(CHANGED);
    rmSync(join(repo, 'src/old.ts'));
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  it('text: each job added, removed, rescheduled or re-owned, with its next runs before and after and DST notes; a comment is no change', async () => {
    const { code, out, err } = await cli(repo, 'diff', 'HEAD', NOW);
    assert.equal(code, 0);
    assert.equal(err, '');
    assert.equal(
      stable(out),
      `Since HEAD (<commit>): 1 added, 2 removed, 1 rescheduled, 1 re-owned. Next runs after 2026-03-27T00:00:00Z.

removed  Old.gone  src/old.ts:2 (at HEAD)
  schedule   0 5 * * * (UTC)
  before     Fri 2026-03-27 05:00 UTC
             Sat 2026-03-28 05:00 UTC
             Sun 2026-03-29 05:00 UTC

re-owned  Reports.digest  src/reports.ts:5
  owner      data-team → platform
  next       Fri 2026-03-27 09:00 GMT+1
             Mon 2026-03-30 09:00 GMT+2
             Tue 2026-03-31 09:00 GMT+2

rescheduled  Reports.cleanup  src/reports.ts:8
  schedule   0 1 * * * → 30 2 * * *
  zone       UTC → Europe/Berlin
  before     Fri 2026-03-27 01:00 UTC
             Sat 2026-03-28 01:00 UTC
             Sun 2026-03-29 01:00 UTC
  after      Fri 2026-03-27 02:30 GMT+1
             Sat 2026-03-28 02:30 GMT+1
             Sun 2026-03-29 03:30 GMT+2  2026-03-29 02:30 does not exist in Europe/Berlin (clocks spring forward); it runs at 03:30 instead
             later: 2026-10-25 02:30 happens twice in Europe/Berlin (clocks fall back); it runs once, at the first

removed  Reports.legacy  src/reports.ts:10 (at HEAD)
  schedule   0 4 * * * (UTC)
  owner      ops
  before     Fri 2026-03-27 04:00 UTC
             Sat 2026-03-28 04:00 UTC
             Sun 2026-03-29 04:00 UTC

added  Sync.often  src/sync.ts:2
  schedule   5m (UTC)
  owner      ops
  after      Fri 2026-03-27 00:05 UTC
             Fri 2026-03-27 00:10 UTC
             Fri 2026-03-27 00:15 UTC`,
    );
  });

  it('-n sets how many next runs; DST transitions after the listed runs follow them as "later"', async () => {
    const { out } = await cli(repo, 'diff', 'HEAD', 'src/reports.ts', '-n', '1', NOW);
    const cleanup = out.split('\n\n').find((block) => block.startsWith('rescheduled'));
    assert.equal(
      cleanup,
      `rescheduled  Reports.cleanup  src/reports.ts:8
  schedule   0 1 * * * → 30 2 * * *
  zone       UTC → Europe/Berlin
  before     Fri 2026-03-27 01:00 UTC
  after      Fri 2026-03-27 02:30 GMT+1
             later: 2026-03-29 02:30 does not exist in Europe/Berlin (clocks spring forward); it runs at 03:30 instead
             later: 2026-10-25 02:30 happens twice in Europe/Berlin (clocks fall back); it runs once, at the first`,
    );
  });

  it('--format json: the summary, and per job its kinds, the changed fields and both versions with next runs and DST notes', async () => {
    const { code, out, err } = await cli(repo, 'diff', 'HEAD', '--format', 'json', '-n', '2', NOW);
    assert.equal(code, 0);
    assert.equal(err, '');
    const report = JSON.parse(out);
    assert.equal(report.ref, 'HEAD');
    assert.equal(report.commit, git('rev-parse', 'HEAD'));
    assert.equal(report.now, '2026-03-27T00:00:00Z');
    assert.deepEqual(report.summary, { added: 1, removed: 2, rescheduled: 1, reOwned: 1 });
    assert.deepEqual(
      report.jobs.map((j: { name: string; kinds: string[] }) => `${j.name} ${j.kinds.join(',')}`),
      [
        'Old.gone removed',
        'Reports.digest re-owned',
        'Reports.cleanup rescheduled',
        'Reports.legacy removed',
        'Sync.often added',
      ],
    );
    const cleanup = report.jobs.find((j: { name: string }) => j.name === 'Reports.cleanup');
    assert.equal(`${cleanup.file}:${cleanup.line}:${cleanup.column}`, 'src/reports.ts:8:3');
    assert.deepEqual(cleanup.changes, [
      { field: 'schedule', before: '0 1 * * *', after: '30 2 * * *' },
      { field: 'zone', before: 'UTC', after: 'Europe/Berlin' },
    ]);
    assert.deepEqual(cleanup.before.nextRuns, ['2026-03-27T01:00:00Z', '2026-03-28T01:00:00Z']);
    assert.deepEqual(cleanup.before.dstNotes, []);
    assert.equal(cleanup.after.describe, 'At 02:30 (Europe/Berlin)');
    assert.deepEqual(cleanup.after.nextRuns, ['2026-03-27T01:30:00Z', '2026-03-28T01:30:00Z']);
    assert.deepEqual(cleanup.after.dstNotes, [
      {
        message: '2026-03-29 02:30 does not exist in Europe/Berlin (clocks spring forward); it runs at 03:30 instead',
      },
      { message: '2026-10-25 02:30 happens twice in Europe/Berlin (clocks fall back); it runs once, at the first' },
    ]);
    const three = JSON.parse((await cli(repo, 'diff', 'HEAD', '--format', 'json', NOW)).out);
    const moved = three.jobs.find((j: { name: string }) => j.name === 'Reports.cleanup');
    assert.deepEqual(moved.after.dstNotes[0], {
      run: '2026-03-29T01:30:00Z',
      message: '2026-03-29 02:30 does not exist in Europe/Berlin (clocks spring forward); it runs at 03:30 instead',
    });
    // Each version carries the job as `tickwise list --json` describes it.
    const digest = report.jobs.find((j: { name: string }) => j.name === 'Reports.digest').after;
    const { framework, schedule, timezone, zoneRule, owner, describe } = digest;
    assert.deepEqual(
      { framework, schedule, timezone, zoneRule, owner, describe },
      {
        framework: 'tickwise',
        schedule: { dynamic: false, kind: 'cron', text: '0 9 * * 1-5' },
        timezone: 'Europe/Berlin',
        zoneRule: 'explicit',
        owner: 'platform',
        describe: 'At 09:00, Monday through Friday (Europe/Berlin)',
      },
    );
    const removed = report.jobs.find((j: { name: string }) => j.name === 'Reports.legacy');
    assert.equal(removed.after, undefined);
    assert.equal(`${removed.file}:${removed.line}`, 'src/reports.ts:10');
  });

  it('--format github: one ::notice per changed job, at the job in the working tree; a removed job on its old file, or without a file once that is gone', async () => {
    const { code, out, err } = await cli(repo, 'diff', 'HEAD', '--format', 'github', '-n', '2', NOW);
    assert.equal(code, 0);
    assert.deepEqual(out.split('\n'), [
      '::notice title=Tickwise%3A Old.gone removed::was at src/old.ts:2%0Aschedule: 0 5 * * * (UTC)%0Abefore: Fri 2026-03-27 05:00 UTC, Sat 2026-03-28 05:00 UTC',
      '::notice file=src/reports.ts,line=5,col=3,title=Tickwise%3A Reports.digest re-owned::owner: data-team → platform%0Anext: Fri 2026-03-27 09:00 GMT+1, Mon 2026-03-30 09:00 GMT+2',
      '::notice file=src/reports.ts,line=8,col=3,title=Tickwise%3A Reports.cleanup rescheduled::schedule: 0 1 * * * → 30 2 * * *%0Azone: UTC → Europe/Berlin%0Abefore: Fri 2026-03-27 01:00 UTC, Sat 2026-03-28 01:00 UTC%0Aafter: Fri 2026-03-27 02:30 GMT+1, Sat 2026-03-28 02:30 GMT+1%0ADST: 2026-03-29 02:30 does not exist in Europe/Berlin (clocks spring forward); it runs at 03:30 instead%0ADST: 2026-10-25 02:30 happens twice in Europe/Berlin (clocks fall back); it runs once, at the first',
      '::notice file=src/reports.ts,title=Tickwise%3A Reports.legacy removed::was at src/reports.ts:10%0Aschedule: 0 4 * * * (UTC)%0Aowner: ops%0Abefore: Fri 2026-03-27 04:00 UTC, Sat 2026-03-28 04:00 UTC',
      '::notice file=src/sync.ts,line=2,col=21,title=Tickwise%3A Sync.often added::schedule: 5m (UTC)%0Aowner: ops%0Aafter: Fri 2026-03-27 00:05 UTC, Fri 2026-03-27 00:10 UTC',
    ]);
    assert.equal(stable(err), 'Since HEAD (<commit>): 1 added, 2 removed, 1 rescheduled, 1 re-owned.');
  });

  it('no changes: one line, exit code 0 (GitHub: no notices, the line on stderr)', async () => {
    git('add', '-A');
    git('-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'the change');
    write({ 'src/reports.ts': `// A comment at the top.\n${CHANGED['src/reports.ts']}` });
    const text = await cli(repo, 'diff', 'HEAD', NOW);
    assert.deepEqual(
      { ...text, out: stable(text.out) },
      {
        code: 0,
        out: 'No job added, removed, rescheduled or re-owned since HEAD (<commit>): 4 jobs there, 4 jobs in the working tree.',
        err: '',
      },
    );
    const github = await cli(repo, 'diff', 'HEAD', '--format', 'github', NOW);
    assert.equal(github.code, 0);
    assert.equal(github.out, '');
    assert.match(github.err, /^No job added, removed, rescheduled or re-owned since HEAD/);
    assert.deepEqual(JSON.parse((await cli(repo, 'diff', 'HEAD~1', '--format', 'json', NOW)).out).summary, {
      added: 1,
      removed: 2,
      rescheduled: 1,
      reOwned: 1,
    });
  });

  it('paths: only the jobs under them, in both versions; a file deleted since the ref still shows its removed jobs', async () => {
    const some = await cli(repo, 'diff', 'HEAD', 'src/old.ts', 'src/sync.ts', NOW);
    assert.deepEqual(
      stable(some.out)
        .split('\n')
        .filter((l) => /^\S/.test(l)),
      [
        'Since HEAD (<commit>): 1 added, 1 removed, 0 rescheduled, 0 re-owned. Next runs after 2026-03-27T00:00:00Z.',
        'removed  Old.gone  src/old.ts:2 (at HEAD)',
        'added  Sync.often  src/sync.ts:2',
      ],
    );
    // From a subdirectory, files are named relative to it, as the other commands name them.
    const below = await cli(join(repo, 'src'), 'diff', 'HEAD', 'old.ts', NOW);
    assert.match(below.out, /\n\nremoved {2}Old\.gone {2}old\.ts:2 \(at HEAD\)\n/);
  });

  it('reads both versions with the working tree’s configuration', async () => {
    write({
      'scripts/seed.ts': "import { Cron } from '@tickwise/core';\nexport class Seed { @Cron('0 6 * * *') run() {} }\n",
    });
    git('add', 'scripts/seed.ts');
    git('-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'seed');
    write({ 'tickwise.config.json': JSON.stringify({ exclude: ['scripts/'] }) });
    rmSync(join(repo, 'scripts/seed.ts'));
    const { out } = await cli(repo, 'diff', 'HEAD', NOW);
    // The committed scripts/seed.ts is excluded at HEAD too: its job is not reported as removed.
    assert.doesNotMatch(out, /Seed\.run/);
    assert.match(out, /^Since HEAD \(\w+\): 1 added, 2 removed, 1 rescheduled, 1 re-owned\./);
  });

  it('--server-zone reads both versions’ server-local jobs in that zone', async () => {
    const nest = (cron: string) =>
      `import { Cron } from '@nestjs/schedule';\nexport class Nightly { @Cron('${cron}') run() {} }\n`;
    write({ 'src/nightly.ts': nest('0 2 * * *') });
    git('add', 'src/nightly.ts');
    git('-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'nightly');
    write({ 'src/nightly.ts': nest('0 3 * * *') });
    const { out } = await cli(repo, 'diff', 'HEAD', 'src/nightly.ts', '--server-zone', 'Asia/Tokyo', '-n', '1', NOW);
    assert.match(
      out,
      /\n\nrescheduled {2}Nightly\.run {2}src\/nightly\.ts:2\n {2}schedule {3}0 2 \* \* \* → 0 3 \* \* \*\n {2}before {5}Sat 2026-03-28 02:00 GMT\+9\n {2}after {6}Sat 2026-03-28 03:00 GMT\+9$/,
    );
  });

  it('never runs the code of either version, and leaves no temporary files behind', async () => {
    const marker = join(repo, 'ran');
    const boom = (cron: string) =>
      `import { writeFileSync } from 'node:fs';\nimport { Cron } from '@tickwise/core';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport class Boom { @Cron('${cron}') run() {} }\n`;
    write({ 'src/boom.ts': boom('0 7 * * *') });
    git('add', 'src/boom.ts');
    git('-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'boom');
    write({ 'src/boom.ts': boom('0 8 * * *') });
    const snapshots = () =>
      readdirSync(tmpdir())
        .filter((name) => name.startsWith('tickwise-diff-'))
        .sort();
    const before = snapshots();
    const { out } = await cli(repo, 'diff', 'HEAD', 'src/boom.ts', NOW);
    assert.match(out, /\n\nrescheduled {2}Boom\.run {2}src\/boom\.ts:4\n {2}schedule {3}0 7 \* \* \* → 0 8 \* \* \*\n/);
    assert.equal(existsSync(marker), false);
    assert.deepEqual(snapshots(), before);
    await cli(repo, 'diff', 'HEAD', 'nowhere.ts');
    assert.deepEqual(snapshots(), before);
  });

  describe('bad usage exits 2 with one clear line', () => {
    const cases: [string[], RegExp][] = [
      [['diff'], /tickwise diff takes the git ref to compare with: tickwise diff main \[paths\.\.\.\]/],
      [['diff', 'no-such-branch'], /unknown git ref 'no-such-branch' \(no branch, tag or commit of that name\)/],
      [['diff', '--', '--output=x'], /'--output=x' is not a git ref/],
      [['diff', 'HEAD', 'nowhere.ts'], /path 'nowhere\.ts' does not exist in the working tree or at HEAD/],
      [['diff', 'HEAD', '--format', 'xml'], /--format must be one of text, json, github, got 'xml'/],
      [['diff', 'HEAD', '--json'], /--json is only for `tickwise list \(for diff: --format json\)`/],
    ];
    for (const [argv, message] of cases) {
      it(`tickwise ${argv.join(' ')}`, async () => {
        const { code, out, err } = await cli(repo, ...argv);
        assert.equal(code, 2);
        assert.equal(out, '');
        assert.match(err, message);
        assert.ok(err.startsWith('tickwise: ') && err.endsWith('Run `tickwise --help` for usage.'), err);
      });
    }

    it('outside a git repository', async () => {
      const plain = mkdtempSync(join(tmpdir(), 'tw-diff-plain-'));
      try {
        const { code, err } = await cli(plain, 'diff', 'main');
        assert.equal(code, 2);
        assert.match(err, /^tickwise: .* is not in a git repository \(tickwise diff compares with a git ref\)\n/);
      } finally {
        rmSync(plain, { recursive: true, force: true });
      }
    });
  });
});

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findSourceFiles } from '@tickwise/analyzer/node';
import { cli, ERRORS, PROJECT } from './helpers.js';

const NOW = '--now=2026-12-01T00:00:00Z';
const JOB = "import { Cron } from '@tickwise/core';\nexport class J { @Cron('0 1 * * *') run() {} }\n";

describe('tickwise list', () => {
  it('prints a table: name, schedule, zone, next run in the job’s zone, file:line, owner, expectation', async () => {
    const { code, out } = await cli(PROJECT, 'list', NOW);
    assert.equal(code, 0);
    const lines = out.split('\n');
    assert.match(lines[0] ?? '', /^NAME\s+SCHEDULE\s+ZONE\s+NEXT RUN\s+LOCATION\s+OWNER\s+EXPECTED$/);
    const digest = lines.find((l) => l.startsWith('Reports.dailyDigest'));
    assert.match(
      digest ?? '',
      /^Reports\.dailyDigest\s+0 9 \* \* 1-5\s+Europe\/Berlin\s+Tue 2026-12-01 09:00 GMT\+1 \(in 8h\)\s+src\/reports\.ts:5\s+data-team\s+-$/,
    );
    assert.match(out, /nest\.cleanup \[@nestjs\/schedule\]/);
    assert.match(out, /Configured\.fromEnv\s+\(dynamic\) process\.env\.REPORT_CRON/);
    assert.match(out, /\n27 jobs in 14 files\.$/);
  });

  it('--json gives tools every field, the description and the next runs', async () => {
    const { code, out } = await cli(PROJECT, 'list', '--json', '-n', '3', NOW);
    assert.equal(code, 0);
    const { now, jobs } = JSON.parse(out);
    assert.equal(now, '2026-12-01T00:00:00Z');
    const weekly = jobs.find((j: { name: string }) => j.name === 'reports.weekly');
    assert.deepEqual(weekly.nextRuns, ['2026-12-07T11:30:00Z', '2026-12-14T11:30:00Z', '2026-12-21T11:30:00Z']);
    assert.equal(weekly.describe, 'At 06:30, only on Monday (America/New_York)');
    assert.equal(weekly.file, 'src/reports.ts');
    assert.equal(weekly.span.line, 18);
    const dynamic = jobs.find((j: { name: string }) => j.name === 'Configured.fromEnv');
    assert.deepEqual(dynamic.nextRuns, []);
    assert.equal(dynamic.schedule.reason, 'reads process.env.REPORT_CRON');
    // A constant imported from another file of the workspace is read there.
    const imported = jobs.find((j: { name: string }) => j.name === 'Configured.imported');
    assert.deepEqual(imported.nextRuns, ['2026-12-01T06:00:00Z', '2026-12-02T06:00:00Z', '2026-12-03T06:00:00Z']);
  });

  it('says so when there are no jobs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-cli-'));
    try {
      writeFileSync(join(dir, 'a.ts'), 'export const a = 1;\n');
      assert.deepEqual(await cli(dir, 'list'), { code: 0, out: 'No jobs found in 1 file.', err: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('tickwise check', () => {
  it('prints file:line:col: severity code: message, and exits 1 on errors', async () => {
    const { code, out, err } = await cli(ERRORS, 'check', NOW);
    assert.equal(code, 1);
    const lines = out.split('\n');
    assert.equal(lines[0], 'bad.ts:4:12: error TW103: hour 25 is out of range 0-23');
    assert.ok(lines.includes("bad.ts:16:24: error TW304: unknown option 'overlapp' (did you mean 'overlap'?)"));
    assert.equal(err, '11 errors, 1 warning in 10 jobs (2 files checked)');
  });

  it('exits 0 when there are only warnings', async () => {
    const { code, out } = await cli(ERRORS, 'check', 'other.ts', NOW);
    assert.equal(code, 0);
    assert.equal(out, '');
  });

  it('--format github emits workflow annotations with escaped properties', async () => {
    const { out } = await cli(ERRORS, 'check', '--format', 'github', NOW);
    assert.ok(
      out
        .split('\n')
        .includes(
          '::error file=bad.ts,line=4,col=12,endLine=4,endColumn=14,title=Tickwise TW103::hour 25 is out of range 0-23',
        ),
    );
    assert.match(out, /::warning file=bad\.ts,line=25,col=13,.*::2027-03-14 02:30 does not exist/);
  });

  it('--format json is one document with counts and 1-based positions', async () => {
    const { code, out, err } = await cli(ERRORS, 'check', '--format', 'json', NOW);
    assert.equal(code, 1);
    assert.equal(err, '');
    const report = JSON.parse(out);
    assert.equal(report.errors, 11);
    assert.equal(report.warnings, 1);
    assert.deepEqual(report.diagnostics[0], {
      file: 'bad.ts',
      line: 4,
      column: 12,
      endLine: 4,
      endColumn: 14,
      severity: 'error',
      code: 'TW103',
      message: 'hour 25 is out of range 0-23',
      job: 'Bad.badHour',
    });
  });
});

describe('tickwise next', () => {
  it('lists runs in the zone and in UTC, with the DST note on the run a transition moves', async () => {
    const { code, out } = await cli(
      PROJECT,
      'next',
      '30 2 * * *',
      '--tz',
      'America/New_York',
      '-n',
      '3',
      '--now',
      '2026-03-07T00:00:00Z',
    );
    assert.equal(code, 0);
    const lines = out.split('\n');
    assert.equal(lines[0], '30 2 * * *  (cron, America/New_York)');
    assert.equal(lines[1], 'At 02:30 (America/New_York)');
    assert.match(lines[4] ?? '', /^1\s+Sat 2026-03-07 02:30 EST\s+2026-03-07T07:30:00Z\s+in 7h 30m$/);
    assert.match(
      lines[5] ?? '',
      /^2\s+Sun 2026-03-08 03:30 EDT\s+2026-03-08T07:30:00Z\s+in 1d 7h\s+2026-03-08 02:30 does not exist in America\/New_York \(clocks spring forward\); it runs at 03:30 instead$/,
    );
    // The fall-back day is beyond the listed runs; 02:30 is not repeated then, so no more notes.
    assert.equal(lines.length, 7);
  });

  it('takes durations too, and shows warnings below the runs', async () => {
    const every = await cli(PROJECT, 'next', '90s', '-n', '2', NOW);
    assert.match(every.out, /^90s {2}\(every\)\nEvery 1 minute 30 seconds\n/);
    const uneven = await cli(PROJECT, 'next', '*/7 * * * *', '-n', '1', NOW);
    assert.match(uneven.out, /\nwarning TW201: \*\/7 in minute restarts every hour/);
  });

  it('points at the bad field and exits 1', async () => {
    const { code, err } = await cli(PROJECT, 'next', '0 25 * * *');
    assert.equal(code, 1);
    assert.equal(err, 'error TW103: hour 25 is out of range 0-23\n  0 25 * * *\n    ^^');
  });
});

describe('tickwise: bad usage exits 2 with one clear line', () => {
  const cases: [string[], string][] = [
    [['lst'], "unknown command 'lst' (commands: list, check, next, migrate, diff, fleet)"],
    [['check', '--format', 'xml'], "--format must be one of text, json, github, got 'xml'"],
    [['check', 'no/such/dir'], "path 'no/such/dir' does not exist"],
    [['check', 'README.md'], "'README.md' is not a TypeScript or JavaScript file"],
    [['next', '0 9 * * *', '--tz', 'Mars/Base'], "unknown time zone 'Mars/Base'"],
    [['next'], 'tickwise next takes one schedule, in quotes'],
    [['list', '-n', '0'], "-n must be a whole number from 1 to 1000, got '0'"],
    [['list', '--now', 'yesterday'], "--now must be an ISO date such as 2026-12-01T00:00:00Z, got 'yesterday'"],
    [['list', '--frobnicate'], "Unknown option '--frobnicate'"],
    [['list', '--config', 'missing.json'], "config file 'missing.json' does not exist"],
  ];
  for (const [argv, message] of cases) {
    it(`tickwise ${argv.join(' ')}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tw-cli-'));
      try {
        writeFileSync(join(dir, 'README.md'), '# hi\n');
        const { code, out, err } = await cli(dir, ...argv);
        assert.equal(code, 2);
        assert.equal(out, '');
        assert.ok(err.startsWith('tickwise: ') && err.includes(message), err);
        assert.ok(err.endsWith('Run `tickwise --help` for usage.'));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('which files are read', () => {
  let dir: string;
  const write = (path: string, text = JOB) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  const found = (paths: string[] = []) => findSourceFiles(paths, { cwd: dir }).map((f) => f.slice(dir.length + 1));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tw-scan-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('skips node_modules, build output, hidden directories, declaration files and .gitignore’d paths', () => {
    for (const path of [
      'src/a.ts',
      'src/b.jsx',
      'node_modules/lib/index.ts',
      'dist/a.js',
      'build/a.js',
      '.cache/a.ts',
      'src/types.d.ts',
      'src/generated/x.ts',
      'src/nested/keep.ts',
      'src/nested/skip.ts',
      'notes.txt',
    ]) {
      write(path);
    }
    write('.gitignore', 'generated/\n');
    write('src/nested/.gitignore', 'skip.ts\n');
    assert.deepEqual(found(), ['src/a.ts', 'src/b.jsx', 'src/nested/keep.ts']);
  });

  it('a .gitignore above the scanned directory still applies', () => {
    write('.gitignore', 'legacy/\n');
    write('src/legacy/a.ts');
    write('src/b.ts');
    assert.deepEqual(found(['src']), ['src/b.ts']);
  });

  it('a file named on the command line is read even when excluded', () => {
    write('.gitignore', 'gen.ts\n');
    write('gen.ts');
    assert.deepEqual(found(), []);
    assert.deepEqual(found(['gen.ts']), ['gen.ts']);
  });

  it('tickwise.config.json include/exclude, or a "tickwise" key in package.json', async () => {
    write('src/jobs/a.ts');
    write('src/jobs/a.spec.ts');
    write('scripts/b.ts');
    write('tickwise.config.json', JSON.stringify({ include: ['src/'], exclude: ['*.spec.ts'] }));
    assert.match((await cli(dir, 'list')).out, /\n1 job in 1 file\.$/);
    rmSync(join(dir, 'tickwise.config.json'));
    write('package.json', JSON.stringify({ name: 'svc', tickwise: { exclude: ['scripts/'] } }));
    assert.match((await cli(dir, 'list')).out, /\n2 jobs in 2 files\.$/);
    write('package.json', JSON.stringify({ name: 'svc', tickwise: { exclude: 'scripts/' } }));
    const bad = await cli(dir, 'list');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /package\.json#tickwise: 'exclude' must be an array of patterns/);
    write('tickwise.config.json', JSON.stringify({ includes: ['src/'] }));
    assert.match(
      (await cli(dir, 'list')).err,
      /tickwise\.config\.json: unknown key 'includes' \(known: include, exclude, decorators\)/,
    );
  });
});

describe('the tickwise bin, installed from the packed packages as users get it', () => {
  const packages = join(PROJECT, '..', '..', '..', '..');
  let app: string;

  before(function () {
    this.timeout(120_000);
    if (!existsSync(join(packages, 'analyzer', 'dist', 'cli', 'main.js'))) {
      throw new Error('packages/analyzer/dist is missing: run `npm run build` (npm test does it)');
    }
    app = mkdtempSync(join(tmpdir(), 'tw-bin-'));
    const tarballs = ['core', 'analyzer'].map((name) =>
      join(
        app,
        execFileSync('npm', ['pack', '--silent', '--pack-destination', app], {
          cwd: join(packages, name),
          encoding: 'utf8',
        })
          .trim()
          .split('\n')
          .pop() as string,
      ),
    );
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--silent', ...tarballs], {
      cwd: app,
      encoding: 'utf8',
    });
  });
  after(() => rmSync(app, { recursive: true, force: true }));

  it('node_modules/.bin/tickwise runs, prints its version and sets the exit code', () => {
    const bin = join(app, 'node_modules', '.bin', 'tickwise');
    assert.equal(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim(), '0.1.0');
    const run = spawnSync(bin, ['check', '--format', 'github'], { cwd: ERRORS, encoding: 'utf8' });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /^::error file=bad\.ts,line=4,col=12/);
    const clean = spawnSync(bin, ['check'], { cwd: join(PROJECT, 'src'), encoding: 'utf8' });
    assert.equal(clean.status, 0, clean.stdout + clean.stderr);
  });
});

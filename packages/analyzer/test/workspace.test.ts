// A monorepo's own packages (workspace imports), the lockfiles that pick a dialect (yarn.lock,
// pnpm-lock.yaml), wrapper decorators from tickwise.config.json, and `check --server-zone`.

import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import type { JobDeclaration } from '@tickwise/analyzer';
import { createImportResolver, pnpmWorkspaceGlobs } from '../src/import-resolution.js';
import { libraryVersionsOf } from '../src/lockfiles.js';
import { cli, FIXTURES, NOW } from './helpers.js';

type ListedJob = JobDeclaration & { nextRuns: string[] };

/** A copy outside the repository, so no node_modules above it decides the installed versions. */
function copyOf(fixture: string): string {
  const dir = mkdtempSync(join(tmpdir(), `tw-${fixture}-`));
  cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  return dir;
}

async function listed(dir: string, ...args: string[]): Promise<ListedJob[]> {
  const { code, out, err } = await cli(dir, 'list', '--json', '-n', '1', `--now=${NOW.toISOString()}`, ...args);
  assert.equal(code, 0, err);
  return JSON.parse(out).jobs;
}

describe('workspace packages: constants imported from a monorepo’s own packages', () => {
  let dir: string;
  before(() => {
    dir = copyOf('monorepo');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('follows @mono/shared (root workspaces) to its TypeScript source; stops at node_modules', async () => {
    const jobs = await listed(dir, '--server-zone=Asia/Tokyo');
    assert.deepEqual(
      jobs.map((j) => [
        j.name,
        j.schedule.dynamic ? `dynamic: ${j.schedule.reason}` : j.schedule.text,
        typeof j.timezone === 'string' ? j.timezone : 'dynamic',
        j.dialect,
        j.nextRuns[0] ?? '-',
      ]),
      [
        [
          'reports.nightly',
          '0 2 * * *',
          'Europe/Berlin',
          'cron@2 (@nestjs/schedule 3): months 0-11',
          '2026-12-01T01:00:00Z',
        ],
        [
          'ReportsService.cleanup',
          '*/30 * * * *',
          'Asia/Tokyo',
          'cron@2 (@nestjs/schedule 3): months 0-11',
          '2026-12-01T00:30:00Z',
        ],
        // The subpath export './schedules' (dist/schedules.js) maps to src/schedules.ts; under cron@2
        // (yarn.lock: @nestjs/schedule 3.0.4) month 2 is March.
        [
          'ReportsService.quarterly',
          '0 0 1 2,5,8,11 *',
          'UTC',
          'cron@2 (@nestjs/schedule 3): months 0-11',
          '2027-03-01T00:00:00Z',
        ],
        [
          'ReportsService.fromSdk',
          "dynamic: imported from node_modules ('some-sdk')",
          'Asia/Tokyo',
          'cron@2 (@nestjs/schedule 3): months 0-11',
          '-',
        ],
        ['worker.heartbeat', '*/5 * * * *', 'UTC', 'node-cron 4', '2026-12-01T00:05:00Z'],
      ],
    );
  });

  it('pnpm-workspace.yaml declares the packages too', async () => {
    const pnpm = copyOf('monorepo');
    try {
      writeFileSync(join(pnpm, 'package.json'), JSON.stringify({ name: 'mono', private: true }));
      writeFileSync(join(pnpm, 'pnpm-workspace.yaml'), "packages:\n  - 'apps/*'\n  - packages/* # shared code\n");
      const jobs = await listed(pnpm, 'apps/worker');
      assert.deepEqual(
        jobs.map((j) => [j.name, j.schedule.dynamic ? j.schedule.reason : j.schedule.text]),
        [['worker.heartbeat', '*/5 * * * *']],
      );
    } finally {
      rmSync(pnpm, { recursive: true, force: true });
    }
  });

  it('a TypeScript source wins over built output; exports patterns, negated globs, no escape from the package', () => {
    const files: Record<string, string> = {
      '/m/package.json': JSON.stringify({ workspaces: ['packages/**', '!packages/legacy'] }),
      '/m/packages/a/package.json': JSON.stringify({ name: 'a', exports: { './*': './dist/*.js' } }),
      '/m/packages/a/dist/x.js': "exports.X = 'old';",
      '/m/packages/a/src/x.ts': "export const X = 'new';",
      '/m/packages/nested/b/package.json': JSON.stringify({ name: 'b', main: 'index.js' }),
      '/m/packages/nested/b/index.js': "export const B = 'b';",
      '/m/packages/legacy/package.json': JSON.stringify({ name: 'legacy', main: 'index.js' }),
      '/m/packages/legacy/index.js': "export const L = 'l';",
      '/m/packages/evil/package.json': JSON.stringify({ name: 'evil', main: '../../outside.ts' }),
      '/m/outside.ts': "export const E = 'e';",
      '/m/app/main.ts': '',
    };
    const dirs = new Set(
      Object.keys(files).flatMap((f) => {
        const out: string[] = [];
        for (let d = posix.dirname(f); d !== '/'; d = posix.dirname(d)) out.push(d);
        return out;
      }),
    );
    const resolve = createImportResolver({
      read: (p) => files[p] ?? null,
      directories: (p) =>
        dirs.has(p) || p === '/' ? [...dirs].filter((d) => posix.dirname(d) === p).map((d) => posix.basename(d)) : null,
      dirname: posix.dirname,
      join: posix.join,
      absolute: (f) => f,
    });
    const file = (r: ReturnType<typeof resolve>) => ('file' in r ? r.file : r.reason);
    assert.equal(file(resolve('/m/app/main.ts', 'a/x')), '/m/packages/a/src/x.ts');
    assert.equal(file(resolve('/m/app/main.ts', 'b')), '/m/packages/nested/b/index.js');
    assert.equal(file(resolve('/m/app/main.ts', 'legacy')), "imported from node_modules ('legacy')");
    assert.equal(
      file(resolve('/m/app/main.ts', 'evil')),
      "imported from workspace package 'evil' (no source file for 'evil')",
    );
    assert.equal(file(resolve('/m/app/main.ts', 'node:fs')), "imported from node_modules ('node:fs')");
    assert.deepEqual(pnpmWorkspaceGlobs('packages: [\'a/*\', "b"]\nother: 1\n'), ['a/*', 'b']);
  });
});

describe('lockfiles decide the @nestjs/schedule and cron versions', () => {
  const host = (files: Record<string, string>) => ({
    read: (p: string) => files[p] ?? null,
    dirname: posix.dirname,
    join: posix.join,
    relative: posix.relative,
  });
  const nest = (range: string, extra: Record<string, string> = {}) =>
    JSON.stringify({ dependencies: { '@nestjs/schedule': range, ...extra } });

  it('yarn.lock v1 and berry: the entry of the declared range, and the cron @nestjs/schedule depends on', () => {
    const v1 = [
      '# yarn lockfile v1',
      '',
      '"@nestjs/schedule@^2.2.0", "@nestjs/schedule@^2.2.1":',
      '  version "2.2.3"',
      '  dependencies:',
      '    cron "2.3.0"',
      '',
      'cron@2.3.0:',
      '  version "2.3.0"',
      '',
      'cron@^4.0.0:',
      '  version "4.1.0"',
      '',
    ].join('\n');
    assert.deepEqual(
      libraryVersionsOf(host({ '/a/package.json': nest('^2.2.0'), '/a/yarn.lock': v1 }), '/a/src/x.ts'),
      {
        '@nestjs/schedule': '2.2.3',
        cron: '2.3.0',
      },
    );
    assert.deepEqual(
      libraryVersionsOf(host({ '/a/package.json': nest('^2.2.0', { cron: '^4.0.0' }), '/a/yarn.lock': v1 }), '/a/x.ts'),
      { '@nestjs/schedule': '2.2.3', cron: '4.1.0' },
    );
    const berry = [
      '__metadata:',
      '  version: 6',
      '',
      '"@nestjs/schedule@npm:^3.0.0":',
      '  version: 3.0.4',
      '  resolution: "@nestjs/schedule@npm:3.0.4"',
      '  dependencies:',
      '    cron: "npm:2.4.1"',
      '',
      '"cron@npm:2.4.1":',
      '  version: 2.4.1',
      '',
    ].join('\n');
    assert.deepEqual(libraryVersionsOf(host({ '/a/package.json': nest('^3.0.0'), '/a/yarn.lock': berry }), '/a/x.ts'), {
      '@nestjs/schedule': '3.0.4',
      cron: '2.4.1',
    });
  });

  it('pnpm-lock.yaml v9 (importers, snapshots) and v5 (peer suffixes), from a workspace package', () => {
    const v9 = [
      "lockfileVersion: '9.0'",
      '',
      'importers:',
      '',
      '  .:',
      '    devDependencies:',
      '      typescript:',
      '        specifier: ^5.4.0',
      '        version: 5.4.5',
      '',
      '  apps/api:',
      '    dependencies:',
      "      '@nestjs/schedule':",
      '        specifier: ^4.0.0',
      '        version: 4.0.2(@nestjs/common@10.3.0)(@nestjs/core@10.3.0)',
      '',
      'packages:',
      '',
      "  '@nestjs/schedule@4.0.2':",
      '    resolution: {integrity: sha512-x}',
      '',
      'snapshots:',
      '',
      "  '@nestjs/schedule@4.0.2(@nestjs/common@10.3.0)(@nestjs/core@10.3.0)':",
      '    dependencies:',
      "      '@nestjs/common': 10.3.0",
      '      cron: 3.1.6',
      '',
    ].join('\n');
    const files = { '/m/package.json': '{}', '/m/pnpm-lock.yaml': v9, '/m/apps/api/package.json': nest('^4.0.0') };
    assert.deepEqual(libraryVersionsOf(host(files), '/m/apps/api/src/x.ts'), {
      '@nestjs/schedule': '4.0.2',
      cron: '3.1.6',
    });
    const v5 = [
      'lockfileVersion: 5.4',
      '',
      'specifiers:',
      "  '@nestjs/schedule': ^2.1.0",
      '',
      'dependencies:',
      "  '@nestjs/schedule': 2.2.0_abc",
      '',
      'packages:',
      '',
      '  /@nestjs/schedule/2.2.0_abc:',
      '    resolution: {integrity: x}',
      '    dependencies:',
      '      cron: 2.2.0',
      '',
    ].join('\n');
    assert.deepEqual(
      libraryVersionsOf(host({ '/a/package.json': nest('^2.1.0'), '/a/pnpm-lock.yaml': v5 }), '/a/x.ts'),
      {
        '@nestjs/schedule': '2.2.0',
        cron: '2.2.0',
      },
    );
  });

  it('an installed copy wins over the lockfile; a broken lockfile falls back to the declared range', () => {
    const files = {
      '/a/package.json': nest('^3.0.0'),
      '/a/yarn.lock': '"@nestjs/schedule@^3.0.0":\n  version "3.0.4"\n',
      '/a/node_modules/@nestjs/schedule/package.json': JSON.stringify({ version: '4.1.2' }),
    };
    assert.deepEqual(libraryVersionsOf(host(files), '/a/x.ts'), { '@nestjs/schedule': '4.1.2' });
    assert.deepEqual(
      libraryVersionsOf(host({ '/a/package.json': nest('^3.0.0'), '/a/pnpm-lock.yaml': ':::\n\t- [' }), '/a/x.ts'),
      { '@nestjs/schedule': '^3.0.0' },
    );
  });
});

describe('wrapper decorators (tickwise.config.json "decorators")', () => {
  const WRAPPERS = join(FIXTURES, 'wrappers');

  it('list: @CronOnce (forwarding to @nestjs/schedule Cron) and a renamed @Nightly (Tickwise Cron) are jobs', async () => {
    const jobs = await listed(WRAPPERS, '--server-zone=Asia/Tokyo');
    assert.deepEqual(
      jobs.map((j) => [
        j.name,
        j.framework,
        j.schedule.dynamic ? 'dynamic' : j.schedule.text,
        j.timezone,
        j.nextRuns[0] ?? '-',
      ]),
      [
        ['locks.cleanup', 'nestjs', '0 4 * * *', 'Europe/Berlin', '2026-12-01T03:00:00Z'],
        ['LocksService.broken', 'nestjs', '0 25 * * *', 'Asia/Tokyo', '-'],
        ['LocksService.compact', 'tickwise', '0 1 * * *', 'UTC', '2026-12-01T01:00:00Z'],
      ],
    );
  });

  it('check: the wrapped schedule is checked as the library reads it', async () => {
    const { code, out, err } = await cli(WRAPPERS, 'check', `--now=${NOW.toISOString()}`);
    assert.equal(code, 1);
    assert.equal(
      out,
      'src/locks.service.ts:9:16: error TW307: cron@4 (@nestjs/schedule 6) rejects this schedule at start-up: hour 25 is out of range 0-23 for cron@4',
    );
    assert.equal(err, '1 error, 0 warnings in 3 jobs (2 files checked)');
  });

  it('a bad mapping is a usage error (exit 2) that says what is wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-wrappers-'));
    try {
      const cases: [unknown, string][] = [
        [
          ['CronOnce'],
          "tickwise.config.json: 'decorators' must be an object of decorator name -> '<module>:<decorator>'",
        ],
        [
          { CronOnce: 5 },
          "tickwise.config.json: 'decorators.CronOnce' must be a string such as '@nestjs/schedule:Cron'",
        ],
        [
          { CronOnce: 'Cron' },
          "tickwise.config.json: 'decorators.CronOnce': unknown target 'Cron' (write '<module>:<decorator>'); known: @nestjs/schedule:Cron,",
        ],
        [
          { CronOnce: '@nestjs/schedule:Crom' },
          "'decorators.CronOnce': unknown target '@nestjs/schedule:Crom'; known:",
        ],
        [{ 'cron-once': '@nestjs/schedule:Cron' }, "'decorators': 'cron-once' is not a decorator name"],
      ];
      for (const [decorators, message] of cases) {
        writeFileSync(join(dir, 'tickwise.config.json'), JSON.stringify({ decorators }));
        for (const command of ['list', 'check']) {
          const { code, err } = await cli(dir, command);
          assert.equal(code, 2, `${command} ${JSON.stringify(decorators)}`);
          assert.ok(err.includes(message), err);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('tickwise check --server-zone', () => {
  it('takes the zone like list does, validated the same way (only list, check and diff take it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-check-zone-'));
    try {
      mkdirSync(join(dir, 'src'));
      writeFileSync(join(dir, 'package.json'), '{"name":"x"}');
      writeFileSync(
        join(dir, 'src', 'jobs.ts'),
        "import cron from 'node-cron';\ncron.schedule('0 9 * * *', () => {}, { name: 'morning' });\n",
      );
      const { code, out } = await cli(dir, 'check', '--format', 'json', '--server-zone', 'Europe/Berlin');
      assert.equal(code, 0);
      assert.deepEqual(JSON.parse(out).diagnostics, []);
      const bad = await cli(dir, 'check', '--server-zone', 'Mars/Base');
      assert.equal(bad.code, 2);
      assert.match(bad.err, /unknown time zone 'Mars\/Base' for --server-zone/);
      const next = await cli(dir, 'next', '0 9 * * *', '--server-zone', 'UTC');
      assert.equal(next.code, 2);
      assert.match(next.err, /--server-zone is only for `tickwise list, tickwise check or tickwise diff`/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

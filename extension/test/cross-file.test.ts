// The extension's service layer for what an analysis reads besides the file: imported constants,
// workspace packages, the @nestjs/schedule / cron versions (package.json, lockfiles) and wrapper
// decorators, through the WorkspaceFiles cache the host fills asynchronously. Also the library
// marker in CodeLens and hover, and the tickwise.serverTimeZone setting.

import assert from 'node:assert/strict';
import { checkDecoratorMapping, type JobDeclaration } from '@tickwise/analyzer';
import { isKnownTimeZone } from '@tickwise/core/schedule';
import { zoneSetting } from '../src/service/dates.js';
import { JobIndex } from '../src/service/job-index.js';
import { hoverMarkdown, lensTitle } from '../src/service/presentation.js';
import { canonicalUri, folderDecorators, WorkspaceFiles } from '../src/service/workspace-files.js';

const NOW = new Date('2026-11-30T18:00:00Z');
const W = 'file:///w';

/** A fake disk: file URI -> text; directories are derived from the paths. */
type Disk = Record<string, string>;

/** What the host does: read what analyses asked for, re-analyse who asked, until nothing is asked. */
function settle(index: JobIndex, files: WorkspaceFiles, disk: Disk): number {
  const directories = (dir: string): string[] | null => {
    const prefix = `${dir}/`;
    const names = new Set<string>();
    let any = false;
    for (const path of Object.keys(disk)) {
      if (!path.startsWith(prefix)) continue;
      any = true;
      const rest = path.slice(prefix.length).split('/');
      if (rest.length > 1) names.add(rest[0] as string);
    }
    return any ? [...names] : null;
  };
  let rounds = 0;
  for (; rounds < 20; rounds++) {
    const wanted = files.takeWanted();
    if (wanted.files.length === 0 && wanted.directories.length === 0) break;
    const affected = new Set<string>();
    for (const f of wanted.files) for (const a of files.setText(f, disk[f] ?? null)) affected.add(a);
    for (const d of wanted.directories) for (const a of files.setDirectories(d, directories(d))) affected.add(a);
    index.refresh(affected);
  }
  return rounds;
}

function setup(disk: Disk, decorators?: Record<string, string>) {
  const files = new WorkspaceFiles((uri) => uri.startsWith(`${W}/`));
  const index = new JobIndex(() => NOW, { files, decoratorsFor: () => decorators });
  index.serverZone = 'Asia/Tokyo';
  for (const [uri, text] of Object.entries(disk))
    if (/\.(ts|js)$/.test(uri)) index.update(uri, uri.slice(W.length + 1), text, 'v1');
  return { files, index };
}

const scheduleOf = (job: JobDeclaration | undefined) =>
  job === undefined ? 'none' : job.schedule.dynamic ? `dynamic: ${job.schedule.reason}` : job.schedule.text;

describe('extension service: cross-file constants through the WorkspaceFiles cache', () => {
  const disk: Disk = {
    [`${W}/package.json`]: JSON.stringify({ name: 'app', dependencies: { '@nestjs/schedule': '^6.0.0' } }),
    [`${W}/src/jobs.ts`]: [
      "import { Cron } from '@nestjs/schedule';",
      "import { NIGHTLY } from './schedules';",
      'export class Jobs { @Cron(NIGHTLY) nightly() {} }',
    ].join('\n'),
    [`${W}/src/schedules.ts`]: "export { NIGHTLY } from './shared/cron';",
    [`${W}/src/shared/cron.ts`]: "export const NIGHTLY = '0 2 * * *';",
  };

  it('a first analysis says "not read yet"; the files it asked for are read, and it is analysed again', () => {
    const { files, index } = setup(disk);
    const [first] = index.jobs();
    assert.equal(scheduleOf(first?.job), "dynamic: imported from './schedules' (file not found)");
    const rounds = settle(index, files, disk);
    assert.ok(rounds >= 2, `an import chain takes a round per file (${rounds})`);
    const [job] = index.jobs();
    assert.equal(scheduleOf(job?.job), '0 2 * * *');
    assert.equal(job?.job.timezone, 'Asia/Tokyo');
    assert.equal(
      lensTitle(job?.job as JobDeclaration, NOW),
      '@nestjs/schedule · At 02:00 (Asia/Tokyo) — next: Wed 2 Dec 02:00, in 23h',
    );
  });

  it('a change to an imported file (on disk or in its buffer) re-analyses the file that imports it', () => {
    const { files, index } = setup(disk);
    settle(index, files, disk);
    const uri = `${W}/src/shared/cron.ts`;
    assert.deepEqual(files.setText(uri, "export const NIGHTLY = '0 3 * * *';"), [`${W}/src/jobs.ts`]);
    assert.equal(index.refresh([`${W}/src/jobs.ts`]), true);
    assert.equal(scheduleOf(index.jobs()[0]?.job), '0 3 * * *');
    // Deleted: forgotten, asked for again, absent.
    index.refresh(files.forget(uri));
    settle(index, files, { ...disk, [uri]: undefined as unknown as string });
    assert.equal(scheduleOf(index.jobs()[0]?.job), "dynamic: imported from './shared/cron' (file not found)");
    // An unrelated file changes nothing.
    assert.deepEqual(files.setText(`${W}/src/other.ts`, 'export {}'), []);
  });

  it('never reads outside the workspace folders', () => {
    const { files, index } = setup({
      [`${W}/jobs.ts`]:
        "import { Cron } from '@nestjs/schedule';\nimport { X } from '../outside';\nclass J { @Cron(X) m() {} }",
    });
    const wanted = files.takeWanted().files;
    assert.ok(wanted.length > 0);
    assert.ok(
      wanted.every((uri) => uri.startsWith(`${W}/`)),
      wanted.join(', '),
    );
    assert.equal(scheduleOf(index.jobs()[0]?.job), "dynamic: imported from '../outside' (file not found)");
  });

  it('follows a workspace package of a monorepo (root workspaces) to its TypeScript source', () => {
    const mono: Disk = {
      [`${W}/package.json`]: JSON.stringify({ private: true, workspaces: ['apps/*', 'packages/*'] }),
      [`${W}/packages/shared/package.json`]: JSON.stringify({ name: '@mono/shared', main: 'dist/index.js' }),
      [`${W}/packages/shared/src/index.ts`]: "export const CLEANUP = '*/30 * * * *';",
      [`${W}/apps/api/package.json`]: JSON.stringify({ name: '@mono/api', dependencies: { 'node-cron': '^4' } }),
      [`${W}/apps/api/src/main.ts`]: [
        "import cron from 'node-cron';",
        "import { CLEANUP } from '@mono/shared';",
        "cron.schedule(CLEANUP, () => {}, { name: 'cleanup' });",
      ].join('\n'),
    };
    const { files, index } = setup(mono);
    settle(index, files, mono);
    const [job] = index.jobs();
    assert.equal(scheduleOf(job?.job), '*/30 * * * *');
    assert.equal(job?.job.framework, 'node-cron');
  });

  it('the versions come from package.json and the lockfile: @nestjs/schedule 3 (yarn.lock) reads months 0-11', () => {
    const app: Disk = {
      [`${W}/package.json`]: JSON.stringify({ dependencies: { '@nestjs/schedule': '^3.0.0' } }),
      [`${W}/yarn.lock`]:
        '"@nestjs/schedule@^3.0.0":\n  version "3.0.4"\n  dependencies:\n    cron "2.4.1"\n\ncron@2.4.1:\n  version "2.4.1"\n',
      [`${W}/src/jobs.ts`]:
        "import { Cron } from '@nestjs/schedule';\nclass J { @Cron('0 0 1 0 *', { timeZone: 'UTC' }) newYear() {} }",
    };
    const { files, index } = setup(app);
    // Before the reads, the current @nestjs/schedule: month 0 is rejected.
    assert.equal(index.diagnosticsOf(`${W}/src/jobs.ts`)[0]?.code, 'TW307');
    settle(index, files, app);
    const [job] = index.jobs();
    assert.equal(job?.job.dialect, 'cron@2 (@nestjs/schedule 3): months 0-11');
    assert.deepEqual(index.diagnosticsOf(`${W}/src/jobs.ts`), []);
    assert.match(hoverMarkdown(job?.job as JobDeclaration, { now: NOW, localZone: 'UTC' }), /January/);
    // The lockfile moves to @nestjs/schedule 4.1: re-analysed, month 0 is an error again.
    const lock = `${W}/yarn.lock`;
    const readers = files.setText(lock, '"@nestjs/schedule@^3.0.0":\n  version "4.1.0"\n');
    assert.deepEqual(readers, [`${W}/src/jobs.ts`]);
    index.refresh(readers);
    assert.equal(index.jobs()[0]?.job.dialect, 'cron@4 (@nestjs/schedule 4)');
  });

  it('canonical URIs: VS Code’s %40 and a joined @ are one file', () => {
    assert.equal(
      canonicalUri('file:///w/node_modules/%40nestjs/schedule/package.json'),
      'file:///w/node_modules/@nestjs/schedule/package.json',
    );
    const files = new WorkspaceFiles();
    files.setText('file:///w/node_modules/%40nestjs/schedule/package.json', '{}');
    assert.equal(files.read('file:///w/node_modules/@nestjs/schedule/package.json'), '{}');
  });
});

describe('extension service: wrapper decorators from tickwise.config.json', () => {
  it('a folder’s "decorators" (or package.json#tickwise) apply; a bad mapping is the CLI’s message', () => {
    const config = JSON.stringify({ decorators: { CronOnce: '@nestjs/schedule:Cron' } });
    assert.deepEqual(folderDecorators(config, null, checkDecoratorMapping), {
      decorators: { CronOnce: '@nestjs/schedule:Cron' },
    });
    assert.deepEqual(
      folderDecorators(
        null,
        JSON.stringify({ tickwise: { decorators: { Nightly: '@tickwise/core:Cron' } } }),
        checkDecoratorMapping,
      ),
      { decorators: { Nightly: '@tickwise/core:Cron' } },
    );
    assert.deepEqual(folderDecorators(null, '{}', checkDecoratorMapping), {});
    assert.equal(
      folderDecorators(
        JSON.stringify({ decorators: { CronOnce: 'Cron' } }),
        null,
        checkDecoratorMapping,
      ).problem?.split(';')[0],
      "tickwise.config.json: 'decorators.CronOnce': unknown target 'Cron' (write '<module>:<decorator>')",
    );
    assert.match(folderDecorators('{', null, checkDecoratorMapping).problem ?? '', /^tickwise\.config\.json: /);
  });

  it('@CronOnce is a job of @nestjs/schedule in CodeLens and hover', () => {
    const text = [
      "import { CronOnce } from './decorators';",
      'export class Locks {',
      "  @CronOnce('0 4 * * *', { name: 'locks.cleanup' })",
      '  cleanup() {}',
      '}',
    ].join('\n');
    const { index } = setup({ [`${W}/locks.ts`]: text }, { CronOnce: '@nestjs/schedule:Cron' });
    const [entry] = index.jobs();
    assert.ok(entry);
    assert.equal(entry.job.name, 'locks.cleanup');
    assert.equal(lensTitle(entry.job, NOW), '@nestjs/schedule · At 04:00 (Asia/Tokyo) — next: Tue 1 Dec 04:00, in 1h');
    assert.match(
      hoverMarkdown(entry.job, { now: NOW, localZone: 'UTC', count: 1 }),
      /_Declared with @nestjs\/schedule/,
    );
    const without = setup({ [`${W}/locks.ts`]: text });
    assert.deepEqual(without.index.jobs(), []);
  });
});

describe('extension service: the library marker and tickwise.serverTimeZone', () => {
  const index = new JobIndex(() => NOW);
  index.serverZone = 'Asia/Tokyo';
  index.update(
    `${W}/a.ts`,
    'a.ts',
    [
      "import cron from 'node-cron';",
      "import { Cron } from 'croner';",
      "cron.schedule('0 9 * * *', () => {}, { name: 'morning' });",
      "new Cron('0 18 * * *', { name: 'evening', timezone: 'Europe/Berlin' }, () => {});",
    ].join('\n'),
    'v1',
  );
  const [morning, evening] = index.jobs().map((e) => e.job);

  it('CodeLens: "node-cron · …", predicted in the server zone setting', () => {
    assert.ok(morning && evening);
    assert.equal(morning.timezone, 'Asia/Tokyo');
    assert.equal(morning.zoneRule, 'server-local');
    assert.equal(lensTitle(morning, NOW), 'node-cron · At 09:00 (Asia/Tokyo) — next: Tue 1 Dec 09:00, in 6h');
  });

  it('hover: "Declared with croner", the dialect, and the server-local zone note with the setting', () => {
    assert.ok(morning && evening);
    const croner = hoverMarkdown(evening, { now: NOW, localZone: 'UTC', count: 1 });
    assert.match(croner, /_Declared with croner, read as croner[^_]*\._/);
    assert.doesNotMatch(croner, /server's local zone/);
    const nodeCron = hoverMarkdown(morning, { now: NOW, localZone: 'UTC', count: 1 });
    assert.match(
      nodeCron,
      /_Declared with node\\-cron, read as node\\-cron 4\._ Runs in the server's local zone \(assumed: Asia\/Tokyo; setting `tickwise\.serverTimeZone`\)\./,
    );
  });

  it('tickwise.serverTimeZone: empty or unknown falls back to the machine’s zone (unknown with a warning)', () => {
    assert.deepEqual(zoneSetting('tickwise.serverTimeZone', ' Europe/Berlin ', isKnownTimeZone, 'UTC'), {
      zone: 'Europe/Berlin',
    });
    assert.deepEqual(zoneSetting('tickwise.serverTimeZone', '', isKnownTimeZone, 'Pacific/Chatham'), {
      zone: 'Pacific/Chatham',
    });
    assert.deepEqual(zoneSetting('tickwise.serverTimeZone', 'Mars/Base', isKnownTimeZone, 'UTC'), {
      zone: 'UTC',
      warning: "tickwise.serverTimeZone: unknown time zone 'Mars/Base'; using UTC",
    });
  });

  it('a new server zone re-predicts: the same file analysed under another zone', () => {
    const other = new JobIndex(() => NOW);
    other.serverZone = 'America/New_York';
    other.update(`${W}/a.ts`, 'a.ts', "import cron from 'node-cron';\ncron.schedule('0 9 * * *', () => {});", 'v1');
    assert.equal(other.jobs()[0]?.job.timezone, 'America/New_York');
  });
});

import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeSource } from '@tickwise/analyzer';
import { migrateNestSchedule } from '../src/migrate/nestjs-schedule.js';
import { cli, FIXTURES } from './helpers.js';

const MIGRATE = join(FIXTURES, 'migrate');
const read = (name: string) => readFileSync(join(MIGRATE, name), 'utf8');

describe('tickwise migrate nestjs-schedule', () => {
  for (const name of ['tasks', 'partial']) {
    it(`${name}: rewrites to the expected file, keeping comments and formatting`, () => {
      const result = migrateNestSchedule(`${name}.ts`, read(`${name}.before.ts`));
      assert.equal(result.text, read(`${name}.after.ts`));
    });

    it(`${name}: a second run changes nothing`, () => {
      const again = migrateNestSchedule(`${name}.ts`, read(`${name}.after.ts`));
      assert.equal(again.changed, false);
      assert.equal(again.text, read(`${name}.after.ts`));
    });
  }

  it('the converted file declares the same jobs for Tickwise, with the same schedules and names', () => {
    const before = analyzeSource('tasks.ts', read('tasks.before.ts')).jobs;
    const after = analyzeSource('tasks.ts', read('tasks.after.ts'));
    assert.deepEqual(after.diagnostics, []);
    assert.deepEqual(
      before.map((j) => [j.name, j.framework, j.schedule.dynamic ? '' : j.schedule.text, j.timezone]),
      [
        ['reports.daily', 'nestjs', '0 9 * * 1-5', 'Europe/Berlin'],
        ['TasksService.handleFrequent', 'nestjs', '*/30 * * * * *', 'UTC'],
      ],
    );
    assert.deepEqual(
      after.jobs.map((j) => [
        j.name,
        j.framework,
        j.schedule.dynamic ? '' : `${j.schedule.kind}:${j.schedule.text}`,
        j.timezone,
      ]),
      [
        ['reports.daily', 'tickwise', 'cron:0 9 * * 1-5', 'Europe/Berlin'],
        ['TasksService.handleFrequent', 'tickwise', 'cron:*/30 * * * * *', 'UTC'],
        ['TasksService.poll', 'tickwise', 'every:10000', 'UTC'],
        ['sync', 'tickwise', 'every:60000', 'UTC'],
      ],
    );
    assert.deepEqual(after.jobs[1]?.options, { enabled: false });
  });

  it('reports what it cannot convert with file:line, and why', () => {
    const { left } = migrateNestSchedule('partial.ts', read('partial.before.ts'));
    assert.deepEqual(
      left.map((n) => `${n.line}:${n.column} ${n.message.split(':')[0]}`),
      [
        '5:42 SchedulerRegistry',
        '7:4 CronExpression.EVERY_HOUR',
        '7:9 CronExpression',
        "10:4 left as @nestjs/schedule's Cron because another use in this file cannot be converted",
        '13:4 @Timeout runs once after start',
      ],
    );
  });

  it('the CLI is a dry run by default, writes with --write, and never touches other files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-migrate-'));
    try {
      cpSync(MIGRATE, dir, { recursive: true });
      for (const f of readdirSync(dir).filter((f) => f.endsWith('.after.ts'))) rmSync(join(dir, f));
      const untouched = read('untouched.ts');
      const dry = await cli(dir, 'migrate', 'nestjs-schedule');
      assert.equal(dry.code, 0);
      assert.match(dry.out, /^partial\.before\.ts:17:21: converted: ScheduleModule\.forRoot\(\)/m);
      assert.match(dry.out, /^partial\.before\.ts:13:4: not converted: @Timeout runs once after start/m);
      assert.match(dry.out, /\n5 converted, 5 left for you in 2 files \(dry run: nothing written; add --write\)\./);
      assert.equal(readFileSync(join(dir, 'tasks.before.ts'), 'utf8'), read('tasks.before.ts'));

      const written = await cli(dir, 'migrate', 'nestjs-schedule', '--write');
      assert.match(written.out, /5 converted, 5 left for you in 2 files \(written\)\./);
      assert.equal(readFileSync(join(dir, 'tasks.before.ts'), 'utf8'), read('tasks.after.ts'));
      assert.equal(readFileSync(join(dir, 'partial.before.ts'), 'utf8'), read('partial.after.ts'));
      assert.equal(readFileSync(join(dir, 'untouched.ts'), 'utf8'), untouched);

      const again = await cli(dir, 'migrate', 'nestjs-schedule', '--write');
      assert.match(again.out, /0 converted, 5 left for you in 0 files \(written\)\./);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('needs to be told what to migrate from', async () => {
    const { code, err } = await cli(MIGRATE, 'migrate');
    assert.equal(code, 2);
    assert.match(err, /tickwise migrate takes what to migrate from: tickwise migrate nestjs-schedule/);
  });

  it('a file without @nestjs/schedule comes back unchanged', () => {
    const text = "import { Cron } from '@tickwise/core';\n";
    assert.deepEqual(migrateNestSchedule('a.ts', text), { text, changed: false, converted: [], left: [] });
  });
});

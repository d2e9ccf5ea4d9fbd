// Jobs of @nestjs/schedule, cron, node-cron, croner, node-schedule and toad-scheduler in an app
// written the way real services are: exact `tickwise list --json` and `tickwise check` output.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { JobDeclaration } from '@tickwise/analyzer';
import { CRON_EXPRESSION } from '../src/data/nest-cron-expression.js';
import { nestRules } from '../src/library-semantics.js';
import { cli, FIXTURES, NOW } from './helpers.js';

const APP = join(FIXTURES, 'libraries');

type ListedJob = JobDeclaration & { nextRuns: string[] };

describe('other libraries: list and check', () => {
  it('lists every job with its library, schedule, zone rule and next run', async () => {
    const { code, out } = await cli(
      APP,
      'list',
      '--json',
      '-n',
      '1',
      `--now=${NOW.toISOString()}`,
      '--server-zone=Asia/Tokyo',
    );
    assert.equal(code, 0);
    const rows = JSON.parse(out).jobs.map((j: ListedJob) => [
      j.name,
      j.framework,
      j.declaredWith,
      j.schedule.dynamic ? `dynamic(${j.schedule.reason})` : `${j.schedule.kind}:${j.schedule.text}`,
      typeof j.timezone === 'string' ? `${j.timezone} ${j.zoneRule}` : 'dynamic',
      j.nextRuns[0] ?? j.unsupported ?? '-',
    ]);
    assert.deepEqual(rows, [
      ['billing.rollup', 'nestjs', 'Cron', 'cron:0 0 * * *', 'Asia/Tokyo server-local', '2026-12-01T15:00:00Z'],
      [
        'BillingService.sendInvoices',
        'nestjs',
        'Cron',
        'cron:0 30 2 * * 1-5',
        'Europe/Berlin explicit',
        '2026-12-01T01:30:00Z',
      ],
      // cron@4 reads */2 with 1-5 as OR: odd days, and every weekday.
      [
        'BillingService.everyOtherDayOrWeekday',
        'nestjs',
        'Cron',
        'cron:0 0 */2 * 1-5',
        'Asia/Tokyo server-local',
        '2026-12-01T15:00:00Z',
      ],
      ['BillingService.monthEnd', 'nestjs', 'Cron', 'cron:0 0 L * *', 'Asia/Tokyo server-local', '-'],
      [
        'BillingService.sync',
        'nestjs',
        'Cron',
        'dynamic(reads process.env.BILLING_SYNC_CRON)',
        'Asia/Tokyo server-local',
        '-',
      ],
      ['billing.heartbeat', 'nestjs', 'Interval', 'interval:30000', 'Asia/Tokyo server-local', '-'],
      ['BillingService.warmUp', 'nestjs', 'Timeout', 'timeout:5000', 'Asia/Tokyo server-local', '-'],
      ['job', 'cron', 'new CronJob', 'cron:0 */15 * * * *', 'Asia/Tokyo server-local', '2026-12-01T00:15:00Z'],
      [
        'billing.dynamic',
        'nestjs',
        'addCronJob',
        'dynamic(a CronJob created elsewhere)',
        'Asia/Tokyo server-local',
        '-',
      ],
      ['billing.poll', 'nestjs', 'addInterval', 'interval:60000', 'Asia/Tokyo server-local', '-'],
      // src/reports.ts: constants and an enum imported from src/shared/schedules.ts; a package import stays dynamic.
      ['Reports.nightly', 'nestjs', 'Cron', 'cron:0 2 * * *', 'Europe/Paris explicit', '2026-12-01T01:00:00Z'],
      ['Reports.weekly', 'nestjs', 'Cron', 'cron:0 6 * * 1', 'Asia/Tokyo server-local', '2026-12-06T21:00:00Z'],
      [
        'Reports.notStatic',
        'nestjs',
        'Cron',
        'dynamic(NIGHTLY.length is not a constant)',
        'Asia/Tokyo server-local',
        '-',
      ],
      [
        'Reports.fromPackage',
        'nestjs',
        'Cron',
        "dynamic(imported from node_modules ('some-config-package'))",
        'Asia/Tokyo server-local',
        '-',
      ],
      ['cleanup', 'node-cron', 'schedule', 'cron:0 3 * * sun', 'America/New_York explicit', '2026-12-06T08:00:00Z'],
      ['digest', 'croner', 'new Cron', 'cron:0 8 * * MON-FRI', 'Asia/Tokyo server-local', '2026-12-01T23:00:00Z'],
      [
        'report',
        'node-schedule',
        'scheduleJob',
        'cron:{ hour: 6, minute: 45, dayOfWeek: [1,3,5] }',
        'Asia/Tokyo server-local',
        '2026-12-01T21:45:00Z',
      ],
      ['flush', 'toad-scheduler', 'SimpleIntervalJob', 'interval:600000', 'Asia/Tokyo server-local', '-'],
      [
        'ping',
        'toad-scheduler',
        'new CronJob',
        'cron:*/30 * * * * *',
        'Asia/Tokyo server-local',
        '2026-12-01T00:00:30Z',
      ],
    ]);
  });

  it('check: what the library rejects at start-up, with its own message, on the exact characters', async () => {
    const { out } = await cli(APP, 'check', 'src', `--now=${NOW.toISOString()}`);
    const ours = out.split('\n').filter((line) => line.includes('TW307'));
    assert.deepEqual(ours, [
      "src/billing.service.ts:23:14: error TW307: cron@4 (@nestjs/schedule 6) rejects this schedule at start-up: 'L' is not supported by cron@4 (it rejects L, W, # and ?): 'L' in day-of-month",
    ]);
  });
});

describe('CronExpression table', () => {
  it('equals the enums of the installed @nestjs/schedule 6 and 12', async () => {
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    const six = require('@nestjs/schedule').CronExpression;
    const twelve = createRequire(join(process.cwd(), 'test/apps/nest12/package.json'))(
      '@nestjs/schedule',
    ).CronExpression;
    assert.deepEqual({ ...six }, CRON_EXPRESSION);
    assert.deepEqual({ ...twelve }, CRON_EXPRESSION);
    assert.equal(Object.keys(CRON_EXPRESSION).length, 83);
  });

  it('before @nestjs/schedule 4.1, EVERY_YEAR was 0 0 1 0 * (January under cron@2, rejected by cron@3)', () => {
    assert.equal(nestRules('3.0.4').member('EVERY_YEAR'), '0 0 1 0 *');
    assert.equal(nestRules('3.0.4').dialect, 'cron2');
    assert.equal(nestRules('4.0.2').member('EVERY_YEAR'), '0 0 1 0 *');
    assert.equal(nestRules('4.0.2').dialect, 'cron4');
    assert.equal(nestRules('^6.1.3').member('EVERY_YEAR'), '0 0 1 1 *');
  });
});

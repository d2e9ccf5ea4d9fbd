// diffJobs(): which jobs two versions of the code add, remove, reschedule or re-own.
import assert from 'node:assert/strict';
import { analyzeSource, type JobDeclaration, type LibraryVersions } from '@tickwise/analyzer';
import { diffJobs } from '../src/job-diff.js';
import { NOW } from './helpers.js';

const TICKWISE = "import { Cron, Every } from '@tickwise/core';\n";

/** The jobs of one file with these class members. */
function jobs(members: string, versions?: LibraryVersions, header = TICKWISE): JobDeclaration[] {
  const text = `${header}export class Reports {\n${members}\n}\n`;
  return analyzeSource('src/reports.ts', text, { now: NOW, serverZone: 'UTC', ...(versions && { versions }) }).jobs;
}

/** 'kinds name: field before → after; …' per change, for short assertions. */
function summary(before: JobDeclaration[], after: JobDeclaration[]): string[] {
  return diffJobs(before, after).map((c) => {
    const fields = c.fields.map((f) => `${f.field} ${f.before} → ${f.after}`).join('; ');
    return `${c.kinds.join('+')} ${c.name}${fields ? `: ${fields}` : ''}`;
  });
}

describe('diffJobs: which jobs changed', () => {
  it('a job that only moved (in its file or to another), or whose comments and formatting changed, is no change', () => {
    const before = jobs("  @Cron('0 1 * * *', { owner: 'ops' }) cleanup() {}");
    const after = jobs(
      '  // Runs after the nightly import.\n\n  @Cron(\n    \'0 1 * * *\',\n    { owner: "ops" }, // same owner\n  )\n  cleanup() {}',
    );
    assert.deepEqual(diffJobs(before, after), []);
    const moved = after.map((job) => ({ ...job, file: 'src/maintenance.ts' }));
    assert.deepEqual(diffJobs(before, moved), []);
  });

  it('a name only in the new version is added, one only in the old is removed; a rename is both', () => {
    const before = jobs("  @Cron('0 1 * * *') cleanup() {}\n  @Cron('0 2 * * *') legacy() {}");
    const after = jobs("  @Cron('0 1 * * *') cleanup() {}\n  @Cron('0 2 * * *') archive() {}");
    assert.deepEqual(summary(before, after), ['added Reports.archive', 'removed Reports.legacy']);
  });

  it('rescheduled: the schedule, the zone, an every() anchor', () => {
    const before = jobs(
      "  @Cron('0 1 * * *') a() {}\n  @Cron('0 1 * * *') b() {}\n  @Job({ schedule: every('1h', { anchor: new Date('2026-01-01T00:15:00Z') }) }) c() {}",
      undefined,
      "import { Cron, Job, every } from '@tickwise/core';\n",
    );
    const after = jobs(
      "  @Cron('0 3 * * *') a() {}\n  @Cron('0 1 * * *', { timezone: 'Europe/Berlin' }) b() {}\n  @Job({ schedule: every('1h', { anchor: new Date('2026-01-01T00:45:00Z') }) }) c() {}",
      undefined,
      "import { Cron, Job, every } from '@tickwise/core';\n",
    );
    assert.deepEqual(summary(before, after), [
      'rescheduled Reports.a: schedule 0 1 * * * → 0 3 * * *',
      'rescheduled Reports.b: zone UTC → Europe/Berlin',
      'rescheduled Reports.c: anchor 2026-01-01T00:15:00.000Z → 2026-01-01T00:45:00.000Z',
    ]);
  });

  it('rescheduled: options that change when or whether it runs (overlap, jitter, catchUp, dayMatch, enabled, runOnStart)', () => {
    const before = jobs("  @Cron('0 1 * * *') a() {}");
    const after = jobs(
      "  @Cron('0 1 * * *', { overlap: 'buffer-one', jitter: '30s', catchUp: 'latest', dayMatch: 'and', enabled: false, runOnStart: true }) a() {}",
    );
    assert.deepEqual(summary(before, after), [
      'rescheduled Reports.a: dayMatch - → and; overlap - → buffer-one; catchUp - → latest; jitter - → 30s; enabled - → false; runOnStart - → true',
    ]);
  });

  it('options that change what a run does, not when (retry, timeout, lease, expect, description, runbook), are no change', () => {
    const before = jobs("  @Cron('0 1 * * *') a() {}");
    const after = jobs(
      "  @Cron('0 1 * * *', { retry: 3, timeout: '5m', lease: '1m', expect: { duration: '2m' }, description: 'Cleans up', runbook: 'https://runbooks/a' }) a() {}",
    );
    assert.deepEqual(diffJobs(before, after), []);
  });

  it('an option object is compared by value, not by the order of its keys', () => {
    const before = jobs("  @Cron('0 1 * * *', { catchUp: { policy: 'all', window: '1h' } }) a() {}");
    const same = jobs("  @Cron('0 1 * * *', { catchUp: { window: '1h', policy: 'all' } }) a() {}");
    const wider = jobs("  @Cron('0 1 * * *', { catchUp: { window: '2h', policy: 'all' } }) a() {}");
    assert.deepEqual(diffJobs(before, same), []);
    assert.deepEqual(summary(before, wider), [
      'rescheduled Reports.a: catchUp { policy: "all", window: "1h" } → { policy: "all", window: "2h" }',
    ]);
  });

  it('re-owned: the owner changed; a job both rescheduled and re-owned says both', () => {
    const before = jobs("  @Cron('0 1 * * *', { owner: 'ops' }) a() {}\n  @Cron('0 1 * * *', { owner: 'ops' }) b() {}");
    const after = jobs(
      "  @Cron('0 1 * * *', { owner: 'platform' }) a() {}\n  @Cron('0 2 * * *', { owner: process.env.OWNER }) b() {}",
    );
    assert.deepEqual(summary(before, after), [
      're-owned Reports.a: owner ops → platform',
      'rescheduled+re-owned Reports.b: schedule 0 1 * * * → 0 2 * * *; owner ops → (dynamic) process.env.OWNER',
    ]);
  });

  it('another library’s job is rescheduled when its version changes how the cron is read', () => {
    const nest = "import { Cron } from '@nestjs/schedule';\n";
    const before = jobs(
      "  @Cron('0 0 1 6 *', { timeZone: 'UTC' }) midyear() {}",
      { '@nestjs/schedule': '3.0.4' },
      nest,
    );
    const after = jobs("  @Cron('0 0 1 6 *', { timeZone: 'UTC' }) midyear() {}", { '@nestjs/schedule': '6.0.0' }, nest);
    assert.deepEqual(summary(before, after), [
      'rescheduled Reports.midyear: read as 0 0 0 1 7 * (cron@2 (@nestjs/schedule 3): months 0-11) → 0 0 0 1 6 * (cron@4 (@nestjs/schedule 6))',
    ]);
  });

  it('another library’s job: its options that change when it runs (disabled, waitForCompletion), its utcOffset, a move to Tickwise', () => {
    const nest = "import { Cron } from '@nestjs/schedule';\n";
    const before = jobs(
      "  @Cron('0 9 * * *', { timeZone: 'UTC' }) a() {}\n  @Cron('0 9 * * *', { utcOffset: 60 }) b() {}\n  @Cron('0 9 * * *', { timeZone: 'UTC' }) c() {}",
      undefined,
      nest,
    );
    const after = [
      ...jobs(
        "  @Cron('0 9 * * *', { timeZone: 'UTC', disabled: true, waitForCompletion: true }) a() {}\n  @Cron('0 9 * * *', { utcOffset: 120 }) b() {}",
        undefined,
        nest,
      ),
      ...jobs("  @Cron('0 9 * * *') c() {}"),
    ];
    assert.deepEqual(summary(before, after).sort(), [
      'rescheduled Reports.a: disabled - → true; waitForCompletion - → true',
      'rescheduled Reports.b: zone Etc/GMT-1 → Etc/GMT-2; utcOffset 60 → 120',
      'rescheduled Reports.c: library @nestjs/schedule → Tickwise',
    ]);
  });

  it('a name declared twice is matched in order of appearance', () => {
    const before = jobs("  @Cron('0 1 * * *', { name: 'twin' }) a() {}\n  @Cron('0 2 * * *', { name: 'twin' }) b() {}");
    const after = jobs("  @Cron('0 1 * * *', { name: 'twin' }) a() {}");
    const [removed] = diffJobs(before, after);
    assert.deepEqual(removed?.kinds, ['removed']);
    assert.equal(removed?.before?.schedule.dynamic === false && removed.before.schedule.text, '0 2 * * *');
  });
});

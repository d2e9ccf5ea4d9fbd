import assert from 'node:assert/strict';
import { analyzeSource, mayDeclareJobs } from '@tickwise/analyzer';
import { covered, fixture } from './helpers.js';

/** The fields people read in `tickwise list`, for compact expectations. */
function summary(file: string) {
  return fixture(file).analysis.jobs.map((job) => [
    job.name,
    job.framework,
    job.declaredWith,
    job.schedule.dynamic ? `dynamic:${job.schedule.expression}` : `${job.schedule.kind}:${job.schedule.text}`,
    typeof job.timezone === 'string' ? job.timezone : `dynamic:${job.timezone.dynamic}`,
  ]);
}

describe('discovery: decorators, add() calls and schedule objects', () => {
  it('finds @Cron, @Every and @Job with cron(), every() and at() from @tickwise/core', () => {
    assert.deepEqual(summary('src/reports.ts'), [
      ['Reports.dailyDigest', 'tickwise', 'Cron', 'cron:0 9 * * 1-5', 'Europe/Berlin'],
      ['Reports.heartbeat', 'tickwise', 'Every', 'every:90s', 'UTC'],
      ['reports.weekly', 'tickwise', 'Job', 'cron:30 6 * * 1', 'America/New_York'],
      ['Reports.hourlyAtQuarterPast', 'tickwise', 'Job', 'every:1h', 'UTC'],
      ['Reports.newYear', 'tickwise', 'Job', 'at:2027-01-01T00:00:00Z', 'UTC'],
    ]);
    const [digest, , , quarterPast] = fixture('src/reports.ts').analysis.jobs;
    assert.equal(quarterPast?.schedule.dynamic === false && quarterPast.schedule.anchor, '2026-01-01T00:15:00.000Z');
    assert.deepEqual(digest?.options, {
      owner: 'data-team',
      description: 'Daily revenue digest',
      runbook: 'Safe to rerun; see docs/digest.md',
      retry: { retries: 3 },
      timeout: '5m',
      overlap: 'skip',
    });
    assert.equal(digest?.owner, 'data-team');
    assert.equal(digest?.runbook, 'Safe to rerun; see docs/digest.md');
  });

  it('gives exact ranges: the decorator, the schedule and the method name', () => {
    const { text, analysis } = fixture('src/reports.ts');
    const digest = analysis.jobs[0];
    assert.ok(digest?.nameSpan);
    assert.equal(covered(text, digest.nameSpan), 'dailyDigest');
    assert.equal(covered(text, digest.scheduleSpan), "'0 9 * * 1-5'");
    assert.match(covered(text, digest.span), /^@Cron\('0 9 \* \* 1-5', \{[\s\S]*\}\)$/);
    assert.equal(digest.span.line, 4);
    assert.equal(digest.span.character, 2);
    const weekly = analysis.jobs[2];
    assert.ok(weekly?.nameSpan);
    assert.equal(covered(text, weekly.nameSpan), "'reports.weekly'");
    assert.equal(covered(text, weekly.scheduleSpan), "cron('30 6 * * 1', { timezone: 'America/New_York' })");
  });

  it('follows renamed imports and namespace imports', () => {
    assert.deepEqual(summary('src/aliases.ts'), [
      ['Aliased.backup', 'tickwise', 'Cron', 'cron:15 4 * * *', 'Australia/Sydney'],
      ['Aliased.poll', 'tickwise', 'Every', 'every:300000', 'UTC'],
    ]);
    assert.deepEqual(summary('src/namespace.ts'), [
      ['billing.monthly', 'tickwise', 'Cron', 'cron:0 0 1 * *', 'UTC'],
      ['namespaced.ping', 'tickwise', 'add', 'every:10m', 'UTC'],
    ]);
  });

  it('finds add() on a new Scheduler, an injected one (this.jobs) and a parameter typed Scheduler', () => {
    const { text, analysis } = fixture('src/add-calls.ts');
    assert.deepEqual(summary('src/add-calls.ts'), [
      ['cache.warm', 'tickwise', 'add', 'every:5m', 'UTC'],
      ['billing.sync', 'tickwise', 'add', 'cron:*/10 * * * *', 'UTC'],
    ]);
    const sync = analysis.jobs[1];
    assert.ok(sync?.nameSpan);
    assert.equal(covered(text, sync.nameSpan), "'billing.sync'");
    assert.deepEqual(sync.options, { retry: 2 });
  });

  it('resolves const identifiers, const objects and template strings in the same file', () => {
    assert.deepEqual(summary('src/constants.ts'), [
      ['FromConstants.nightly', 'tickwise', 'Cron', 'cron:0 3 * * *', 'Asia/Tokyo'],
      ['FromConstants.cleanup', 'tickwise', 'Cron', 'cron:*/15 * * * *', 'UTC'],
      ['FromConstants.lunch', 'tickwise', 'Cron', 'cron:0 12 * * *', 'Asia/Tokyo'],
    ]);
    assert.equal(fixture('src/constants.ts').analysis.jobs[0]?.owner, 'ops');
  });

  it('reports env vars, config calls and imported values as dynamic, never as errors', () => {
    assert.deepEqual(summary('src/dynamic.ts'), [
      ['Configured.fromEnv', 'tickwise', 'Cron', "dynamic:process.env.REPORT_CRON ?? '0 8 * * *'", 'UTC'],
      ['Configured.fromConfig', 'tickwise', 'Cron', "dynamic:config.get('jobs.sync')", 'dynamic:process.env.TZ'],
      ['Configured.imported', 'tickwise', 'Cron', 'dynamic:REMOTE_CRON', 'UTC'],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the job's name is this template, as written
      ['`job-${process.pid}`', 'tickwise', 'Job', "dynamic:every(process.env.EVERY ?? '5m')", 'UTC'],
      ['Configured.fromConfigKey', 'tickwise', 'Cron', "dynamic:{ config: 'reports.dailyCron' }", 'UTC'],
    ]);
    const { analysis } = fixture('src/dynamic.ts');
    assert.equal(analysis.jobs[3]?.nameIsDynamic, true);
    assert.deepEqual(analysis.diagnostics, []);
  });

  it('ignores look-alikes: a Cron from another module, add() on a Set', () => {
    assert.deepEqual(fixture('src/lookalikes.ts').analysis, { file: 'src/lookalikes.ts', jobs: [], diagnostics: [] });
    const text = "import { Cron } from 'cron-decorators';\nclass A { @Cron('0 25 * * *') m() {} }\n// @tickwise/core";
    assert.deepEqual(analyzeSource('a.ts', text).jobs, []);
  });

  it('keeps finding jobs around syntax errors in half-typed code', () => {
    assert.deepEqual(
      fixture('src/half-typed.ts').analysis.jobs.map((j) => j.name),
      ['HalfTyped.first', 'HalfTyped.second'],
    );
  });

  it('reads TSX and CommonJS (require with destructuring and as a namespace)', () => {
    assert.deepEqual(summary('src/widget.tsx'), [['SitemapJob.rebuild', 'tickwise', 'Cron', 'cron:0 5 * * *', 'UTC']]);
    assert.deepEqual(summary('src/worker.cjs'), [
      ['worker.flush', 'tickwise', 'add', 'every:30s', 'UTC'],
      ['worker.rotate', 'tickwise', 'add', 'cron:0 0 * * 0', 'UTC'],
    ]);
  });

  it('marks @Cron from @nestjs/schedule as such, with its name and timeZone options (legacy decorators)', () => {
    // Without timeZone, Nest runs a cron in the server's zone: the tests' TZ (Pacific/Chatham).
    assert.deepEqual(summary('src/legacy/nest-style.ts'), [
      ['nest.cleanup', 'nestjs', 'Cron', 'cron:0 */5 * * * *', 'Europe/Paris'],
      ['NestTasks.hourly', 'nestjs', 'Cron', 'cron:0 0-23/1 * * *', 'Pacific/Chatham'],
      ['NestTasks.migrated', 'tickwise', 'Every', 'every:1m', 'UTC'],
    ]);
  });

  it('prefilters by substring: files that name neither module are not parsed', () => {
    assert.equal(mayDeclareJobs("export const x = 'cron';"), false);
    assert.equal(mayDeclareJobs("import { CronJob } from 'cron';"), true);
    assert.equal(mayDeclareJobs("const cron = require('node-cron');"), true);
    assert.equal(mayDeclareJobs("import { Cron } from '@tickwise/core';"), true);
    assert.equal(mayDeclareJobs("import { Cron } from '@nestjs/schedule';"), true);
  });

  it('parses every supported extension: .ts .mts .cts .tsx .js .mjs .cjs .jsx', () => {
    const ts = "import { Cron } from '@tickwise/core';\nexport class A { @Cron('0 1 * * *') m() {} }\n";
    const js =
      "import { every } from '@tickwise/core';\nscheduler.add({ name: 'n', schedule: every('1m'), run() {} });\n";
    for (const name of ['a.ts', 'a.mts', 'a.cts', 'a.tsx']) assert.equal(analyzeSource(name, ts).jobs.length, 1, name);
    for (const name of ['a.js', 'a.mjs', 'a.cjs', 'a.jsx']) assert.equal(analyzeSource(name, js).jobs.length, 1, name);
  });
});

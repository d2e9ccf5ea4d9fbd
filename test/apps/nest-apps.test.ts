// Real Nest 11 and Nest 12 applications, built with tsc and booted with node (harness.ts): a plain
// @nestjs/schedule app (the codemod's "before"), a Tickwise app, and both modules in one app.
// Jobs run on real timers; every wait has a generous deadline and no test asserts a duration.

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AppEvent,
  type BuiltNestApp,
  buildNestApp,
  type NestAppProcess,
  type NestAppSpec,
  type NestMajor,
  nestLogLines,
} from './harness.js';
import { mixedApp, scheduleApp, tickwiseApp } from './sources.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const versions: NestMajor[] = [11, 12];
const kinds = { schedule: scheduleApp, tickwise: tickwiseApp, mixed: mixedApp } as const;
type Kind = keyof typeof kinds;

/** The events of `run` after the first event of type `type`. */
function eventsAfter(run: NestAppProcess, type: string): AppEvent[] {
  const at = run.events.findIndex((event) => event.type === type);
  return at < 0 ? [] : run.events.slice(at + 1);
}

/** Exited the way a Nest app with enableShutdownHooks() does: hooks run, then the signal is re-raised. */
function assertCleanExit(run: NestAppProcess, exit: { code: number | null; signal: NodeJS.Signals | null }) {
  assert.deepEqual(exit, { code: null, signal: 'SIGTERM' }, run.output);
  assert.equal(run.eventsOf('shutdown', { signal: 'SIGTERM' }).length, 1, 'onApplicationShutdown ran');
  assert.deepEqual(
    nestLogLines(run.output).filter((line) => line.level === 'ERROR' || line.level === 'FATAL'),
    [],
    'nothing logged at error',
  );
  assert.equal(run.eventsOf('boot-failed').length, 0);
}

describe('real Nest apps, built with tsc (decorator metadata) and booted with node', function () {
  // Building (tsc) and booting happen in before(); the tests then wait for events.
  this.timeout(120_000);
  const built: BuiltNestApp[] = [];
  const runs = new Map<string, NestAppProcess>();
  const run = (nest: NestMajor, kind: Kind | 'tickwise-esm' | 'tickwise-quiet') =>
    runs.get(`${nest} ${kind}`) as NestAppProcess;

  before(function () {
    this.timeout(600_000);
    // Each app boots as soon as it is built, so it starts up while the next one compiles.
    for (const nest of versions) {
      for (const [kind, files] of Object.entries(kinds) as [Kind, Record<string, string>][]) {
        const spec: NestAppSpec = { nest, name: kind, files };
        const app = buildNestApp(spec);
        built.push(app);
        runs.set(`${nest} ${kind}`, app.boot(kind === 'tickwise' ? { env: { TERM_AFTER_RUNS: '3' } } : {}));
      }
    }
    // The same build booted again, with Nest's levels set as an app that hides debug lines does.
    const tickwise = built.find((app) => app.spec.nest === 12 && app.spec.name === 'tickwise') as BuiltNestApp;
    runs.set('12 tickwise-quiet', tickwise.boot({ env: { TERM_AFTER_RUNS: '2', NEST_LOG_LEVELS: 'log,warn,error' } }));
    const esm = buildNestApp({ nest: 12, name: 'tickwise-esm', files: tickwiseApp, format: 'esm' });
    built.push(esm);
    runs.set('12 tickwise-esm', esm.boot({ env: { TERM_AFTER_RUNS: '2' } }));
  });

  after(async () => {
    await Promise.all(built.map((app) => app.dispose()));
  });

  for (const nest of versions) {
    describe(`Nest ${nest}`, () => {
      it(`boots on @nestjs/core ${nest}.x, and the app and @tickwise/nestjs load the same copy of Nest`, async () => {
        const nestDir = join(root, ...(nest === 12 ? ['test', 'apps', 'nest12'] : []), 'node_modules', '@nestjs');
        for (const kind of Object.keys(kinds) as Kind[]) {
          const [ready] = await run(nest, kind).waitFor('ready');
          assert.equal(String(ready.nest).split('.')[0], String(nest), kind);
          assert.equal(ready.format, 'commonjs', `${kind}: built as Nest's starter builds`);
          assert.equal(ready.nestCoreFromTickwise, ready.nestCore, `${kind}: one @nestjs/core`);
          const packages = ready.requiredNestPackages as string[];
          const stray = packages.filter((dir) => dirname(dir) !== nestDir);
          assert.deepEqual(stray, [], `${kind}: every @nestjs package from ${nestDir}`);
        }
      });

      describe('(a) a plain @nestjs/schedule app (the baseline before the codemod)', () => {
        it('runs its @Cron, @Interval and @Timeout jobs, and a job added through the injected SchedulerRegistry', async () => {
          const app = run(nest, 'schedule');
          await app.waitFor('fired', { job: 'legacy-cron' }, { count: 2 });
          await app.waitFor('fired', { job: 'legacy-interval' }, { count: 3 });
          await app.waitFor('fired', { job: 'legacy-timeout' });
          await app.waitFor('fired', { job: 'legacy-dynamic' }, { count: 2 });
          const [registry] = await app.waitFor('registry');
          assert.deepEqual(registry.crons, ['legacy-cron']);
          assert.ok((registry.intervals as string[]).includes('legacy-interval'));
          assert.equal(app.eventsOf('fired', { job: 'legacy-timeout' }).length, 1, 'a @Timeout runs once');
        });

        it('shuts down cleanly on SIGTERM', async () => {
          const app = run(nest, 'schedule');
          assertCleanExit(app, await app.stop('SIGTERM'));
        });
      });

      describe('(b) a Tickwise app (TickwiseModule.forRoot, @Every and @Cron from @tickwise/core)', () => {
        it('runs its @Every and @Cron jobs, with the injected Scheduler', async () => {
          const app = run(nest, 'tickwise');
          const pulses = await app.waitFor('fired', { job: 'tickwise-every' }, { count: 2 });
          await app.waitFor('fired', { job: 'tickwise-cron' }, { count: 2 });
          assert.deepEqual(
            pulses.map((pulse) => pulse.instanceId),
            ['harness-app', 'harness-app'],
            'the instanceId given to forRoot()',
          );
          assert.ok(pulses.every((pulse) => new Date(String(pulse.tick)).getUTCMilliseconds() === 0));
        });

        it('logs each successful run at DEBUG through Nest, and the scheduler start and stop at LOG', async () => {
          const app = run(nest, 'tickwise');
          await app.exited;
          const lines = nestLogLines(app.output).filter((line) => line.context === 'Tickwise');
          const succeeded = lines.filter((line) => / succeeded /.test(line.message));
          assert.ok(succeeded.length >= 4, app.output);
          assert.deepEqual(new Set(succeeded.map((line) => line.level)), new Set(['DEBUG']));
          assert.deepEqual(
            lines.filter((line) => /^tickwise: scheduler (started|stopped)/.test(line.message)).map((l) => l.level),
            ['LOG', 'LOG'],
          );
        });

        it('on SIGTERM during a run: the run finishes (its signal not aborted) before onApplicationShutdown, nothing starts after, the process exits cleanly', async () => {
          const app = run(nest, 'tickwise');
          // The third drain run sends SIGTERM to its own process while it runs (TERM_AFTER_RUNS=3).
          const exit = await app.exited;
          assertCleanExit(app, exit);
          assert.deepEqual(
            app.eventsOf('drain:end').map((event) => [event.run, event.aborted]),
            [
              [1, false],
              [2, false],
              [3, false],
            ],
          );
          assert.deepEqual(
            app.eventsOf('drain:start').map((event) => event.run),
            [1, 2, 3],
            'no run started after SIGTERM',
          );
          const afterShutdown = eventsAfter(app, 'shutdown');
          assert.deepEqual(afterShutdown, [], 'no job ran after onApplicationShutdown');
          assert.match(app.output, /tickwise: scheduler stopped \{"stillRunning":\[\]\}/);
          const stopped = app.events.findIndex((event) => event.type === 'drain:end' && event.run === 3);
          const shutdown = app.events.findIndex((event) => event.type === 'shutdown');
          assert.ok(stopped < shutdown, 'the running job finished before onApplicationShutdown');
        });
      });

      if (nest === 12) {
        it("(b) with the app's Nest log levels set to log, warn and error, no per-run line is printed; the jobs still run", async () => {
          const app = run(12, 'tickwise-quiet');
          await app.waitFor('fired', { job: 'tickwise-every' }, { count: 2 });
          assertCleanExit(app, await app.exited);
          const lines = nestLogLines(app.output).filter((line) => line.context === 'Tickwise');
          assert.deepEqual(
            lines.map((line) => `${line.level} ${line.message.split(' {')[0]}`),
            ['LOG tickwise: scheduler started', 'LOG tickwise: scheduler stopped'],
          );
        });

        it('(b) the Tickwise app built as an ES module ("type": "module") runs its jobs and shuts down cleanly', async () => {
          const app = run(12, 'tickwise-esm');
          assert.equal((await app.waitFor('ready'))[0].format, 'esm');
          await app.waitFor('fired', { job: 'tickwise-every' }, { count: 2 });
          await app.waitFor('fired', { job: 'tickwise-cron' }, { count: 2 });
          assertCleanExit(app, await app.exited);
          assert.deepEqual(
            app.eventsOf('drain:end').map((event) => [event.run, event.aborted]),
            [
              [1, false],
              [2, false],
            ],
          );
        });
      }

      describe('(c) an app with both ScheduleModule.forRoot() and TickwiseModule.forRoot()', () => {
        it('runs the jobs of both libraries', async () => {
          const app = run(nest, 'mixed');
          await app.waitFor('fired', { job: 'legacy-cron' }, { count: 2 });
          await app.waitFor('fired', { job: 'legacy-interval' }, { count: 3 });
          await app.waitFor('fired', { job: 'legacy-dynamic' }, { count: 2 });
          await app.waitFor('fired', { job: 'tickwise-every' }, { count: 2 });
          await app.waitFor('fired', { job: 'tickwise-cron' }, { count: 2 });
        });

        it('shuts down cleanly on SIGTERM; no Tickwise job runs after onApplicationShutdown', async () => {
          const app = run(nest, 'mixed');
          assertCleanExit(app, await app.stop('SIGTERM'));
          const tickwiseAfter = eventsAfter(app, 'shutdown').filter(
            (event) => String(event.job).startsWith('tickwise-') || event.type.startsWith('drain:start'),
          );
          assert.deepEqual(tickwiseAfter, []);
          assert.deepEqual(
            app.eventsOf('drain:end').filter((event) => event.aborted),
            [],
            'a run in progress at SIGTERM finished unaborted',
          );
        });
      });
    });
  }
});

describe('the Nest app harness', () => {
  it("fails the build with tsc's diagnostics when the app does not type-check, and leaves no run directory", () => {
    const files = { 'app.module.ts': "export class AppModule {}\nexport const port: number = '3000';\n" };
    let dir = '';
    assert.throws(
      () => {
        dir = buildNestApp({ nest: 11, name: 'type-error', files }).dir;
      },
      (error: Error) =>
        /tsc failed for test\/apps\/nest11\/\.run-.*type-error/.test(error.message) && /TS2322/.test(error.message),
    );
    assert.equal(dir, '');
    const left = readdirSync(join(root, 'test', 'apps', 'nest11')).filter((name) => name.includes('type-error'));
    assert.deepEqual(left, []);
  });
});

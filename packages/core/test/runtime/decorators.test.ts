import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { JobDefinitionError, Scheduler } from '@tickwise/core';
import { VirtualClock } from '@tickwise/core/testing';
import ts from 'typescript';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', '.tmp');

type Flavour = 'standard' | 'legacy';

/** Compiles TypeScript source with the real compiler, as an app would, and imports the result. */
async function compileAndImport(name: string, source: string, flavour: Flavour): Promise<Record<string, unknown>> {
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      experimentalDecorators: flavour === 'legacy',
      emitDecoratorMetadata: flavour === 'legacy',
      useDefineForClassFields: true,
    },
  });
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${name}-${flavour}-${process.pid}.mjs`);
  writeFileSync(file, outputText);
  return import(pathToFileURL(file).href);
}

const JOBS = `
import { Cron, Every, Job, every } from '@tickwise/core';
export const calls: string[] = [];
export class Reports {
  prefix = 'r';
  @Cron('*/5 * * * *', { owner: 'data-team', description: 'digest' })
  async digest(ctx: any) { calls.push(this.prefix + ':digest:' + ctx.scheduledAt.toISOString().slice(11, 16)); }
  @Every('10m', { name: 'custom-name' })
  sync(ctx: any) { calls.push(this.prefix + ':sync'); }
  @Job({ schedule: every('15m'), timeout: '1m' })
  cleanup() { calls.push(this.prefix + ':cleanup'); }
  notAJob() {}
}
export class Derived extends Reports { override prefix = 'd'; }
`;

for (const flavour of ['standard', 'legacy'] as const) {
  describe(`decorators (${flavour === 'standard' ? 'TC39 standard' : 'experimentalDecorators'}, compiled by TypeScript)`, () => {
    it('register() adds every decorated method, bound to the instance, named Class.method by default', async () => {
      const mod = await compileAndImport('jobs', JOBS, flavour);
      const clock = new VirtualClock('2026-01-05T00:00:00Z');
      const scheduler = new Scheduler({ clock, env: {} });
      const infos = scheduler.register(new (mod.Reports as new () => object)());
      assert.deepEqual(
        infos.map((i) => [i.name, i.schedule, i.owner]),
        [
          ['Reports.digest', '*/5 * * * *', 'data-team'],
          ['custom-name', '10m', undefined],
          ['Reports.cleanup', '15m', undefined],
        ],
      );
      await scheduler.start();
      await clock.advance('15m');
      assert.deepEqual(mod.calls, ['r:digest:00:05', 'r:digest:00:10', 'r:sync', 'r:digest:00:15', 'r:cleanup']);
      await scheduler.stop();
    });

    it('a subclass inherits decorated methods and uses its own class name', async () => {
      const mod = await compileAndImport('jobs-derived', JOBS, flavour);
      const scheduler = new Scheduler({ clock: new VirtualClock(), env: {} });
      const infos = scheduler.register(new (mod.Derived as new () => object)());
      assert.deepEqual(
        infos.map((i) => i.name),
        ['Derived.digest', 'custom-name', 'Derived.cleanup'],
      );
    });

    const misuse: [string, string][] = [
      ['a property', `class A { @Cron('* * * * *') field = 1; }`],
      ['a getter', `class A { @Cron('* * * * *') get value() { return 1; } }`],
      ['a static method', `class A { @Cron('* * * * *') static tick() {} }`],
    ];
    if (flavour === 'standard') {
      // experimentalDecorators cannot decorate #private at all: tsc rejects it (test/types).
      it('on a #private method is a NOT_A_METHOD error at class definition that says why', async () => {
        const source = `import { Cron } from '@tickwise/core';\nexport class A { @Cron('* * * * *') #tick() {} }`;
        await assert.rejects(compileAndImport('misuse-private', source, flavour), (error: unknown) => {
          assert.ok(error instanceof JobDefinitionError, String(error));
          assert.equal(error.code, 'NOT_A_METHOD');
          assert.match(error.message, /@Cron cannot decorate the private method '#tick': register\(\) finds jobs/);
          return true;
        });
      });
    }
    for (const [what, body] of misuse) {
      it(`on ${what} is a NOT_A_METHOD error at class definition`, async () => {
        const source = `import { Cron } from '@tickwise/core';\nexport ${body}`;
        await assert.rejects(
          compileAndImport(`misuse-${what.replace(/\s/g, '-')}`, source, flavour),
          (error: unknown) => {
            assert.ok(error instanceof JobDefinitionError, String(error));
            assert.equal(error.code, 'NOT_A_METHOD');
            assert.match(error.message, /@Cron can only decorate an instance method of a class/);
            return true;
          },
        );
      });
    }
  });
}

describe('registration errors name the job', () => {
  const clock = () => new VirtualClock();

  it('duplicate job names', () => {
    const scheduler = new Scheduler({ clock: clock(), env: {} });
    scheduler.add({ name: 'a', schedule: '* * * * *', run: () => {} });
    assert.throws(() => scheduler.add({ name: 'a', schedule: '* * * * *', run: () => {} }), {
      code: 'DUPLICATE_JOB',
      message: "Job 'a': a job with this name is already registered; give one of them { name }",
    });
  });

  it('an invalid schedule keeps the ScheduleError (with its range) as the cause', () => {
    const scheduler = new Scheduler({ clock: clock(), env: {} });
    try {
      scheduler.add({ name: 'nightly', schedule: '0 25 * * *', run: () => {} });
      assert.fail('expected an error');
    } catch (error) {
      assert.ok(error instanceof JobDefinitionError);
      assert.equal(error.code, 'INVALID_SCHEDULE');
      assert.equal(error.job, 'nightly');
      assert.equal(error.message, "Job 'nightly': Invalid schedule '0 25 * * *': hour 25 is out of range 0-23");
      assert.deepEqual([(error.cause as { start: number }).start, (error.cause as { end: number }).end], [2, 4]);
    }
  });

  it('an unknown time zone', () => {
    const scheduler = new Scheduler({ clock: clock(), env: {} });
    assert.throws(() => scheduler.add({ name: 'z', schedule: '0 9 * * *', timezone: 'Europe/Berln', run: () => {} }), {
      code: 'INVALID_SCHEDULE',
      message: /unknown time zone 'Europe\/Berln'/,
    });
  });

  it('an unknown option suggests the right one', () => {
    const scheduler = new Scheduler({ clock: clock(), env: {} });
    assert.throws(() => scheduler.add({ name: 'u', schedule: '* * * * *', run: () => {}, retires: 3 } as never), {
      code: 'UNKNOWN_OPTION',
      message: "Job 'u': unknown option 'retires' (did you mean 'retry'?)",
    });
  });

  const absurd: [string, Record<string, unknown>, RegExp][] = [
    ['negative timeout', { timeout: -5 }, /timeout: duration -5 must be more than 0/],
    ['zero timeout', { timeout: '0s' }, /timeout: duration 0s must be more than 0/],
    ['a year-long timeout', { timeout: '365d' }, /timeout 365d is out of range/],
    ['a thousand retries', { retry: 1000 }, /retry must be a whole number from 0 to 100, got 1000/],
    ['fractional retries', { retry: { retries: 1.5 } }, /retry.retries must be a whole number/],
    [
      'maxTimeout below minTimeout',
      { retry: { retries: 1, minTimeout: '1m', maxTimeout: '1s' } },
      /maxTimeout .* is less than/,
    ],
    [
      'an unknown overlap policy',
      { overlap: 'queue' },
      /overlap must be one of 'skip', 'buffer-one', 'buffer-all', 'cancel-other', 'allow', got 'queue'/,
    ],
    ['an unknown catch-up policy', { catchUp: 'some' }, /catchUp.policy must be one of 'none', 'latest', 'all'/],
    ['a sub-second lease', { lease: '10ms' }, /lease 10ms is out of range/],
    ['a non-string owner', { owner: 42 }, /owner must be a string/],
  ];
  for (const [what, options, message] of absurd) {
    it(`rejects ${what}`, () => {
      const scheduler = new Scheduler({ clock: clock(), env: {} });
      assert.throws(
        () => scheduler.add({ name: 'x', schedule: '* * * * *', run: () => {}, ...options }),
        (error: unknown) => {
          assert.ok(error instanceof JobDefinitionError);
          assert.equal(error.code, 'INVALID_OPTION');
          assert.match(error.message, /^Job 'x': /);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  it('register() of an object without decorated methods says so', () => {
    const scheduler = new Scheduler({ clock: clock(), env: {} });
    class Plain {
      work() {}
    }
    assert.throws(() => scheduler.register(new Plain()), /Plain has no @Cron, @Every or @Job methods/);
  });

  it('a bad definition leaves the scheduler unchanged', () => {
    const scheduler = new Scheduler({ clock: clock(), env: {} });
    assert.throws(() => scheduler.add({ name: '', schedule: '* * * * *', run: () => {} }), { code: 'INVALID_OPTION' });
    assert.throws(() => scheduler.add({ name: 'r', schedule: '* * * * *', run: 'nope' as never }), {
      code: 'INVALID_OPTION',
    });
    assert.deepEqual(scheduler.jobs(), []);
  });
});

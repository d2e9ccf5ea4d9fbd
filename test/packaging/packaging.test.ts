import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// These tests load the built package (dist/), as users do; `npm test` builds first.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'packages', 'core', 'dist');

function node(args: string[]): string {
  // No tickwise-source condition here: the child resolves @tickwise/core like an app would.
  return execFileSync(process.execPath, args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
}

describe('packaging of @tickwise/core', () => {
  before(() => {
    if (!existsSync(join(dist, 'index.js'))) {
      throw new Error('packages/core/dist is missing: run `npm run build` (npm test does it for you)');
    }
  });

  it('loads from a CommonJS app with require()', () => {
    const out = node([
      '-e',
      `const { cron, Scheduler, Cron } = require('@tickwise/core');
       const { VirtualClock } = require('@tickwise/core/testing');
       const s = new Scheduler({ clock: new VirtualClock(), env: {} });
       s.add({ name: 'x', schedule: cron('0 * * * *'), run() {} });
       console.log(typeof Cron, s.jobs()[0].nextRun.toISOString());`,
    ]);
    assert.equal(out.trim(), 'function 2026-01-01T01:00:00.000Z');
  });

  it('importing it does not load @opentelemetry/api (loaded lazily, once an SDK or a provider is there)', () => {
    // The API's CommonJS build goes through the CommonJS loader even from import, so require.cache shows it.
    const out = node([
      '--input-type=module',
      '-e',
      `import { createRequire } from 'node:module';
       const otel = () => Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes('@opentelemetry')).length;
       await import('@tickwise/core');
       const without = otel();
       await import('@opentelemetry/api');
       console.log(without, otel() > 0);`,
    ]);
    assert.equal(out.trim(), '0 true');
  });

  it('loads from an ES module app with import', () => {
    const out = node([
      '--input-type=module',
      '-e',
      `import { every } from '@tickwise/core';
       import { validateSchedule } from '@tickwise/core/schedule';
       console.log(every('5m').describe(), validateSchedule('0 25 * * *')[0].code);`,
    ]);
    assert.equal(out.trim(), 'Every 5 minutes TW103');
  });

  /**
   * The source modules an entry point loads: dist/ is esbuild's bundle (one file per entry point,
   * shared code in dist/chunks/), which marks each source module it holds with a `// src/…`
   * comment. Follows the relative imports from the entry's file, failing on any package import not
   * in `packages` (by default only `node:module`, whose createRequire loads cronstrue and the
   * OpenTelemetry API lazily).
   */
  const sourcesLoadedBy = (entry: string, packages: readonly string[] = ['node:module']): string[] => {
    const files = new Set<string>();
    const sources = new Set<string>();
    const visit = (file: string) => {
      if (files.has(file)) return;
      files.add(file);
      const text = readFileSync(file, 'utf8');
      for (const [, source] of text.matchAll(/^\/\/ src\/(\S+\.ts)$/gm)) sources.add(source as string);
      for (const [, specifier] of text.matchAll(/(?:from|import)\s*['"]([^'"]+)['"]/g)) {
        if (!specifier?.startsWith('.')) {
          assert.ok(packages.includes(specifier as string), `${entry} imports '${specifier}'`);
          continue;
        }
        visit(resolve(dirname(file), specifier));
      }
    };
    visit(join(dist, entry));
    return [...sources].sort();
  };

  it('dist/ is one file per entry point plus shared chunks, not a file per source module', () => {
    const all = sourcesLoadedBy('index.js', ['node:module', 'node:crypto', 'node:os', 'p-retry', 'is-network-error']);
    assert.ok(all.includes('runtime/scheduler.ts') && all.length > 40, `${all.length} source modules`);
    const files = readdirSync(dist, { recursive: true }).filter((f) => String(f).endsWith('.js'));
    const manifest = JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8')) as { exports: object };
    const entryPoints = Object.keys(manifest.exports).filter((key) => key !== './package.json').length;
    // At most one shared chunk per entry point, and far fewer files than source modules.
    assert.ok(
      files.length <= 2 * entryPoints && 4 * files.length < all.length,
      `${files.length} JavaScript files in dist/ for ${entryPoints} entry points and ${all.length} source modules: ${files.join(', ')}`,
    );
  });

  it("'@tickwise/core/schedule' pulls in no runtime code", () => {
    const sources = sourcesLoadedBy(join('schedule', 'index.js'));
    assert.deepEqual(
      sources.filter((f) => !f.startsWith('schedule/')),
      [],
    );
    assert.ok(sources.length > 5);
  });

  it("'@tickwise/core/options' loads only the option checks, their errors and the schedule model", () => {
    const outside = sourcesLoadedBy(join('options', 'index.js')).filter(
      (f) => !f.startsWith('schedule/') && !f.startsWith('options/'),
    );
    assert.deepEqual(outside, ['runtime/errors.ts']);
  });

  it("'@tickwise/core/store-tests' (the store contract kit) loads no runtime code, only node:assert", () => {
    const sources = sourcesLoadedBy(join('store-tests', 'index.js'), ['node:assert/strict']);
    assert.deepEqual(
      sources.filter((f) => !f.startsWith('store-tests/')),
      [],
    );
    assert.ok(sources.includes('store-tests/harness.ts'), sources.join(', '));
  });

  it('the store contract kit registers its cases through the describe and it it is given', () => {
    const out = node([
      '--input-type=module',
      '-e',
      `import { storeContract } from '@tickwise/core/store-tests';
       const names = [];
       let depth = 0;
       const describe = (name, body) => { depth++; body(); depth--; };
       const it = (name, body) => names.push([depth, typeof body]);
       storeContract(() => { throw new Error('no case runs here'); }, { describe, it });
       const withWipe = [];
       storeContract(() => null, { describe, it: (name) => withWipe.push(name), wipe: async () => {} });
       console.log(names.length > 30, names.every(([d, t]) => d === 1 && t === 'function'), withWipe.length - names.length);`,
    ]);
    assert.equal(out.trim(), 'true true 2');
  });

  it('ships type declarations for every entry point', () => {
    for (const entry of [
      'index.d.ts',
      'schedule/index.d.ts',
      'options/index.d.ts',
      'testing/index.d.ts',
      'store-tests/index.d.ts',
    ]) {
      assert.ok(existsSync(join(dist, entry)), entry);
    }
    assert.ok(readdirSync(dist).length > 0);
  });
});

describe('packaging of @tickwise/nestjs', () => {
  it('loads from a CommonJS Nest app with require() (Nest 11 apps are CommonJS)', () => {
    const out = node([
      '-e',
      `const { TickwiseModule, nestLogger } = require('@tickwise/nestjs');
       const { TickwiseHealthIndicator } = require('@tickwise/nestjs/terminus');
       const mod = TickwiseModule.forRoot();
       console.log(mod.module === TickwiseModule, typeof nestLogger().info, typeof TickwiseHealthIndicator);`,
    ]);
    assert.equal(out.trim(), 'true function function');
  });
});

describe('version', () => {
  it('the telemetry scope version matches package.json', async () => {
    const { VERSION } = await import('../../packages/core/src/version.js');
    const pkg = JSON.parse(readFileSync(join(root, 'packages', 'core', 'package.json'), 'utf8')) as { version: string };
    assert.equal(VERSION, pkg.version);
  });
});

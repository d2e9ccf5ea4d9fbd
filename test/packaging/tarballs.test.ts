import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The published packages as users get them: `npm pack` each one, check what the tarball holds,
// extract the tarballs into a throwaway node_modules (inside the repository, so third-party
// dependencies resolve from the root node_modules as they would from an app's), and compile
// consumer projects against them with the repository's tsc under every module resolution a
// TypeScript user may have: node10 (`module: commonjs`), node16, nodenext (ESM and CommonJS
// files) and bundler; and once with `"types": []` (TypeScript 6's default), so the declarations
// must not need @types/node. `npm test` builds dist/ first.

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

const PACKAGES = ['core', 'redis', 'postgres', 'nestjs', 'analyzer', 'toad-scheduler'] as const;
type Name = (typeof PACKAGES)[number];

interface PackageJson {
  name: string;
  license?: string;
  keywords?: string[];
  homepage?: string;
  bugs?: { url?: string };
  repository?: { type?: string; url?: string; directory?: string };
  types?: string;
  main?: string;
  dependencies?: Record<string, string>;
  imports?: Record<string, string | Record<string, string>>;
  bin?: Record<string, string>;
  exports: Record<string, string | Record<string, string>>;
  typesVersions?: Record<string, Record<string, string[]>>;
}

interface Packed {
  pkg: PackageJson;
  files: string[];
  unpackedSize: number;
  tarball: string;
}

const manifest = (name: Name): PackageJson =>
  JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')) as PackageJson;

/** Every import specifier a package offers: the root and each subpath of its exports map. */
const specifiers = (pkg: PackageJson): string[] =>
  Object.keys(pkg.exports)
    .filter((key) => key !== './package.json')
    .map((key) => (key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`));

let work: string;
const packed = new Map<Name, Packed>();

function compile(dir: string, files: Record<string, string>, compilerOptions: Record<string, unknown>): string[] {
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, target: 'es2022', ...compilerOptions },
      files: Object.keys(files).filter((f) => /\.[cm]?ts$/.test(f)),
    }),
  );
  const result = spawnSync(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.includes('error TS'));
}

/**
 * A consumer importing every entry point of the given packages. Each import must resolve to real
 * types: if a module resolved to `any`, the `@ts-expect-error` below it would be unused (TS2578).
 */
function consumer(names: readonly Name[], style: 'esm' | 'cjs'): string {
  const lines: string[] = [];
  let i = 0;
  for (const name of names) {
    for (const specifier of specifiers(packed.get(name)?.pkg ?? manifest(name))) {
      i++;
      lines.push(
        style === 'esm' ? `import * as m${i} from '${specifier}';` : `import m${i} = require('${specifier}');`,
        '// @ts-expect-error: a module namespace is not a number (unused if the module resolved to any)',
        `export const n${i}: number = m${i};`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

describe('the published tarballs', function () {
  this.timeout(240_000);

  before(() => {
    mkdirSync(join(root, '.tmp'), { recursive: true });
    work = mkdtempSync(join(root, '.tmp', 'packaging-'));
    for (const name of PACKAGES) {
      const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
        cwd: join(root, 'packages', name),
        encoding: 'utf8',
        env: { ...process.env, npm_config_loglevel: 'error' },
      });
      const [info] = JSON.parse(out) as { filename: string; unpackedSize: number; files: { path: string }[] }[];
      assert.ok(info);
      const target = join(work, 'node_modules', '@tickwise', name);
      mkdirSync(target, { recursive: true });
      execFileSync('tar', ['-xzf', join(work, info.filename), '-C', target, '--strip-components=1']);
      packed.set(name, {
        pkg: JSON.parse(readFileSync(join(target, 'package.json'), 'utf8')) as PackageJson,
        files: info.files.map((f) => f.path),
        unpackedSize: info.unpackedSize,
        tarball: info.filename,
      });
    }
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  for (const name of PACKAGES) {
    it(`@tickwise/${name}: README, LICENSE, package.json and dist; no src/ and no source maps`, () => {
      const { files } = packed.get(name) as Packed;
      for (const file of ['README.md', 'LICENSE', 'package.json', 'dist/index.js', 'dist/index.d.ts']) {
        assert.ok(files.includes(file), `${file} is missing from the tarball`);
      }
      assert.deepEqual(
        files.filter((f) => f.startsWith('src/') || f.endsWith('.map') || f.includes('.test.')),
        [],
      );
      assert.match(readFileSync(join(root, 'packages', name, 'LICENSE'), 'utf8'), /^MIT License/);
    });

    it(`@tickwise/${name}: license, repository (with directory), homepage, bugs and keywords`, () => {
      const { pkg } = packed.get(name) as Packed;
      assert.equal(pkg.license, 'MIT');
      assert.equal(pkg.repository?.type, 'git');
      assert.match(pkg.repository?.url ?? '', /^git\+https:\/\/github\.com\/.+\.git$/);
      assert.equal(pkg.repository?.directory, `packages/${name}`);
      assert.match(pkg.homepage ?? '', /^https:\/\//);
      assert.match(pkg.bugs?.url ?? '', /^https:\/\/.+\/issues$/);
      assert.ok((pkg.keywords ?? []).length >= 3);
    });

    it(`@tickwise/${name}: every file the exports map, typesVersions, main, types and bin name is in the tarball`, () => {
      const { pkg, files } = packed.get(name) as Packed;
      const targets = new Set<string>();
      for (const value of Object.values(pkg.exports)) {
        if (typeof value === 'string') targets.add(value);
        // tickwise-source points at src/ for this repository's own tests only (docs/decisions.md).
        else
          for (const [condition, target] of Object.entries(value))
            if (condition !== 'tickwise-source') targets.add(target);
      }
      for (const paths of Object.values(pkg.typesVersions ?? {}))
        for (const list of Object.values(paths)) for (const t of list) targets.add(t);
      for (const t of [pkg.main, pkg.types, ...Object.values(pkg.bin ?? {})]) if (t) targets.add(t);
      for (const target of targets) assert.ok(files.includes(target.replace(/^\.\//, '')), `${target} is not shipped`);
      // Each subpath has a typesVersions entry, so node10 resolution finds its types.
      const subpaths = Object.keys(pkg.exports).filter((k) => k !== '.' && k !== './package.json');
      assert.deepEqual(Object.keys(pkg.typesVersions?.['*'] ?? {}).sort(), subpaths.map((k) => k.slice(2)).sort());
    });
  }

  it("@tickwise/core ships cronstrue's English build and its licence instead of installing every cronstrue locale", () => {
    const { pkg, files } = packed.get('core') as Packed;
    assert.equal(pkg.dependencies?.cronstrue, undefined, 'cronstrue is not an install-time dependency');
    for (const file of ['dist/schedule/cronstrue.cjs', 'dist/schedule/cronstrue.LICENSE']) {
      assert.ok(files.includes(file), `${file} is missing from the tarball`);
    }
    const target = pkg.imports?.['#cronstrue'];
    assert.equal(typeof target === 'object' ? target.default : target, './dist/schedule/cronstrue.cjs');
    const licence = readFileSync(
      join(work, 'node_modules', '@tickwise', 'core', 'dist', 'schedule', 'cronstrue.LICENSE'),
      'utf8',
    );
    assert.match(licence, /MIT License/);
  });

  it('describe() works in an app outside this repository that has only what @tickwise/core declares', () => {
    // Outside the repository, so nothing resolves from its node_modules (where cronstrue is installed).
    const app = mkdtempSync(join(tmpdir(), 'tickwise-app-'));
    try {
      const modules = join(app, 'node_modules');
      cpSync(join(work, 'node_modules', '@tickwise', 'core'), join(modules, '@tickwise', 'core'), { recursive: true });
      // Core's dependencies and theirs, copied from the repository's node_modules (as npm would install them).
      const queue = Object.keys((packed.get('core') as Packed).pkg.dependencies ?? {});
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        if (existsSync(join(modules, name))) continue;
        const from = join(root, 'node_modules', name);
        cpSync(from, join(modules, name), { recursive: true });
        const dependencies = (JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as PackageJson).dependencies;
        queue.push(...Object.keys(dependencies ?? {}));
      }
      assert.ok(!existsSync(join(modules, 'cronstrue')));
      const script = `
        import { createRequire } from 'node:module';
        import { cron, every } from '@tickwise/core';
        console.log(cron('30 9 * * 1-5', { timezone: 'Europe/Berlin' }).describe());
        console.log(every('5m').describe());
        console.log(Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes('cronstrue')).join(','));`;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: app,
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '' },
      });
      assert.deepEqual(out.trim().split('\n'), [
        'At 09:30, Monday through Friday (Europe/Berlin)',
        'Every 5 minutes',
        join(modules, '@tickwise', 'core', 'dist', 'schedule', 'cronstrue.cjs'),
      ]);
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });

  // 455 KB before the fleet view (its store contract, status, controls, HTTP routes and web page
  // added ~145 KB of JavaScript and declarations): docs/decisions.md, "Package size".
  it('@tickwise/core unpacks to under 650 KB of its own (no src/, maps or tests)', () => {
    const { unpackedSize } = packed.get('core') as Packed;
    assert.ok(unpackedSize < 650_000, `@tickwise/core unpacks to ${unpackedSize} bytes`);
  });

  it('every entry point of every tarball loads with import() and require()', () => {
    const entries = PACKAGES.flatMap((name) => specifiers((packed.get(name) as Packed).pkg));
    const script = `
      const { createRequire } = require('node:module');
      const req = createRequire(process.cwd() + '/');
      (async () => {
        for (const s of ${JSON.stringify(entries)}) {
          const viaImport = await import(s);
          const viaRequire = req(s);
          if (Object.keys(viaImport).length === 0 || Object.keys(viaRequire).length === 0) throw new Error(s + ' is empty');
          const file = req.resolve(s);
          if (!file.startsWith(${JSON.stringify(join(work, 'node_modules'))})) throw new Error(s + ' resolved to ' + file);
        }
        console.log('loaded', ${entries.length});
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const out = execFileSync(process.execPath, ['-e', script], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    assert.equal(out.trim(), `loaded ${entries.length}`);
  });

  const resolutions: { title: string; files: () => Record<string, string>; options: Record<string, unknown> }[] = [
    {
      title: 'module commonjs (moduleResolution node10)',
      files: () => ({ 'consumer.ts': consumer(PACKAGES, 'cjs') }),
      options: { module: 'commonjs', moduleResolution: 'node10', esModuleInterop: true, ignoreDeprecations: '6.0' },
    },
    {
      title: 'module node16, an ES module',
      files: () => ({ 'consumer.mts': consumer(PACKAGES, 'esm') }),
      options: { module: 'node16', moduleResolution: 'node16' },
    },
    {
      title: 'module nodenext, an ES module and a CommonJS file',
      files: () => ({ 'consumer.mts': consumer(PACKAGES, 'esm'), 'consumer.cts': consumer(PACKAGES, 'cjs') }),
      options: { module: 'nodenext', moduleResolution: 'nodenext' },
    },
    {
      title: 'moduleResolution bundler',
      files: () => ({ 'consumer.ts': consumer(PACKAGES, 'esm') }),
      options: { module: 'esnext', moduleResolution: 'bundler' },
    },
  ];
  for (const { title, files, options } of resolutions) {
    it(`a TypeScript project with ${title} resolves the types of every entry point`, () => {
      const dir = join(work, `consumer-${String(options.moduleResolution)}`);
      const errors = compile(dir, files(), { ...options, types: ['node'] });
      assert.deepEqual(errors, []);
    });
  }

  it('the declarations compile without @types/node ("types": [], skipLibCheck off)', () => {
    // NestJS's own declarations need @types/node (Buffer, stream), so @tickwise/nestjs is checked
    // for errors in its own files only; every other package must compile with no error at all.
    const others = PACKAGES.filter((n) => n !== 'nestjs');
    const errors = compile(
      join(work, 'consumer-no-node-types'),
      { 'consumer.mts': consumer(others, 'esm') },
      {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        types: [],
      },
    );
    assert.deepEqual(errors, []);
    const nest = compile(
      join(work, 'consumer-no-node-types-nest'),
      { 'consumer.mts': consumer(['nestjs'], 'esm') },
      {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        types: [],
      },
    );
    assert.deepEqual(
      nest.filter((line) => line.includes('@tickwise/') || line.startsWith('consumer')),
      [],
    );
  });
});

// Resolves the module specifiers of imported constants to files of the workspace, through a host
// (the CLI: the file system; the editor: a cache filled through workspace.fs). Relative
// specifiers as TypeScript's bundler resolution finds sources (./x -> x.ts, x.tsx, x/index.ts;
// ./x.js -> x.ts). Bare specifiers naming a package of the workspace (the root package.json's
// `workspaces` globs, or pnpm-workspace.yaml) go to that package's source entry (see
// packageEntries); any other bare specifier is node_modules, where the analyzer stops and says so.

import type { ImportResolver } from './cross-file.js';

export interface ResolveHost {
  /** A file's text; null when there is none; undefined when not known yet (the editor reads it later). */
  read(path: string): string | null | undefined;
  /** The names of a directory's subdirectories; null when it is not one; undefined when not known yet. */
  directories(path: string): readonly string[] | null | undefined;
  dirname(path: string): string;
  /** Joins and normalises ('..' and '.'). */
  join(directory: string, ...parts: string[]): string;
  /** An absolute path for a file name as the analysis names it (e.g. relative to the working directory). */
  absolute(file: string): string;
}

const SUFFIXES = ['', '.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '/index.ts', '/index.tsx', '/index.js'];
const TS_SOURCE = /\.(ts|tsx|mts|cts)$/;
const DECLARATION = /\.d\.(ts|mts|cts)$/;
const BUILD_DIR = /^(dist|build|lib|out)\//;
const MAX_GLOB_DEPTH = 5;

// biome-ignore lint/suspicious/noExplicitAny: manifests are read as untyped JSON.
type Json = Record<string, any>;

function parseJson(text: string | null | undefined): Json | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The `packages:` list of a pnpm-workspace.yaml (block or flow style), read as text. */
export function pnpmWorkspaceGlobs(text: string): string[] {
  const globs: string[] = [];
  let inPackages = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, '');
    if (/^\S/.test(line)) {
      inPackages = /^packages\s*:/.test(line);
      const flow = /^packages\s*:\s*\[(.*)\]/.exec(line);
      if (flow) for (const item of (flow[1] as string).split(',')) globs.push(unquote(item));
      continue;
    }
    const item = inPackages ? /^\s*-\s*(.+)$/.exec(line) : null;
    if (item) globs.push(unquote(item[1] as string));
  }
  return globs.filter((g) => g !== '');
}

const unquote = (s: string) => s.trim().replace(/^(['"])(.*)\1$/, '$2');

/** The workspace globs declared in `directory` (package.json `workspaces`, pnpm-workspace.yaml), if any. */
function workspaceGlobs(host: ResolveHost, directory: string): string[] | undefined {
  const pnpm = host.read(host.join(directory, 'pnpm-workspace.yaml'));
  if (pnpm) return pnpmWorkspaceGlobs(pnpm);
  const manifest = parseJson(host.read(host.join(directory, 'package.json')));
  const workspaces = manifest?.workspaces;
  const list = Array.isArray(workspaces)
    ? workspaces
    : Array.isArray(workspaces?.packages)
      ? workspaces.packages
      : undefined;
  return list?.filter((g: unknown): g is string => typeof g === 'string');
}

function segmentPattern(segment: string): RegExp {
  return new RegExp(
    `^${segment
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')}$`,
  );
}

/** The directories a workspace glob matches (`packages/*`, `apps/**`, `tools/cli`); never node_modules or hidden ones. */
function expandGlob(host: ResolveHost, root: string, glob: string): string[] {
  const segments = glob.replace(/^\.\//, '').replace(/\/+$/, '').split('/').filter(Boolean);
  const out: string[] = [];
  const children = (dir: string) =>
    (host.directories(dir) ?? []).filter((name) => name !== 'node_modules' && !name.startsWith('.'));
  const walk = (dir: string, index: number, depth: number): void => {
    if (depth > MAX_GLOB_DEPTH + segments.length) return;
    const segment = segments[index];
    if (segment === undefined) {
      out.push(dir);
      return;
    }
    if (segment === '**') {
      walk(dir, index + 1, depth);
      for (const child of children(dir)) walk(host.join(dir, child), index, depth + 1);
    } else if (segment.includes('*') || segment.includes('?')) {
      const pattern = segmentPattern(segment);
      for (const child of children(dir)) if (pattern.test(child)) walk(host.join(dir, child), index + 1, depth + 1);
    } else if (segment !== 'node_modules') {
      const next = host.join(dir, segment);
      if (host.directories(next)) walk(next, index + 1, depth + 1);
    }
  };
  walk(root, 0, 0);
  return out;
}

/** Package name -> directory, for the workspace declared in `root`. */
export function workspacePackages(host: ResolveHost, root: string, globs: readonly string[]): Map<string, string> {
  const included = new Set<string>();
  for (const glob of globs)
    if (!glob.startsWith('!')) for (const dir of expandGlob(host, root, glob)) included.add(dir);
  for (const glob of globs)
    if (glob.startsWith('!')) for (const dir of expandGlob(host, root, glob.slice(1))) included.delete(dir);
  const packages = new Map<string, string>();
  for (const dir of included) {
    const name = parseJson(host.read(host.join(dir, 'package.json')))?.name;
    if (typeof name === 'string' && !packages.has(name)) packages.set(name, dir);
  }
  return packages;
}

/** Every string target of an `exports` value (conditions in their order, nested conditions depth first). */
function targetsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(targetsOf);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(targetsOf);
  return [];
}

/** The `exports` entry for a subpath ('.' or './x'), with `./*` patterns. */
function exportsEntry(exports: unknown, subpath: string): string[] {
  if (exports === undefined || exports === null) return [];
  const key = subpath === '' ? '.' : `./${subpath}`;
  if (typeof exports === 'string' || Array.isArray(exports)) return key === '.' ? targetsOf(exports) : [];
  if (typeof exports !== 'object') return [];
  const record = exports as Record<string, unknown>;
  const keys = Object.keys(record);
  if (!keys.some((k) => k.startsWith('.'))) return key === '.' ? targetsOf(record) : [];
  if (Object.hasOwn(record, key)) return targetsOf(record[key]);
  for (const pattern of keys) {
    const star = pattern.indexOf('*');
    if (star < 0) continue;
    const prefix = pattern.slice(0, star);
    const suffix = pattern.slice(star + 1);
    if (key.startsWith(prefix) && key.endsWith(suffix) && key.length >= prefix.length + suffix.length) {
      const match = key.slice(prefix.length, key.length - suffix.length);
      return targetsOf(record[pattern]).map((t) => t.replaceAll('*', match));
    }
  }
  return [];
}

/**
 * The files to try for `subpath` of a workspace package, in order. A TypeScript source wins over
 * built output, which may be missing or stale (and the scan skips it): the `exports`/`source`/
 * `types` targets that are TS sources; the same path under src/ for a target in dist/, build/,
 * lib/ or out/ (dist/index.js -> src/index.ts); src/index.ts; and only then the JavaScript targets
 * (`exports`, `module`, `main`). Targets outside the package are ignored.
 */
export function packageEntries(host: ResolveHost, dir: string, manifest: Json, subpath: string): string[] {
  const inside = (target: string) => {
    const path = host.join(dir, target);
    const within = path.length > dir.length && path.startsWith(dir) && /[\\/]/.test(path[dir.length] as string);
    return within && !path.split(/[\\/]/).includes('node_modules') ? path : undefined;
  };
  const declared =
    subpath === ''
      ? [
          ...exportsEntry(manifest.exports, ''),
          ...['source', 'types', 'typings', 'module', 'main']
            .map((k) => manifest[k])
            .filter((v) => typeof v === 'string'),
        ]
      : exportsEntry(manifest.exports, subpath);
  const relative = declared.map((t) => t.replace(/^\.\//, ''));
  const sources = relative.filter((t) => TS_SOURCE.test(t) && !DECLARATION.test(t));
  const mapped = relative
    .filter((t) => BUILD_DIR.test(t))
    .flatMap((t) => {
      const stem = t.replace(BUILD_DIR, 'src/').replace(/\.d\.(ts|mts|cts)$|\.(m|c)?js$/, '');
      return ['.ts', '.tsx', '.mts', '.cts'].map((s) => stem + s);
    });
  const defaults =
    subpath === ''
      ? ['src/index.ts', 'src/index.tsx', 'src/index.mts', 'index.ts']
      : [...SUFFIXES.map((s) => `src/${subpath}${s}`), ...SUFFIXES.map((s) => `${subpath}${s}`)];
  const scripts = relative.filter((t) => /\.(m|c)?jsx?$/.test(t));
  const fallback = subpath === '' ? ['index.js'] : [];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const target of [...sources, ...mapped, ...defaults, ...scripts, ...fallback]) {
    const path = inside(target);
    if (path && !seen.has(path)) {
      seen.add(path);
      out.push(path);
    }
  }
  return out;
}

/** 'pkg/sub/path' -> ['pkg', 'sub/path']; '@scope/pkg/x' -> ['@scope/pkg', 'x']. */
function splitSpecifier(specifier: string): [string, string] {
  const parts = specifier.split('/');
  const take = specifier.startsWith('@') ? 2 : 1;
  return [parts.slice(0, take).join('/'), parts.slice(take).join('/')];
}

/** A resolver over a host; what it learns about workspace roots and packages is kept for its lifetime. */
export function createImportResolver(host: ResolveHost): ImportResolver {
  const rootOf = new Map<string, string | null>();
  const packagesOf = new Map<string, Map<string, string>>();
  const workspaceFor = (directory: string): Map<string, string> | undefined => {
    const chain: string[] = [];
    let root: string | null | undefined;
    for (let dir = directory; ; dir = host.dirname(dir)) {
      root = rootOf.get(dir);
      if (root !== undefined) break;
      chain.push(dir);
      if (!dir.split(/[\\/]/).includes('node_modules')) {
        const globs = workspaceGlobs(host, dir);
        if (globs) {
          packagesOf.set(dir, workspacePackages(host, dir, globs));
          root = dir;
          break;
        }
      }
      if (host.dirname(dir) === dir) {
        root = null;
        break;
      }
    }
    for (const d of chain) rootOf.set(d, root);
    return root ? packagesOf.get(root) : undefined;
  };
  const firstFile = (candidates: readonly string[], specifier: string) => {
    for (const candidate of candidates) {
      if (candidate.split(/[\\/]/).includes('node_modules'))
        return { reason: `imported from node_modules ('${specifier}')` };
      const text = host.read(candidate);
      if (typeof text === 'string') return { file: candidate, text };
    }
    return undefined;
  };
  return (fromFile, specifier) => {
    const from = host.absolute(fromFile);
    if (specifier.startsWith('.') || specifier.startsWith('/')) {
      const base = host.join(host.dirname(from), specifier);
      const stem = base.replace(/\.(m|c)?js$/, '');
      const found = firstFile([...SUFFIXES.map((s) => base + s), ...SUFFIXES.slice(1).map((s) => stem + s)], specifier);
      return found ?? { reason: `imported from '${specifier}' (file not found)` };
    }
    const [name, subpath] = splitSpecifier(specifier);
    const dir = specifier.startsWith('node:') ? undefined : workspaceFor(host.dirname(from))?.get(name);
    if (dir === undefined) return { reason: `imported from node_modules ('${specifier}')` };
    const manifest = parseJson(host.read(host.join(dir, 'package.json'))) ?? {};
    const found = firstFile(packageEntries(host, dir, manifest, subpath), specifier);
    return found ?? { reason: `imported from workspace package '${name}' (no source file for '${specifier}')` };
  };
}

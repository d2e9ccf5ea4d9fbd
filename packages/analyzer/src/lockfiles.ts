// The versions of @nestjs/schedule and cron an app installs, decided from files it reads through
// a host (the CLI: the file system; the editor: workspace.fs, ahead of time, into a cache): the
// copy installed where Node would resolve it (node_modules from the package upwards; its
// package.json is read, never its code), else the nearest lockfile's resolved version
// (package-lock.json, yarn.lock v1 and berry, pnpm-lock.yaml v5-v9, read as text, minimally),
// else the declared range. @nestjs/schedule < 4 runs cron@2, whose months count from 0.

import type { LibraryVersions } from './library-semantics.js';

export interface VersionHost {
  /** A file's text; null when there is none; undefined when not known yet (the editor reads it later). */
  read(path: string): string | null | undefined;
  dirname(path: string): string;
  join(directory: string, ...parts: string[]): string;
  /** `to` relative to `from`, with '/' separators ('' when equal). */
  relative(from: string, to: string): string;
}

const NAMES = ['@nestjs/schedule', 'cron'] as const;
const LOCKFILES = ['package-lock.json', 'pnpm-lock.yaml', 'yarn.lock'] as const;

// biome-ignore lint/suspicious/noExplicitAny: manifests and lockfiles are read as untyped JSON.
type Json = Record<string, any>;

function parseJson(text: string | null | undefined): Json | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The declared range of a dependency in a manifest. */
function declaredIn(manifest: Json, name: string): string | undefined {
  for (const key of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
    const range = manifest[key]?.[name];
    if (typeof range === 'string') return range;
  }
  return undefined;
}

/** The version of the copy of `name` that Node resolves from `directory`, from its package.json. */
function installedVersion(host: VersionHost, directory: string, name: string): string | undefined {
  for (let dir = directory; ; dir = host.dirname(dir)) {
    const text = host.read(host.join(dir, 'node_modules', name, 'package.json'));
    if (text) {
      const version = parseJson(text)?.version;
      return typeof version === 'string' ? version : undefined;
    }
    if (host.dirname(dir) === dir) return undefined;
  }
}

interface Lock {
  /** The resolved version of `name` for the package at `importer` ('' is the lockfile's directory). */
  version(name: string, importer: string, declared: string | undefined): string | undefined;
  /** The version of cron that @nestjs/schedule `nestVersion` depends on. */
  nestedCron(nestVersion: string): string | undefined;
}

// ---- package-lock.json (v1-v3) ----

function npmLock(text: string): Lock | undefined {
  const lock = parseJson(text);
  if (!lock) return undefined;
  const entry = (path: string): string | undefined => {
    const version = lock.packages?.[path]?.version;
    return typeof version === 'string' ? version : undefined;
  };
  return {
    version: (name, importer) =>
      (importer ? entry(`${importer}/node_modules/${name}`) : undefined) ??
      entry(`node_modules/${name}`) ??
      (typeof lock.dependencies?.[name]?.version === 'string' ? lock.dependencies[name].version : undefined),
    nestedCron: () =>
      entry('node_modules/@nestjs/schedule/node_modules/cron') ??
      lock.dependencies?.['@nestjs/schedule']?.dependencies?.cron?.version,
  };
}

// ---- YAML-ish line readers shared by yarn.lock and pnpm-lock.yaml ----

interface Line {
  indent: number;
  text: string;
}

function linesOf(text: string): Line[] {
  const out: Line[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    out.push({ indent: raw.length - raw.trimStart().length, text: trimmed });
  }
  return out;
}

const unquote = (s: string) => s.trim().replace(/^(['"])(.*)\1$/, '$2');

/** 'key: value' / 'key "value"' / 'key:' -> [key, value] (value '' for a block). */
function keyValue(text: string): [string, string] {
  let key: string;
  let rest: string;
  if (text.startsWith('"') || text.startsWith("'")) {
    const end = text.indexOf(text[0] as string, 1);
    key = text.slice(1, end);
    rest = text.slice(end + 1);
  } else {
    const match = /^([^\s:]+(?::[^\s:]+)*?)(?::\s|:$|\s)/.exec(`${text} `);
    key = match ? (match[1] as string) : text;
    rest = text.slice(key.length);
  }
  return [key, unquote(rest.replace(/^:/, ''))];
}

/** The lines below `index` indented deeper than it. */
function blockAfter(lines: readonly Line[], index: number): Line[] {
  const base = lines[index]?.indent ?? 0;
  const out: Line[] = [];
  for (let i = index + 1; i < lines.length; i++) {
    const line = lines[i];
    if (line === undefined || line.indent <= base) break;
    out.push(line);
  }
  return out;
}

/** A resolved version without pnpm's peer suffix ('4.0.2(@nestjs/common@10)', '2.2.0_abc'), or undefined. */
function cleanVersion(value: string | undefined): string | undefined {
  const version = value ? unquote(value).replace(/^npm:(?:.*@)?/, '') : '';
  const match = /^\d+\.\d+\.\d+[^\s(_]*/.exec(version);
  return match ? match[0] : undefined;
}

// ---- yarn.lock (v1 and berry) ----

function yarnLock(text: string): Lock {
  interface Entry {
    keys: string[];
    version?: string;
    dependencies: Map<string, string>;
  }
  const entries: Entry[] = [];
  let current: Entry | undefined;
  let inDependencies = false;
  for (const line of linesOf(text)) {
    if (line.indent === 0) {
      if (!line.text.endsWith(':')) {
        current = undefined;
        continue;
      }
      const keys = line.text
        .slice(0, -1)
        .split(',')
        .map((k) => unquote(k));
      current = { keys, dependencies: new Map() };
      entries.push(current);
      inDependencies = false;
    } else if (current) {
      const [key, value] = keyValue(line.text);
      if (line.indent <= 2) {
        inDependencies = key === 'dependencies' && value === '';
        if (key === 'version') current.version = value;
      } else if (inDependencies) {
        current.dependencies.set(key, value);
      }
    }
  }
  /** 'cron@^2.0.0', '@nestjs/schedule@npm:^4.0.0' -> [name, range]. */
  const split = (key: string): [string, string] => {
    const at = key.indexOf('@', 1);
    return at < 0 ? [key, ''] : [key.slice(0, at), key.slice(at + 1).replace(/^npm:/, '')];
  };
  const find = (name: string, range: string | undefined): string | undefined => {
    const named = entries.filter((e) => e.keys.some((k) => split(k)[0] === name));
    const exact = range === undefined ? undefined : named.find((e) => e.keys.some((k) => split(k)[1] === range));
    const versions = new Set(named.map((e) => e.version));
    return cleanVersion((exact ?? (versions.size === 1 ? named[0] : undefined))?.version);
  };
  return {
    version: (name, _importer, declared) => find(name, declared),
    nestedCron: (nestVersion) => {
      const nest = entries.find(
        (e) => e.keys.some((k) => split(k)[0] === '@nestjs/schedule') && cleanVersion(e.version) === nestVersion,
      );
      const range = nest?.dependencies.get('cron');
      return range === undefined ? undefined : find('cron', range.replace(/^npm:/, ''));
    },
  };
}

// ---- pnpm-lock.yaml (v5: 'name: 1.2.3_peer'; v6+: specifier/version blocks; importers for workspaces) ----

function pnpmLock(text: string): Lock {
  const lines = linesOf(text);
  const top = (key: string) => lines.findIndex((l) => l.indent === 0 && keyValue(l.text)[0] === key);
  /** The version of `name` among the dependency sections of a block (an importer, or the top level). */
  const inBlock = (block: readonly Line[], name: string): string | undefined => {
    const sectionIndent = block[0]?.indent ?? 0;
    let inSection = false;
    for (const [i, line] of block.entries()) {
      const [key, value] = keyValue(line.text);
      if (line.indent === sectionIndent) {
        inSection = /^(dev|optional)?[dD]ependencies$/.test(key);
        continue;
      }
      if (!inSection || key !== name || line.indent > sectionIndent + 2) continue;
      if (value) return cleanVersion(value);
      for (const inner of blockAfter(block, i)) {
        const [k, v] = keyValue(inner.text);
        if (k === 'version') return cleanVersion(v);
      }
    }
    return undefined;
  };
  return {
    version: (name, importer) => {
      const importers = top('importers');
      if (importers >= 0) {
        const block = blockAfter(lines, importers);
        const want = importer || '.';
        const index = block.findIndex((l) => l.indent === block[0]?.indent && keyValue(l.text)[0] === want);
        if (index >= 0) return inBlock(blockAfter(block, index), name);
        return undefined;
      }
      // A single project (v5/v6): dependency sections at the top level.
      const sections: Line[] = [];
      let keep = false;
      for (const line of lines) {
        if (line.indent === 0) keep = /^(dev|optional)?[dD]ependencies$/.test(keyValue(line.text)[0]);
        if (keep) sections.push(line);
      }
      return inBlock(sections, name);
    },
    nestedCron: (nestVersion) => {
      const header = new RegExp(`^/?@nestjs/schedule[@/]${nestVersion.replace(/\./g, '\\.')}(?:$|[(_])`);
      for (const section of ['snapshots', 'packages']) {
        const start = top(section);
        if (start < 0) continue;
        const block = blockAfter(lines, start);
        for (const [i, line] of block.entries()) {
          if (line.indent !== block[0]?.indent || !header.test(keyValue(line.text)[0])) continue;
          let inDependencies = false;
          for (const inner of blockAfter(block, i)) {
            const [k, v] = keyValue(inner.text);
            if (inner.indent === line.indent + 2) inDependencies = k === 'dependencies';
            else if (inDependencies && k === 'cron') return cleanVersion(v);
          }
        }
      }
      return undefined;
    },
  };
}

/** Parsed lockfiles by path, re-parsed when their text changes. */
const parsedLocks = new Map<string, { text: string; lock: Lock | undefined }>();

function lockOf(path: string, text: string): Lock | undefined {
  const cached = parsedLocks.get(path);
  if (cached && cached.text === text) return cached.lock;
  const lock = path.endsWith('.json') ? npmLock(text) : path.endsWith('.yaml') ? pnpmLock(text) : yarnLock(text);
  if (parsedLocks.size > 50) parsedLocks.clear();
  parsedLocks.set(path, { text, lock });
  return lock;
}

/** The nearest lockfile at or above `directory`, with the directory that holds it. */
function nearestLock(host: VersionHost, directory: string): { lock: Lock; directory: string } | undefined {
  for (let dir = directory; ; dir = host.dirname(dir)) {
    for (const name of LOCKFILES) {
      const path = host.join(dir, name);
      const text = host.read(path);
      if (text) {
        const lock = lockOf(path, text);
        if (lock) return { lock, directory: dir };
      }
    }
    if (host.dirname(dir) === dir) return undefined;
  }
}

/** The versions declared by the package.json in `directory` (undefined when it has none). */
export function versionsInPackage(host: VersionHost, directory: string): LibraryVersions | undefined {
  const manifest = parseJson(host.read(host.join(directory, 'package.json')));
  if (!manifest) return undefined;
  const found: LibraryVersions = {};
  let lock: ReturnType<typeof nearestLock> | null = null;
  const locked = () => {
    lock ??= nearestLock(host, directory);
    return lock;
  };
  for (const name of NAMES) {
    const declared = declaredIn(manifest, name);
    const fromLock = () => {
      const l = locked();
      return l?.lock.version(name, host.relative(l.directory, directory), declared);
    };
    // A package-lock names hoisted copies even when only a dependency declares them (Nest's cron).
    if (declared === undefined) continue;
    const version = installedVersion(host, directory, name) ?? fromLock() ?? declared;
    if (version) found[name] = version;
  }
  // Nest brings its own cron: without a direct dependency, @nestjs/schedule's decides.
  const nest = found['@nestjs/schedule'];
  if (!found.cron && nest) {
    const installedNest = installedVersion(host, directory, '@nestjs/schedule');
    const nested = host.read(
      host.join(directory, 'node_modules', '@nestjs/schedule', 'node_modules', 'cron', 'package.json'),
    );
    const nestedVersion = parseJson(nested)?.version;
    const exact = cleanVersion(installedNest ?? nest);
    const cron =
      (typeof nestedVersion === 'string' ? nestedVersion : undefined) ??
      (exact ? locked()?.lock.nestedCron(exact) : undefined);
    if (cron) found.cron = cron;
  }
  return found;
}

/**
 * The versions for a file: from the nearest directory (upwards) whose package.json names either
 * library. `cache` (by directory) may be shared between calls while the files do not change.
 */
export function libraryVersionsOf(
  host: VersionHost,
  file: string,
  cache?: Map<string, LibraryVersions>,
): LibraryVersions {
  const chain: string[] = [];
  let directory = host.dirname(file);
  let result: LibraryVersions | undefined;
  for (;;) {
    const cached = cache?.get(directory);
    if (cached) {
      result = cached;
      break;
    }
    chain.push(directory);
    const here = versionsInPackage(host, directory);
    if (here && Object.keys(here).length > 0) {
      result = here;
      break;
    }
    const parent = host.dirname(directory);
    if (parent === directory) break;
    directory = parent;
  }
  const versions = result ?? {};
  if (cache) for (const d of chain) cache.set(d, versions);
  return versions;
}

// Finding the source files under the given paths: skips node_modules, build output, hidden
// directories and whatever .gitignore files (at any level) and the config exclude.

import { type Dirent, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { SOURCE_EXTENSIONS } from '../parse.js';
import type { TickwiseConfig } from './config.js';
import { UsageError } from './usage-error.js';

/** Directories never worth reading: dependencies and build output. */
const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set([
  'node_modules',
  'dist',
  'build',
  'out',
  'coverage',
  'bower_components',
  'jspm_packages',
]);

const EXTENSIONS: ReadonlySet<string> = new Set(SOURCE_EXTENSIONS);

function isSourceFile(name: string): boolean {
  if (name.endsWith('.d.ts') || name.endsWith('.d.mts') || name.endsWith('.d.cts')) return false;
  return EXTENSIONS.has(extname(name).toLowerCase());
}

/** A .gitignore and the directory its patterns are relative to. */
interface IgnoreLayer {
  base: string;
  rules: Ignore;
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

export interface ScanOptions {
  cwd: string;
  config?: TickwiseConfig;
}

/**
 * The source files under `paths` (files named explicitly are always included), as absolute paths
 * in a stable order. Throws UsageError for a path that does not exist.
 */
export function findSourceFiles(paths: readonly string[], options: ScanOptions): string[] {
  const cwd = resolve(options.cwd);
  const include = options.config?.include?.length ? ignore().add(options.config.include) : undefined;
  const exclude = ignore().add(options.config?.exclude ?? []);
  const found = new Set<string>();

  const configExcludes = (absolute: string, directory: boolean): boolean => {
    const rel = toPosix(relative(cwd, absolute));
    if (rel === '' || rel.startsWith('..')) return false;
    return exclude.ignores(directory ? `${rel}/` : rel);
  };
  const gitIgnores = (layers: IgnoreLayer[], absolute: string, directory: boolean): boolean =>
    layers.some((layer) => {
      const rel = toPosix(relative(layer.base, absolute));
      return rel !== '' && !rel.startsWith('..') && layer.rules.ignores(directory ? `${rel}/` : rel);
    });

  const walk = (directory: string, layers: IgnoreLayer[]): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(directory, { withFileTypes: true });
    } catch {
      return; // An unreadable directory is skipped, like git does.
    }
    let scoped = layers;
    if (entries.some((e) => e.name === '.gitignore' && e.isFile())) {
      try {
        scoped = [
          ...layers,
          { base: directory, rules: ignore().add(readFileSync(join(directory, '.gitignore'), 'utf8')) },
        ];
      } catch {
        // An unreadable .gitignore ignores nothing.
      }
    }
    for (const entry of entries) {
      const absolute = join(directory, entry.name);
      if (entry.isDirectory()) {
        if (entry.name.startsWith('.') || SKIPPED_DIRECTORIES.has(entry.name)) continue;
        if (configExcludes(absolute, true) || gitIgnores(scoped, absolute, true)) continue;
        walk(absolute, scoped);
      } else if (entry.isFile() && isSourceFile(entry.name)) {
        if (configExcludes(absolute, false) || gitIgnores(scoped, absolute, false)) continue;
        if (include && !include.ignores(toPosix(relative(cwd, absolute)))) continue;
        found.add(absolute);
      }
    }
  };

  // .gitignore files above a scanned directory (up to cwd) apply too.
  const ancestorLayers = (directory: string): IgnoreLayer[] => {
    const layers: IgnoreLayer[] = [];
    let current = directory;
    const chain: string[] = [];
    while (current.startsWith(cwd)) {
      chain.unshift(current);
      if (current === cwd) break;
      current = resolve(current, '..');
    }
    for (const dir of chain.slice(0, -1)) {
      try {
        layers.push({ base: dir, rules: ignore().add(readFileSync(join(dir, '.gitignore'), 'utf8')) });
      } catch {
        // none here
      }
    }
    return layers;
  };

  for (const path of paths.length > 0 ? paths : ['.']) {
    const absolute = resolve(cwd, path);
    let stats: ReturnType<typeof statSync>;
    try {
      stats = statSync(absolute);
    } catch {
      throw new UsageError(`path '${path}' does not exist`);
    }
    if (stats.isDirectory()) walk(absolute, ancestorLayers(absolute));
    else if (isSourceFile(absolute)) found.add(absolute);
    else throw new UsageError(`'${path}' is not a TypeScript or JavaScript file (${SOURCE_EXTENSIONS.join(', ')})`);
  }
  return [...found].sort();
}

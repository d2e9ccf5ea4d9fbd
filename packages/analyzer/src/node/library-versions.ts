// The versions of @nestjs/schedule and cron an app installs, for the package.json nearest a file
// that names either: the copy installed where Node would resolve it (node_modules from there
// upwards; its package.json is read, never its code), else package-lock.json's resolved version,
// else the declared range. Cached per directory. They decide the dialect: @nestjs/schedule < 4 runs cron@2, whose months count from 0.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LibraryVersions } from '../library-semantics.js';

const NAMES = ['@nestjs/schedule', 'cron'] as const;
const byDirectory = new Map<string, LibraryVersions>();

// biome-ignore lint/suspicious/noExplicitAny: lockfiles and manifests are read as untyped JSON.
type Json = Record<string, any>;

function readJson(path: string): Json | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The version of the copy of `name` that Node resolves from `directory`, read from its package.json. */
function installedVersion(directory: string, name: string): string | undefined {
  for (let dir = directory; ; dir = dirname(dir)) {
    const manifest = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) {
      const version = readJson(manifest)?.version;
      return typeof version === 'string' ? version : undefined;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function versionsIn(directory: string): LibraryVersions | undefined {
  const manifest = existsSync(join(directory, 'package.json')) ? readJson(join(directory, 'package.json')) : undefined;
  if (!manifest) return undefined;
  const found: LibraryVersions = {};
  const lock = existsSync(join(directory, 'package-lock.json'))
    ? readJson(join(directory, 'package-lock.json'))
    : undefined;
  for (const name of NAMES) {
    const locked = lock?.packages?.[`node_modules/${name}`]?.version;
    const declared =
      manifest.dependencies?.[name] ?? manifest.devDependencies?.[name] ?? manifest.peerDependencies?.[name];
    if (typeof declared !== 'string' && typeof locked !== 'string') continue;
    const version = installedVersion(directory, name) ?? (typeof locked === 'string' ? locked : declared);
    if (version) found[name] = version;
  }
  // Nest brings its own cron: without a direct dependency, @nestjs/schedule's decides.
  const nested = lock?.packages?.['node_modules/@nestjs/schedule/node_modules/cron']?.version;
  if (!found.cron && typeof nested === 'string') found.cron = nested;
  return found;
}

/** The versions for a file: from the nearest directory (upwards) whose package.json names either library. */
export function libraryVersionsFor(file: string): LibraryVersions {
  const chain: string[] = [];
  let directory = dirname(file);
  let result: LibraryVersions | undefined;
  for (;;) {
    const cached = byDirectory.get(directory);
    if (cached) {
      result = cached;
      break;
    }
    chain.push(directory);
    const here = versionsIn(directory);
    if (here && Object.keys(here).length > 0) {
      result = here;
      break;
    }
    const parent = dirname(directory);
    if (parent === directory) break;
    directory = parent;
  }
  const versions = result ?? {};
  for (const d of chain) byDirectory.set(d, versions);
  return versions;
}

// The versions of @nestjs/schedule and cron for a file, read from the file system (installed
// copy, lockfile, declared range: see ../lockfiles.ts). Cached per directory for the run.

import { readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { LibraryVersions } from '../library-semantics.js';
import { libraryVersionsOf, type VersionHost } from '../lockfiles.js';

const byDirectory = new Map<string, LibraryVersions>();

const host: VersionHost = {
  read(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return null;
    }
  },
  dirname,
  join,
  relative: (from, to) => relative(from, to).split(sep).join('/'),
};

/** The versions for a file: from the nearest directory (upwards) whose package.json names either library. */
export function libraryVersionsFor(file: string): LibraryVersions {
  return libraryVersionsOf(host, file, byDirectory);
}

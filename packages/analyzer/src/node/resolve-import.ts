// The file-system host of the import resolver (../import-resolution.ts): relative imports and
// workspace packages, read from disk with a per-run cache.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { ImportResolver } from '../cross-file.js';
import { createImportResolver } from '../import-resolution.js';

/** A resolver for files under `cwd` (file names given relative to it), with a per-run cache of reads. */
export function workspaceResolver(cwd: string): ImportResolver {
  const texts = new Map<string, string | null>();
  const dirs = new Map<string, string[] | null>();
  return createImportResolver({
    read(path) {
      let text = texts.get(path);
      if (text === undefined) {
        text = null;
        try {
          if (statSync(path).isFile()) text = readFileSync(path, 'utf8');
        } catch {
          // not there
        }
        texts.set(path, text);
      }
      return text;
    },
    directories(path) {
      let names = dirs.get(path);
      if (names === undefined) {
        try {
          names = readdirSync(path, { withFileTypes: true })
            .filter((e) => e.isDirectory())
            .map((e) => e.name);
        } catch {
          names = null;
        }
        dirs.set(path, names);
      }
      return names;
    },
    dirname,
    join,
    absolute: (file) => (isAbsolute(file) ? file : resolve(cwd, file)),
  });
}

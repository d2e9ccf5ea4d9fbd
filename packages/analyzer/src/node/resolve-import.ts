// Resolves the module specifiers of imported constants to files of the workspace, the way
// TypeScript's bundler resolution finds sources (./x -> x.ts, x.tsx, x/index.ts; ./x.js -> x.ts).
// Bare specifiers are node_modules: the analyzer stops there and says so.

import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { ImportResolver } from '../cross-file.js';

const SUFFIXES = ['', '.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '/index.ts', '/index.tsx', '/index.js'];

/** A resolver for files under `cwd` (file names given relative to it), with a per-run cache of reads. */
export function workspaceResolver(cwd: string): ImportResolver {
  const texts = new Map<string, string | null>();
  const read = (path: string): string | null => {
    if (!texts.has(path)) {
      let text: string | null = null;
      try {
        if (statSync(path).isFile()) text = readFileSync(path, 'utf8');
      } catch {
        // not there
      }
      texts.set(path, text);
    }
    return texts.get(path) ?? null;
  };
  return (fromFile, specifier) => {
    if (!specifier.startsWith('.') && !specifier.startsWith('/')) {
      return { reason: `imported from node_modules ('${specifier}')` };
    }
    const from = isAbsolute(fromFile) ? fromFile : resolve(cwd, fromFile);
    const base = resolve(dirname(from), specifier);
    const stem = base.replace(/\.(m|c)?js$/, '');
    for (const candidate of [...SUFFIXES.map((s) => base + s), ...SUFFIXES.slice(1).map((s) => stem + s)]) {
      if (candidate.includes('node_modules')) return { reason: `imported from node_modules ('${specifier}')` };
      const text = read(candidate);
      if (text !== null) return { file: candidate, text };
    }
    return { reason: `imported from '${specifier}' (file not found)` };
  };
}

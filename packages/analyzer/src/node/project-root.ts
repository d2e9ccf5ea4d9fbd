// The project a command's paths belong to (the nearest directory with a package.json), and the
// Nest wiring facts of all its files: decisions about an app are made for the whole app, even
// when only one folder is checked or migrated.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { emptyFacts, mayHaveNestFacts, type NestFacts, nestFactsOf } from '../nest-facts.js';
import type { TickwiseConfig } from './config.js';
import { findSourceFiles } from './scan.js';
import { UsageError } from './usage-error.js';

/**
 * `explicit` (resolved against cwd), else the nearest directory at or above the first path (or
 * cwd) that holds a package.json, else cwd.
 */
export function projectRootOf(paths: readonly string[], cwd: string, explicit?: string): string {
  if (explicit !== undefined) {
    const root = resolve(cwd, explicit);
    if (!existsSync(root)) throw new UsageError(`--root '${explicit}' does not exist`);
    return root;
  }
  let current = resolve(cwd, paths[0] ?? '.');
  if (!isDirectory(current)) current = dirname(current);
  for (;;) {
    if (existsSync(join(current, 'package.json'))) return current;
    const parent = dirname(current);
    if (parent === current) return resolve(cwd);
    current = parent;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export interface ProjectFile {
  /** Absolute path. */
  path: string;
  /** Relative to cwd, as the commands print it. */
  name: string;
  text: string;
}

/** Every source file of the project (skipping what the scan skips), with its text. */
export function projectFiles(root: string, cwd: string, config: TickwiseConfig): ProjectFile[] {
  return readFiles(findSourceFiles([root], { cwd, config }), cwd);
}

/** The files' texts; unreadable files are left out (the commands report those of their own selection). */
export function readFiles(paths: readonly string[], cwd: string): ProjectFile[] {
  const files: ProjectFile[] = [];
  for (const path of paths) {
    try {
      files.push({ path, name: relative(cwd, path) || path, text: readFileSync(path, 'utf8') });
    } catch {
      // skipped
    }
  }
  return files;
}

export function projectFacts(files: readonly ProjectFile[]): NestFacts[] {
  return files.map((f) => (mayHaveNestFacts(f.text) ? nestFactsOf(f.name, f.text) : emptyFacts(f.name)));
}

// tickwise diff <git-ref> [paths...] [--format text|json|github] [-n N]: the jobs added, removed,
// rescheduled or re-owned between a commit and the working tree, with their next runs before and after.

import { existsSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { diffJobs } from '../job-diff.js';
import type { JobDeclaration } from '../model.js';
import { loadConfig, type TickwiseConfig } from '../node/config.js';
import { type GitSnapshot, snapshotAt } from '../node/git-snapshot.js';
import { findSourceFiles } from '../node/scan.js';
import { UsageError } from '../node/usage-error.js';
import { analyzeFiles } from '../node/workspace.js';
import { type DiffFormat, diffSummary, formatDiff } from './diff-formats.js';
import type { CliIo } from './io.js';

export interface DiffOptions {
  /** The branch, tag or commit to compare the working tree with. */
  ref: string;
  paths: string[];
  format: DiffFormat;
  /** Next runs shown per version of a job. */
  count: number;
  now: Date;
  config?: string;
  /** The zone assumed for jobs that run in the server's local zone, in both versions; default this machine's. */
  serverZone?: string;
}

/**
 * The command's paths in the working tree and in the snapshot: each side reads those that exist
 * there (a deleted file's jobs are removed ones, a new directory's are added). A path in neither
 * is bad usage.
 */
function pathsOnBothSides(paths: readonly string[], cwd: string, snapshot: GitSnapshot) {
  const current: string[] = [];
  const previous: string[] = [];
  for (const path of paths) {
    const inTree = relative(cwd, resolve(cwd, path));
    const old = resolve(snapshot.cwd, inTree);
    const outside = relative(snapshot.root, old);
    if (outside === '..' || outside.startsWith(`..${sep}`))
      throw new UsageError(`path '${path}' is outside the git repository`);
    const here = existsSync(resolve(cwd, path));
    const there = existsSync(old);
    if (!here && !there)
      throw new UsageError(`path '${path}' does not exist in the working tree or at ${snapshot.ref}`);
    if (here) current.push(path);
    if (there) previous.push(inTree || '.');
  }
  return { current, previous };
}

/** The jobs under `paths` of one tree; none when paths were given and none of them is in this tree. */
function jobsOf(
  paths: readonly string[],
  given: boolean,
  cwd: string,
  config: TickwiseConfig,
  options: DiffOptions,
): JobDeclaration[] {
  if (given && paths.length === 0) return [];
  return analyzeFiles(findSourceFiles(paths, { cwd, config }), cwd, {
    now: options.now,
    ...(options.serverZone && { serverZone: options.serverZone }),
    ...(config.decorators && { decorators: config.decorators }),
  }).jobs;
}

export function diffCommand(options: DiffOptions, io: CliIo): number {
  // One configuration for both versions (the working tree's): a job is compared with itself,
  // not with what another selection of files or wrapper decorators makes of it.
  const { config } = loadConfig(io.cwd, options.config);
  const snapshot = snapshotAt(options.ref, io.cwd);
  try {
    const given = options.paths.length > 0;
    const { current, previous } = pathsOnBothSides(options.paths, io.cwd, snapshot);
    const after = jobsOf(current, given, io.cwd, config, options);
    const before = jobsOf(previous, given, snapshot.cwd, config, options);
    const report = {
      ref: options.ref,
      commit: snapshot.commit,
      now: options.now,
      count: options.count,
      changes: diffJobs(before, after),
      jobsBefore: before.length,
      jobsAfter: after.length,
      fileExists: (file: string) => existsSync(resolve(io.cwd, file)),
    };
    const printed = formatDiff(report, options.format);
    if (printed) io.out(printed);
    if (options.format === 'github') io.err(diffSummary(report));
    return 0;
  } finally {
    snapshot.remove();
  }
}

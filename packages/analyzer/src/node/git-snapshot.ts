// The files of a git commit, written to a temporary directory so the analyzer reads them exactly
// as it reads the working tree. Only git runs (read-only plumbing, no shell); nothing in the tree does.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';
import { SOURCE_EXTENSIONS } from '../parse.js';
import { UsageError } from './usage-error.js';

export type GitErrorCode = 'GIT_NOT_FOUND' | 'NOT_A_REPOSITORY' | 'UNKNOWN_REF' | 'GIT_FAILED';

/** git is missing, the directory is not in a repository, or the ref names no commit: bad usage (exit code 2). */
export class GitError extends UsageError {
  override name = 'GitError';
  readonly code: GitErrorCode;

  constructor(code: GitErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export interface GitSnapshot {
  /** The ref as given. */
  ref: string;
  /** The commit it names (40 hex digits). */
  commit: string;
  /** The temporary directory: the top of the repository at that commit. */
  root: string;
  /** The directory inside the snapshot that stands for the working directory the command runs in. */
  cwd: string;
  /** Deletes the temporary directory. */
  remove(): void;
}

/** Besides source files, what the analyzer reads: manifests, lockfiles, workspace lists, ignore files. */
const METADATA: ReadonlySet<string> = new Set([
  'package.json',
  'package-lock.json',
  'pnpm-lock.yaml',
  'yarn.lock',
  'pnpm-workspace.yaml',
  '.gitignore',
  'tickwise.config.json',
]);

function isRead(path: string): boolean {
  // Committed dependencies are skipped, as the scan skips them in the working tree.
  if (path.split('/').includes('node_modules')) return false;
  const name = basename(path);
  return METADATA.has(name) || SOURCE_EXTENSIONS.some((extension) => name.toLowerCase().endsWith(extension));
}

// A repository's config could name a program for some commands (core.fsmonitor): turned off.
const GIT_FLAGS = ['-c', 'core.fsmonitor=false'];

function git(cwd: string, args: readonly string[], input?: string, maxBuffer = 64 * 1024 * 1024): Buffer {
  try {
    return execFileSync('git', [...GIT_FLAGS, ...args], {
      cwd,
      maxBuffer,
      windowsHide: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(input !== undefined && { input }),
    });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: Buffer; status?: number | null };
    if (failure.code === 'ENOENT') throw new GitError('GIT_NOT_FOUND', 'git is not installed (or not on PATH)');
    const stderr = failure.stderr?.toString('utf8').trim() ?? '';
    if (/not a git repository/i.test(stderr)) {
      throw new GitError(
        'NOT_A_REPOSITORY',
        `${cwd} is not in a git repository (tickwise diff compares with a git ref)`,
      );
    }
    throw new GitError('GIT_FAILED', `git ${args.join(' ')} failed: ${stderr.split('\n')[0] || failure.message}`);
  }
}

/** The commit a ref names; GitError UNKNOWN_REF when it names none. */
function commitOf(cwd: string, ref: string): string {
  // A ref starting with '-' would be read as an option.
  if (ref === '' || ref.startsWith('-'))
    throw new GitError('UNKNOWN_REF', `'${ref}' is not a git ref (a branch, tag or commit such as main or HEAD~1)`);
  try {
    return git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])
      .toString('utf8')
      .trim();
  } catch (error) {
    if (error instanceof GitError && error.code === 'GIT_FAILED')
      throw new GitError('UNKNOWN_REF', `unknown git ref '${ref}' (no branch, tag or commit of that name)`);
    throw error;
  }
}

interface TreeEntry {
  path: string;
  object: string;
  size: number;
}

/** Regular files of the commit (no symlinks, no submodules) that the analyzer reads. */
function entriesOf(cwd: string, commit: string): TreeEntry[] {
  const listing = git(cwd, ['ls-tree', '-r', '-z', '-l', '--full-tree', commit], undefined, 1024 * 1024 * 1024);
  const entries: TreeEntry[] = [];
  for (const record of listing.toString('utf8').split('\0')) {
    const match = /^(100644|100755) blob ([0-9a-f]+) +(\d+)\t(.+)$/s.exec(record);
    if (match && isRead(match[4] as string))
      entries.push({ object: match[2] as string, size: Number(match[3]), path: match[4] as string });
  }
  return entries;
}

/** Each entry with its contents, read in one `git cat-file --batch`. */
function contentsOf(cwd: string, entries: readonly TreeEntry[]): { entry: TreeEntry; content: Buffer }[] {
  if (entries.length === 0) return [];
  const total = entries.reduce((sum, e) => sum + e.size + e.object.length + 32, 0);
  const output = git(cwd, ['cat-file', '--batch'], `${entries.map((e) => e.object).join('\n')}\n`, total + 1024);
  const contents: { entry: TreeEntry; content: Buffer }[] = [];
  let offset = 0;
  for (const entry of entries) {
    const headerEnd = output.indexOf(0x0a, offset);
    const header = output.subarray(offset, headerEnd).toString('utf8');
    const size = Number(header.split(' ')[2]);
    if (!header.startsWith(entry.object) || !Number.isInteger(size))
      throw new GitError('GIT_FAILED', `git cat-file returned '${header}' for ${entry.path}`);
    contents.push({ entry, content: output.subarray(headerEnd + 1, headerEnd + 1 + size) });
    offset = headerEnd + 1 + size + 1;
  }
  return contents;
}

/**
 * The files of `ref` that the analyzer reads, in a new temporary directory laid out like the
 * repository. Throws GitError when git, the repository or the ref is missing.
 */
export function snapshotAt(ref: string, cwd: string): GitSnapshot {
  // Where cwd is in the repository ('' at its top, 'packages/api/' below it).
  const prefix = git(cwd, ['rev-parse', '--show-prefix']).toString('utf8').trim();
  const commit = commitOf(cwd, ref);
  const entries = entriesOf(cwd, commit);
  const contents = contentsOf(cwd, entries);
  const root = mkdtempSync(join(tmpdir(), 'tickwise-diff-'));
  try {
    for (const { entry, content } of contents) {
      const target = join(root, entry.path);
      if (relative(root, target).startsWith(`..${sep}`)) continue;
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    const snapshotCwd = join(root, prefix);
    mkdirSync(snapshotCwd, { recursive: true });
    return { ref, commit, root, cwd: snapshotCwd, remove: () => rmSync(root, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}

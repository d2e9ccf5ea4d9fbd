// What the analysis reads besides the file itself (imported files, package.json, lockfiles,
// directory listings of a monorepo's packages), as a synchronous cache the extension fills
// asynchronously through workspace.fs. An analysis asks; a miss is answered "not known yet" and
// remembered as wanted; the host layer reads the wanted files and re-analyses the files that
// asked. Every read is recorded, so a change to an imported file re-analyses its importers.
// Pure: no VS Code, no file system; keys are URIs with decoded paths (canonicalUri).

import { posix } from 'node:path';
import type { ResolveHost, VersionHost } from '@tickwise/analyzer';

const PREFIX = /^([a-zA-Z][\w+.-]*):\/\/([^/]*)(.*)$/;

/** scheme, authority and decoded path of a URI string. */
export function uriParts(uri: string): { scheme: string; authority: string; path: string } {
  const match = PREFIX.exec(uri);
  if (!match) return { scheme: 'file', authority: '', path: uri };
  let path = match[3] || '/';
  try {
    path = decodeURIComponent(path);
  } catch {
    // keep it as it is
  }
  return { scheme: match[1] as string, authority: match[2] as string, path };
}

/** One spelling per file: 'file:///w/node_modules/@nestjs/schedule' (VS Code writes %40). */
export function canonicalUri(uri: string): string {
  const { scheme, authority, path } = uriParts(uri);
  return `${scheme}://${authority}${path}`;
}

const dirname = (uri: string) => {
  const { scheme, authority, path } = uriParts(uri);
  return `${scheme}://${authority}${posix.dirname(path)}`;
};
const join = (uri: string, ...parts: string[]) => {
  const { scheme, authority, path } = uriParts(uri);
  return `${scheme}://${authority}${posix.join(path, ...parts)}`;
};

export class WorkspaceFiles {
  private readonly texts = new Map<string, string | null>();
  private readonly dirs = new Map<string, readonly string[] | null>();
  private readonly wantedFiles = new Set<string>();
  private readonly wantedDirs = new Set<string>();
  /** URI read -> the analysed files (index keys) that read it. */
  private readonly readers = new Map<string, Set<string>>();
  /** Analysed file -> what it read last time. */
  private readonly readsOf = new Map<string, Set<string>>();
  private reading: Set<string> | undefined;

  /** `inWorkspace`: files outside it are never read (they count as absent). */
  constructor(private readonly inWorkspace: (uri: string) => boolean = () => true) {}

  private note(uri: string): void {
    this.reading?.add(uri);
  }

  read(uri: string): string | null | undefined {
    const key = canonicalUri(uri);
    this.note(key);
    if (!this.inWorkspace(key)) return null;
    if (!this.texts.has(key)) {
      this.wantedFiles.add(key);
      return undefined;
    }
    return this.texts.get(key);
  }

  directories(uri: string): readonly string[] | null | undefined {
    const key = canonicalUri(uri);
    this.note(`${key}/`);
    if (!this.inWorkspace(key)) return null;
    if (!this.dirs.has(key)) {
      this.wantedDirs.add(key);
      return undefined;
    }
    return this.dirs.get(key);
  }

  /** Whether the text of a file is held (so a change to it matters). */
  has(uri: string): boolean {
    return this.texts.has(canonicalUri(uri));
  }

  /** Stores a file's text (null: there is none); returns the analysed files to re-analyse. */
  setText(uri: string, text: string | null): string[] {
    const key = canonicalUri(uri);
    this.wantedFiles.delete(key);
    if (this.texts.has(key) && this.texts.get(key) === text) return [];
    this.texts.set(key, text);
    return [...(this.readers.get(key) ?? [])];
  }

  /** Stores a directory's subdirectories (null: not a directory); returns the analysed files to re-analyse. */
  setDirectories(uri: string, names: readonly string[] | null): string[] {
    const key = canonicalUri(uri);
    this.wantedDirs.delete(key);
    const before = this.dirs.get(key);
    if (this.dirs.has(key) && JSON.stringify(before) === JSON.stringify(names)) return [];
    this.dirs.set(key, names);
    return [...(this.readers.get(`${key}/`) ?? [])];
  }

  /** A file or directory created or deleted: what it was is forgotten; returns the analysed files to re-analyse. */
  forget(uri: string): string[] {
    const key = canonicalUri(uri);
    const parent = canonicalUri(dirname(key));
    const affected = new Set([...(this.readers.get(key) ?? []), ...(this.readers.get(`${key}/`) ?? [])]);
    for (const a of this.readers.get(`${parent}/`) ?? []) affected.add(a);
    this.texts.delete(key);
    this.dirs.delete(key);
    this.dirs.delete(parent);
    return [...affected];
  }

  /** What analyses asked for and the cache does not know yet (each once). */
  takeWanted(): { files: string[]; directories: string[] } {
    const wanted = { files: [...this.wantedFiles], directories: [...this.wantedDirs] };
    this.wantedFiles.clear();
    this.wantedDirs.clear();
    return wanted;
  }

  /** Runs an analysis of `analysed`, recording what it reads (replacing what it read before). */
  tracking<T>(analysed: string, run: () => T): T {
    for (const uri of this.readsOf.get(analysed) ?? []) this.readers.get(uri)?.delete(analysed);
    const reads = new Set<string>();
    const outer = this.reading;
    this.reading = reads;
    try {
      return run();
    } finally {
      this.reading = outer;
      this.readsOf.set(analysed, reads);
      for (const uri of reads) {
        const set = this.readers.get(uri) ?? new Set<string>();
        set.add(analysed);
        this.readers.set(uri, set);
      }
    }
  }

  /** The analysed file is gone: stop tracking its reads. */
  untrack(analysed: string): void {
    for (const uri of this.readsOf.get(analysed) ?? []) this.readers.get(uri)?.delete(analysed);
    this.readsOf.delete(analysed);
  }

  /** The import resolver's view, for the file `fileUri` that the analysis names `displayPath`. */
  resolveHost(fileUri: string, displayPath: string): ResolveHost {
    const base = canonicalUri(fileUri);
    return {
      read: (uri) => this.read(uri),
      directories: (uri) => this.directories(uri),
      dirname,
      join,
      absolute: (file) => (file === displayPath ? base : file),
    };
  }

  versionHost(): VersionHost {
    return {
      read: (uri) => this.read(uri),
      dirname,
      join,
      relative: (from, to) => posix.relative(uriParts(from).path, uriParts(to).path),
    };
  }
}

/**
 * The wrapper decorators of a workspace folder: tickwise.config.json's "decorators", else
 * package.json's "tickwise.decorators". A problem is the sentence the CLI would print.
 */
export function folderDecorators(
  configText: string | null | undefined,
  packageText: string | null | undefined,
  check: (value: unknown) => { decorators: Record<string, string> } | { problem: string },
): { decorators?: Record<string, string>; problem?: string } {
  const parse = (text: string, source: string): { value?: unknown; problem?: string } => {
    try {
      return { value: JSON.parse(text) };
    } catch (error) {
      return { problem: `${source}: ${(error as Error).message}` };
    }
  };
  let source = 'tickwise.config.json';
  let config: unknown;
  if (configText) {
    const parsed = parse(configText, source);
    if (parsed.problem) return { problem: parsed.problem };
    config = parsed.value;
  } else if (packageText) {
    source = 'package.json#tickwise';
    const parsed = parse(packageText, 'package.json');
    config = (parsed.value as { tickwise?: unknown } | undefined)?.tickwise;
  }
  const decorators = (config as { decorators?: unknown } | undefined)?.decorators;
  if (decorators === undefined) return {};
  const checked = check(decorators);
  return 'problem' in checked ? { problem: `${source}: ${checked.problem}` } : { decorators: checked.decorators };
}

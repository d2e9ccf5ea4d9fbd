// The analysis of every file that declares jobs, keyed by URI and version so nothing is analysed
// twice, plus the checks across files (duplicate names). With a WorkspaceFiles cache, imported
// constants, workspace packages and the installed @nestjs/schedule / cron versions are read
// from it (never from disk here); a file is re-analysed when what it read changes (refresh).
// Pure: no VS Code; unit-tested.

import {
  type AnalyzeOptions,
  type AnalyzerDiagnostic,
  analyzeSource,
  createImportResolver,
  type FileAnalysis,
  type JobDeclaration,
  libraryVersionsOf,
  mayDeclareJobs,
  projectDiagnostics,
} from '@tickwise/analyzer';
import { canonicalUri, type WorkspaceFiles } from './workspace-files.js';

export interface IndexContext {
  files: WorkspaceFiles;
  /** The wrapper decorators that apply to a file (its workspace folder's tickwise.config.json). */
  decoratorsFor?(uri: string): Readonly<Record<string, string>> | undefined;
}

export interface IndexedJob {
  uri: string;
  job: JobDeclaration;
}

interface Entry {
  /** What was analysed: a document version, or the file's modification time on disk. */
  version: string;
  /** The display path and text analysed, for re-analysis when what it read changes. */
  path: string;
  text: string;
  analysis: FileAnalysis;
}

export class JobIndex {
  private readonly entries = new Map<string, Entry>();
  /** Display path (what diagnostics name) -> URI. */
  private readonly uriOfPath = new Map<string, string>();
  private crossFile: AnalyzerDiagnostic[] | undefined;
  /** The zone assumed for libraries that run in the server's local zone (setting tickwise.serverTimeZone). */
  serverZone: string | undefined;

  constructor(
    private readonly now: () => Date = () => new Date(),
    private readonly context?: IndexContext,
  ) {}

  private analyse(uri: string, path: string, text: string): FileAnalysis {
    const options: AnalyzeOptions = { now: this.now(), ...(this.serverZone && { serverZone: this.serverZone }) };
    const context = this.context;
    if (!context) return analyzeSource(path, text, options);
    const decorators = context.decoratorsFor?.(uri);
    if (decorators) options.decorators = decorators;
    const files = context.files;
    return files.tracking(uri, () => {
      if (mayDeclareJobs(text) || Object.keys(decorators ?? {}).some((name) => text.includes(name))) {
        options.versions = libraryVersionsOf(files.versionHost(), canonicalUri(uri));
        options.resolveImport = createImportResolver(files.resolveHost(uri, path));
      }
      return analyzeSource(path, text, options);
    });
  }

  /**
   * Analyses again the files given (those whose imports, package.json or lockfile changed, as
   * WorkspaceFiles reports), with the text they had. Returns whether any was re-analysed.
   */
  refresh(uris: Iterable<string>): boolean {
    let changed = false;
    for (const uri of uris) {
      const entry = this.entries.get(uri);
      if (!entry) continue;
      entry.analysis = this.analyse(uri, entry.path, entry.text);
      changed = true;
    }
    if (changed) this.crossFile = undefined;
    return changed;
  }

  /**
   * Analyses `text` unless this version of the URI was analysed already.
   * `path` names the file in messages (workspace-relative). Returns whether the results changed.
   */
  update(uri: string, path: string, text: string, version: string): boolean {
    const previous = this.entries.get(uri);
    if (previous?.version === version) return false;
    const analysis = this.analyse(uri, path, text);
    const empty = analysis.jobs.length === 0 && analysis.diagnostics.length === 0;
    if (empty && !previous) {
      this.context?.files.untrack(uri);
      return false;
    }
    if (empty) {
      this.remove(uri);
      return true;
    }
    this.entries.set(uri, { version, path, text, analysis });
    this.uriOfPath.set(path, uri);
    this.crossFile = undefined;
    return true;
  }

  /** The version analysed for a URI, if any (files without jobs are not kept). */
  versionOf(uri: string): string | undefined {
    return this.entries.get(uri)?.version;
  }

  remove(uri: string): boolean {
    const entry = this.entries.get(uri);
    if (!entry) return false;
    this.entries.delete(uri);
    this.context?.files.untrack(uri);
    this.uriOfPath.delete(entry.analysis.file);
    this.crossFile = undefined;
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.uriOfPath.clear();
    this.crossFile = undefined;
  }

  analysisOf(uri: string): FileAnalysis | undefined {
    return this.entries.get(uri)?.analysis;
  }

  jobs(): IndexedJob[] {
    const all: IndexedJob[] = [];
    for (const [uri, entry] of this.entries) for (const job of entry.analysis.jobs) all.push({ uri, job });
    return all;
  }

  /** URIs with anything to report. */
  uris(): string[] {
    return [...this.entries.keys()];
  }

  /** A file's own diagnostics plus those across files (duplicate names) that point into it. */
  diagnosticsOf(uri: string): AnalyzerDiagnostic[] {
    const entry = this.entries.get(uri);
    if (!entry) return [];
    const path = entry.analysis.file;
    return [...entry.analysis.diagnostics, ...this.crossFileDiagnostics().filter((d) => d.file === path)];
  }

  /** Names declared more than once (by framework), for flagging in the tree. */
  duplicateNames(): Set<string> {
    return new Set(this.crossFileDiagnostics().map((d) => d.job ?? ''));
  }

  private crossFileDiagnostics(): AnalyzerDiagnostic[] {
    this.crossFile ??= projectDiagnostics([...this.entries.values()].map((e) => e.analysis));
    return this.crossFile;
  }
}

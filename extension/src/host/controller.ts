// Keeps the JobIndex current: a workspace scan (off the activation path, cancellable, in
// batches, reporting its progress), the open buffers as the user types (debounced), and files
// changed on disk (batched watcher events). Publishes diagnostics and tells the views when
// anything changed.
// What analyses read besides the file (imported files, workspace packages, package.json,
// lockfiles, tickwise.config.json) goes through WorkspaceFiles: the misses of an analysis are
// read here asynchronously, then the files that asked are analysed again; a change to a file
// read that way re-analyses its readers.
// Reads text only through open documents and workspace.fs: never loads or runs workspace code.

import { checkDecoratorMapping } from '@tickwise/analyzer';
import * as vscode from 'vscode';
import { type IndexedJob, JobIndex } from '../service/job-index.js';
import type { ScanProgress } from '../service/scan-progress.js';
import { canonicalUri, folderDecorators, uriParts, WorkspaceFiles } from '../service/workspace-files.js';
import { toDiagnostic } from './convert.js';
import { readSettings, type Settings } from './settings.js';

const TYPING_DEBOUNCE_MS = 250;
const WATCHER_BATCH_MS = 300;
const SCAN_BATCH = 40;
/** How often a running scan reports its progress (each report is a message to the views). */
const SCAN_PROGRESS_MS = 100;
const LANGUAGES = new Set(['typescript', 'typescriptreact', 'javascript', 'javascriptreact']);
/** Rounds of reading what analyses asked for (an import chain is followed one file per round). */
const FETCH_ROUNDS = 12;
const PROJECT_FILES =
  '**/{package.json,package-lock.json,yarn.lock,pnpm-lock.yaml,pnpm-workspace.yaml,tickwise.config.json}';

function toUri(key: string): vscode.Uri {
  const { scheme, authority, path } = uriParts(key);
  return vscode.Uri.from({ scheme, authority, path });
}

/** A cheap fingerprint of file text, so a file re-read from disk unchanged is not re-analysed. */
function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return `disk:${text.length}:${(hash >>> 0).toString(36)}`;
}

export class JobsController implements vscode.Disposable {
  /** Files analyses read besides their own text; outside the workspace folders nothing is read. */
  readonly files = new WorkspaceFiles((key) => vscode.workspace.getWorkspaceFolder(toUri(key)) !== undefined);
  readonly index = new JobIndex(undefined, { files: this.files, decoratorsFor: (uri) => this.decoratorsFor(uri) });
  /** Wrapper decorators per workspace folder (canonical URI), from its tickwise.config.json. */
  private folderConfigs = new Map<string, Record<string, string> | undefined>();
  private fetching = false;
  private fetchAgain = false;
  settings: Settings;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly scanChanged = new vscode.EventEmitter<ScanProgress>();
  /** The workspace scan started, moved on or finished. */
  readonly onDidChangeScan = this.scanChanged.event;
  /** Where the workspace scan is; the first one starts right after activation. */
  scanProgress: ScanProgress = { phase: 'finding' };
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('tickwise');
  private readonly published = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly pendingDiskChanges = new Set<string>();
  private diskTimer: ReturnType<typeof setTimeout> | undefined;
  private scan: vscode.CancellationTokenSource | undefined;
  private notifyPending = false;
  /** The files the include/exclude settings select, as of the last scan. */
  private scanned = new Set<string>();
  private readonly decoder = new TextDecoder('utf-8');

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.settings = readSettings(log);
    this.index.serverZone = this.settings.serverZone;
  }

  /** Wires listeners and schedules the first scan after activation returns. */
  start(): void {
    this.disposables.push(
      this.changed,
      this.scanChanged,
      this.diagnostics,
      vscode.workspace.onDidChangeTextDocument((e) => this.documentChanged(e.document)),
      vscode.workspace.onDidOpenTextDocument((doc) => this.documentChanged(doc)),
      vscode.workspace.onDidCloseTextDocument((doc) => this.queueDiskChange(doc.uri)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.rescan()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('tickwise')) return;
        const before = this.settings;
        this.settings = readSettings(this.log);
        const zoneChanged = before.serverZone !== this.settings.serverZone;
        if (zoneChanged) {
          this.index.serverZone = this.settings.serverZone;
          this.index.clear();
        }
        if (zoneChanged || before.include !== this.settings.include || before.exclude !== this.settings.exclude)
          void this.rescan();
        else this.changed.fire();
      }),
    );
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}');
    const projectWatcher = vscode.workspace.createFileSystemWatcher(PROJECT_FILES);
    this.disposables.push(
      watcher,
      watcher.onDidCreate((uri) => this.queueDiskChange(uri)),
      watcher.onDidChange((uri) => this.queueDiskChange(uri)),
      watcher.onDidDelete((uri) => this.queueDiskChange(uri)),
      projectWatcher,
      projectWatcher.onDidCreate((uri) => void this.projectFileChanged(uri)),
      projectWatcher.onDidChange((uri) => void this.projectFileChanged(uri)),
      projectWatcher.onDidDelete((uri) => void this.projectFileChanged(uri)),
    );
    setTimeout(() => void this.rescan(), 0);
  }

  jobs(): IndexedJob[] {
    return this.index.jobs();
  }

  /**
   * The analysis of an open document at its current version, analysing it now if needed (a
   * provider can ask before the typing debounce fires). Whoever analyses first, the diagnostics
   * and views follow.
   */
  analysisOf(document: vscode.TextDocument) {
    if (this.analyseDocument(document)) this.indexChanged();
    return this.index.analysisOf(document.uri.toString());
  }

  /** Publishes diagnostics and tells the views, once per turn however many changes came in it. */
  private indexChanged(): void {
    if (this.notifyPending) return;
    this.notifyPending = true;
    setTimeout(() => {
      this.notifyPending = false;
      this.publishAll();
      this.changed.fire();
      void this.fetchWanted();
    }, 0);
  }

  /** The wrapper decorators for a file: those of its workspace folder. */
  private decoratorsFor(uri: string): Record<string, string> | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(uri));
    return folder ? this.folderConfigs.get(canonicalUri(folder.uri.toString())) : undefined;
  }

  /** Reads each folder's tickwise.config.json (or package.json#tickwise); returns whether the decorators changed. */
  private async loadFolderConfigs(): Promise<boolean> {
    const next = new Map<string, Record<string, string> | undefined>();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const key = canonicalUri(folder.uri.toString());
      const [config, manifest] = await Promise.all([
        this.readText(`${key}/tickwise.config.json`),
        this.readText(`${key}/package.json`),
      ]);
      const result = folderDecorators(config, manifest, checkDecoratorMapping);
      if (result.problem) this.log.warn(`${folder.name}: ${result.problem}; wrapper decorators ignored`);
      next.set(key, result.decorators);
    }
    const changed = JSON.stringify([...next]) !== JSON.stringify([...this.folderConfigs]);
    this.folderConfigs = next;
    return changed;
  }

  /** A file's text: the open buffer wins; null when it cannot be read (absent, a directory). */
  private async readText(key: string): Promise<string | null> {
    const open = vscode.workspace.textDocuments.find((doc) => canonicalUri(doc.uri.toString()) === key);
    if (open) return open.getText();
    try {
      return this.decoder.decode(await vscode.workspace.fs.readFile(toUri(key)));
    } catch {
      return null;
    }
  }

  private async readDirectories(key: string): Promise<string[] | null> {
    try {
      const entries = await vscode.workspace.fs.readDirectory(toUri(key));
      return entries.filter(([, type]) => (type & vscode.FileType.Directory) !== 0).map(([name]) => name);
    } catch {
      return null;
    }
  }

  /**
   * Reads what analyses asked for and did not find in the cache, then analyses again the files
   * that asked; repeated while that asks for more (the next file of an import chain).
   */
  private async fetchWanted(): Promise<void> {
    if (this.fetching) {
      this.fetchAgain = true;
      return;
    }
    this.fetching = true;
    try {
      for (let round = 0; round < FETCH_ROUNDS; round++) {
        const wanted = this.files.takeWanted();
        if (wanted.files.length === 0 && wanted.directories.length === 0) {
          if (!this.fetchAgain) break;
          this.fetchAgain = false;
          continue;
        }
        const affected = new Set<string>();
        await Promise.all([
          ...wanted.files.map(async (key) => {
            for (const uri of this.files.setText(key, await this.readText(key))) affected.add(uri);
          }),
          ...wanted.directories.map(async (key) => {
            for (const uri of this.files.setDirectories(key, await this.readDirectories(key))) affected.add(uri);
          }),
        ]);
        if (this.index.refresh(affected)) this.indexChanged();
      }
    } finally {
      this.fetching = false;
    }
  }

  /** A package.json, lockfile, workspace file or tickwise.config.json changed on disk. */
  private async projectFileChanged(uri: vscode.Uri): Promise<void> {
    if (this.index.refresh(this.files.forget(uri.toString()))) this.indexChanged();
    const slash = uri.path.lastIndexOf('/');
    const name = uri.path.slice(slash + 1);
    const directory = canonicalUri(uri.with({ path: uri.path.slice(0, slash) }).toString());
    const atFolderRoot = this.folderConfigs.has(directory);
    if (atFolderRoot && (name === 'tickwise.config.json' || name === 'package.json')) {
      if (await this.loadFolderConfigs()) {
        this.index.clear();
        void this.rescan();
      }
    }
  }

  private reportScan(progress: ScanProgress): void {
    this.scanProgress = progress;
    this.scanChanged.fire(progress);
  }

  /** Re-reads the whole workspace; a scan already running is cancelled first (the new one reports). */
  async rescan(): Promise<void> {
    this.scan?.cancel();
    const source = new vscode.CancellationTokenSource();
    this.scan = source;
    this.reportScan({ phase: 'finding' });
    try {
      await this.scanWorkspace(source.token);
    } catch (error) {
      this.log.error(`workspace scan failed: ${(error as Error).message}`);
    } finally {
      if (this.scan === source) this.reportScan({ phase: 'done' });
      source.dispose();
    }
  }

  /** Reads every selected file in batches, reporting how far it is. */
  private async scanWorkspace(token: vscode.CancellationToken): Promise<void> {
    const started = performance.now();
    await this.loadFolderConfigs();
    if (token.isCancellationRequested) return;
    const files = await vscode.workspace.findFiles(this.settings.include, this.settings.exclude, undefined, token);
    if (token.isCancellationRequested) return;
    this.reportScan({ phase: 'reading', done: 0, total: files.length });
    const seen = new Set<string>();
    let reported = performance.now();
    for (let i = 0; i < files.length; i += SCAN_BATCH) {
      await Promise.all(files.slice(i, i + SCAN_BATCH).map((uri) => this.readFromDisk(uri, seen)));
      if (token.isCancellationRequested) return;
      const now = performance.now();
      if (now - reported >= SCAN_PROGRESS_MS) {
        reported = now;
        this.reportScan({ phase: 'reading', done: Math.min(i + SCAN_BATCH, files.length), total: files.length });
      }
      // Give the extension host a turn between batches: a big monorepo must not freeze it.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.scanned = seen;
    for (const uri of this.index.uris()) if (!seen.has(uri)) this.index.remove(uri);
    for (const doc of vscode.workspace.textDocuments) this.analyseDocument(doc);
    this.publishAll();
    this.changed.fire();
    void this.fetchWanted();
    this.log.info(
      `scanned ${files.length} files in ${(performance.now() - started).toFixed(0)} ms: ${this.index.jobs().length} jobs`,
    );
  }

  private async readFromDisk(uri: vscode.Uri, seen?: Set<string>): Promise<void> {
    const key = uri.toString();
    seen?.add(key);
    if (vscode.workspace.textDocuments.some((doc) => doc.uri.toString() === key)) return; // the buffer wins
    let text: string;
    try {
      text = this.decoder.decode(await vscode.workspace.fs.readFile(uri));
    } catch (error) {
      this.log.warn(`cannot read ${uri.toString(true)}: ${(error as Error).message}`);
      this.index.remove(key);
      return;
    }
    this.index.update(key, vscode.workspace.asRelativePath(uri), text, fingerprint(text));
  }

  private analyseDocument(document: vscode.TextDocument): boolean {
    if (!LANGUAGES.has(document.languageId)) return false;
    const key = document.uri.toString();
    return this.index.update(
      key,
      vscode.workspace.asRelativePath(document.uri),
      document.getText(),
      `doc:${document.version}`,
    );
  }

  private documentChanged(document: vscode.TextDocument): void {
    if (!LANGUAGES.has(document.languageId)) return;
    const key = document.uri.toString();
    clearTimeout(this.typingTimers.get(key));
    this.typingTimers.set(
      key,
      setTimeout(() => {
        this.typingTimers.delete(key);
        let changed = this.analyseDocument(document);
        // An imported file being edited: its importers follow the buffer.
        if (this.files.has(key)) changed = this.index.refresh(this.files.setText(key, document.getText())) || changed;
        if (changed) this.indexChanged();
      }, TYPING_DEBOUNCE_MS),
    );
  }

  private queueDiskChange(uri: vscode.Uri): void {
    this.pendingDiskChanges.add(uri.toString());
    clearTimeout(this.diskTimer);
    this.diskTimer = setTimeout(() => void this.flushDiskChanges(), WATCHER_BATCH_MS);
  }

  private async flushDiskChanges(): Promise<void> {
    const uris = [...this.pendingDiskChanges];
    this.pendingDiskChanges.clear();
    // A file the last scan did not see may be new: the include/exclude settings decide, exactly
    // as for the scan (one findFiles per batch, only when there is such a file).
    if (uris.some((uri) => !this.scanned.has(uri))) {
      const files = await vscode.workspace.findFiles(this.settings.include, this.settings.exclude);
      this.scanned = new Set(files.map((f) => f.toString()));
    }
    let changed = false;
    for (const key of uris) {
      // Imported files, and directories listed for workspace packages: read again on demand.
      changed = this.index.refresh(this.files.forget(key)) || changed;
      const before = this.index.versionOf(key);
      if (this.scanned.has(key)) await this.readFromDisk(vscode.Uri.parse(key));
      else this.index.remove(key);
      changed = changed || before !== this.index.versionOf(key);
    }
    if (changed) this.indexChanged();
  }

  /** Diagnostics of every file (duplicate names can change other files' diagnostics). */
  private publishAll(): void {
    const current = new Set(this.index.uris());
    for (const uri of this.published) {
      if (!current.has(uri)) this.diagnostics.delete(vscode.Uri.parse(uri));
    }
    this.published.clear();
    for (const uri of current) {
      this.diagnostics.set(vscode.Uri.parse(uri), this.index.diagnosticsOf(uri).map(toDiagnostic));
      this.published.add(uri);
    }
  }

  dispose(): void {
    this.scan?.cancel();
    clearTimeout(this.diskTimer);
    for (const timer of this.typingTimers.values()) clearTimeout(timer);
    for (const d of this.disposables) d.dispose();
  }
}

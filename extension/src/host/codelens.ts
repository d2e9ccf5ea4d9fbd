// CodeLens above each job: "At 09:00, Monday through Friday (Europe/Berlin) — next: Mon 1 Dec
// 09:00, in 14h". Refreshed when the analysis changes, and once a minute while an editor that
// shows jobs is visible (no timer otherwise).

import * as vscode from 'vscode';
import { lensTitle } from '../service/presentation.js';
import type { JobsController } from './controller.js';

const MINUTE_MS = 60_000;

export class JobCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly controller: JobsController) {
    this.disposables = [
      this.changed,
      controller.onDidChange(() => {
        this.changed.fire();
        this.updateTimer();
      }),
      vscode.window.onDidChangeVisibleTextEditors(() => this.updateTimer()),
      vscode.window.onDidChangeWindowState(() => this.updateTimer()),
    ];
    this.updateTimer();
  }

  provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): vscode.CodeLens[] {
    if (!this.controller.settings.codeLens || token.isCancellationRequested) return [];
    const analysis = this.controller.analysisOf(document);
    if (!analysis) return [];
    const now = new Date();
    return analysis.jobs.map(
      (job) =>
        new vscode.CodeLens(new vscode.Range(job.span.line, 0, job.span.line, 0), {
          title: lensTitle(job, now),
          tooltip: 'Copy the next runs',
          command: 'tickwise.copyNextRuns',
          arguments: [{ uri: document.uri.toString(), job }],
        }),
    );
  }

  /** Runs the minute timer only while the window is focused and shows an editor with jobs. */
  private updateTimer(): void {
    const visibleWithJobs =
      vscode.window.state.focused &&
      this.controller.settings.codeLens &&
      vscode.window.visibleTextEditors.some(
        (editor) => (this.controller.index.analysisOf(editor.document.uri.toString())?.jobs.length ?? 0) > 0,
      );
    if (visibleWithJobs && !this.timer) this.timer = setInterval(() => this.changed.fire(), MINUTE_MS);
    if (!visibleWithJobs && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

// CodeLens above each job: "At 09:00, Monday through Friday (Europe/Berlin) — next: Mon 1 Dec
// 09:00, in 14h". Refreshed when the analysis changes, and while the window is focused and an
// editor that shows jobs is visible, when the soonest lens's "in …" changes: every second under
// a minute, else once a minute (no timer otherwise).

import * as vscode from 'vscode';
import { lensTitle, nextRun } from '../service/presentation.js';
import type { JobsController } from './controller.js';
import { RefreshTimer } from './refresh-timer.js';

export class JobCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly timer = new RefreshTimer(() => this.refresh());
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly controller: JobsController) {
    this.disposables = [
      this.changed,
      this.timer,
      controller.onDidChange(() => this.refresh()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.planRefresh()),
      // Back in focus: the lenses may be a while out of date.
      vscode.window.onDidChangeWindowState((state) => (state.focused ? this.refresh() : this.planRefresh())),
    ];
    this.planRefresh();
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

  private refresh(): void {
    this.changed.fire();
    this.planRefresh();
  }

  /** Plans the next redraw from the jobs in visible editors, while the window is focused. */
  private planRefresh(): void {
    if (!vscode.window.state.focused || !this.controller.settings.codeLens) {
      this.timer.stop();
      return;
    }
    const now = new Date();
    this.timer.plan(
      vscode.window.visibleTextEditors.flatMap((editor) =>
        (this.controller.index.analysisOf(editor.document.uri.toString())?.jobs ?? []).map((job) => nextRun(job, now)),
      ),
    );
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

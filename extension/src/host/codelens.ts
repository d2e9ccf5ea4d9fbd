// CodeLens above each job: "At 09:00, Monday through Friday (Europe/Berlin) — next: Mon 1 Dec
// 09:00, in 14h"; when the fleet (tickwise.fleet.url) reports the job, what it reports instead:
// "✓ 2 min ago on web-2 · 1.3 s (p95 2.1 s) — next 09:00" (a click offers run now, pause,
// resume), and "runbook" when its runbook has an address. Refreshed when the analysis or the
// fleet's status changes, and while the window is focused and an editor that shows jobs is
// visible, when the soonest lens's "in …" changes: every second under a minute, else once a
// minute (no timer otherwise), and never faster than VS Code asks for them.

import type { JobDeclaration } from '@tickwise/analyzer';
import * as vscode from 'vscode';
import { fleetLensTitle, fleetLensTooltip, runbookUrl } from '../service/fleet-presentation.js';
import { lensTitle, nextRun } from '../service/presentation.js';
import type { JobsController } from './controller.js';
import type { FleetConnection } from './fleet-connection.js';
import { RefreshTimer } from './refresh-timer.js';

/** Told and not asked for this long, VS Code is told again (it may have dropped the request). */
const UNANSWERED_MS = 30_000;

export class JobCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly timer = new RefreshTimer(() => this.refresh());
  private readonly disposables: vscode.Disposable[];
  /** When VS Code was last told the lenses changed, and last asked for lenses. */
  private toldAt: number | undefined;
  private askedSince = 0;

  constructor(
    private readonly controller: JobsController,
    private readonly fleet: FleetConnection,
  ) {
    this.disposables = [
      this.changed,
      this.timer,
      controller.onDidChange(() => this.refresh()),
      fleet.onDidChange(() => this.refresh()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.planRefresh()),
      // Back in focus: the lenses may be a while out of date.
      vscode.window.onDidChangeWindowState((state) => (state.focused ? this.refresh() : this.planRefresh())),
    ];
    this.planRefresh();
  }

  provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): vscode.CodeLens[] {
    this.askedSince = Date.now();
    if (!this.controller.settings.codeLens || token.isCancellationRequested) return [];
    const analysis = this.controller.analysisOf(document);
    if (!analysis) return [];
    const now = new Date();
    return analysis.jobs.flatMap((job) => this.lensesOf(job, document.uri.toString(), now));
  }

  private lensesOf(job: JobDeclaration, uri: string, now: Date): vscode.CodeLens[] {
    const range = new vscode.Range(job.span.line, 0, job.span.line, 0);
    const declared = new vscode.CodeLens(range, {
      title: lensTitle(job, now),
      tooltip: 'Copy the next runs',
      command: 'tickwise.copyNextRuns',
      arguments: [{ uri, job }],
    });
    const jobs = this.fleet.jobs;
    if (!jobs || job.nameIsDynamic) return [declared];
    const url = this.fleet.baseUrl ?? '';
    const reported = jobs.get(job.name);
    if (!reported) {
      return [
        declared,
        new vscode.CodeLens(range, {
          title: '○ not in the fleet',
          tooltip: `No live replica of ${url} reports a job named ${job.name}, and it has no runs there.`,
          command: 'tickwise.fleet.refresh',
        }),
      ];
    }
    const lenses = [
      new vscode.CodeLens(range, {
        title: fleetLensTitle(reported, now),
        tooltip: fleetLensTooltip(reported, now, url),
        command: 'tickwise.fleet.jobActions',
        arguments: [{ name: job.name, job: { name: job.name, runbook: job.runbook } }],
      }),
    ];
    // The service's runbook first; an address in the code's (a newer one, say) otherwise.
    const runbook = runbookUrl(reported.runbook) ?? runbookUrl(job.runbook);
    if (runbook) {
      lenses.push(
        new vscode.CodeLens(range, {
          title: 'runbook',
          tooltip: `Open ${runbook}`,
          command: 'tickwise.fleet.openRunbook',
          arguments: [runbook],
        }),
      );
    }
    return lenses;
  }

  /**
   * Tells VS Code the lenses changed, unless it has not asked for them since the last time:
   * VS Code waits a while after each such event (longer when lenses took long to compute) and
   * starts waiting again on the next, so events every second could hold the update off for good.
   */
  private refresh(): void {
    const now = Date.now();
    if (this.toldAt === undefined || this.askedSince >= this.toldAt || now - this.toldAt > UNANSWERED_MS) {
      this.toldAt = now;
      this.changed.fire();
    }
    this.planRefresh();
  }

  /**
   * Plans the next redraw from the countdowns in visible editors, while the window is focused. A
   * fleet lens shows times, not a countdown: it is redrawn when the fleet is read (every 30 s).
   * Redraws that are not needed cost more than the work: VS Code postpones a CodeLens update on
   * every change event, so events every second could hold it off for good.
   */
  private planRefresh(): void {
    if (!vscode.window.state.focused || !this.controller.settings.codeLens) {
      this.timer.stop();
      return;
    }
    const now = new Date();
    const fleet = this.fleet.jobs;
    const counting = (job: JobDeclaration) => !fleet || job.nameIsDynamic || !fleet.has(job.name);
    this.timer.plan(
      vscode.window.visibleTextEditors.flatMap((editor) =>
        (this.controller.index.analysisOf(editor.document.uri.toString())?.jobs ?? [])
          .filter(counting)
          .map((job) => nextRun(job, now)),
      ),
    );
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

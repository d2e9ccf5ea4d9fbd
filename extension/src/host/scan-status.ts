// Shows the workspace scan in the jobs views: a progress bar and "Scanning 1,234 of 8,318
// files…" while it runs, then the tree, or, when nothing was found, the empty state of
// package.json's viewsWelcome (shown once the context key tickwise.scan is 'done'). After the
// scan, the view's message says when the fleet (tickwise.fleet.url) cannot be read, and why.

import * as vscode from 'vscode';
import { fleetViewMessage } from '../service/fleet-presentation.js';
import { type ScanProgress, scanMessage } from '../service/scan-progress.js';
import type { JobsController } from './controller.js';
import type { FleetConnection } from './fleet-connection.js';

export class ScanStatus implements vscode.Disposable {
  private finish: (() => void) | undefined;
  private readonly subscriptions: vscode.Disposable[];
  private progress: ScanProgress;

  constructor(
    controller: JobsController,
    private readonly fleet: FleetConnection,
    private readonly views: readonly { id: string; view: vscode.TreeView<unknown> }[],
  ) {
    this.progress = controller.scanProgress;
    this.subscriptions = [
      controller.onDidChangeScan((progress) => this.show(progress)),
      fleet.onDidChange(() => this.showMessage()),
    ];
    this.show(controller.scanProgress);
  }

  /** The scan's progress while it runs, else the fleet's problem, if any. */
  private showMessage(): void {
    const message = scanMessage(this.progress) ?? fleetViewMessage(this.fleet.state);
    for (const { view } of this.views) if (view.message !== message) view.message = message;
  }

  private show(progress: ScanProgress): void {
    this.progress = progress;
    this.showMessage();
    const running = progress.phase !== 'done';
    void vscode.commands.executeCommand('setContext', 'tickwise.scan', running ? 'running' : 'done');
    if (running && !this.finish) {
      const finished = new Promise<void>((resolve) => {
        this.finish = resolve;
      });
      for (const { id } of this.views) void vscode.window.withProgress({ location: { viewId: id } }, () => finished);
    } else if (!running) {
      this.finish?.();
      this.finish = undefined;
    }
  }

  dispose(): void {
    this.finish?.();
    for (const s of this.subscriptions) s.dispose();
  }
}

// Shows the workspace scan in the jobs views: a progress bar and "Scanning 1,234 of 8,318
// files…" while it runs, then the tree, or, when nothing was found, the empty state of
// package.json's viewsWelcome (shown once the context key tickwise.scan is 'done').

import * as vscode from 'vscode';
import { type ScanProgress, scanMessage } from '../service/scan-progress.js';
import type { JobsController } from './controller.js';

export class ScanStatus implements vscode.Disposable {
  private finish: (() => void) | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(
    controller: JobsController,
    private readonly views: readonly { id: string; view: vscode.TreeView<unknown> }[],
  ) {
    this.subscription = controller.onDidChangeScan((progress) => this.show(progress));
    this.show(controller.scanProgress);
  }

  private show(progress: ScanProgress): void {
    const message = scanMessage(progress);
    for (const { view } of this.views) view.message = message;
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
    this.subscription.dispose();
  }
}

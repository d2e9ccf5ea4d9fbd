// The "Scheduled Jobs" tree (in the Explorer and in its own container): nodes from the pure
// tree model, mapped to TreeItems. While a view is visible and the window focused, the tree is
// redrawn when the soonest "in …" label changes: every second under a minute, else once a minute.

import * as vscode from 'vscode';
import { treeTooltipMarkdown } from '../service/presentation.js';
import { buildTree, runsShown, type SortMode, type TreeNode } from '../service/tree-model.js';
import type { JobsController } from './controller.js';
import { untrustedMarkdown } from './hover.js';
import { RefreshTimer } from './refresh-timer.js';

export class JobsTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private mode: SortMode = 'file';
  private readonly timer = new RefreshTimer(() => this.refresh());
  private readonly views: vscode.TreeView<TreeNode>[] = [];
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly controller: JobsController) {
    this.disposables = [
      this.changed,
      this.timer,
      controller.onDidChange(() => this.refresh()),
      vscode.window.onDidChangeWindowState((state) => (state.focused ? this.refresh() : this.timer.stop())),
    ];
    void vscode.commands.executeCommand('setContext', 'tickwise.sort', this.mode);
  }

  /** The views showing this tree: the timer runs only while one of them is visible. */
  watch(view: vscode.TreeView<TreeNode>): void {
    this.views.push(view);
    this.disposables.push(
      view.onDidChangeVisibility((e) => {
        // Shown again: its labels may be a while out of date.
        if (e.visible) this.refresh();
        else if (!this.views.some((v) => v.visible)) this.timer.stop();
      }),
    );
  }

  setMode(mode: SortMode): void {
    this.mode = mode;
    void vscode.commands.executeCommand('setContext', 'tickwise.sort', mode);
    this.refresh();
  }

  private refresh(): void {
    this.changed.fire(undefined);
  }

  getChildren(node?: TreeNode): TreeNode[] {
    if (node) return node.kind === 'group' ? node.children : [];
    const groups = buildTree(this.controller.jobs(), this.mode, new Date(), this.controller.index.duplicateNames());
    // Rebuilt on every refresh, so the next one is planned from exactly the labels just drawn.
    if (vscode.window.state.focused && this.views.some((v) => v.visible)) this.timer.plan(runsShown(groups));
    else this.timer.stop();
    return groups;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    if (node.kind === 'group') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = node.id;
      item.description = node.description;
      if (node.tooltip) item.tooltip = node.tooltip;
      if (node.uri) item.resourceUri = vscode.Uri.parse(node.uri);
      item.iconPath = node.uri ? vscode.ThemeIcon.File : new vscode.ThemeIcon('history');
      item.contextValue = 'tickwise.group';
      return item;
    }
    const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.description = node.description;
    item.iconPath = new vscode.ThemeIcon(
      node.duplicate ? 'warning' : node.dynamic ? 'question' : 'clock',
      node.duplicate ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined,
    );
    item.contextValue = node.dynamic ? 'tickwise.job.dynamic' : 'tickwise.job';
    item.command = { command: 'tickwise.revealJob', title: 'Reveal Job Declaration', arguments: [node] };
    return item;
  }

  /** The tooltip (next runs with DST notes, then the full path) is built only when the user hovers an item. */
  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    if (node.kind === 'job') {
      const { localZone, nextRuns } = this.controller.settings;
      item.tooltip = untrustedMarkdown(treeTooltipMarkdown(node.job, { now: new Date(), localZone, count: nextRuns }));
    }
    return item;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

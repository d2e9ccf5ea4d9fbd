// The "Scheduled Jobs" tree (in the Explorer and in its own container): nodes from the pure
// tree model, mapped to TreeItems.

import * as vscode from 'vscode';
import { hoverMarkdown } from '../service/presentation.js';
import { buildTree, type SortMode, type TreeNode } from '../service/tree-model.js';
import type { JobsController } from './controller.js';
import { untrustedMarkdown } from './hover.js';

export class JobsTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private mode: SortMode = 'file';
  private readonly subscription: vscode.Disposable;

  constructor(private readonly controller: JobsController) {
    this.subscription = controller.onDidChange(() => this.changed.fire(undefined));
    void vscode.commands.executeCommand('setContext', 'tickwise.sort', this.mode);
  }

  setMode(mode: SortMode): void {
    this.mode = mode;
    void vscode.commands.executeCommand('setContext', 'tickwise.sort', mode);
    this.changed.fire(undefined);
  }

  getChildren(node?: TreeNode): TreeNode[] {
    if (node) return node.kind === 'group' ? node.children : [];
    return buildTree(this.controller.jobs(), this.mode, new Date(), this.controller.index.duplicateNames());
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    if (node.kind === 'group') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = node.id;
      item.description = node.description;
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

  /** The tooltip (next runs with DST notes) is built only when the user hovers an item. */
  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    if (node.kind === 'job') {
      const { localZone, nextRuns } = this.controller.settings;
      item.tooltip = untrustedMarkdown(hoverMarkdown(node.job, { now: new Date(), localZone, count: nextRuns }));
    }
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

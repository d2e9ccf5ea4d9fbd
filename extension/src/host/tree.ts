// The "Scheduled Jobs" tree (in the Explorer and in its own container): nodes from the pure
// tree model, mapped to TreeItems. While a view is visible and the window focused, the tree is
// redrawn when the soonest "in …" label changes: every second under a minute, else once a minute.
// A redraw that only moves labels on updates the items in place, not the whole tree: a whole
// refresh makes VS Code forget which item is which until it has asked for them again, and a
// context-menu command chosen in that moment would get no item.
// Connected to the fleet (tickwise.fleet.url), each job's icon is its status there, its
// description leads with it ("paused by alice: deploy freeze"), and its context menu has the
// controls (run now, pause or resume).

import * as vscode from 'vscode';
import { fleetIcon, fleetMarkdown } from '../service/fleet-presentation.js';
import { treeTooltipMarkdown } from '../service/presentation.js';
import {
  buildTree,
  type GroupNode,
  type JobNode,
  runsShown,
  type SortMode,
  type TreeNode,
} from '../service/tree-model.js';
import type { JobsController } from './controller.js';
import type { FleetConnection } from './fleet-connection.js';
import { untrustedMarkdown } from './hover.js';
import { RefreshTimer } from './refresh-timer.js';

export class JobsTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private mode: SortMode = 'file';
  private readonly timer = new RefreshTimer(() => this.redraw());
  /** The groups the view shows (as last returned for the root); their nodes are updated in place. */
  private shown: GroupNode[] | undefined;
  private readonly views: vscode.TreeView<TreeNode>[] = [];
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly controller: JobsController,
    private readonly fleet: FleetConnection,
  ) {
    this.disposables = [
      this.changed,
      this.timer,
      controller.onDidChange(() => this.refresh()),
      fleet.onDidChange(() => this.redraw()),
      vscode.window.onDidChangeWindowState((state) => (state.focused ? this.redraw() : this.timer.stop())),
    ];
    void vscode.commands.executeCommand('setContext', 'tickwise.sort', this.mode);
  }

  /** The views showing this tree: the timer runs only while one of them is visible. */
  watch(view: vscode.TreeView<TreeNode>): void {
    this.views.push(view);
    this.disposables.push(
      view.onDidChangeVisibility((e) => {
        // Shown again: its labels may be a while out of date.
        if (e.visible) this.redraw();
        else if (!this.views.some((v) => v.visible)) this.timer.stop();
        this.fleet.wake();
      }),
    );
  }

  /** Whether one of the jobs views is on screen (the fleet is polled only while jobs are in view). */
  get visible(): boolean {
    return this.views.some((v) => v.visible);
  }

  setMode(mode: SortMode): void {
    this.mode = mode;
    void vscode.commands.executeCommand('setContext', 'tickwise.sort', mode);
    this.refresh();
  }

  /** The jobs or their grouping may have changed: the whole tree again. */
  private refresh(): void {
    this.shown = undefined;
    this.changed.fire(undefined);
  }

  /** Labels, icons or menus may have moved on: the items that changed, in place (the whole tree when its shape changed). */
  private redraw(): void {
    const shown = this.shown;
    if (!shown) {
      this.refresh();
      return;
    }
    const groups = this.build();
    const before = shown.flatMap((g) => [g, ...g.children]);
    const after = groups.flatMap((g) => [g, ...g.children]);
    if (before.length !== after.length || before.some((node, i) => node.id !== after[i]?.id)) {
      this.refresh();
      return;
    }
    const changed: TreeNode[] = [];
    before.forEach((node, i) => {
      if (replaceContents(node, after[i] as TreeNode)) changed.push(node);
    });
    this.plan(groups);
    if (changed.length > 0) this.changed.fire(changed);
  }

  private build(): GroupNode[] {
    return buildTree(
      this.controller.jobs(),
      this.mode,
      new Date(),
      this.controller.index.duplicateNames(),
      this.fleet.jobs,
    );
  }

  /** Plans the next redraw from exactly the labels just drawn. */
  private plan(groups: readonly GroupNode[]): void {
    if (vscode.window.state.focused && this.views.some((v) => v.visible)) this.timer.plan(runsShown(groups));
    else this.timer.stop();
  }

  getChildren(node?: TreeNode): TreeNode[] {
    if (node) return node.kind === 'group' ? node.children : [];
    // Both views get the same nodes, so an update in place reaches both.
    if (!this.shown) {
      this.shown = this.build();
      this.plan(this.shown);
    }
    return this.shown;
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
    item.iconPath = iconOf(node);
    item.contextValue = contextValueOf(node);
    item.command = { command: 'tickwise.revealJob', title: 'Reveal Job Declaration', arguments: [node] };
    return item;
  }

  /** The tooltip (next runs with DST notes, then the full path) is built only when the user hovers an item. */
  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    if (node.kind === 'job') {
      const { localZone, nextRuns } = this.controller.settings;
      const now = new Date();
      const fleet = node.fleet ? `\n\n---\n\n${fleetMarkdown(node.fleet, now, this.fleet.baseUrl ?? '')}` : '';
      item.tooltip = untrustedMarkdown(`${treeTooltipMarkdown(node.job, { now, localZone, count: nextRuns })}${fleet}`);
    }
    return item;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * Makes `node` hold what `next` holds (a group keeps its children: they are updated on their own);
 * returns whether what the view shows of it (label, description, icon, menus) changed.
 */
function replaceContents(node: TreeNode, next: TreeNode): boolean {
  const before = shownOf(node);
  const target = node as unknown as Record<string, unknown>;
  const source = next as unknown as Record<string, unknown>;
  for (const key of Object.keys(target)) if (!(key in source)) delete target[key];
  for (const [key, value] of Object.entries(source)) if (key !== 'children') target[key] = value;
  return shownOf(node) !== before;
}

function shownOf(node: TreeNode): string {
  if (node.kind === 'group') return `${node.label}\n${node.description}`;
  const icon = iconOf(node);
  return `${node.label}\n${node.description}\n${icon.id}\n${contextValueOf(node)}`;
}

/** A duplicate name warns whatever the fleet says; else the fleet's status, or the kind of schedule. */
function iconOf(node: JobNode): vscode.ThemeIcon {
  if (node.duplicate) return new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  if (node.fleet) {
    const icon = fleetIcon(node.fleet);
    return new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
  }
  return new vscode.ThemeIcon(node.dynamic ? 'question' : 'clock');
}

/**
 * "tickwise.job", "tickwise.job.dynamic", then ".fleet.active" or ".fleet.paused" for a job the
 * fleet reports: package.json's menus show the controls by these.
 */
function contextValueOf(node: JobNode): string {
  const base = node.dynamic ? 'tickwise.job.dynamic' : 'tickwise.job';
  if (!node.fleet || node.fleet === 'not-in-fleet') return base;
  return `${base}.fleet.${node.fleet.paused ? 'paused' : 'active'}`;
}

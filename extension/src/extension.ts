// Entry point: activate() only wires providers and disposables. The workspace scan starts after
// activation returns, and the TypeScript parser (shipped beside this bundle) loads on first use.

import { join } from 'node:path';
import { setTypeScriptLoader, type TypeScript } from '@tickwise/analyzer';
import * as vscode from 'vscode';
import { JobCodeLensProvider } from './host/codelens.js';
import { registerCommands } from './host/commands.js';
import { JobsController } from './host/controller.js';
import { registerFleetCommands } from './host/fleet-commands.js';
import { FleetConnection } from './host/fleet-connection.js';
import { FleetStatusBarItem } from './host/fleet-status-bar.js';
import { ScheduleHoverProvider } from './host/hover.js';
import { ScanStatus } from './host/scan-status.js';
import { JobsTreeProvider } from './host/tree.js';

const SELECTOR: vscode.DocumentSelector = [
  { language: 'typescript' },
  { language: 'typescriptreact' },
  { language: 'javascript' },
  { language: 'javascriptreact' },
];

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  // The extension's own copy of TypeScript, never the workspace's (untrusted workspaces included).
  setTypeScriptLoader(() => require(join(__dirname, 'typescript.cjs')) as TypeScript);
  const log = vscode.window.createOutputChannel('Tickwise', { log: true });
  const controller = new JobsController(log);
  // The fleet is read only while jobs are on screen: a jobs view, or an editor that shows jobs.
  const jobsInView = (): boolean =>
    tree.visible ||
    vscode.window.visibleTextEditors.some(
      (editor) => (controller.index.analysisOf(editor.document.uri.toString())?.jobs.length ?? 0) > 0,
    );
  const fleet = new FleetConnection(context.secrets, log, jobsInView);
  const tree = new JobsTreeProvider(controller, fleet);
  const lenses = new JobCodeLensProvider(controller, fleet);
  const views = ['tickwise.jobs', 'tickwise.jobs.explorer'].map((id) => ({
    id,
    view: vscode.window.createTreeView(id, { treeDataProvider: tree, showCollapseAll: true }),
  }));
  for (const { view } of views) tree.watch(view);
  context.subscriptions.push(
    log,
    controller,
    fleet,
    tree,
    lenses,
    ...views.map(({ view }) => view),
    new ScanStatus(controller, fleet, views),
    new FleetStatusBarItem(fleet),
    vscode.languages.registerCodeLensProvider(SELECTOR, lenses),
    vscode.languages.registerHoverProvider(SELECTOR, new ScheduleHoverProvider(controller, fleet)),
    ...registerCommands(controller, tree, fleet),
    ...registerFleetCommands(fleet),
    vscode.window.onDidChangeVisibleTextEditors(() => fleet.wake()),
    controller.onDidChange(() => fleet.wake()),
  );
  controller.start();
  fleet.configure();
  log.info(`activated in ${(performance.now() - started).toFixed(1)} ms`);
}

export function deactivate(): void {}

// Commands: refresh (the scan and the fleet's status), sort, reveal a job, copy its next runs,
// preview a selected schedule. The fleet's own commands are in fleet-commands.ts.

import type { JobDeclaration } from '@tickwise/analyzer';
import { isKnownTimeZone } from '@tickwise/core/schedule';
import * as vscode from 'vscode';
import { nextRunsText, previewMarkdown } from '../service/presentation.js';
import type { JobsController } from './controller.js';
import { toRange } from './convert.js';
import type { FleetConnection } from './fleet-connection.js';
import type { JobsTreeProvider } from './tree.js';

/** What tree items and CodeLenses pass to the job commands. */
interface JobReference {
  uri: string;
  job: JobDeclaration;
}

export function registerCommands(
  controller: JobsController,
  tree: JobsTreeProvider,
  fleet: FleetConnection,
): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('tickwise.refresh', () => Promise.all([controller.rescan(), fleet.refresh()])),
    vscode.commands.registerCommand('tickwise.sortByNextRun', () => tree.setMode('nextRun')),
    vscode.commands.registerCommand('tickwise.sortByFile', () => tree.setMode('file')),
    vscode.commands.registerCommand('tickwise.revealJob', async (ref?: JobReference) => {
      if (!ref) return;
      const range = toRange(ref.job.nameSpan ?? ref.job.span);
      await vscode.window.showTextDocument(vscode.Uri.parse(ref.uri), { selection: range, preview: true });
    }),
    vscode.commands.registerCommand('tickwise.copyNextRuns', async (ref?: JobReference) => {
      if (!ref) return;
      const { localZone, nextRuns } = controller.settings;
      await vscode.env.clipboard.writeText(nextRunsText(ref.job, { now: new Date(), localZone, count: nextRuns }));
      void vscode.window.showInformationMessage(`Copied the next runs of ${ref.job.name}.`);
    }),
    vscode.commands.registerCommand('tickwise.previewSchedule', async () => {
      const editor = vscode.window.activeTextEditor;
      const selected = editor?.document.getText(editor.selection).trim();
      if (!selected) {
        void vscode.window.showInformationMessage('Select a schedule string (e.g. 0 9 * * 1-5) to preview its runs.');
        return;
      }
      const zone = await vscode.window.showInputBox({
        prompt: 'Time zone for the schedule',
        value: 'UTC',
        validateInput: (value) => (isKnownTimeZone(value) ? undefined : `unknown time zone '${value}'`),
      });
      if (zone === undefined) return;
      const { localZone, nextRuns } = controller.settings;
      const content = previewMarkdown(selected, zone, { now: new Date(), localZone, count: Math.max(nextRuns, 10) });
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content });
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    }),
  ];
}

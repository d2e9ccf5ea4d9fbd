// The fleet's commands: set or clear the token, refresh, and the controls (run now, pause, resume)
// from the tree's context menu, the CodeLens (its click offers them) or the palette (which asks
// for the job). Every control asks for confirmation first; a pause also asks why and for how long.

import { parseDuration } from '@tickwise/core/schedule';
import * as vscode from 'vscode';
import { FleetRequestError } from '../service/fleet-client.js';
import { fleetLensTitle, runbookUrl } from '../service/fleet-presentation.js';
import type { FleetConnection } from './fleet-connection.js';

/** What the tree (a JobNode) and the CodeLens ({ name }) pass to the job commands. */
interface JobReference {
  name?: string;
  job?: { name: string; runbook?: string };
}

export function registerFleetCommands(connection: FleetConnection): vscode.Disposable[] {
  const refresh = () => connection.refresh();
  return [
    vscode.commands.registerCommand('tickwise.fleet.setToken', () => setToken(connection)),
    vscode.commands.registerCommand('tickwise.fleet.clearToken', async () => {
      if (!(await needsUrl(connection))) return;
      await connection.clearToken();
      void vscode.window.showInformationMessage(`Cleared the fleet token for ${connection.baseUrl}.`);
    }),
    vscode.commands.registerCommand('tickwise.fleet.refresh', async () => {
      if (await needsUrl(connection)) await refresh();
    }),
    vscode.commands.registerCommand('tickwise.fleet.trigger', (ref?: JobReference) => trigger(connection, ref)),
    vscode.commands.registerCommand('tickwise.fleet.pause', (ref?: JobReference) => pause(connection, ref)),
    vscode.commands.registerCommand('tickwise.fleet.resume', (ref?: JobReference) => resume(connection, ref)),
    vscode.commands.registerCommand('tickwise.fleet.jobActions', (ref?: JobReference) => jobActions(connection, ref)),
    vscode.commands.registerCommand('tickwise.fleet.openRunbook', async (url?: string) => {
      // VS Code's link protection asks before opening an address outside the trusted domains.
      if (url && /^https?:/i.test(url)) await vscode.env.openExternal(vscode.Uri.parse(url));
    }),
  ];
}

/** False (after saying what to do) when tickwise.fleet.url is not set. */
async function needsUrl(connection: FleetConnection): Promise<boolean> {
  if (connection.baseUrl) return true;
  const open = 'Open User Settings';
  const choice = await vscode.window.showWarningMessage(
    'Set tickwise.fleet.url in your user settings to the address of a service that serves the Tickwise fleet API (e.g. http://127.0.0.1:3000).',
    open,
  );
  if (choice === open) await vscode.commands.executeCommand('workbench.action.openSettings', 'tickwise.fleet.url');
  return false;
}

async function setToken(connection: FleetConnection): Promise<void> {
  if (!(await needsUrl(connection))) return;
  const token = await vscode.window.showInputBox({
    title: 'Tickwise: Set Fleet Token',
    prompt: `The token of ${connection.baseUrl} (its createHealthHandler token option), sent as Authorization: Bearer and kept in VS Code's secret storage`,
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() === '' ? 'The token is empty' : undefined),
  });
  if (token === undefined) return;
  await connection.setToken(token.trim());
  await connection.refresh();
}

/** The job a command is about: from the tree or the lens, else picked from the fleet's jobs. */
async function jobName(connection: FleetConnection, ref: JobReference | undefined): Promise<string | undefined> {
  const named = ref?.name ?? ref?.job?.name;
  if (named) return named;
  if (!(await needsUrl(connection))) return undefined;
  const jobs = connection.jobs;
  if (!jobs) {
    void vscode.window.showWarningMessage(
      `The fleet's jobs are not known: ${connection.state?.kind === 'failed' ? connection.state.error.message : 'not connected yet'}`,
    );
    return undefined;
  }
  const now = new Date();
  const picked = await vscode.window.showQuickPick(
    [...jobs.values()].map((job) => ({ label: job.name, description: fleetLensTitle(job, now) })),
    { placeHolder: 'Which job?' },
  );
  return picked?.label;
}

/** Says what went wrong with a control; offers the token command when the service refused. */
async function reportFailure(what: string, error: unknown): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  const refused =
    error instanceof FleetRequestError && (error.code === 'FLEET_UNAUTHORIZED' || error.code === 'FLEET_FORBIDDEN');
  const setTokenLabel = 'Set Fleet Token';
  const choice = await vscode.window.showErrorMessage(
    `Could not ${what}: ${message}`,
    ...(refused ? [setTokenLabel] : []),
  );
  if (choice === setTokenLabel) await vscode.commands.executeCommand('tickwise.fleet.setToken');
}

async function trigger(connection: FleetConnection, ref: JobReference | undefined): Promise<void> {
  const name = await jobName(connection, ref);
  if (!name) return;
  const run = 'Run Now';
  const choice = await vscode.window.showWarningMessage(
    `Run ${name} now?`,
    {
      modal: true,
      detail: `One replica of ${connection.baseUrl} runs it once, outside its schedule; the run is recorded as triggered by you.`,
    },
    run,
  );
  if (choice !== run) return;
  try {
    await connection.trigger(name);
    void vscode.window.showInformationMessage(`Asked ${connection.baseUrl} to run ${name} now.`);
  } catch (error) {
    await reportFailure(`run ${name}`, error);
  }
}

async function pause(connection: FleetConnection, ref: JobReference | undefined): Promise<void> {
  const name = await jobName(connection, ref);
  if (!name) return;
  const reason = await vscode.window.showInputBox({
    title: `Pause ${name}`,
    prompt: 'Why? Recorded with the pause, and shown to everyone who looks at the job.',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() === '' ? 'A pause needs a reason' : undefined),
  });
  if (reason === undefined) return;
  const duration = await vscode.window.showInputBox({
    title: `Pause ${name}`,
    prompt: 'For how long? e.g. 30m, 2h or 1d. Empty: until someone resumes it.',
    ignoreFocusOut: true,
    validateInput: (value) =>
      value.trim() === '' || parseDuration(value.trim()).ms > 0
        ? undefined
        : `'${value.trim()}' is not a duration such as 30m, 2h or 1d`,
  });
  if (duration === undefined) return;
  const span = duration.trim();
  const label = 'Pause';
  const choice = await vscode.window.showWarningMessage(
    `Pause ${name} on every replica${span ? ` for ${span}` : ' until resumed'}?`,
    {
      modal: true,
      detail: `Service: ${connection.baseUrl}\nReason: ${reason.trim()}\nIts ticks are skipped while it is paused.`,
    },
    label,
  );
  if (choice !== label) return;
  try {
    await connection.pause(name, { reason: reason.trim(), ...(span && { for: span }) });
    void vscode.window.showInformationMessage(`Paused ${name}${span ? ` for ${span}` : ' until resumed'}.`);
  } catch (error) {
    await reportFailure(`pause ${name}`, error);
  }
}

async function resume(connection: FleetConnection, ref: JobReference | undefined): Promise<void> {
  const name = await jobName(connection, ref);
  if (!name) return;
  const paused = connection.jobs?.get(name)?.paused;
  // A pause is removed by the pattern it was made with ("Billing.*" pauses several jobs).
  const pattern = paused?.pattern || name;
  const label = 'Resume';
  const covers = pattern !== name ? `\nThe pause is of '${pattern}': every job it covers resumes.` : '';
  const choice = await vscode.window.showWarningMessage(
    `Resume ${pattern}?`,
    {
      modal: true,
      detail: `Service: ${connection.baseUrl}${paused ? `\nPaused by ${paused.by}: ${paused.reason}` : ''}${covers}`,
    },
    label,
  );
  if (choice !== label) return;
  try {
    const resumed = await connection.resume(pattern);
    void vscode.window.showInformationMessage(resumed ? `Resumed ${pattern}.` : `${pattern} was not paused.`);
  } catch (error) {
    await reportFailure(`resume ${pattern}`, error);
  }
}

/** The CodeLens's click: what can be done with the job. */
async function jobActions(connection: FleetConnection, ref: JobReference | undefined): Promise<void> {
  const name = await jobName(connection, ref);
  if (!name) return;
  const job = connection.jobs?.get(name);
  const runbook = runbookUrl(job?.runbook) ?? runbookUrl(ref?.job?.runbook);
  const items: (vscode.QuickPickItem & { command: string; argument?: unknown })[] = [
    { label: '$(play) Run now…', command: 'tickwise.fleet.trigger', argument: { name } },
    job?.paused
      ? {
          label: '$(debug-start) Resume…',
          description: `paused by ${job.paused.by}`,
          command: 'tickwise.fleet.resume',
          argument: { name },
        }
      : { label: '$(debug-pause) Pause…', command: 'tickwise.fleet.pause', argument: { name } },
    ...(runbook
      ? [
          {
            label: '$(book) Open runbook',
            description: runbook,
            command: 'tickwise.fleet.openRunbook',
            argument: runbook,
          },
        ]
      : []),
    { label: '$(refresh) Refresh fleet status', command: 'tickwise.fleet.refresh' },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: job ? `${name}: ${fleetLensTitle(job, new Date())}` : name,
    placeHolder: `What to do with ${name} on ${connection.baseUrl}`,
  });
  if (picked) await vscode.commands.executeCommand(picked.command, picked.argument);
}

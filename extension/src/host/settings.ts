// The extension's settings, read in one place and checked (a bad display zone falls back to the
// machine's, with a warning in the log, instead of breaking every hover).

import { isKnownTimeZone } from '@tickwise/core/schedule';
import * as vscode from 'vscode';
import { zoneSetting } from '../service/dates.js';

export interface Settings {
  localZone: string;
  /** The zone assumed for libraries that run in the server's local zone. */
  serverZone: string;
  nextRuns: number;
  include: string;
  exclude: string;
  codeLens: boolean;
}

export function readSettings(log: vscode.LogOutputChannel): Settings {
  const config = vscode.workspace.getConfiguration('tickwise');
  const local = zoneSetting('tickwise.displayTimeZone', config.get<string>('displayTimeZone', ''), isKnownTimeZone);
  const server = zoneSetting('tickwise.serverTimeZone', config.get<string>('serverTimeZone', ''), isKnownTimeZone);
  for (const warning of [local.warning, server.warning]) if (warning) log.warn(warning);
  const runs = config.get<number>('nextRuns', 5);
  return {
    localZone: local.zone,
    serverZone: server.zone,
    nextRuns: Number.isInteger(runs) && runs >= 1 && runs <= 50 ? runs : 5,
    include: config.get<string>('include', '**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'),
    exclude: config.get<string>('exclude', '**/{node_modules,dist,build,out,coverage,.git}/**'),
    codeLens: config.get<boolean>('codeLens.enabled', true),
  };
}

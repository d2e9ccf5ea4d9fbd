// The extension's settings, read in one place and checked (a bad display zone falls back to the
// machine's, with a warning in the log, instead of breaking every hover).

import { isKnownTimeZone } from '@tickwise/core/schedule';
import * as vscode from 'vscode';
import { machineTimeZone } from '../service/dates.js';

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
  const zone = config.get<string>('displayTimeZone', '').trim();
  if (zone && !isKnownTimeZone(zone)) {
    log.warn(`tickwise.displayTimeZone: unknown time zone '${zone}'; using ${machineTimeZone()}`);
  }
  const server = config.get<string>('serverTimeZone', '').trim();
  if (server && !isKnownTimeZone(server)) {
    log.warn(`tickwise.serverTimeZone: unknown time zone '${server}'; using ${machineTimeZone()}`);
  }
  const runs = config.get<number>('nextRuns', 5);
  return {
    localZone: zone && isKnownTimeZone(zone) ? zone : machineTimeZone(),
    serverZone: server && isKnownTimeZone(server) ? server : machineTimeZone(),
    nextRuns: Number.isInteger(runs) && runs >= 1 && runs <= 50 ? runs : 5,
    include: config.get<string>('include', '**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'),
    exclude: config.get<string>('exclude', '**/{node_modules,dist,build,out,coverage,.git}/**'),
    codeLens: config.get<boolean>('codeLens.enabled', true),
  };
}

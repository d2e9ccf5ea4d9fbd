// The status bar item of the fleet connection: the jobs' statuses ("Fleet: 1 failing, 3 ok"), or why
// the service cannot be read ("Fleet unreachable", "Fleet: token needed"); hidden without
// tickwise.fleet.url. A click refreshes, or asks for the token after a 401.

import * as vscode from 'vscode';
import { fleetStatusBar } from '../service/fleet-presentation.js';
import type { FleetConnection } from './fleet-connection.js';

export class FleetStatusBarItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('tickwise.fleet', vscode.StatusBarAlignment.Left, 10);
  private readonly subscription: vscode.Disposable;

  constructor(private readonly connection: FleetConnection) {
    this.item.name = 'Tickwise Fleet';
    this.subscription = connection.onDidChange(() => this.show());
    this.show();
  }

  private show(): void {
    const state = this.connection.state;
    if (!state) {
      this.item.hide();
      return;
    }
    const view = fleetStatusBar(state, new Date());
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.backgroundColor = view.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.command = view.click === 'setToken' ? 'tickwise.fleet.setToken' : 'tickwise.fleet.refresh';
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}

// The connection to the running service (user setting tickwise.fleet.url, token in VS Code's
// secret storage): polls GET <url>/jobs?scope=fleet every 30 s while jobs are in view and the window
// is focused (no timer otherwise), and on demand; fetches a job's last runs for the hover (cached
// briefly); sends the controls. Tells the views when anything changed.
// The token is stored per address and sent only to the address it was set for.

import { userInfo } from 'node:os';
import type { FleetPause, FleetRun } from '@tickwise/core';
import * as vscode from 'vscode';
import type { FleetJob } from '../service/fleet-client.js';
import { FleetClient, type FleetFetch, FleetRequestError, type PauseRequest } from '../service/fleet-client.js';
import { nextPollDelay } from '../service/fleet-poll.js';
import type { FleetState } from '../service/fleet-presentation.js';
import { fleetUrlSetting, sendsTokenInClear } from '../service/fleet-url.js';

/** A hover reuses a job's runs fetched this recently. */
const RUNS_CACHE_MS = 15_000;
/** The hover waits at most this long for the runs. */
const HOVER_TIMEOUT_MS = 4_000;
/** A triggered run is usually done by then (a replica picks the request up within a few seconds). */
const TRIGGER_FOLLOW_UP_MS = 5_000;
/** How many runs the hover lists. */
export const HOVER_RUNS = 5;

const tokenKey = (url: string) => `tickwise.fleet.token:${url}`;

/** Reads tickwise.fleet.url from the user's settings only (see fleet-url.ts), logging what was ignored. */
export function readFleetUrl(log: vscode.LogOutputChannel): string | undefined {
  const { url, warnings } = fleetUrlSetting(vscode.workspace.getConfiguration('tickwise').inspect('fleet.url'));
  for (const warning of warnings) log.warn(warning);
  return url;
}

/** Who a pause or trigger is recorded as. */
function who(): string {
  try {
    return `${userInfo().username} (VS Code)`;
  } catch {
    return 'VS Code';
  }
}

export class FleetConnection implements vscode.Disposable {
  private url: string | undefined;
  private current: FleetState | undefined;
  private byName = new Map<string, FleetJob>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private followUp: ReturnType<typeof setTimeout> | undefined;
  private polling: Promise<void> | undefined;
  private pollAgain = false;
  private lastPoll: number | undefined;
  private readonly runsCache = new Map<string, { at: number; runs: Promise<FleetRun[]> }>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** The state, or the jobs' statuses, changed (also after every poll: "2 min ago" moves on). */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[];
  private warnedClear = false;

  /**
   * `inView`: whether jobs are on screen (a jobs view visible, or an editor showing jobs); the
   * owner calls {@link wake} when that may have changed.
   */
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
    private readonly inView: () => boolean,
    private readonly fetch: FleetFetch = globalThis.fetch as unknown as FleetFetch,
  ) {
    this.disposables = [
      this.changed,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('tickwise.fleet')) this.configure();
      }),
      secrets.onDidChange((e) => {
        if (this.url && e.key === tokenKey(this.url)) void this.refresh();
      }),
      vscode.window.onDidChangeWindowState(() => this.wake()),
    ];
  }

  /** Reads the setting and connects (or disconnects); the first poll starts at once. */
  configure(): void {
    const url = readFleetUrl(this.log);
    if (url === this.url && this.current) return;
    this.url = url;
    this.byName = new Map();
    this.runsCache.clear();
    this.stopTimer();
    this.lastPoll = undefined;
    this.warnedClear = false;
    this.current = url ? { kind: 'connecting', url } : undefined;
    void vscode.commands.executeCommand('setContext', 'tickwise.fleet', url ? 'connecting' : 'off');
    this.changed.fire();
    if (url) {
      this.log.info(`fleet: showing the status of ${url}`);
      void this.refresh();
    }
  }

  /** The service's address, when the setting names one. */
  get baseUrl(): string | undefined {
    return this.url;
  }

  get state(): FleetState | undefined {
    return this.current;
  }

  /** The fleet's jobs by name while connected; undefined when not connected or the last poll failed. */
  get jobs(): ReadonlyMap<string, FleetJob> | undefined {
    return this.current?.kind === 'connected' ? this.byName : undefined;
  }

  /** Reads the status now (a poll already running is followed by one more). */
  refresh(): Promise<void> {
    if (!this.url) return Promise.resolve();
    if (this.polling) {
      this.pollAgain = true;
      return this.polling;
    }
    this.polling = this.poll().finally(() => {
      this.polling = undefined;
      if (this.pollAgain) {
        this.pollAgain = false;
        void this.refresh();
      } else this.plan();
    });
    return this.polling;
  }

  /** Jobs came into view, or the window got focus: reads now if the last poll is stale, then keeps polling. */
  wake(): void {
    if (!this.url || this.polling) return;
    const delay = this.delay();
    if (delay === undefined) this.stopTimer();
    else if (delay === 0) void this.refresh();
    else if (!this.timer) this.plan();
  }

  private delay(): number | undefined {
    return nextPollDelay(this.lastPoll, Date.now(), vscode.window.state.focused && this.inView());
  }

  private plan(): void {
    this.stopTimer();
    const delay = this.url ? this.delay() : undefined;
    if (delay === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, delay);
  }

  private stopTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async client(timeoutMs?: number): Promise<FleetClient> {
    const url = this.url;
    if (!url)
      throw new FleetRequestError('FLEET_UNREACHABLE', 'no service: set tickwise.fleet.url in your user settings');
    const token = await this.secrets.get(tokenKey(url));
    if (token && !this.warnedClear && sendsTokenInClear(url)) {
      this.warnedClear = true;
      this.log.warn(`fleet: the token goes to ${url} over plain http; use https for a service on another machine`);
    }
    return new FleetClient({
      baseUrl: url,
      fetch: this.fetch,
      ...(token && { token }),
      ...(timeoutMs && { timeoutMs }),
    });
  }

  private async poll(): Promise<void> {
    const url = this.url as string;
    this.lastPoll = Date.now();
    try {
      const health = await (await this.client()).status();
      if (url !== this.url) return;
      const wasConnected = this.current?.kind === 'connected';
      this.byName = new Map(health.jobs.map((job) => [job.name, job]));
      this.current = { kind: 'connected', url, health, checkedAt: new Date() };
      if (!wasConnected) {
        this.log.info(`fleet: connected to ${url}: ${health.jobs.length} jobs, ${health.replicas.length} replicas`);
        void vscode.commands.executeCommand('setContext', 'tickwise.fleet', 'connected');
      }
    } catch (error) {
      if (url !== this.url) return;
      const failure =
        error instanceof FleetRequestError ? error : new FleetRequestError('FLEET_HTTP', (error as Error).message);
      const before = this.current;
      if (before?.kind !== 'failed' || before.error.message !== failure.message)
        this.log.warn(`fleet: ${failure.message}`);
      this.byName = new Map();
      this.current = {
        kind: 'failed',
        url,
        error: { code: failure.code, message: failure.message },
        checkedAt: new Date(),
      };
      void vscode.commands.executeCommand('setContext', 'tickwise.fleet', 'failed');
    }
    this.changed.fire();
  }

  /** The job's last runs for the hover: fetched at most every 15 s per job, waiting at most 4 s. */
  runs(job: string): Promise<FleetRun[]> {
    const cached = this.runsCache.get(job);
    if (cached && Date.now() - cached.at < RUNS_CACHE_MS) return cached.runs;
    const runs = this.client(HOVER_TIMEOUT_MS).then((client) => client.runs(job, HOVER_RUNS));
    this.runsCache.set(job, { at: Date.now(), runs });
    // A failure is not kept: the next hover asks again.
    runs.catch(() => {
      if (this.runsCache.get(job)?.runs === runs) this.runsCache.delete(job);
    });
    return runs;
  }

  async pause(pattern: string, request: Omit<PauseRequest, 'by'>): Promise<FleetPause> {
    return this.control((client) => client.pause(pattern, { ...request, by: who() }));
  }

  async resume(pattern: string): Promise<boolean> {
    return this.control((client) => client.resume(pattern, who()));
  }

  /** Asks for a run now; reads the status again at once and a few seconds later, when a replica has run it. */
  async trigger(job: string): Promise<void> {
    await this.control((client) => client.trigger(job, who()));
    clearTimeout(this.followUp);
    this.followUp = setTimeout(() => void this.refresh(), TRIGGER_FOLLOW_UP_MS);
  }

  /** Sends a control, then reads the status again (its result shows at once) and forgets cached runs. */
  private async control<T>(send: (client: FleetClient) => Promise<T>): Promise<T> {
    try {
      return await send(await this.client());
    } finally {
      this.runsCache.clear();
      void this.refresh();
    }
  }

  async hasToken(): Promise<boolean> {
    return this.url !== undefined && (await this.secrets.get(tokenKey(this.url))) !== undefined;
  }

  async setToken(token: string): Promise<void> {
    if (this.url) await this.secrets.store(tokenKey(this.url), token);
  }

  async clearToken(): Promise<void> {
    if (this.url) await this.secrets.delete(tokenKey(this.url));
  }

  dispose(): void {
    this.stopTimer();
    clearTimeout(this.followUp);
    for (const d of this.disposables) d.dispose();
  }
}

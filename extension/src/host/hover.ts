// Hover on a job's schedule: its next runs in the job's zone, local time and UTC, with DST notes;
// when the fleet (tickwise.fleet.url) reports the job, its status and last runs (fetched from
// GET <url>/jobs/<job>/runs on hover, cached for a few seconds).

import * as vscode from 'vscode';
import { fleetMarkdown, runsMarkdown } from '../service/fleet-presentation.js';
import { escapeMarkdown } from '../service/markdown.js';
import { hoverMarkdown } from '../service/presentation.js';
import type { JobsController } from './controller.js';
import { toRange } from './convert.js';
import type { FleetConnection } from './fleet-connection.js';

/** Markdown from workspace text: escaped by the service layer, and never trusted (no command links, no HTML). */
export function untrustedMarkdown(value: string): vscode.MarkdownString {
  const markdown = new vscode.MarkdownString(value);
  markdown.isTrusted = false;
  markdown.supportHtml = false;
  return markdown;
}

export class ScheduleHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly controller: JobsController,
    private readonly fleet: FleetConnection,
  ) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const analysis = this.controller.analysisOf(document);
    if (!analysis) return undefined;
    const offset = document.offsetAt(position);
    const job = analysis.jobs.find((j) => offset >= j.scheduleSpan.start && offset <= j.scheduleSpan.end);
    if (!job) return undefined;
    const { localZone, nextRuns } = this.controller.settings;
    const now = new Date();
    const parts = [hoverMarkdown(job, { now, localZone, count: nextRuns })];
    const jobs = this.fleet.jobs;
    if (jobs && !job.nameIsDynamic) {
      const url = this.fleet.baseUrl ?? '';
      const reported = jobs.get(job.name);
      parts.push('---', fleetMarkdown(reported ?? 'not-in-fleet', now, url));
      if (reported) {
        try {
          parts.push(`**Last runs**\n\n${runsMarkdown(await this.fleet.runs(job.name), new Date(), localZone)}`);
        } catch (error) {
          parts.push(`_Last runs not loaded: ${escapeMarkdown((error as Error).message)}_`);
        }
      }
    }
    return new vscode.Hover(untrustedMarkdown(parts.join('\n\n')), toRange(job.scheduleSpan));
  }
}

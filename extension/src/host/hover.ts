// Hover on a job's schedule: its next runs in the job's zone, local time and UTC, with DST notes.

import * as vscode from 'vscode';
import { hoverMarkdown } from '../service/presentation.js';
import type { JobsController } from './controller.js';
import { toRange } from './convert.js';

/** Markdown from workspace text: escaped by the service layer, and never trusted (no command links, no HTML). */
export function untrustedMarkdown(value: string): vscode.MarkdownString {
  const markdown = new vscode.MarkdownString(value);
  markdown.isTrusted = false;
  markdown.supportHtml = false;
  return markdown;
}

export class ScheduleHoverProvider implements vscode.HoverProvider {
  constructor(private readonly controller: JobsController) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const analysis = this.controller.analysisOf(document);
    if (!analysis) return undefined;
    const offset = document.offsetAt(position);
    const job = analysis.jobs.find((j) => offset >= j.scheduleSpan.start && offset <= j.scheduleSpan.end);
    if (!job) return undefined;
    const { localZone, nextRuns } = this.controller.settings;
    return new vscode.Hover(
      untrustedMarkdown(hoverMarkdown(job, { now: new Date(), localZone, count: nextRuns })),
      toRange(job.scheduleSpan),
    );
  }
}

// tickwise list [paths...] [--json] [-n N]: every job, its schedule, zone, next run, place, owner and
// expectation.

import { describeJob } from '../describe-job.js';
import { summarizeExpectation } from '../expectations.js';
import { displayZone, scheduleText, zoneText } from '../job-text.js';
import { FRAMEWORK_LABEL } from '../library-semantics.js';
import { analyzeFiles } from '../node/workspace.js';
import { nextRunsOf } from '../schedule-of.js';
import { formatInZone, formatRelative, isoSeconds } from '../time-format.js';
import type { CliIo } from './io.js';
import { selection } from './selected-files.js';
import { renderTable } from './table.js';

export interface ListOptions {
  paths: string[];
  json: boolean;
  count: number;
  now: Date;
  config?: string;
  /** The zone assumed for jobs that run in the server's local zone; default this machine's. */
  serverZone?: string;
}

export function listCommand(options: ListOptions, io: CliIo): number {
  const { files, config } = selection(options.paths, options.config, io);
  const { jobs } = analyzeFiles(files, io.cwd, {
    now: options.now,
    ...(options.serverZone && { serverZone: options.serverZone }),
    ...(config.decorators && { decorators: config.decorators }),
  });
  if (options.json) {
    const rows = jobs.map((job) => ({
      ...job,
      describe: describeJob(job),
      ...(job.expect && { expected: summarizeExpectation(job.expect) }),
      nextRuns: nextRunsOf(job, options.count, options.now).map(isoSeconds),
    }));
    io.out(JSON.stringify({ now: isoSeconds(options.now), jobs: rows }, null, 2));
    return 0;
  }
  if (jobs.length === 0) {
    io.out(`No jobs found in ${files.length} file${files.length === 1 ? '' : 's'}.`);
    return 0;
  }
  const rows = jobs.map((job) => {
    const [next] = nextRunsOf(job, 1, options.now);
    const nextText = next ? `${formatInZone(next, displayZone(job))} (${formatRelative(next, options.now)})` : '-';
    return [
      job.framework === 'tickwise' ? job.name : `${job.name} [${FRAMEWORK_LABEL[job.framework]}]`,
      scheduleText(job),
      zoneText(job),
      nextText,
      `${job.file}:${job.span.line + 1}`,
      job.owner ?? '-',
      summarizeExpectation(job.expect) || '-',
    ];
  });
  io.out(renderTable(['NAME', 'SCHEDULE', 'ZONE', 'NEXT RUN', 'LOCATION', 'OWNER', 'EXPECTED'], rows));
  io.out(
    `\n${jobs.length} job${jobs.length === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'}.`,
  );
  return 0;
}

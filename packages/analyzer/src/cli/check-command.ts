// tickwise check [paths...] [--format text|json|github] [--root <dir>] [--server-zone <zone>]: diagnostics; exit 1 when
// any is an error. The Nest wiring checks (TW320-TW322) read the whole project the paths belong to.

import { loadConfig } from '../node/config.js';
import { projectFacts, projectFiles, projectRootOf, readFiles } from '../node/project-root.js';
import { analyzeFiles } from '../node/workspace.js';
import { projectWiringDiagnostics } from '../project-checks.js';
import { type DiagnosticFormat, formatDiagnostics } from './diagnostic-formats.js';
import type { CliIo } from './io.js';
import { selection } from './selected-files.js';

export interface CheckOptions {
  paths: string[];
  format: DiagnosticFormat;
  now: Date;
  config?: string;
  /** The project whose files decide the wiring checks; default: the nearest package.json. */
  root?: string;
  /** The zone assumed for jobs that run in the server's local zone; default this machine's. */
  serverZone?: string;
}

export function checkCommand(options: CheckOptions, io: CliIo): number {
  const { files, config } = selection(options.paths, options.config, io);
  const { diagnostics, jobs } = analyzeFiles(files, io.cwd, {
    now: options.now,
    ...(options.serverZone && { serverZone: options.serverZone }),
    ...(config.decorators && { decorators: config.decorators }),
  });
  diagnostics.push(...wiringDiagnostics(options, files, io));
  diagnostics.sort((a, b) => (a.file === b.file ? a.span.start - b.span.start : a.file < b.file ? -1 : 1));
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const printed = formatDiagnostics(diagnostics, options.format);
  if (printed) io.out(printed);
  if (options.format !== 'json') {
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    io.err(
      `${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(jobs.length, 'job')} (${plural(files.length, 'file')} checked)`,
    );
  }
  return errors > 0 ? 1 : 0;
}

/** TW320-TW322 for the selected files, decided over the whole project (plus selected files outside it). */
function wiringDiagnostics(options: CheckOptions, files: readonly string[], io: CliIo) {
  const root = projectRootOf(options.paths, io.cwd, options.root);
  const { config } = loadConfig(io.cwd, options.config);
  const project = projectFiles(root, io.cwd, config);
  const known = new Set(project.map((f) => f.path));
  const all = [
    ...project,
    ...readFiles(
      files.filter((f) => !known.has(f)),
      io.cwd,
    ),
  ];
  const selected = new Set(files);
  const pathOf = new Map(all.map((f) => [f.name, f.path]));
  return projectWiringDiagnostics(projectFacts(all), (name) => selected.has(pathOf.get(name) ?? ''));
}

// tickwise check [paths...] [--format text|json|github]: diagnostics; exit 1 when any is an error.

import { analyzeFiles } from '../node/workspace.js';
import { type DiagnosticFormat, formatDiagnostics } from './diagnostic-formats.js';
import type { CliIo } from './io.js';
import { selectedFiles } from './selected-files.js';

export interface CheckOptions {
  paths: string[];
  format: DiagnosticFormat;
  now: Date;
  config?: string;
}

export function checkCommand(options: CheckOptions, io: CliIo): number {
  const files = selectedFiles(options.paths, options.config, io);
  const { diagnostics, jobs } = analyzeFiles(files, io.cwd, { now: options.now });
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

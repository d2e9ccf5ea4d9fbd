// analyzeFiles(): read and analyse files from disk, plus the checks across them.

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { type AnalyzeOptions, analyzeSource } from '../analyze.js';
import { AnalyzerCode } from '../codes.js';
import type { AnalyzerDiagnostic, FileAnalysis, JobDeclaration } from '../model.js';
import { projectDiagnostics } from '../project.js';
import { libraryVersionsFor } from './library-versions.js';
import { workspaceResolver } from './resolve-import.js';

export interface WorkspaceAnalysis {
  files: FileAnalysis[];
  jobs: JobDeclaration[];
  /** Every diagnostic, per file and across files, in file order. */
  diagnostics: AnalyzerDiagnostic[];
}

const NO_SPAN = { start: 0, end: 0, line: 0, character: 0, endLine: 0, endCharacter: 0 };

/** Analyses absolute paths; files are named relative to `cwd` in the results. */
export function analyzeFiles(paths: readonly string[], cwd: string, options: AnalyzeOptions = {}): WorkspaceAnalysis {
  const files: FileAnalysis[] = [];
  const diagnostics: AnalyzerDiagnostic[] = [];
  const resolveImport = options.resolveImport ?? workspaceResolver(cwd);
  for (const path of paths) {
    const name = relative(cwd, path) || path;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      diagnostics.push({
        code: AnalyzerCode.Unreadable,
        severity: 'error',
        message: `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        file: name,
        span: NO_SPAN,
      });
      continue;
    }
    const analysis = analyzeSource(name, text, {
      ...options,
      versions: options.versions ?? libraryVersionsFor(path),
      resolveImport,
    });
    files.push(analysis);
    diagnostics.push(...analysis.diagnostics);
  }
  diagnostics.push(...projectDiagnostics(files));
  diagnostics.sort((a, b) => (a.file === b.file ? a.span.start - b.span.start : a.file < b.file ? -1 : 1));
  return { files, jobs: files.flatMap((f) => f.jobs), diagnostics };
}

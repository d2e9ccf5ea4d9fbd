// Diagnostics as text (file:line:col: error TW103: …), JSON, or GitHub Actions annotations.

import type { AnalyzerDiagnostic } from '../model.js';
import { workflowCommand } from './workflow-commands.js';

export type DiagnosticFormat = 'text' | 'json' | 'github';

export const DIAGNOSTIC_FORMATS: readonly DiagnosticFormat[] = ['text', 'json', 'github'];

/** 1-based lines and columns, as editors and CI annotations show them. */
function location(d: AnalyzerDiagnostic) {
  return {
    line: d.span.line + 1,
    column: d.span.character + 1,
    endLine: d.span.endLine + 1,
    endColumn: d.span.endCharacter + 1,
  };
}

export function formatDiagnostics(diagnostics: readonly AnalyzerDiagnostic[], format: DiagnosticFormat): string {
  if (format === 'json') {
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    return JSON.stringify(
      {
        errors,
        warnings: diagnostics.length - errors,
        diagnostics: diagnostics.map((d) => ({
          file: d.file,
          ...location(d),
          severity: d.severity,
          code: d.code,
          message: d.message,
          ...(d.job !== undefined && { job: d.job }),
        })),
      },
      null,
      2,
    );
  }
  return diagnostics
    .map((d) => {
      const { line, column, endLine, endColumn } = location(d);
      if (format === 'github') {
        return workflowCommand(
          d.severity,
          { file: d.file, line, col: column, endLine, endColumn, title: `Tickwise ${d.code}` },
          d.message,
        );
      }
      return `${d.file}:${line}:${column}: ${d.severity} ${d.code}: ${d.message}`;
    })
    .join('\n');
}

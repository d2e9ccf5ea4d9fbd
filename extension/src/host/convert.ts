// Analyzer results to VS Code types.

import type { AnalyzerDiagnostic, Span } from '@tickwise/analyzer';
import * as vscode from 'vscode';

export function toRange(span: Span): vscode.Range {
  return new vscode.Range(span.line, span.character, span.endLine, span.endCharacter);
}

export function toDiagnostic(d: AnalyzerDiagnostic): vscode.Diagnostic {
  const diagnostic = new vscode.Diagnostic(
    toRange(d.span),
    d.message,
    d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
  );
  diagnostic.source = 'tickwise';
  diagnostic.code = d.code;
  return diagnostic;
}

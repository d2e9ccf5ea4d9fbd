import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AnalyzerDiagnostic, analyzeSource, type FileAnalysis, type Span } from '@tickwise/analyzer';
import { runCli } from '../src/cli/main.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const PROJECT = join(FIXTURES, 'project');
export const ERRORS = join(FIXTURES, 'errors');
/** A fixed "now" so next runs and DST warnings do not depend on the day the tests run. */
export const NOW = new Date('2026-12-01T00:00:00Z');

export function fixture(relativePath: string, base = PROJECT): { text: string; analysis: FileAnalysis } {
  const text = readFileSync(join(base, relativePath), 'utf8');
  return { text, analysis: analyzeSource(relativePath, text, { now: NOW }) };
}

/** The source text a span covers. */
export function covered(text: string, span: Span): string {
  return text.slice(span.start, span.end);
}

export function byCode(diagnostics: readonly AnalyzerDiagnostic[], code: string): AnalyzerDiagnostic[] {
  return diagnostics.filter((d) => d.code === code);
}

/** Runs the CLI in-process and captures what it prints. */
export async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { cwd, out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

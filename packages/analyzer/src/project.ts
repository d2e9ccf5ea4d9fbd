// Checks that need every file at once: duplicate job names.

import { AnalyzerCode } from './codes.js';
import type { AnalyzerDiagnostic, FileAnalysis, JobDeclaration } from './model.js';

/** Diagnostics across files. Names key the claims in shared stores, so a duplicate is an error. */
export function projectDiagnostics(files: readonly FileAnalysis[]): AnalyzerDiagnostic[] {
  const byName = new Map<string, JobDeclaration[]>();
  for (const file of files) {
    for (const job of file.jobs) {
      if (job.nameIsDynamic) continue;
      // Other libraries' jobs without a name option are named after a variable or a line: not keys.
      if (job.framework !== 'tickwise' && job.framework !== 'nestjs') continue;
      // Tickwise and @nestjs/schedule jobs live in different schedulers: a name may repeat across them.
      const key = `${job.framework}\u0000${job.name}`;
      const list = byName.get(key);
      if (list) list.push(job);
      else byName.set(key, [job]);
    }
  }
  const diagnostics: AnalyzerDiagnostic[] = [];
  for (const jobs of byName.values()) {
    if (jobs.length < 2) continue;
    for (const job of jobs) {
      const others = jobs
        .filter((other) => other !== job)
        .map((other) => `${other.file}:${other.span.line + 1}`)
        .join(', ');
      diagnostics.push({
        code: AnalyzerCode.DuplicateName,
        severity: 'error',
        message: `job name '${job.name}' is also declared at ${others}`,
        file: job.file,
        span: job.nameSpan ?? job.span,
        job: job.name,
      });
    }
  }
  return diagnostics;
}

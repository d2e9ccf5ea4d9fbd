// @tickwise/analyzer: static discovery of scheduled jobs and their diagnostics. Pure: no file
// system, no VS Code, no execution of the analysed code. File scanning lives in
// '@tickwise/analyzer/node'.

export { type AnalyzeOptions, analyzeSource, libraryContext } from './analyze.js';
export { AnalyzerCode } from './codes.js';
export type { ImportResolver } from './cross-file.js';
export { describeJob } from './describe-job.js';
export { type CronDialect, type DialectResult, readCronDialect } from './dialects.js';
export { describeExpectation, expectationParts, summarizeExpectation } from './expectations.js';
export { createImportResolver, type ResolveHost } from './import-resolution.js';
export { mayDeclareJobs } from './imports.js';
export { FRAMEWORK_LABEL, type LibraryVersions, nestRules } from './library-semantics.js';
export { libraryVersionsOf, type VersionHost } from './lockfiles.js';
export type {
  AnalyzerDiagnostic,
  DeclaredWith,
  Dynamic,
  FileAnalysis,
  Framework,
  JobDeclaration,
  JobExpectation,
  JobSchedule,
  OptionValue,
  ScheduleKind,
  Severity,
  Span,
  ZoneRule,
} from './model.js';
export { isDynamic } from './model.js';
export { SOURCE_EXTENSIONS } from './parse.js';
export { projectDiagnostics } from './project.js';
export { type AnnotatedRun, nextRunsOf, runsWithDstNotes, scheduleFromText, scheduleOf } from './schedule-of.js';
export {
  formatDurationShort,
  formatInZone,
  formatRelative,
  formatShortInZone,
  isoSeconds,
} from './time-format.js';
export { setTypeScriptLoader, type TypeScript } from './typescript.js';
export { checkDecoratorMapping, WRAPPER_TARGETS } from './wrappers.js';

// The analyzer's own diagnostic codes. Schedule problems keep the schedule model's TW1xx/TW2xx
// codes (the runtime raises the same ones); never renumber a released code.

export const AnalyzerCode = {
  /** A file that could not be read. */
  Unreadable: 'TW300',
  /** Two jobs with the same name in the analysed files (names key the claims in shared stores). */
  DuplicateName: 'TW301',
  /** A job decorator on something that is not a method (a property, accessor, class or parameter). */
  NotAMethod: 'TW302',
  /** An option value registration would reject (out of range, wrong type). */
  InvalidOption: 'TW303',
  /** An option registration does not know (usually a typo). */
  UnknownOption: 'TW304',
  /** No schedule, or one of a type the decorator does not take. */
  BadScheduleArgument: 'TW305',
  /** An empty job name. */
  EmptyName: 'TW306',
  /** A schedule the job's own library (@nestjs/schedule, node-cron, croner, …) rejects when the app starts. */
  LibraryRejects: 'TW307',
  /** Warning: `expect.duration` is longer than the time between the job's ticks (runs would overlap). */
  ExpectedLongerThanTicks: 'TW308',
  /** Warning: `expect.duration` is longer than the job's `timeout` (an attempt is aborted before it is slow). */
  ExpectedLongerThanTimeout: 'TW309',
  // TW320-TW329: how a Nest app is wired (checked across the project's files; see project-checks.ts).
  /** @nestjs/schedule jobs (or a SchedulerRegistry injection) in an app with no ScheduleModule.forRoot(). */
  NoScheduleModule: 'TW320',
  /** Tickwise job decorators in a Nest app with no TickwiseModule.forRoot()/forRootAsync(). */
  NoTickwiseModule: 'TW321',
  /** A job decorator on a class Nest never instantiates (not @Injectable/@Controller, in no module's providers). */
  NotAProvider: 'TW322',
} as const;

export type AnalyzerCode = (typeof AnalyzerCode)[keyof typeof AnalyzerCode];

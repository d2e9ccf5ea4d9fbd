// Checks of a Nest app's wiring, across all of its files: jobs whose scheduler module is missing
// (they never fire, or the app does not boot), and jobs on classes Nest never instantiates.

import { AnalyzerCode } from './codes.js';
import type { AnalyzerDiagnostic } from './model.js';
import type { JobSite, NestFacts } from './nest-facts.js';

/** What the project has, summed over its files. */
export interface ProjectWiring {
  nestApp: boolean;
  scheduleModule: boolean;
  tickwiseModule: boolean;
  createsScheduler: boolean;
}

export function wiringOf(facts: readonly NestFacts[]): ProjectWiring {
  return {
    nestApp: facts.some((f) => f.nest),
    scheduleModule: facts.some((f) => f.scheduleModuleRoots.length > 0),
    tickwiseModule: facts.some((f) => f.tickwiseModuleRoots.length > 0),
    createsScheduler: facts.some((f) => f.createsScheduler),
  };
}

const label = (job: JobSite) => `@${job.decorator}${job.library === 'nestjs' ? ' from @nestjs/schedule' : ''}`;

/**
 * TW320-TW322 for the files `report` selects, decided over every file of the project
 * (`facts`): a ScheduleModule.forRoot() in the app module counts for a job in any file.
 */
export function projectWiringDiagnostics(
  facts: readonly NestFacts[],
  report: (file: string) => boolean = () => true,
): AnalyzerDiagnostic[] {
  const wiring = wiringOf(facts);
  const diagnostics: AnalyzerDiagnostic[] = [];
  const provided = providedClasses(facts);
  const extended = new Set(facts.flatMap((f) => f.classes.flatMap((c) => (c.extends ? [c.extends] : []))));
  const constructed = new Set(facts.flatMap((f) => f.constructed));
  const classes = new Map(facts.flatMap((f) => f.classes.map((c) => [c.name, c] as const)));

  for (const file of facts) {
    if (!report(file.file)) continue;
    for (const job of file.jobs) {
      const base = { severity: 'error' as const, file: file.file, span: job.span };
      if (job.library === 'nestjs' && !wiring.scheduleModule) {
        diagnostics.push({
          ...base,
          code: AnalyzerCode.NoScheduleModule,
          message: `${label(job)} never fires: no ScheduleModule.forRoot() in this app (add it to the root module's imports)`,
        });
      }
      // A Tickwise job is taken for a Nest one only in a file written for Nest (it imports @nestjs/*).
      const nestStyle = job.library === 'nestjs' || file.nest;
      if (job.library === 'tickwise' && nestStyle && !wiring.tickwiseModule && !wiring.createsScheduler) {
        diagnostics.push({
          ...base,
          code: AnalyzerCode.NoTickwiseModule,
          message: `${label(job)} never fires: this Nest app has no TickwiseModule.forRoot() (add it to the root module's imports, from @tickwise/nestjs)`,
        });
      }
      // Tickwise jobs outside Nest's discovery are registered by hand: only judge those Nest would find.
      const byNest =
        job.library === 'nestjs' || (nestStyle && wiring.tickwiseModule && !constructed.has(job.className ?? ''));
      if (!wiring.nestApp || !byNest || job.className === undefined || provided === undefined) continue;
      const owner = classes.get(job.className);
      if (!owner || owner.nestProvider || provided.has(job.className) || extended.has(job.className)) continue;
      diagnostics.push({
        ...base,
        code: AnalyzerCode.NotAProvider,
        message: `${label(job)} never fires: ${job.className} is not a Nest provider (not @Injectable() or @Controller(), and in no module's providers or controllers), so Nest never creates it`,
      });
    }
    for (const injection of file.registryInjections) {
      if (wiring.scheduleModule) continue;
      diagnostics.push({
        severity: 'error',
        file: file.file,
        span: injection.span,
        code: AnalyzerCode.NoScheduleModule,
        message:
          "SchedulerRegistry is provided by ScheduleModule.forRoot(), which this app does not import: Nest fails at start-up (can't resolve dependencies)",
      });
    }
  }
  return diagnostics.sort((a, b) => (a.file === b.file ? a.span.start - b.span.start : a.file < b.file ? -1 : 1));
}

/**
 * The class names modules list as providers or controllers, following constants (`providers:
 * JOBS`, `[...JOBS]`) through the project's files. Undefined when a name imported from another
 * file of the project cannot be followed (that file was not read): then no class is called
 * "not a provider".
 */
function providedClasses(facts: readonly NestFacts[]): Set<string> | undefined {
  const classes = new Set(facts.flatMap((f) => f.classes.map((c) => c.name)));
  const constants = new Map<string, string[]>();
  for (const file of facts) for (const [name, names] of file.constants) constants.set(name, names);
  const provided = new Set<string>();
  const pending = facts.flatMap((f) => f.providedNames);
  const seen = new Set<string>();
  const relative = new Set(facts.flatMap((f) => f.relativeImports));
  let complete = true;
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    if (classes.has(name)) provided.add(name);
    else if (constants.has(name)) pending.push(...(constants.get(name) as string[]));
    else if (relative.has(name)) complete = false;
  }
  return complete ? provided : undefined;
}

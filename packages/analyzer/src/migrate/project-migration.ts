// `tickwise migrate nestjs-schedule` for a whole project, so that no app is left broken: the jobs
// of the selected files are converted first (on paper); then, knowing what still uses
// @nestjs/schedule anywhere in the project, ScheduleModule.forRoot() is kept (with
// TickwiseModule.forRoot() beside it when converted jobs need it) or replaced. Pure: texts in,
// texts out.

import { mayHaveNestFacts, nestFactsOf } from '../nest-facts.js';
import {
  type FileMigration,
  type MigrationContext,
  type MigrationItem,
  type ModuleDecision,
  migrateFile,
} from './nestjs-schedule.js';

export interface ProjectFileInput {
  /** As printed (relative to where the command runs). */
  name: string;
  text: string;
  /** In the paths given: its jobs are converted. Other files only get module wiring. */
  selected: boolean;
}

export interface FileOutcome {
  name: string;
  text: string;
  changed: boolean;
  items: MigrationItem[];
}

export interface ProjectMigration {
  /** Files with items or changes, in the order given. */
  files: FileOutcome[];
  /** Problems of the project as a whole (no file to point at). */
  projectItems: MigrationItem[];
  decision: ModuleDecision;
  counts: { converted: number; kept: number; notConverted: number };
}

const SHOWN_REMAINING = 3;

export function migrateProject(files: readonly ProjectFileInput[], context: MigrationContext): ProjectMigration {
  const candidates = files.filter((f) => f.text.includes('@nestjs/schedule'));
  // First pass: what the conversion leaves behind.
  const firstPass = candidates.map((f) => migrateFile(f.name, f.text, { context, selected: f.selected }));
  const remaining = firstPass.flatMap((r) => r.remaining);
  const convertedJobs = firstPass.reduce((n, r) => n + r.convertedJobs, 0);
  const scheduleModuleRoots = firstPass.reduce((n, r) => n + r.scheduleModuleRoots, 0);
  const facts = files.filter((f) => mayHaveNestFacts(f.text)).map((f) => nestFactsOf(f.name, f.text));
  const tickwisePresent = facts.some((f) => f.tickwiseModuleRoots.length > 0);
  const tickwiseJobs = facts.some((f) => f.jobs.some((j) => j.library === 'tickwise'));
  const decision: ModuleDecision = {
    ...(remaining.length > 0 && { stillNeeded: stillNeeded(remaining) }),
    addTickwise: (convertedJobs > 0 || tickwiseJobs) && !tickwisePresent,
    tickwisePresent,
  };

  // Second pass: the real edits, module wiring included.
  const outcomes: FileOutcome[] = [];
  candidates.forEach((f, i) => {
    const first = firstPass[i] as FileMigration;
    if (!f.selected && first.scheduleModuleRoots === 0) return;
    const result = migrateFile(f.name, f.text, { context, selected: f.selected, modules: decision });
    if (result.items.length === 0 && !result.changed) return;
    outcomes.push({ name: f.name, text: result.text, changed: result.changed, items: result.items });
  });

  const projectItems: MigrationItem[] = [];
  if (convertedJobs > 0 && !tickwisePresent && scheduleModuleRoots === 0) {
    projectItems.push({
      line: 0,
      column: 0,
      status: 'not converted',
      message:
        'no ScheduleModule.forRoot() in the project to put TickwiseModule.forRoot() beside: add TickwiseModule.forRoot() (from @tickwise/nestjs) to the root module by hand',
    });
  }
  const all = [...outcomes.flatMap((o) => o.items), ...projectItems];
  return {
    files: outcomes,
    projectItems,
    decision,
    counts: {
      converted: all.filter((i) => i.status === 'converted').length,
      kept: all.filter((i) => i.status === 'kept').length,
      notConverted: all.filter((i) => i.status === 'not converted').length,
    },
  };
}

function stillNeeded(remaining: readonly string[]): string {
  const shown = remaining.slice(0, SHOWN_REMAINING).join(', ');
  const more = remaining.length > SHOWN_REMAINING ? `, and ${remaining.length - SHOWN_REMAINING} more` : '';
  const uses =
    remaining.length === 1
      ? '1 use of @nestjs/schedule remains'
      : `${remaining.length} uses of @nestjs/schedule remain`;
  return `${uses} (${shown}${more})`;
}

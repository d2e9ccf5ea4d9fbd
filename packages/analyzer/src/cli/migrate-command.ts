// tickwise migrate nestjs-schedule [paths...] [--write] [--check] [--timezone <zone>] [--root <dir>]:
// converts the @nestjs/schedule jobs of the paths to Tickwise where they fire at the same
// instants, deciding about ScheduleModule / TickwiseModule for the whole project so no app is
// left broken. A dry run (a plan) unless --write; --check exits 1 while anything is left.

import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { majorMinor, nestRules } from '../library-semantics.js';
import type { MigrationContext, MigrationItem } from '../migrate/nestjs-schedule.js';
import { migrateProject } from '../migrate/project-migration.js';
import { loadConfig } from '../node/config.js';
import { libraryVersionsFor } from '../node/library-versions.js';
import { projectFiles, projectRootOf, readFiles } from '../node/project-root.js';
import type { CliIo } from './io.js';
import { selectedFiles } from './selected-files.js';

export interface MigrateOptions {
  paths: string[];
  write: boolean;
  /** Exit 1 when anything is left for a person (kept or not converted). */
  check: boolean;
  /** The zone the servers run in: @nestjs/schedule reads a cron without timeZone in it. */
  timezone?: string;
  root?: string;
  config?: string;
}

export function migrateCommand(options: MigrateOptions, io: CliIo): number {
  const selected = new Set(selectedFiles(options.paths, options.config, io));
  const root = projectRootOf(options.paths, io.cwd, options.root);
  const { config } = loadConfig(io.cwd, options.config);
  const project = projectFiles(root, io.cwd, config);
  const known = new Set(project.map((f) => f.path));
  const files = [
    ...project,
    ...readFiles(
      [...selected].filter((p) => !known.has(p)),
      io.cwd,
    ),
  ];
  const pathOf = new Map(files.map((f) => [f.name, f.path]));

  // The same version rules and CronExpression table as discovery (`tickwise list`), read from the
  // project's lockfile or package.json; nothing of the package is executed.
  const nestVersion = libraryVersionsFor(join(root, 'package.json'))['@nestjs/schedule'];
  const nestMajor = majorMinor(nestVersion)?.[0];
  const rules = nestRules(nestVersion);
  const context: MigrationContext = {
    ...(options.timezone !== undefined && { timezone: options.timezone }),
    ...(nestMajor !== undefined && { monthsFromZero: rules.dialect === 'cron2' }),
    cronExpression: (member) => rules.member(member),
  };
  const plan = migrateProject(
    files.map((f) => ({ name: f.name, text: f.text, selected: selected.has(f.path) })),
    context,
  );

  const rootName = relative(io.cwd, root) || '.';
  const line = (file: string, item: MigrationItem) =>
    `${item.line > 0 ? `${file}:${item.line}:${item.column}` : file}: ${item.status}: ${item.message}`;
  for (const file of plan.files) for (const item of file.items) io.out(line(file.name, item));
  for (const item of plan.projectItems) io.out(line(rootName, item));

  const changed = plan.files.filter((f) => f.changed);
  if (options.write) for (const file of changed) writeFileSync(pathOf.get(file.name) as string, file.text);
  const { converted, kept, notConverted } = plan.counts;
  const filesText = `${changed.length} file${changed.length === 1 ? '' : 's'}`;
  io.out(
    `\n${converted} converted, ${kept} kept, ${notConverted} not converted; ${options.write ? `${filesText} written` : `${filesText} would change (dry run: nothing written; add --write)`}.`,
  );
  io.out(`Decided for the whole project at ${rootName}${nestVersion ? ` (@nestjs/schedule ${nestVersion})` : ''}`);
  if (converted > 0) {
    io.out(
      "Behaviour changes to review (docs/migrating-from-nestjs-schedule.md): a tick is skipped while the previous run still runs (overlap: skip), @Every ticks are counted from the epoch, not from start-up, and DST days follow Tickwise's policy.",
    );
  }
  const left = kept + notConverted;
  if (options.check && left > 0) {
    io.err(`tickwise migrate --check: ${left} item${left === 1 ? '' : 's'} left for a person (see above)`);
    return 1;
  }
  return 0;
}

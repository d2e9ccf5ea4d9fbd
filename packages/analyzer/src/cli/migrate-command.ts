// tickwise migrate nestjs-schedule [paths...] [--write]: rewrites @nestjs/schedule decorators
// and imports to Tickwise where the meaning carries over; dry run unless --write.

import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { migrateNestSchedule } from '../migrate/nestjs-schedule.js';
import type { CliIo } from './io.js';
import { selectedFiles } from './selected-files.js';

export interface MigrateOptions {
  paths: string[];
  write: boolean;
  config?: string;
}

export function migrateCommand(options: MigrateOptions, io: CliIo): number {
  const files = selectedFiles(options.paths, options.config, io);
  let changedFiles = 0;
  let converted = 0;
  let left = 0;
  for (const path of files) {
    const text = readFileSync(path, 'utf8');
    if (!text.includes('@nestjs/schedule')) continue; // never touch files that do not use it
    const name = relative(io.cwd, path) || path;
    const result = migrateNestSchedule(name, text);
    for (const note of result.converted) io.out(`${name}:${note.line}:${note.column}: converted: ${note.message}`);
    for (const note of result.left) io.out(`${name}:${note.line}:${note.column}: not converted: ${note.message}`);
    converted += result.converted.length;
    left += result.left.length;
    if (!result.changed) continue;
    changedFiles++;
    if (options.write) writeFileSync(path, result.text);
  }
  const files_ = (n: number) => `${n} file${n === 1 ? '' : 's'}`;
  io.out(
    `\n${converted} converted, ${left} left for you in ${files_(changedFiles)}${options.write ? ' (written)' : ' (dry run: nothing written; add --write)'}.`,
  );
  if (converted > 0) {
    io.out(
      'Behaviour changes to review (docs/migrating-from-nestjs-schedule.md): a tick is skipped while the previous run still runs (overlap: skip), @Every ticks are aligned to the epoch, not to start-up, and times are read in UTC unless a timezone is given.',
    );
  }
  return 0;
}

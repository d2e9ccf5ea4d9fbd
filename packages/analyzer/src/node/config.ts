// Which files to analyse: `tickwise.config.json`, or a `tickwise` key in package.json, with
// include/exclude patterns in .gitignore syntax, relative to the directory of the config.

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkDecoratorMapping } from '../wrappers.js';
import { UsageError } from './usage-error.js';

export interface TickwiseConfig {
  /** Only files matching one of these are analysed (when a directory is scanned). Default: all. */
  include?: string[];
  /** Files and directories to skip, on top of node_modules, build output and .gitignore. */
  exclude?: string[];
  /** Wrapper decorators: name -> '<module>:<decorator>' it forwards to, e.g. { CronOnce: '@nestjs/schedule:Cron' }. */
  decorators?: Record<string, string>;
}

export interface LoadedConfig {
  config: TickwiseConfig;
  /** Where it came from, for messages; undefined when there is none. */
  source?: string;
}

function checkPatterns(value: unknown, key: string, source: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new UsageError(`${source}: '${key}' must be an array of patterns (strings)`);
  }
  return value as string[];
}

function validate(raw: unknown, source: string): TickwiseConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new UsageError(
      `${source}: the configuration must be an object with 'include', 'exclude' and/or 'decorators'`,
    );
  }
  for (const key of Object.keys(raw)) {
    if (key !== 'include' && key !== 'exclude' && key !== 'decorators') {
      throw new UsageError(`${source}: unknown key '${key}' (known: include, exclude, decorators)`);
    }
  }
  const record = raw as Record<string, unknown>;
  const include = checkPatterns(record.include, 'include', source);
  const exclude = checkPatterns(record.exclude, 'exclude', source);
  let decorators: Record<string, string> | undefined;
  if (record.decorators !== undefined) {
    const checked = checkDecoratorMapping(record.decorators);
    if ('problem' in checked) throw new UsageError(`${source}: ${checked.problem}`);
    decorators = checked.decorators;
  }
  return { ...(include && { include }), ...(exclude && { exclude }), ...(decorators && { decorators }) };
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

/** The explicit config file, else tickwise.config.json in `cwd`, else package.json's `tickwise` key. */
export function loadConfig(cwd: string, explicit?: string): LoadedConfig {
  if (explicit !== undefined) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) throw new UsageError(`config file '${explicit}' does not exist`);
    return { config: validate(readJson(path), explicit), source: explicit };
  }
  const file = join(cwd, 'tickwise.config.json');
  if (existsSync(file))
    return { config: validate(readJson(file), 'tickwise.config.json'), source: 'tickwise.config.json' };
  const pkg = join(cwd, 'package.json');
  if (existsSync(pkg)) {
    const json = readJson(pkg) as Record<string, unknown>;
    if (json && typeof json === 'object' && 'tickwise' in json) {
      return { config: validate(json.tickwise, 'package.json#tickwise'), source: 'package.json#tickwise' };
    }
  }
  return { config: {} };
}

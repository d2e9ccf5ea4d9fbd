#!/usr/bin/env node
// The `tickwise` command: list, check, next, migrate, diff (exit codes: 0 fine, 1 errors found, 2 bad usage),
// and fleet, which has its own (fleet-command.ts).

import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isKnownTimeZone } from '@tickwise/core/schedule';
import { UsageError } from '../node/usage-error.js';
import { checkCommand } from './check-command.js';
import { DIAGNOSTIC_FORMATS, type DiagnosticFormat } from './diagnostic-formats.js';
import { diffCommand } from './diff-command.js';
import { DIFF_FORMATS, type DiffFormat } from './diff-formats.js';
import { fleetCommand } from './fleet-command.js';
import type { CliIo } from './io.js';
import { listCommand } from './list-command.js';
import { migrateCommand } from './migrate-command.js';
import { nextCommand } from './next-command.js';

const USAGE = `Usage:
  tickwise list [paths...] [--json] [-n <runs>]        jobs with schedule, zone, next run, place, owner
  tickwise check [paths...] [--format text|json|github] diagnostics; exit code 1 on errors
  tickwise next "<schedule>" [--tz <zone>] [-n <runs>]  preview the next runs, with DST notes
  tickwise migrate nestjs-schedule [paths...] [--write] [--check] [--timezone <zone>]
                                                       rewrite @nestjs/schedule jobs to Tickwise (a dry run, printing
                                                       the plan, unless --write; --check: exit code 1 while items are left)
  tickwise diff <git-ref> [paths...] [--format text|json|github] [-n <runs>]
                                                       jobs added, removed, rescheduled or re-owned since the ref (working
                                                       tree vs. commit), with next runs before/after and DST notes
  tickwise fleet status|runs|pause|resume|trigger --redis <url> | --postgres <url> | --url <service>/jobs
                                                       the running replicas' jobs, runs and controls
                                                       (tickwise fleet --help for its options and exit codes)

Options:
  --root <dir>      the project (check, migrate): wiring is decided over all its files (default: nearest package.json)
  --timezone <zone> migrate: the IANA zone the servers run in (@nestjs/schedule reads a cron without timeZone in it)
  --config <file>   include/exclude patterns, wrapper decorators (default: tickwise.config.json or package.json "tickwise")
  --now <ISO date>  compute next runs from this instant instead of the clock (reproducible output)
  --server-zone <zone>  list, check, diff: the zone your servers run in, for @nestjs/schedule, node-cron, croner,
                    cron, node-schedule and toad-scheduler jobs without a zone (default: this machine's)
  -h, --help        this help
  -v, --version     the version

Paths default to the current directory; node_modules, build output and .gitignore'd files are skipped.`;

function positiveInteger(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new UsageError(`${flag} must be a whole number from 1 to 1000, got '${value}'`);
  return n;
}

function instant(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new UsageError(`--now must be an ISO date such as 2026-12-01T00:00:00Z, got '${value}'`);
  return date;
}

function checkServerZone(zone: string | undefined): void {
  if (zone !== undefined && !isKnownTimeZone(zone))
    throw new UsageError(`unknown time zone '${zone}' for --server-zone (use an IANA name such as Europe/Berlin)`);
}

async function version(): Promise<string> {
  const { createRequire } = await import('node:module');
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

/** Runs one command line; returns the exit code. Never calls process.exit. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // Its own flags and exit codes: the options below are for reading source.
  if (argv[0] === 'fleet') return fleetCommand(argv.slice(1), io);
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' },
        format: { type: 'string' },
        tz: { type: 'string' },
        n: { type: 'string', short: 'n' },
        now: { type: 'string' },
        config: { type: 'string' },
        'server-zone': { type: 'string' },
        write: { type: 'boolean' },
        check: { type: 'boolean' },
        timezone: { type: 'string' },
        root: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
    if (values.version) {
      io.out(await version());
      return 0;
    }
    const [command, ...rest] = positionals;
    if (values.help || command === undefined || command === 'help') {
      io.out(USAGE);
      return command === undefined && !values.help ? 2 : 0;
    }
    const now = instant(values.now);
    const config = values.config;
    const onlyFor = (flag: string, allowed: string) => {
      if ((values as Record<string, unknown>)[flag] !== undefined) {
        throw new UsageError(`--${flag} is only for \`tickwise ${allowed}\``);
      }
    };
    switch (command) {
      case 'list':
        onlyFor('write', 'migrate');
        onlyFor('check', 'migrate');
        onlyFor('timezone', 'migrate (for next: --tz)');
        onlyFor('root', 'check or tickwise migrate');
        onlyFor('format', 'check or tickwise diff');
        onlyFor('tz', 'next');
        checkServerZone(values['server-zone']);
        return listCommand(
          {
            paths: rest,
            json: values.json ?? false,
            count: positiveInteger(values.n, '-n', 5),
            now,
            ...(config && { config }),
            ...(values['server-zone'] && { serverZone: values['server-zone'] }),
          },
          io,
        );
      case 'check': {
        onlyFor('write', 'migrate');
        onlyFor('check', 'migrate');
        onlyFor('timezone', 'migrate');
        onlyFor('json', 'list (for check: --format json)');
        onlyFor('tz', 'next');
        onlyFor('n', 'list, tickwise next or tickwise diff');
        const format = (values.format ?? 'text') as DiagnosticFormat;
        if (!DIAGNOSTIC_FORMATS.includes(format)) {
          throw new UsageError(`--format must be one of ${DIAGNOSTIC_FORMATS.join(', ')}, got '${values.format}'`);
        }
        checkServerZone(values['server-zone']);
        return checkCommand(
          {
            paths: rest,
            format,
            now,
            ...(config && { config }),
            ...(values.root && { root: values.root }),
            ...(values['server-zone'] && { serverZone: values['server-zone'] }),
          },
          io,
        );
      }
      case 'next': {
        onlyFor('write', 'migrate');
        onlyFor('check', 'migrate');
        onlyFor('timezone', 'migrate (for next: --tz)');
        onlyFor('root', 'check or tickwise migrate');
        onlyFor('json', 'list');
        onlyFor('format', 'check or tickwise diff');
        onlyFor('server-zone', 'list, tickwise check or tickwise diff');
        if (rest.length !== 1)
          throw new UsageError('tickwise next takes one schedule, in quotes: tickwise next "0 9 * * 1-5"');
        const timezone = values.tz ?? 'UTC';
        if (!isKnownTimeZone(timezone))
          throw new UsageError(`unknown time zone '${timezone}' (use an IANA name such as Europe/Berlin)`);
        return nextCommand(
          { expression: rest[0] as string, timezone, count: positiveInteger(values.n, '-n', 10), now },
          io,
        );
      }
      case 'migrate': {
        const [from, ...paths] = rest;
        if (from !== 'nestjs-schedule') {
          throw new UsageError(
            `tickwise migrate takes what to migrate from: tickwise migrate nestjs-schedule [paths...] [--write] [--check]`,
          );
        }
        for (const flag of ['json', 'format', 'tz', 'n'])
          onlyFor(flag, flag === 'format' ? 'check' : flag === 'json' ? 'list' : 'next');
        const timezone = values.timezone;
        if (timezone !== undefined && !isKnownTimeZone(timezone))
          throw new UsageError(`unknown time zone '${timezone}' (use an IANA name such as Europe/Berlin)`);
        return migrateCommand(
          {
            paths,
            write: values.write ?? false,
            check: values.check ?? false,
            ...(timezone !== undefined && { timezone }),
            ...(values.root && { root: values.root }),
            ...(config && { config }),
          },
          io,
        );
      }
      case 'diff': {
        onlyFor('write', 'migrate');
        onlyFor('check', 'migrate');
        onlyFor('timezone', 'migrate');
        onlyFor('root', 'check or tickwise migrate');
        onlyFor('json', 'list (for diff: --format json)');
        onlyFor('tz', 'next');
        const [ref, ...paths] = rest;
        if (ref === undefined)
          throw new UsageError('tickwise diff takes the git ref to compare with: tickwise diff main [paths...]');
        const format = (values.format ?? 'text') as DiffFormat;
        if (!DIFF_FORMATS.includes(format)) {
          throw new UsageError(`--format must be one of ${DIFF_FORMATS.join(', ')}, got '${values.format}'`);
        }
        checkServerZone(values['server-zone']);
        return diffCommand(
          {
            ref,
            paths,
            format,
            count: positiveInteger(values.n, '-n', 3),
            now,
            ...(config && { config }),
            ...(values['server-zone'] && { serverZone: values['server-zone'] }),
          },
          io,
        );
      }
      case 'fleet':
        throw new UsageError('put fleet first, then its options: tickwise fleet status --redis <url>');
      default:
        throw new UsageError(`unknown command '${command}' (commands: list, check, next, migrate, diff, fleet)`);
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      io.err(`tickwise: ${(error as Error).message}\nRun \`tickwise --help\` for usage.`);
      return 2;
    }
    throw error;
  }
}

// Run when executed as the bin (also through npm's symlink), not when imported by tests.
const invoked = process.argv[1];
if (invoked && realpathSync(invoked) === fileURLToPath(import.meta.url)) {
  const io: CliIo = {
    cwd: process.cwd(),
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  };
  runCli(process.argv.slice(2), io).then(
    (exitCode) => {
      process.exitCode = exitCode;
      // A store's client may keep a timer after it is closed (ioredis keeps its connect timeout
      // for 2 s after a refused connection): once the output is out, a fleet command is done.
      if (process.argv[2] === 'fleet') process.stdout.write('', () => process.stderr.write('', () => process.exit()));
    },
    (error: unknown) => {
      process.stderr.write(`tickwise: internal error: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 3;
    },
  );
}

// How each library runs a cron job: which dialect, which zone when none is given, what
// @nestjs/schedule's CronExpression members are in the installed major, what a utcOffset means.

import { CRON_EXPRESSION } from './data/nest-cron-expression.js';
import type { CronDialect } from './dialects.js';
import type { Framework } from './model.js';

/** Versions of the libraries an app installs (from its lockfile or package.json), as far as known. */
export interface LibraryVersions {
  '@nestjs/schedule'?: string;
  cron?: string;
}

/** The first number of a version or range ('^3.0.4' -> 3, '~4.1.0' -> [4, 1]). */
export function majorMinor(version: string | undefined): [number, number] | undefined {
  const match = version === undefined ? null : /(\d+)(?:\.(\d+))?/.exec(version);
  return match ? [Number(match[1]), Number(match[2] ?? 0)] : undefined;
}

export interface NestRules {
  dialect: CronDialect;
  /** 'cron@4 (@nestjs/schedule 6)' */
  label: string;
  member(name: string): string | undefined;
}

/**
 * @nestjs/schedule's rules by version. < 4 runs cron@1/2 (months 0-11); 4.0.x already runs cron@3
 * (months 1-12) but still defines EVERY_YEAR as '0 0 1 0 *', which cron@3 rejects; 2.x-4.0.x
 * define EVERY_YEAR as '0 0 1 0 *' (January under cron@2); 1.x as '0 0 1 1 *' (February under cron@1).
 * Unknown versions are read as the current major (6/12, cron@4).
 */
export function nestRules(version: string | undefined): NestRules {
  const parsed = majorMinor(version);
  const [major, minor] = parsed ?? [6, 0];
  const cron2 = major < 4;
  const oldYear = (major >= 2 && major < 4) || (major === 4 && minor < 1);
  const name = parsed ? `@nestjs/schedule ${major}` : '@nestjs/schedule';
  return {
    dialect: cron2 ? 'cron2' : 'cron4',
    label: cron2 ? `cron@2 (${name}): months 0-11` : `cron@4 (${name})`,
    member: (member) => {
      if (!Object.hasOwn(CRON_EXPRESSION, member)) return undefined;
      if (member === 'EVERY_YEAR' && oldYear) return '0 0 1 0 *';
      return CRON_EXPRESSION[member];
    },
  };
}

/** The dialect of the `cron` package at a version (cron < 3 counts months from 0). */
export function cronPackageDialect(version: string | undefined): { dialect: CronDialect; label: string } {
  const major = majorMinor(version)?.[0];
  if (major !== undefined && major < 3) return { dialect: 'cron2', label: `cron@${major}: months 0-11` };
  return { dialect: 'cron4', label: major === undefined ? 'cron@4' : `cron@${major}` };
}

/** The library name people search for, as shown beside a job. */
export const FRAMEWORK_LABEL: Readonly<Record<Framework, string>> = {
  tickwise: 'Tickwise',
  nestjs: '@nestjs/schedule',
  'node-cron': 'node-cron',
  croner: 'croner',
  cron: 'cron',
  'node-schedule': 'node-schedule',
  'toad-scheduler': 'toad-scheduler',
};

/**
 * A fixed offset in minutes as an IANA zone: only whole hours have one ('Etc/GMT-5' is UTC+5;
 * the sign is POSIX's). Undefined for other offsets.
 */
export function zoneOfOffset(minutes: number): string | undefined {
  if (!Number.isInteger(minutes) || minutes % 60 !== 0 || Math.abs(minutes) > 14 * 60) return undefined;
  const hours = minutes / 60;
  if (hours === 0) return 'UTC';
  return `Etc/GMT${hours > 0 ? '-' : '+'}${Math.abs(hours)}`;
}

let zoneCache: { tz: string | undefined; zone: string } | undefined;

/**
 * This machine's zone: what a server-local library uses when the analyzer is told nothing else.
 * Remembered (per TZ): resolving it costs as much as analysing a small file.
 */
export function machineZone(): string {
  const tz = typeof process === 'undefined' ? undefined : process.env.TZ;
  if (zoneCache?.tz !== tz || zoneCache === undefined)
    zoneCache = { tz, zone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' };
  return zoneCache.zone;
}

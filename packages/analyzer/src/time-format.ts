// Dates and durations for people: wall time in a zone with its abbreviation, "in 2h 13m", "1 h 30 min".
// Unit sizes come from core's one table; the labels here are the analyzer's own, for reading.

import { DURATION_UNIT_MS as UNIT_MS } from '@tickwise/core/schedule';

const FULL: Intl.DateTimeFormatOptions = {
  weekday: 'short',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
};
const SHORT: Intl.DateTimeFormatOptions = {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
};

// Building an Intl.DateTimeFormat costs far more than using one: one per (style, zone).
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The date's parts in `zone` (weekday, day, hour, …), in the given style. */
function partsInZone(date: Date, zone: string, style: 'full' | 'short'): Record<string, string> {
  const key = `${style} ${zone}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(style === 'full' ? 'en-US' : 'en-GB', {
      ...(style === 'full' ? FULL : SHORT),
      timeZone: zone,
    });
    formatters.set(key, formatter);
  }
  const parts: Record<string, string> = {};
  for (const part of formatter.formatToParts(date)) parts[part.type] = part.value;
  return parts;
}

/** 'Mon 2026-11-30 09:00 GMT+1' (seconds shown only when not zero). */
export function formatInZone(date: Date, zone: string): string {
  const parts = partsInZone(date, zone, 'full');
  const seconds = parts.second === '00' ? '' : `:${parts.second}`;
  return `${parts.weekday} ${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}${seconds} ${parts.timeZoneName}`;
}

/** 'Mon 1 Dec 09:00' in `zone`: no year or zone name, for places where the run is close and the zone shown. */
export function formatShortInZone(date: Date, zone: string): string {
  const parts = partsInZone(date, zone, 'short');
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.hour}:${parts.minute}`;
}

const RELATIVE_UNITS: readonly (readonly [string, number])[] = [
  ['d', UNIT_MS.d],
  ['h', UNIT_MS.h],
  ['m', UNIT_MS.m],
  ['s', UNIT_MS.s],
];

/** 'in 2h 13m', 'in 45s', 'in 3d 4h'; '2h ago' for the past. */
export function formatRelative(date: Date, now: Date): string {
  const ms = date.getTime() - now.getTime();
  const abs = Math.abs(ms);
  const pieces: string[] = [];
  let rest = abs;
  for (const [unit, size] of RELATIVE_UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0 || (pieces.length === 0 && unit === 's')) pieces.push(`${count}${unit}`);
    rest -= count * size;
    if (pieces.length === 2) break;
  }
  const text = pieces.join(' ');
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}

/** ISO 8601 without milliseconds: 2026-11-30T08:00:00Z. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

const DURATION_UNITS: readonly (readonly [number, string])[] = [
  [UNIT_MS.h, 'h'],
  [UNIT_MS.m, 'min'],
  [UNIT_MS.s, 's'],
  [UNIT_MS.ms, 'ms'],
];

/**
 * A duration for people, exact and short: '2 min', '26 h', '1 h 30 min', '3 days 12 h', '250 ms'.
 * Hours up to 48 h (a '26h' window reads as written), days from there on.
 */
export function formatDurationShort(ms: number): string {
  const parts: string[] = [];
  let rest = ms;
  if (rest >= 48 * UNIT_MS.h) {
    const days = Math.floor(rest / UNIT_MS.d);
    parts.push(`${days} day${days === 1 ? '' : 's'}`);
    rest -= days * UNIT_MS.d;
  }
  for (const [size, unit] of DURATION_UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count} ${unit}`);
    rest -= count * size;
  }
  return parts.length > 0 ? parts.join(' ') : '0 ms';
}

// Finds the next wall-clock time that matches a CronPattern, stepping field by field (never minute by minute).
// Wall-clock times are local times stored as if they were UTC milliseconds; time zones live elsewhere.

import { hasBit, hasBit60, nextBit, nextBit60 } from './bits.js';
import {
  type CivilDate,
  civilFromDays,
  daysFromCivil,
  daysInMonth,
  MS_PER_DAY,
  MS_PER_HOUR,
  MS_PER_MINUTE,
  MS_PER_SECOND,
  weekdayOfDays,
} from './calendar.js';
import type { CronPattern, DaySpecials } from './cron-pattern.js';

/**
 * The Gregorian calendar repeats every 400 years (146,097 days, a whole number of weeks), so a
 * pattern that matches no date in 400 years never matches: the search gives up there.
 */
export const SEARCH_YEARS = 401;

function positiveMod(n: number, m: number): number {
  return ((n % m) + m) % m;
}

function nearestWeekdayTo(target: number, targetWeekday: number, monthLength: number): number {
  if (targetWeekday === 6) return target === 1 ? 3 : target - 1;
  if (targetWeekday === 0) return target === monthLength ? target - 2 : target + 1;
  return target;
}

function specialDayOfMonth(s: DaySpecials, day: number, weekday: number, monthLength: number): boolean {
  if (s.lastDay && day === monthLength) return true;
  if (s.lastWeekdayOfMonth) {
    const lastWeekday = positiveMod(weekday + monthLength - day, 7);
    const lastBusinessDay = lastWeekday === 6 ? monthLength - 1 : lastWeekday === 0 ? monthLength - 2 : monthLength;
    if (day === lastBusinessDay) return true;
  }
  let targets = s.nearestWeekday;
  while (targets !== 0) {
    const bit = 31 - Math.clz32(targets & -targets);
    targets &= targets - 1;
    const target = bit + 1;
    if (target > monthLength) continue;
    if (nearestWeekdayTo(target, positiveMod(weekday + target - day, 7), monthLength) === day) return true;
  }
  return false;
}

function specialDayOfWeek(s: DaySpecials, day: number, weekday: number, monthLength: number): boolean {
  if (hasBit(s.lastWeekday, weekday) && day + 7 > monthLength) return true;
  const occurrence = Math.floor((day - 1) / 7);
  return hasBit(s.nth[occurrence] ?? 0, weekday);
}

/** Whether the calendar day matches the pattern's day-of-month / day-of-week rules. */
export function dayMatches(p: CronPattern, dayNumber: number, day: number, monthLength: number): boolean {
  if (p.everyDay) return true;
  const weekday = weekdayOfDays(dayNumber);
  const s = p.special;
  const dayOk = hasBit(p.days, day - 1) || (s !== null && specialDayOfMonth(s, day, weekday, monthLength));
  const weekdayOk = hasBit(p.weekdays, weekday) || (s !== null && specialDayOfWeek(s, day, weekday, monthLength));
  return p.dayOr ? dayOk || weekdayOk : dayOk && weekdayOk;
}

/** Whether a wall-clock time (whole seconds) matches every field of the pattern. */
export function wallTimeMatches(p: CronPattern, wallMs: number): boolean {
  const dayNumber = Math.floor(wallMs / MS_PER_DAY);
  const secondOfDay = Math.floor((wallMs - dayNumber * MS_PER_DAY) / MS_PER_SECOND);
  const date = civilFromDays(dayNumber, { year: 0, month: 0, day: 0 });
  return (
    hasBit(p.months, date.month - 1) &&
    dayMatches(p, dayNumber, date.day, daysInMonth(date.year, date.month)) &&
    hasBit(p.hours, Math.floor(secondOfDay / 3600)) &&
    hasBit60(p.minutesLo, p.minutesHi, Math.floor(secondOfDay / 60) % 60) &&
    hasBit60(p.secondsLo, p.secondsHi, secondOfDay % 60)
  );
}

const civil: CivilDate = { year: 0, month: 0, day: 0 };

/**
 * The earliest wall-clock time >= fromMs (rounded up to a whole second) that matches, if it is
 * before limitMs and within SEARCH_YEARS; otherwise NaN.
 */
export function nextWallTime(p: CronPattern, fromMs: number, limitMs: number): number {
  const start = Math.ceil(fromMs / MS_PER_SECOND) * MS_PER_SECOND;
  let dayNumber = Math.floor(start / MS_PER_DAY);
  const secondOfDay = (start - dayNumber * MS_PER_DAY) / MS_PER_SECOND;
  let hour = Math.floor(secondOfDay / 3600);
  let minute = Math.floor(secondOfDay / 60) % 60;
  let second = secondOfDay % 60;
  civilFromDays(dayNumber, civil);
  let { year, month, day } = civil;
  const lastYear = year + SEARCH_YEARS;

  for (;;) {
    if (!hasBit(p.months, month - 1)) {
      const nextMonth = nextBit(p.months, month);
      if (nextMonth < 0) {
        year += 1;
        month = nextBit(p.months, 0) + 1;
      } else {
        month = nextMonth + 1;
      }
      day = 1;
      hour = minute = second = 0;
      if (year > lastYear || daysFromCivil(year, month, day) * MS_PER_DAY >= limitMs) return Number.NaN;
      continue;
    }
    const monthLength = daysInMonth(year, month);
    if (day > monthLength) {
      month += 1;
      if (month > 12) {
        month = 1;
        year += 1;
      }
      day = 1;
      hour = minute = second = 0;
      if (year > lastYear || daysFromCivil(year, month, day) * MS_PER_DAY >= limitMs) return Number.NaN;
      continue;
    }
    dayNumber = daysFromCivil(year, month, day);
    if (!dayMatches(p, dayNumber, day, monthLength)) {
      day += 1;
      hour = minute = second = 0;
      if ((dayNumber + 1) * MS_PER_DAY >= limitMs) return Number.NaN;
      continue;
    }
    if (!hasBit(p.hours, hour)) {
      const nextHour = nextBit(p.hours, hour);
      if (nextHour < 0) {
        day += 1;
        hour = minute = second = 0;
        continue;
      }
      hour = nextHour;
      minute = second = 0;
    }
    if (!hasBit60(p.minutesLo, p.minutesHi, minute)) {
      const nextMinute = nextBit60(p.minutesLo, p.minutesHi, minute);
      if (nextMinute < 0) {
        hour += 1;
        minute = second = 0;
        if (hour > 23) {
          day += 1;
          hour = 0;
        }
        continue;
      }
      minute = nextMinute;
      second = 0;
    }
    if (!hasBit60(p.secondsLo, p.secondsHi, second)) {
      const nextSecond = nextBit60(p.secondsLo, p.secondsHi, second);
      if (nextSecond < 0) {
        minute += 1;
        second = 0;
        if (minute > 59) {
          hour += 1;
          minute = 0;
          if (hour > 23) {
            day += 1;
            hour = 0;
          }
        }
        continue;
      }
      second = nextSecond;
    }
    const result = dayNumber * MS_PER_DAY + hour * MS_PER_HOUR + minute * MS_PER_MINUTE + second * MS_PER_SECOND;
    return result < limitMs ? result : Number.NaN;
  }
}

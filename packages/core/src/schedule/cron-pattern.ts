// The compiled form of a cron expression: a few bit masks, small enough to hold 100,000 of them.

/** Rare day rules (`L`, `W`, `#`), kept out of the common pattern to keep it small. */
export interface DaySpecials {
  /** `L` in day-of-month: the last day of the month. */
  lastDay: boolean;
  /** `LW` in day-of-month: the last weekday (Mon-Fri) of the month. */
  lastWeekdayOfMonth: boolean;
  /** `15W`: bit d-1 set means "the weekday nearest to day d, within the month". */
  nearestWeekday: number;
  /** `5#3`: nth[k-1] is the mask of weekdays wanted on their k-th occurrence in the month. */
  nth: number[];
  /** `5L`: mask of weekdays wanted on their last occurrence in the month. */
  lastWeekday: number;
}

export interface CronPattern {
  secondsLo: number;
  secondsHi: number;
  minutesLo: number;
  minutesHi: number;
  /** Bit h for hour h. */
  hours: number;
  /** Bit d-1 for day-of-month d. */
  days: number;
  /** Bit m-1 for month m. */
  months: number;
  /** Bit w for weekday w, 0 = Sunday. */
  weekdays: number;
  /** Day-of-month is restricted (its field does not start with `*` or `?`). */
  daysRestricted: boolean;
  /** Day-of-week is restricted (its field does not start with `*` or `?`). */
  weekdaysRestricted: boolean;
  /** Both day fields restricted and combined with OR (Vixie cron); otherwise AND. */
  dayOr: boolean;
  /** Every calendar day matches (no day-of-month or day-of-week constraint): skips the day check. */
  everyDay: boolean;
  /** The hour field is `*` or `*\/n`: a repeated hour on a fall-back day fires in both passes. */
  hourWildcard: boolean;
  special: DaySpecials | null;
}

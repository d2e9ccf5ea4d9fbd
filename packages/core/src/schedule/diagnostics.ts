// Diagnostic codes and shapes shared by validateSchedule, ScheduleError, the analyzer and the editor.

/** Stable diagnostic codes. Errors are TW1xx, warnings TW2xx; never renumber a released code. */
export const ScheduleCode = {
  /** Wrong number of cron fields. */
  FieldCount: 'TW101',
  /** A character or token that does not belong in a cron field. */
  Syntax: 'TW102',
  /** A value outside its field's range (`hour 25 is out of range 0-23`). */
  OutOfRange: 'TW103',
  /** A step of 0, or larger than the field's range. */
  BadStep: 'TW104',
  /** A range whose start is after its end. */
  BadRange: 'TW105',
  /** An unknown month or weekday name, or an unknown `@nickname`. */
  UnknownName: 'TW106',
  /** A time zone that the runtime's ICU data does not know. */
  UnknownTimeZone: 'TW107',
  /** A pattern that matches no date at all (`0 0 30 2 *`). */
  NeverFires: 'TW108',
  /** A duration that does not parse (`every('5x')`) or is not positive. */
  BadDuration: 'TW109',
  /** `L`, `W` or `#` used where it has no meaning. */
  BadSpecial: 'TW110',
  /** A date for `at()` that does not parse. */
  BadDate: 'TW111',
  /** A step that does not divide its field evenly (`*\/7` minutes restarts at :00 each hour). */
  UnevenStep: 'TW201',
  /** A fixed local time that does not exist on a spring-forward day in the zone. */
  DstGap: 'TW202',
  /** A fixed local time that happens twice on a fall-back day in the zone. */
  DstOverlap: 'TW203',
  /** Fires more often than once a second. */
  TooFrequent: 'TW204',
} as const;

export type ScheduleCode = (typeof ScheduleCode)[keyof typeof ScheduleCode];

export interface ScheduleDiagnostic {
  code: ScheduleCode;
  severity: 'error' | 'warning';
  message: string;
  /** Character offset into the schedule text where the problem starts. */
  start: number;
  /** Character offset just past the problem. */
  end: number;
  /**
   * What the offsets point into: the schedule text itself, or the time zone option (whose text
   * is not part of the schedule string; the offsets then cover the whole schedule text).
   */
  target?: 'schedule' | 'timezone';
}

export function errorDiagnostic(code: ScheduleCode, message: string, start: number, end: number): ScheduleDiagnostic {
  return { code, severity: 'error', message, start, end };
}

export function warningDiagnostic(code: ScheduleCode, message: string, start: number, end: number): ScheduleDiagnostic {
  return { code, severity: 'warning', message, start, end };
}

/**
 * The diagnostic with a range of at least one character (editors underline nothing for an empty
 * range): only the empty text itself has nothing to point at. Parsers aim for the right
 * character; this is the net under them.
 */
export function visibleRange<T extends ScheduleDiagnostic>(diagnostic: T, textLength: number): T {
  if (diagnostic.end > diagnostic.start || textLength === 0) return diagnostic;
  const start = Math.max(0, Math.min(diagnostic.start, textLength - 1));
  return { ...diagnostic, start, end: start + 1 };
}

// The machine's time zone, as VS Code's Node.js sees it (the default "local" zone).

export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/**
 * A time-zone setting (tickwise.displayTimeZone, tickwise.serverTimeZone): the zone, or the
 * machine's when empty or unknown, with the warning to log for an unknown one.
 */
export function zoneSetting(
  key: string,
  raw: string | undefined,
  isKnown: (zone: string) => boolean,
  machine: string = machineTimeZone(),
): { zone: string; warning?: string } {
  const value = (raw ?? '').trim();
  if (!value) return { zone: machine };
  if (isKnown(value)) return { zone: value };
  return { zone: machine, warning: `${key}: unknown time zone '${value}'; using ${machine}` };
}

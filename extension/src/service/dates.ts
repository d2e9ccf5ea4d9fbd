// Short dates for the editor: "Mon 1 Dec 09:00" in a given zone.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** 'Mon 1 Dec 09:00' (the year is left out: next runs are close; the hover shows full dates). */
export function shortDate(date: Date, zone: string): string {
  const parts: Record<string, string> = {};
  for (const part of formatter(zone).formatToParts(date)) parts[part.type] = part.value;
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.hour}:${parts.minute}`;
}

/** The zone of this machine, as VS Code's Node.js sees it. */
export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

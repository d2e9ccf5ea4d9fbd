// The machine's time zone, as VS Code's Node.js sees it (the default "local" zone).

export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

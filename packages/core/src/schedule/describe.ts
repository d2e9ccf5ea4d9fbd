// Plain-English descriptions of cron expressions, via cronstrue (only ever given expressions our
// parser accepted: cronstrue happily describes invalid ones).

import cronstrue from 'cronstrue';

export function describeCron(normalized: string, timezone: string): string {
  let text: string;
  try {
    text = cronstrue.toString(normalized, {
      use24HourTimeFormat: true,
      dayOfWeekStartIndexZero: true,
      throwExceptionOnParseError: true,
      verbose: false,
    });
  } catch {
    text = `Cron '${normalized}'`;
  }
  return `${text} (${timezone})`;
}

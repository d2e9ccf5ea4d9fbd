// GitHub Actions workflow commands (`::error file=…,line=…::message`), escaped as the runner reads them.

/** The message part: %, CR and LF are escaped so a multi-line message stays one command. */
const escapeData = (text: string): string => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

/** A property value (file, title): also ',' and ':', which separate the properties. */
const escapeProperty = (text: string): string => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** `::<command> <properties>::<message>`; properties whose value is undefined are left out. */
export function workflowCommand(
  command: 'error' | 'warning' | 'notice',
  properties: Record<string, string | number | undefined>,
  message: string,
): string {
  const written = Object.entries(properties)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'number' ? value : escapeProperty(value)}`)
    .join(',');
  return `::${command}${written ? ` ${written}` : ''}::${escapeData(message)}`;
}

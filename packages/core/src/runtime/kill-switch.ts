// Disabling jobs without a deploy: TICKWISE_DISABLED_JOBS=name1,name2 (or *, or Prefix.*).

export const DISABLED_JOBS_ENV = 'TICKWISE_DISABLED_JOBS';

/** Parses a comma-separated list of job names; `*` matches any run of characters. */
export function parseDisabledList(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

export function matchesAny(name: string, patterns: readonly string[]): string | undefined {
  return patterns.find((pattern) => {
    if (!pattern.includes('*')) return pattern === name;
    const regex = new RegExp(
      `^${pattern
        .split('*')
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    return regex.test(name);
  });
}

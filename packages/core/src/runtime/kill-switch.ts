// Disabling jobs without a deploy: TICKWISE_DISABLED_JOBS=name1,name2 (or *, or Prefix.*), and the
// `*` wildcard matching that it and fleet pauses (fleet-store.ts) share.

export const DISABLED_JOBS_ENV = 'TICKWISE_DISABLED_JOBS';

/** Parses a comma-separated list of job names; `*` matches any run of characters. */
export function parseDisabledList(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** The first pattern that matches the name (`*` wildcards, as matchesPattern reads them), if any. */
export function matchesAny(name: string, patterns: readonly string[]): string | undefined {
  return patterns.find((pattern) => matchesPattern(name, pattern));
}

/** `*` matches any run of characters; everything else matches itself. */
export function matchesPattern(name: string, pattern: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const parts = pattern.split('*');
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  if (!name.startsWith(first) || name.length < first.length + last.length || !name.endsWith(last)) return false;
  let at = first.length;
  const end = name.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    const found = name.indexOf(part, at);
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

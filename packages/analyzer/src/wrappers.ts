// Wrapper decorators (tickwise.config.json "decorators"): a decorator of the app's own that
// forwards to a library's job decorator, e.g. { "CronOnce": "@nestjs/schedule:Cron" }. Checked
// here, without the file system, so the CLI and the editor reject the same bad mappings.

/** Every target a wrapper may forward to: '<module>:<decorator>'. */
export const WRAPPER_TARGETS: readonly string[] = [
  '@nestjs/schedule:Cron',
  '@nestjs/schedule:Interval',
  '@nestjs/schedule:Timeout',
  '@tickwise/core:Cron',
  '@tickwise/core:Every',
  '@tickwise/core:Job',
];

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * The mapping, or the first problem with it as one sentence (without the file's name). Accepts
 * an object of decorator name -> target; the targets must be one of WRAPPER_TARGETS.
 */
export function checkDecoratorMapping(value: unknown): { decorators: Record<string, string> } | { problem: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return {
      problem: `'decorators' must be an object of decorator name -> '<module>:<decorator>', e.g. { "CronOnce": "@nestjs/schedule:Cron" }`,
    };
  const decorators: Record<string, string> = {};
  for (const [name, target] of Object.entries(value)) {
    if (!IDENTIFIER.test(name))
      return { problem: `'decorators': '${name}' is not a decorator name (an identifier such as CronOnce)` };
    if (typeof target !== 'string')
      return { problem: `'decorators.${name}' must be a string such as '@nestjs/schedule:Cron'` };
    if (!WRAPPER_TARGETS.includes(target)) {
      const colon = target.lastIndexOf(':');
      const hint = colon > 0 ? '' : ` (write '<module>:<decorator>')`;
      return {
        problem: `'decorators.${name}': unknown target '${target}'${hint}; known: ${WRAPPER_TARGETS.join(', ')}`,
      };
    }
    decorators[name] = target;
  }
  return { decorators };
}

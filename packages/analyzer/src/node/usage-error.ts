/** A problem with the command line, a path or the configuration: reported in one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

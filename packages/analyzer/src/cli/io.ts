/** Where a command writes, and what it reads: injectable so tests run commands in-process. */
export interface CliIo {
  cwd: string;
  out(text: string): void;
  err(text: string): void;
  /** The environment (TICKWISE_TOKEN, USER); default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

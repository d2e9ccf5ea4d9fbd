// The files a command reads: its paths (default: the current directory), filtered by the
// configuration file (--config, tickwise.config.json or package.json#tickwise).

import { findSourceFiles, loadConfig } from '../node/index.js';
import type { CliIo } from './io.js';

export function selectedFiles(paths: readonly string[], configPath: string | undefined, io: CliIo): string[] {
  const { config } = loadConfig(io.cwd, configPath);
  return findSourceFiles(paths, { cwd: io.cwd, config });
}

// The files a command reads: its paths (default: the current directory), filtered by the
// configuration file (--config, tickwise.config.json or package.json#tickwise).

import { findSourceFiles, loadConfig, type TickwiseConfig } from '../node/index.js';
import type { CliIo } from './io.js';

export function selectedFiles(paths: readonly string[], configPath: string | undefined, io: CliIo): string[] {
  return selection(paths, configPath, io).files;
}

/** The files, and the configuration that selected them (its wrapper decorators apply to the analysis). */
export function selection(
  paths: readonly string[],
  configPath: string | undefined,
  io: CliIo,
): { files: string[]; config: TickwiseConfig } {
  const { config } = loadConfig(io.cwd, configPath);
  return { files: findSourceFiles(paths, { cwd: io.cwd, config }), config };
}

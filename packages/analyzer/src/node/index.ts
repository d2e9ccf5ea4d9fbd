// '@tickwise/analyzer/node': the file-system side, used by the CLI (the editor reads through
// VS Code's workspace.fs instead).

export { type LoadedConfig, loadConfig, type TickwiseConfig } from './config.js';
export { findSourceFiles, type ScanOptions } from './scan.js';
export { UsageError } from './usage-error.js';
export { analyzeFiles, type WorkspaceAnalysis } from './workspace.js';

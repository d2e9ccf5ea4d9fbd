// The TypeScript parser, loaded on first use: it is large (~9 MB), and most files never need it
// because the prefilter rules them out. Only ts.createSourceFile is used: no program, no checker.

import { createRequire } from 'node:module';
import type * as TS from 'typescript';

export type TypeScript = typeof TS;

let loaded: TypeScript | undefined;
let loader: () => TypeScript = () => createRequire(import.meta.url)('typescript') as TypeScript;

export function typescript(): TypeScript {
  loaded ??= loader();
  return loaded;
}

/**
 * For bundles that ship TypeScript as a separate file (the VS Code extension): how to load it
 * when the first file needs parsing. Call before any analysis.
 */
export function setTypeScriptLoader(load: () => TypeScript): void {
  loader = load;
  loaded = undefined;
}

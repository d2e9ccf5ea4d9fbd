// The TypeScript parser, loaded on first use: it is large (~9 MB), and most files never need it
// because the prefilter rules them out. Only ts.createSourceFile is used: no program, no checker.

import { createRequire } from 'node:module';
import type * as TS from 'typescript';

export type TypeScript = typeof TS;

let loaded: TypeScript | undefined;
let loader: () => TypeScript = () => createRequire(import.meta.url)('typescript') as TypeScript;

export function typescript(): TypeScript {
  if (loaded) return loaded;
  const ts = loader();
  // TypeScript 7 (the native compiler) has no JS parser API: its `typescript` main entry exports
  // only the version. That copy can be reached only if the install was forced (overrides, a
  // flattened node_modules); our own dependency is ^6. Say so instead of a TypeError later.
  if (typeof ts?.createSourceFile !== 'function') {
    const version = (ts as { version?: unknown } | undefined)?.version;
    throw new Error(
      `@tickwise/analyzer needs TypeScript 6.x for ts.createSourceFile, but loaded typescript ${String(version ?? '(unknown version)')}, which has no JS parser API. Let the package manager install the analyzer's own typescript@^6 dependency (do not override it).`,
    );
  }
  loaded = ts;
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

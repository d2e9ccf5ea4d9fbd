// The TypeScript parser, loaded on first use: it is large (~9 MB), and most files never need it
// because the prefilter rules them out. Only ts.createSourceFile is used: no program, no checker.

import { createRequire } from 'node:module';
import type * as TS from 'typescript';

export type TypeScript = typeof TS;

let loaded: TypeScript | undefined;

export function typescript(): TypeScript {
  loaded ??= createRequire(import.meta.url)('typescript') as TypeScript;
  return loaded;
}

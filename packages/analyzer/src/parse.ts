// Parsing one file with the TypeScript parser alone (ts.createSourceFile: no program, no checker),
// with the script kind its extension implies.

import type * as TS from 'typescript';
import { typescript } from './typescript.js';

const SCRIPT_KINDS: Record<string, keyof typeof TS.ScriptKind> = {
  '.ts': 'TS',
  '.mts': 'TS',
  '.cts': 'TS',
  '.tsx': 'TSX',
  '.js': 'JS',
  '.mjs': 'JS',
  '.cjs': 'JS',
  '.jsx': 'JSX',
};

/** The file extensions the analyzer reads. */
export const SOURCE_EXTENSIONS: readonly string[] = Object.keys(SCRIPT_KINDS);

/**
 * The syntax tree of `text`. `parents` sets parent pointers, which costs about a fifth of the
 * parse: the analyzer's walks carry their ancestors instead; the codemod, which is not on a hot
 * path, uses them.
 */
export function parseSource(file: string, text: string, parents: boolean): TS.SourceFile {
  const ts = typescript();
  const dot = file.lastIndexOf('.');
  const kind = SCRIPT_KINDS[dot === -1 ? '' : file.slice(dot).toLowerCase()];
  return ts.createSourceFile(
    file,
    text,
    ts.ScriptTarget.Latest,
    parents,
    kind ? ts.ScriptKind[kind] : ts.ScriptKind.TS,
  );
}

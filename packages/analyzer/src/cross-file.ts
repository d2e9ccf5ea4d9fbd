// Constants imported from other files of the workspace: the target file is parsed (never run),
// its exports are followed (`export const`, `export { a as b }`, `export … from`, enums, static
// readonly members), and its own imports are followed in turn. Where the chain leaves the
// workspace (node_modules) or cannot be read, the value stays dynamic with that reason.

import type * as TS from 'typescript';
import type { OptionValue } from './model.js';
import { parseSource } from './parse.js';
import { typescript } from './typescript.js';
import { type ValueContext, ValueReader } from './values.js';

/** Resolves a module specifier as seen from a file: its text, or why not. */
export type ImportResolver = (
  fromFile: string,
  specifier: string,
) => { file: string; text: string } | { reason: string };

type Read = { value: OptionValue } | { reason: string };

const MAX_DEPTH = 12;
const CACHE_LIMIT = 2000;

interface Parsed {
  text: string;
  source: TS.SourceFile;
  reader: ValueReader;
  /** Exported name -> local name, or a module the name is re-exported from. */
  exports: Map<string, { local: string } | { from: string; name: string }>;
  /** `export * from '…'` specifiers. */
  starFrom: string[];
}

/** Parsed target files, by file name; re-parsed when their text changes. */
const parsedFiles = new Map<string, Parsed>();

function hasExport(ts: typeof TS, node: TS.Node): boolean {
  return (
    (ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined)?.some(
      (m) => m.kind === ts.SyntaxKind.ExportKeyword,
    ) ?? false
  );
}

function parse(file: string, text: string, resolve: ImportResolver): Parsed {
  const cached = parsedFiles.get(file);
  if (cached && cached.text === text) return cached;
  const ts = typescript();
  const source = parseSource(file, text, false);
  const exports: Parsed['exports'] = new Map();
  const starFrom: string[] = [];
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement) && hasExport(ts, statement)) {
      for (const d of statement.declarationList.declarations)
        if (ts.isIdentifier(d.name)) exports.set(d.name.text, { local: d.name.text });
    } else if (
      (ts.isEnumDeclaration(statement) || ts.isClassDeclaration(statement)) &&
      statement.name &&
      hasExport(ts, statement)
    ) {
      exports.set(statement.name.text, { local: statement.name.text });
    } else if (ts.isExportDeclaration(statement) && !statement.isTypeOnly) {
      const from =
        statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)
          ? statement.moduleSpecifier.text
          : undefined;
      const clause = statement.exportClause;
      if (!clause) {
        if (from) starFrom.push(from);
      } else if (ts.isNamedExports(clause)) {
        for (const e of clause.elements) {
          const original = (e.propertyName ?? e.name).text;
          exports.set(e.name.text, from ? { from, name: original } : { local: original });
        }
      }
    }
  }
  const context: ValueContext = {
    imported: (specifier, exportName, member, depth) =>
      readImported(resolve, file, specifier, exportName, member, depth),
  };
  const parsed: Parsed = { text, source, reader: new ValueReader(ts, source, context), exports, starFrom };
  if (parsedFiles.size >= CACHE_LIMIT) parsedFiles.clear();
  parsedFiles.set(file, parsed);
  return parsed;
}

/** The value of `exportName` (or `exportName.member`) of the module `specifier` imports, seen from `fromFile`. */
export function readImported(
  resolve: ImportResolver,
  fromFile: string,
  specifier: string,
  exportName: string,
  member: string | undefined,
  depth: number,
): Read {
  if (depth > MAX_DEPTH) return { reason: `imports nested too deep (${specifier})` };
  const target = resolve(fromFile, specifier);
  if ('reason' in target) return target;
  const parsed = parse(target.file, target.text, resolve);
  const entry = parsed.exports.get(exportName);
  if (entry && 'local' in entry) return parsed.reader.evaluateName(entry.local, member, depth + 1);
  if (entry && 'from' in entry) return readImported(resolve, target.file, entry.from, entry.name, member, depth + 1);
  for (const from of parsed.starFrom) {
    const read = readImported(resolve, target.file, from, exportName, member, depth + 1);
    if ('value' in read) return read;
  }
  return { reason: `'${exportName}' is not an exported constant of '${specifier}'` };
}

// Text edits at exact ranges, in the file's own style (quotes, semicolons, line endings,
// indentation): the codemod never reprints code, so formatting and comments stay.

import type * as TS from 'typescript';
import type { TypeScript } from '../typescript.js';

export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** How the file writes things, read from the file itself. */
export interface FileStyle {
  quote: "'" | '"';
  /** Statements end with ';'. */
  semicolons: boolean;
  newline: '\n' | '\r\n';
}

export function styleOf(ts: TypeScript, source: TS.SourceFile): FileStyle {
  const text = source.text;
  const imports = source.statements.filter(ts.isImportDeclaration);
  const first = imports[0];
  const specifier = first?.moduleSpecifier.getText(source);
  const quote = specifier?.startsWith('"') ? '"' : "'";
  // Imports say it best; otherwise any top-level statement.
  const sample = imports.length > 0 ? imports : source.statements.filter((s) => !ts.isClassDeclaration(s));
  const semicolons = sample.length === 0 ? true : sample.some((s) => text[s.end - 1] === ';');
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  return { quote, semicolons, newline };
}

/** Applies non-overlapping edits (any order). */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  let output = text;
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let limit = Number.POSITIVE_INFINITY;
  for (const edit of sorted) {
    if (edit.end > limit) throw new Error(`overlapping edits at ${edit.start}-${edit.end}`);
    output = output.slice(0, edit.start) + edit.text + output.slice(edit.end);
    limit = edit.start;
  }
  return output;
}

/** The whitespace a line starts with. */
export function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
}

/** True when `node` is the only thing on its line(s) apart from a trailing comma. */
function onOwnLine(text: string, start: number, end: number): boolean {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const after = text.slice(end).match(/^,?[ \t]*(\/\/[^\n]*)?\r?\n/);
  return /^[ \t]*$/.test(text.slice(lineStart, start)) && after !== null;
}

/**
 * Removes one element of a comma-separated list (array, object, named imports, arguments) with
 * its comma; an element on a line of its own takes the line with it.
 */
export function removeListElement(source: TS.SourceFile, list: readonly TS.Node[], element: TS.Node): Edit {
  const text = source.text;
  const start = element.getStart(source);
  const end = element.end + (text[element.end] === ',' ? 1 : 0);
  if (onOwnLine(text, start, element.end)) {
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    const newline = text.indexOf('\n', end);
    return { start: lineStart, end: newline === -1 ? text.length : newline + 1, text: '' };
  }
  const index = list.indexOf(element);
  const next = list[index + 1];
  if (next) return { start, end: next.getStart(source), text: '' };
  const previous = list[index - 1];
  // The last element inline: take the comma before it instead.
  return { start: previous ? previous.end : start, end: element.end, text: '' };
}

/**
 * Inserts `item` into a list after `after` (the last element that stays): on a line of its own,
 * indented like `after`, when `after` is on its own line; else inline after a comma. A trailing
 * comma after `after` is kept and given to the new element too.
 */
export function insertAfter(source: TS.SourceFile, after: TS.Node, item: string, style: FileStyle): Edit {
  const text = source.text;
  const start = after.getStart(source);
  const hasComma = text[after.end] === ',';
  if (onOwnLine(text, start, after.end)) {
    const indent = indentAt(text, start);
    // After a comment that ends the line, not before it.
    let lineEnd = text.indexOf('\n', after.end);
    if (text[lineEnd - 1] === '\r') lineEnd--;
    const rest = text.slice(after.end + (hasComma ? 1 : 0), lineEnd);
    return {
      start: after.end,
      end: lineEnd,
      text: `,${rest}${style.newline}${indent}${item}${hasComma ? ',' : ''}`,
    };
  }
  return { start: after.end, end: after.end, text: `, ${item}` };
}

export function quoted(value: string, style: FileStyle): string {
  const q = style.quote;
  return `${q}${value.replace(/\\/g, '\\\\').replaceAll(q, `\\${q}`)}${q}`;
}

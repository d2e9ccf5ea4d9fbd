// Which local names refer to Tickwise (or @nestjs/schedule) exports in one file: named imports
// (renamed or not), namespace imports, and CommonJS require(). Look-alikes from other modules
// are not bindings, so they are never taken for jobs.

import type * as TS from 'typescript';
import type { TypeScript } from './typescript.js';

export type Framework = 'tickwise' | 'nestjs';

/** The exports the analyzer understands. */
export type KnownExport = 'Cron' | 'Every' | 'Job' | 'Scheduler' | 'cron' | 'every' | 'at';

const TICKWISE_EXPORTS: ReadonlySet<string> = new Set(['Cron', 'Every', 'Job', 'Scheduler', 'cron', 'every', 'at']);
const NESTJS_EXPORTS: ReadonlySet<string> = new Set(['Cron']);

export function frameworkOf(moduleName: string): Framework | undefined {
  if (moduleName === '@tickwise/core' || moduleName === '@tickwise/core/schedule') return 'tickwise';
  if (moduleName === '@nestjs/schedule') return 'nestjs';
  return undefined;
}

/** Cheap test run before parsing: a file that names neither module cannot declare a job. */
export function mayDeclareJobs(text: string): boolean {
  return text.includes('@tickwise/core') || text.includes('@nestjs/schedule');
}

export interface Binding {
  framework: Framework;
  name: KnownExport;
}

export class ImportBindings {
  /** Local identifier -> the export it stands for. */
  readonly named = new Map<string, Binding>();
  /** Local identifier of a namespace (`import * as tw`, `const tw = require(...)`) -> its module. */
  readonly namespaces = new Map<string, Framework>();

  get isEmpty(): boolean {
    return this.named.size === 0 && this.namespaces.size === 0;
  }

  private addNamed(framework: Framework, imported: string, local: string): void {
    const known = framework === 'tickwise' ? TICKWISE_EXPORTS : NESTJS_EXPORTS;
    if (known.has(imported)) this.named.set(local, { framework, name: imported as KnownExport });
  }

  /** What an expression like `Cron`, `tw.Cron` or `(0, tw.Cron)` refers to, if anything. */
  resolve(ts: TypeScript, node: TS.Expression): Binding | undefined {
    if (ts.isIdentifier(node)) return this.named.get(node.text);
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      const framework = this.namespaces.get(node.expression.text);
      const name = node.name.text;
      if (!framework) return undefined;
      const known = framework === 'tickwise' ? TICKWISE_EXPORTS : NESTJS_EXPORTS;
      return known.has(name) ? { framework, name: name as KnownExport } : undefined;
    }
    if (ts.isParenthesizedExpression(node)) {
      const inner = node.expression;
      // The `(0, ns.fn)` form compilers emit.
      if (ts.isBinaryExpression(inner) && inner.operatorToken.kind === ts.SyntaxKind.CommaToken) {
        return this.resolve(ts, inner.right);
      }
      return this.resolve(ts, inner);
    }
    return undefined;
  }

  static collect(ts: TypeScript, file: TS.SourceFile): ImportBindings {
    const bindings = new ImportBindings();
    for (const statement of file.statements) {
      if (ts.isImportDeclaration(statement)) bindings.readImport(ts, statement);
      else if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) bindings.readRequire(ts, declaration);
      }
    }
    return bindings;
  }

  private readImport(ts: TypeScript, statement: TS.ImportDeclaration): void {
    if (!ts.isStringLiteral(statement.moduleSpecifier)) return;
    const framework = frameworkOf(statement.moduleSpecifier.text);
    const clause = statement.importClause;
    if (!framework || !clause?.namedBindings) return;
    if (ts.isNamespaceImport(clause.namedBindings)) {
      this.namespaces.set(clause.namedBindings.name.text, framework);
      return;
    }
    for (const element of clause.namedBindings.elements) {
      const imported = element.propertyName ?? element.name;
      const importedName = ts.isIdentifier(imported) ? imported.text : imported.text;
      this.addNamed(framework, importedName, element.name.text);
    }
  }

  /** `const { Cron, Every: E } = require('@tickwise/core')` and `const tw = require('@tickwise/core')`. */
  private readRequire(ts: TypeScript, declaration: TS.VariableDeclaration): void {
    const init = declaration.initializer;
    if (!init || !ts.isCallExpression(init) || !ts.isIdentifier(init.expression)) return;
    if (init.expression.text !== 'require' || init.arguments.length !== 1) return;
    const specifier = init.arguments[0];
    if (!specifier || !ts.isStringLiteralLike(specifier)) return;
    const framework = frameworkOf(specifier.text);
    if (!framework) return;
    if (ts.isIdentifier(declaration.name)) {
      this.namespaces.set(declaration.name.text, framework);
      return;
    }
    if (!ts.isObjectBindingPattern(declaration.name)) return;
    for (const element of declaration.name.elements) {
      if (element.dotDotDotToken || !ts.isIdentifier(element.name)) continue;
      const property = element.propertyName;
      const imported =
        property && (ts.isIdentifier(property) || ts.isStringLiteral(property)) ? property.text : undefined;
      this.addNamed(framework, imported ?? element.name.text, element.name.text);
    }
  }
}

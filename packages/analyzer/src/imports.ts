// Which local names refer to the exports of a scheduling library in one file: named imports
// (renamed or not), default and namespace imports, and CommonJS require(). Look-alikes from other
// modules are not bindings, so they are never taken for jobs.

import type * as TS from 'typescript';
import type { Framework } from './model.js';
import type { TypeScript } from './typescript.js';

export type { Framework };

/** The module names of each library. */
const MODULES: Readonly<Record<string, Framework>> = {
  '@tickwise/core': 'tickwise',
  '@tickwise/core/schedule': 'tickwise',
  '@nestjs/schedule': 'nestjs',
  'node-cron': 'node-cron',
  croner: 'croner',
  cron: 'cron',
  'node-schedule': 'node-schedule',
  'toad-scheduler': 'toad-scheduler',
};

/** The exports the analyzer understands, per library. */
const EXPORTS: Readonly<Record<Framework, ReadonlySet<string>>> = {
  tickwise: new Set(['Cron', 'Every', 'Job', 'Scheduler', 'cron', 'every', 'at']),
  nestjs: new Set(['Cron', 'Interval', 'Timeout', 'CronExpression', 'SchedulerRegistry']),
  'node-cron': new Set(['schedule', 'createTask']),
  croner: new Set(['Cron']),
  cron: new Set(['CronJob']),
  'node-schedule': new Set(['scheduleJob', 'RecurrenceRule']),
  'toad-scheduler': new Set(['SimpleIntervalJob', 'LongIntervalJob', 'CronJob']),
};

/** What a default import stands for: the module object, or one export. */
const DEFAULT_EXPORT: Partial<Record<Framework, string>> = { croner: 'Cron' };

/** The library a module specifier names, if the analyzer knows it. */
export function frameworkOf(moduleName: string): Framework | undefined {
  return Object.hasOwn(MODULES, moduleName) ? MODULES[moduleName] : undefined;
}

const CRON_MODULE = /(?:from\s*|require\(\s*|import\(\s*)['"]cron['"]/;

/** Cheap test run before parsing: a file that names none of the modules cannot declare a job. */
export function mayDeclareJobs(text: string): boolean {
  return (
    text.includes('@tickwise/core') ||
    text.includes('@nestjs/schedule') ||
    text.includes('node-cron') ||
    text.includes('croner') ||
    text.includes('node-schedule') ||
    text.includes('toad-scheduler') ||
    ((text.includes("'cron'") || text.includes('"cron"')) && CRON_MODULE.test(text))
  );
}

export interface Binding {
  framework: Framework;
  name: string;
}

export class ImportBindings {
  /** Local identifier -> the export it stands for. */
  readonly named = new Map<string, Binding>();
  /** Local identifier of a module object (`import * as tw`, `import cron from 'node-cron'`, require) -> its library. */
  readonly namespaces = new Map<string, Framework>();

  get isEmpty(): boolean {
    return this.named.size === 0 && this.namespaces.size === 0;
  }

  /** Every local name bound to a library: where jobs can start in the text. */
  localNames(): string[] {
    return [...this.named.keys(), ...this.namespaces.keys()];
  }

  private addNamed(framework: Framework, imported: string, local: string): void {
    if (EXPORTS[framework].has(imported)) this.named.set(local, { framework, name: imported });
  }

  private addDefault(framework: Framework, local: string): void {
    const name = DEFAULT_EXPORT[framework];
    if (name) this.named.set(local, { framework, name });
    else this.namespaces.set(local, framework);
  }

  /** What an expression like `Cron`, `tw.Cron` or `(0, tw.Cron)` refers to, if anything. */
  resolve(ts: TypeScript, node: TS.Expression): Binding | undefined {
    if (ts.isIdentifier(node)) return this.named.get(node.text);
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      const framework = this.namespaces.get(node.expression.text);
      const name = node.name.text;
      if (!framework) return undefined;
      // `croner.Cron`, `(await import('cron')).CronJob`, `cron.default.schedule` are rare; keep to one level.
      return EXPORTS[framework].has(name) ? { framework, name } : undefined;
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
      else if (ts.isImportEqualsDeclaration(statement)) bindings.readImportEquals(ts, statement);
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
    if (!framework || !clause) return;
    if (clause.name) this.addDefault(framework, clause.name.text);
    if (!clause.namedBindings) return;
    if (ts.isNamespaceImport(clause.namedBindings)) {
      this.namespaces.set(clause.namedBindings.name.text, framework);
      return;
    }
    for (const element of clause.namedBindings.elements) {
      const imported = element.propertyName ?? element.name;
      const importedName = imported.text;
      if (importedName === 'default') this.addDefault(framework, element.name.text);
      else this.addNamed(framework, importedName, element.name.text);
    }
  }

  /** `import cron = require('node-cron')`. */
  private readImportEquals(ts: TypeScript, statement: TS.ImportEqualsDeclaration): void {
    const reference = statement.moduleReference;
    if (!ts.isExternalModuleReference(reference) || !ts.isStringLiteralLike(reference.expression)) return;
    const framework = frameworkOf(reference.expression.text);
    if (framework) this.namespaces.set(statement.name.text, framework);
  }

  /** `const { Cron, Every: E } = require('@tickwise/core')` and `const tw = require('@tickwise/core')`. */
  private readRequire(ts: TypeScript, declaration: TS.VariableDeclaration): void {
    let init = declaration.initializer;
    // `require('cron').CronJob`
    let member: string | undefined;
    if (init && ts.isPropertyAccessExpression(init) && ts.isCallExpression(init.expression)) {
      member = init.name.text;
      init = init.expression;
    }
    if (!init || !ts.isCallExpression(init) || !ts.isIdentifier(init.expression)) return;
    if (init.expression.text !== 'require' || init.arguments.length !== 1) return;
    const specifier = init.arguments[0];
    if (!specifier || !ts.isStringLiteralLike(specifier)) return;
    const framework = frameworkOf(specifier.text);
    if (!framework) return;
    if (ts.isIdentifier(declaration.name)) {
      if (member === undefined) {
        // croner's CommonJS build exports { Cron }; a bare require is the module object.
        this.namespaces.set(declaration.name.text, framework);
      } else if (member === 'default') this.addDefault(framework, declaration.name.text);
      else this.addNamed(framework, member, declaration.name.text);
      return;
    }
    if (member !== undefined || !ts.isObjectBindingPattern(declaration.name)) return;
    for (const element of declaration.name.elements) {
      if (element.dotDotDotToken || !ts.isIdentifier(element.name)) continue;
      const property = element.propertyName;
      const imported =
        property && (ts.isIdentifier(property) || ts.isStringLiteral(property)) ? property.text : undefined;
      this.addNamed(framework, imported ?? element.name.text, element.name.text);
    }
  }
}

// What one file contributes to a Nest app's scheduling wiring, read from its text alone: the
// ScheduleModule / TickwiseModule roots, job decorators of both libraries with their classes,
// SchedulerRegistry injections, and which classes modules list as providers. The project checks
// and the codemod's whole-project decisions are made from these facts.

import type * as TS from 'typescript';
import type { Span } from './model.js';
import { parseSource } from './parse.js';
import { LineMap } from './span.js';
import { typescript } from './typescript.js';

export const NEST_SCHEDULE = '@nestjs/schedule';
export const NEST_COMMON = '@nestjs/common';
export const TICKWISE_CORE = '@tickwise/core';
export const TICKWISE_NESTJS = '@tickwise/nestjs';

/** A place in the file. */
export interface Site {
  span: Span;
  /** The source text there. */
  text: string;
}

export interface JobSite extends Site {
  library: 'nestjs' | 'tickwise';
  /** The decorator's exported name: Cron, Interval, Timeout (Nest); Cron, Every, Job (Tickwise). */
  decorator: string;
  /** The enclosing class; undefined for an anonymous class. */
  className?: string;
}

export interface ClassFact {
  name: string;
  /** Decorated @Injectable() or @Controller() from @nestjs/common. */
  nestProvider: boolean;
  /** The class it extends, when written as a plain name. */
  extends?: string;
}

export interface NestFacts {
  file: string;
  /** The file imports from @nestjs/*: written for a Nest app. */
  nest: boolean;
  scheduleModuleRoots: Site[];
  tickwiseModuleRoots: Site[];
  jobs: JobSite[];
  /** SchedulerRegistry as a constructor parameter type: Nest injects it from ScheduleModule. */
  registryInjections: Site[];
  /** Other references to SchedulerRegistry (e.g. a property type); they need the package, not the module. */
  registryReferences: Site[];
  /** `import * as x` / `require()` of @nestjs/schedule: what it uses cannot be told from names. */
  opaqueNestUses: Site[];
  classes: ClassFact[];
  /** Names written inside a `providers` or `controllers` value (Nest modules and dynamic modules). */
  providedNames: string[];
  /** Top-level `const X = [...]` (or other initializer): the names in it, so `providers: X` can be followed. */
  constants: Map<string, string[]>;
  /** Names imported from relative paths (`./jobs`): may be a class or a list in a file not read. */
  relativeImports: string[];
  /** Classes instantiated with `new Name(...)` in this file. */
  constructed: string[];
  /** The file creates a Tickwise Scheduler itself (`new Scheduler(...)`), so jobs may be registered by hand. */
  createsScheduler: boolean;
}

const NEST_JOB_DECORATORS = new Set(['Cron', 'Interval', 'Timeout']);
const TICKWISE_JOB_DECORATORS = new Set(['Cron', 'Every', 'Job']);
const PROVIDER_DECORATORS = new Set(['Injectable', 'Controller']);

/** Cheap test before parsing. */
export function mayHaveNestFacts(text: string): boolean {
  return text.includes('@nestjs/') || text.includes('@tickwise/');
}

interface Imported {
  module: string;
  name: string;
}

export function emptyFacts(file: string): NestFacts {
  return {
    file,
    nest: false,
    scheduleModuleRoots: [],
    tickwiseModuleRoots: [],
    jobs: [],
    registryInjections: [],
    registryReferences: [],
    opaqueNestUses: [],
    classes: [],
    providedNames: [],
    constants: new Map(),
    relativeImports: [],
    constructed: [],
    createsScheduler: false,
  };
}

/** The facts of one file. Never throws on bad source; never runs it. */
export function nestFactsOf(file: string, text: string): NestFacts {
  const facts = emptyFacts(file);
  if (!mayHaveNestFacts(text)) return facts;
  const ts = typescript();
  const source = parseSource(file, text, true);
  const lines = new LineMap(text);
  const site = (node: TS.Node): Site => {
    const start = node.getStart(source);
    return { span: lines.span(start, node.end), text: text.slice(start, node.end) };
  };

  // local name -> export; namespace local -> module
  const named = new Map<string, Imported>();
  const namespaces = new Map<string, string>();
  const importNodes = new Set<TS.Node>();
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      importNodes.add(statement);
      const module = statement.moduleSpecifier.text;
      if (module.startsWith('@nestjs/')) facts.nest = true;
      const bindings = statement.importClause?.namedBindings;
      if (!bindings) continue;
      if (ts.isNamespaceImport(bindings)) {
        namespaces.set(bindings.name.text, module);
        if (module === NEST_SCHEDULE) facts.opaqueNestUses.push(site(statement));
        continue;
      }
      for (const element of bindings.elements) {
        named.set(element.name.text, { module, name: (element.propertyName ?? element.name).text });
        if (module.startsWith('.')) facts.relativeImports.push(element.name.text);
      }
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const init = declaration.initializer;
        if (init && isRequire(ts, init)) {
          const module = (init.arguments[0] as TS.StringLiteral).text;
          if (module.startsWith('@nestjs/')) facts.nest = true;
          if (module === NEST_SCHEDULE) facts.opaqueNestUses.push(site(statement));
          if (ts.isIdentifier(declaration.name)) namespaces.set(declaration.name.text, module);
          else if (ts.isObjectBindingPattern(declaration.name)) {
            for (const element of declaration.name.elements) {
              if (!ts.isIdentifier(element.name)) continue;
              const property = element.propertyName;
              const imported = property && ts.isIdentifier(property) ? property.text : element.name.text;
              named.set(element.name.text, { module, name: imported });
            }
          }
          continue;
        }
        if (ts.isIdentifier(declaration.name) && init) {
          facts.constants.set(declaration.name.text, namesIn(ts, init));
        }
      }
    }
  }

  const resolve = (node: TS.Expression): Imported | undefined => {
    if (ts.isIdentifier(node)) return named.get(node.text);
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      const module = namespaces.get(node.expression.text);
      return module ? { module, name: node.name.text } : undefined;
    }
    return undefined;
  };
  const is = (node: TS.Expression, module: string, name: string) => {
    const found = resolve(node);
    return found?.module === module && found.name === name;
  };
  const decoratorCallee = (decorator: TS.Decorator) =>
    ts.isCallExpression(decorator.expression) ? decorator.expression.expression : decorator.expression;

  const visit = (node: TS.Node): void => {
    if (importNodes.has(node)) return;
    if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) readClass(node);
    if (ts.isMethodDeclaration(node)) readMethod(node);
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const access = node.expression;
      const method = access.name.text;
      if (method === 'forRoot' && is(access.expression, NEST_SCHEDULE, 'ScheduleModule'))
        facts.scheduleModuleRoots.push(site(node));
      if (
        (method === 'forRoot' || method === 'forRootAsync') &&
        is(access.expression, TICKWISE_NESTJS, 'TickwiseModule')
      )
        facts.tickwiseModuleRoots.push(site(node));
    }
    if (ts.isNewExpression(node)) {
      if (ts.isIdentifier(node.expression)) facts.constructed.push(node.expression.text);
      if (is(node.expression, TICKWISE_CORE, 'Scheduler')) facts.createsScheduler = true;
    }
    if (ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node)) {
      const key = node.name && ts.isIdentifier(node.name) ? node.name.text : undefined;
      if (key === 'providers' || key === 'controllers') {
        facts.providedNames.push(
          ...(ts.isShorthandPropertyAssignment(node) ? [node.name.text] : namesIn(ts, node.initializer)),
        );
      }
    }
    if (ts.isIdentifier(node) && is(node, NEST_SCHEDULE, 'SchedulerRegistry')) {
      const parameter = node.parent?.parent;
      const injected =
        ts.isTypeReferenceNode(node.parent) &&
        parameter !== undefined &&
        ts.isParameter(parameter) &&
        ts.isConstructorDeclaration(parameter.parent);
      (injected ? facts.registryInjections : facts.registryReferences).push(site(node));
    }
    ts.forEachChild(node, visit);
  };

  const readClass = (node: TS.ClassDeclaration | TS.ClassExpression) => {
    const name = node.name?.text ?? variableName(ts, node);
    if (!name) return;
    const nestProvider = (ts.getDecorators(node) ?? []).some((d) => {
      const found = resolve(decoratorCallee(d));
      return found?.module === NEST_COMMON && PROVIDER_DECORATORS.has(found.name);
    });
    const heritage = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
    const base = heritage && ts.isIdentifier(heritage.expression) ? heritage.expression.text : undefined;
    facts.classes.push({ name, nestProvider, ...(base && { extends: base }) });
  };

  const readMethod = (node: TS.MethodDeclaration) => {
    for (const decorator of ts.getDecorators(node) ?? []) {
      const found = resolve(decoratorCallee(decorator));
      if (!found) continue;
      const library =
        found.module === NEST_SCHEDULE && NEST_JOB_DECORATORS.has(found.name)
          ? 'nestjs'
          : found.module === TICKWISE_CORE && TICKWISE_JOB_DECORATORS.has(found.name)
            ? 'tickwise'
            : undefined;
      if (!library) continue;
      const owner = node.parent;
      const className =
        ts.isClassDeclaration(owner) || ts.isClassExpression(owner)
          ? (owner.name?.text ?? variableName(ts, owner))
          : undefined;
      facts.jobs.push({ ...site(decorator), library, decorator: found.name, ...(className && { className }) });
    }
  };

  visit(source);
  return facts;
}

function isRequire(ts: typeof TS, node: TS.Expression): node is TS.CallExpression {
  return (
    ts.isCallExpression(node) &&
    ts.isIdentifier(node.expression) &&
    node.expression.text === 'require' &&
    node.arguments.length === 1 &&
    ts.isStringLiteralLike(node.arguments[0] as TS.Expression)
  );
}

/** `const Reports = class { ... }`: the class takes the variable's name. */
function variableName(ts: typeof TS, node: TS.ClassExpression | TS.ClassDeclaration): string | undefined {
  const holder = node.parent;
  return holder && ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name) ? holder.name.text : undefined;
}

/** Every identifier written in an expression (class names, spread constants, useClass values). */
function namesIn(ts: typeof TS, node: TS.Node): string[] {
  const names: string[] = [];
  const visit = (child: TS.Node): void => {
    if (ts.isIdentifier(child)) names.push(child.text);
    ts.forEachChild(child, visit);
  };
  visit(node);
  return names;
}

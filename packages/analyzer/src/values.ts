// Static evaluation of the expressions a job declaration uses: literals, template literals and
// `+` of constants, `const` identifiers (and their object properties), `static readonly` class
// members and enum members in the same file, @nestjs/schedule's `CronExpression.X`, and constants
// imported from other files of the workspace (through a resolver the caller gives). Everything
// else is dynamic: reported with its text and the reason, never guessed and never an error.

import type * as TS from 'typescript';
import type { Dynamic, OptionValue } from './model.js';
import { Offsets } from './offsets.js';
import type { TypeScript } from './typescript.js';

export interface StaticResult {
  dynamic: false;
  value: OptionValue;
  /** The node where the value is written (after following constants): where diagnostics belong. */
  node: TS.Node;
}

export interface DynamicResult {
  dynamic: true;
  /** The expression as the job uses it. */
  expression: string;
  /** Why it cannot be known from source: "reads process.env.X", "calls a function", … */
  reason: string;
  node: TS.Node;
}

/** What the reader asks outside the file: library tables and other files of the workspace. */
export interface ValueContext {
  /** `CronExpression.<member>` when `local` names @nestjs/schedule's CronExpression; undefined otherwise. */
  libraryMember?(local: string, member: string): { value: string } | { reason: string } | undefined;
  /** An imported name (or `name.member` for namespace imports), evaluated in its own file. */
  imported?(
    specifier: string,
    exportName: string,
    member: string | undefined,
    depth: number,
  ): { value: OptionValue } | { reason: string };
}

export type Evaluated = StaticResult | DynamicResult;

/** A property of an object literal, with the nodes diagnostics point at. */
export interface PropertyRead {
  key: string;
  keyNode: TS.Node;
  valueNode: TS.Node;
  value: Evaluated;
}

const MAX_DEPTH = 16;

export class ValueReader {
  /** `const` declarations by name; null when the name is declared more than once (shadowing). Built on first use. */
  private constantsByName: Map<string, TS.Expression | null> | undefined;
  /** Class (or enum) name -> member -> initializer, for `static readonly` members and enum members. */
  private staticsByClass: Map<string, Map<string, TS.Expression | null>> | undefined;
  /** Imported local name -> module specifier and the export it names ('*' for a namespace). */
  private importsByName: Map<string, { specifier: string; name: string }> | undefined;

  constructor(
    private readonly ts: TypeScript,
    private readonly file: TS.SourceFile,
    private readonly context: ValueContext = {},
  ) {}

  /** Local name -> where it is imported from (ESM imports only; require() is runtime code). */
  importOf(name: string): { specifier: string; name: string } | undefined {
    if (!this.importsByName) {
      const ts = this.ts;
      const map = new Map<string, { specifier: string; name: string }>();
      for (const statement of this.file.statements) {
        if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
        const clause = statement.importClause;
        if (!clause || clause.isTypeOnly) continue;
        const specifier = statement.moduleSpecifier.text;
        if (clause.name) map.set(clause.name.text, { specifier, name: 'default' });
        const named = clause.namedBindings;
        if (!named) continue;
        if (ts.isNamespaceImport(named)) map.set(named.name.text, { specifier, name: '*' });
        else for (const e of named.elements) map.set(e.name.text, { specifier, name: (e.propertyName ?? e.name).text });
      }
      this.importsByName = map;
    }
    return this.importsByName.get(name);
  }

  /** `static readonly X = …` of classes and members of (const) enums declared at the top level of the file. */
  private staticMember(className: string, member: string): TS.Expression | null | undefined {
    if (!this.staticsByClass) {
      const ts = this.ts;
      const map = new Map<string, Map<string, TS.Expression | null>>();
      const add = (owner: string, key: string, value: TS.Expression | null) => {
        let members = map.get(owner);
        if (!members) {
          members = new Map();
          map.set(owner, members);
        }
        members.set(key, members.has(key) ? null : value);
      };
      for (const statement of this.file.statements) {
        if (ts.isClassDeclaration(statement) && statement.name) {
          for (const m of statement.members) {
            if (!ts.isPropertyDeclaration(m) || !m.initializer || !ts.isIdentifier(m.name)) continue;
            const mods = ts.getModifiers(m) ?? [];
            const isStatic = mods.some((x) => x.kind === ts.SyntaxKind.StaticKeyword);
            const isReadonly = mods.some((x) => x.kind === ts.SyntaxKind.ReadonlyKeyword);
            if (isStatic && isReadonly) add(statement.name.text, m.name.text, m.initializer);
          }
        } else if (ts.isEnumDeclaration(statement)) {
          for (const m of statement.members) {
            const key = ts.isIdentifier(m.name) || ts.isStringLiteral(m.name) ? m.name.text : undefined;
            // Numeric auto-increment members are not schedules; only initialised members are read.
            if (key !== undefined) add(statement.name.text, key, m.initializer ?? null);
          }
        }
      }
      this.staticsByClass = map;
    }
    return this.staticsByClass.get(className)?.get(member);
  }

  private constant(name: string): TS.Expression | null | undefined {
    if (!this.constantsByName) {
      const ts = this.ts;
      const constants = new Map<string, TS.Expression | null>();
      const candidates = Offsets.of(this.file.text, ['const']);
      const visit = (node: TS.Node): void => {
        if (
          ts.isVariableDeclarationList(node) &&
          (node.flags & ts.NodeFlags.Const) !== 0 &&
          (node.flags & ts.NodeFlags.Using) === 0
        ) {
          for (const declaration of node.declarations) {
            if (!ts.isIdentifier(declaration.name) || !declaration.initializer) continue;
            const key = declaration.name.text;
            constants.set(key, constants.has(key) ? null : declaration.initializer);
          }
        }
        ts.forEachChild(node, (child) => {
          if (candidates.within(child.pos, child.end)) visit(child);
        });
      };
      visit(this.file);
      this.constantsByName = constants;
    }
    return this.constantsByName.get(name);
  }

  text(node: TS.Node): string {
    return node.getText(this.file);
  }

  evaluate(node: TS.Expression, depth = 0): Evaluated {
    const ts = this.ts;
    const inner = this.unwrap(node);
    const dynamic = (reason = this.reasonOf(inner)): DynamicResult => ({
      dynamic: true,
      expression: this.text(node),
      reason,
      node,
    });
    if (depth > MAX_DEPTH) return dynamic('too many indirections');
    if (ts.isStringLiteral(inner) || ts.isNoSubstitutionTemplateLiteral(inner)) {
      return { dynamic: false, value: inner.text, node: inner };
    }
    if (ts.isNumericLiteral(inner)) return { dynamic: false, value: Number(inner.text), node: inner };
    if (
      ts.isPrefixUnaryExpression(inner) &&
      inner.operator === ts.SyntaxKind.MinusToken &&
      ts.isNumericLiteral(inner.operand)
    ) {
      return { dynamic: false, value: -Number(inner.operand.text), node: inner };
    }
    if (inner.kind === ts.SyntaxKind.TrueKeyword) return { dynamic: false, value: true, node: inner };
    if (inner.kind === ts.SyntaxKind.FalseKeyword) return { dynamic: false, value: false, node: inner };
    if (inner.kind === ts.SyntaxKind.NullKeyword) return { dynamic: false, value: null, node: inner };
    if (ts.isTemplateExpression(inner)) {
      let text = inner.head.text;
      for (const span of inner.templateSpans) {
        const part = this.evaluate(span.expression, depth + 1);
        if (part.dynamic) return dynamic(part.reason);
        if (typeof part.value !== 'string' && typeof part.value !== 'number')
          return dynamic('a template of non-text values');
        text += String(part.value) + span.literal.text;
      }
      return { dynamic: false, value: text, node: inner };
    }
    if (ts.isBinaryExpression(inner) && inner.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      const left = this.evaluate(inner.left, depth + 1);
      if (left.dynamic) return dynamic(left.reason);
      const right = this.evaluate(inner.right, depth + 1);
      if (right.dynamic) return dynamic(right.reason);
      const [a, b] = [left.value, right.value];
      if (typeof a === 'number' && typeof b === 'number') return { dynamic: false, value: a + b, node: inner };
      if ((typeof a === 'string' || typeof a === 'number') && (typeof b === 'string' || typeof b === 'number'))
        return { dynamic: false, value: String(a) + String(b), node: inner };
      return dynamic('adds values that are not text or numbers');
    }
    if (ts.isBinaryExpression(inner) && inner.operatorToken.kind === ts.SyntaxKind.AsteriskToken) {
      const left = this.evaluate(inner.left, depth + 1);
      const right = this.evaluate(inner.right, depth + 1);
      if (!left.dynamic && !right.dynamic && typeof left.value === 'number' && typeof right.value === 'number')
        return { dynamic: false, value: left.value * right.value, node: inner };
      return dynamic(
        left.dynamic ? left.reason : right.dynamic ? right.reason : 'multiplies values that are not numbers',
      );
    }
    if (ts.isIdentifier(inner)) {
      const target = this.constant(inner.text);
      if (target) {
        const resolved = this.evaluate(target, depth + 1);
        return resolved.dynamic ? dynamic(resolved.reason) : resolved;
      }
      const imported = this.importOf(inner.text);
      if (imported && imported.name !== '*' && this.context.imported) {
        const value = this.context.imported(imported.specifier, imported.name, undefined, depth + 1);
        return 'value' in value ? { dynamic: false, value: value.value, node: inner } : dynamic(value.reason);
      }
      return dynamic();
    }
    if (ts.isPropertyAccessExpression(inner) || ts.isElementAccessExpression(inner)) {
      const key = ts.isPropertyAccessExpression(inner)
        ? inner.name.text
        : ts.isStringLiteralLike(inner.argumentExpression)
          ? inner.argumentExpression.text
          : undefined;
      const owner = this.unwrap(inner.expression);
      if (key !== undefined && ts.isIdentifier(owner)) {
        const library = this.context.libraryMember?.(owner.text, key);
        if (library) {
          return 'value' in library ? { dynamic: false, value: library.value, node: inner } : dynamic(library.reason);
        }
        const member = this.staticMember(owner.text, key);
        if (member) {
          const resolved = this.evaluate(member, depth + 1);
          return resolved.dynamic ? dynamic(resolved.reason) : resolved;
        }
        const imported = this.constant(owner.text) ? undefined : this.importOf(owner.text);
        if (imported && this.context.imported) {
          const value =
            imported.name === '*'
              ? this.context.imported(imported.specifier, key, undefined, depth + 1)
              : this.context.imported(imported.specifier, imported.name, key, depth + 1);
          return 'value' in value ? { dynamic: false, value: value.value, node: inner } : dynamic(value.reason);
        }
      }
      const object = key === undefined ? undefined : this.objectLiteral(inner.expression, depth + 1);
      const property = object?.properties.find((p) => p.key === key);
      if (!property) return dynamic();
      if (property.value.dynamic) return dynamic(property.value.reason);
      return property.value;
    }
    if (ts.isArrayLiteralExpression(inner)) {
      const items: OptionValue[] = [];
      for (const element of inner.elements) {
        if (ts.isSpreadElement(element)) return dynamic();
        const item = this.evaluate(element, depth + 1);
        items.push(item.dynamic ? { dynamic: item.expression } : item.value);
      }
      return { dynamic: false, value: items, node: inner };
    }
    if (ts.isObjectLiteralExpression(inner)) {
      const read = this.readObject(inner, depth + 1);
      const value: Record<string, OptionValue> = {};
      for (const p of read.properties) value[p.key] = p.value.dynamic ? { dynamic: p.value.expression } : p.value.value;
      if (read.spreads.length > 0) value['...'] = { dynamic: read.spreads.join(', ') } satisfies Dynamic;
      return { dynamic: false, value, node: inner };
    }
    return dynamic();
  }

  /**
   * Whether an expression is a function written in this file: an arrow function, a function
   * expression or an object literal's method, directly or through `const` names.
   */
  isFunction(node: TS.Node, depth = 0): boolean {
    const ts = this.ts;
    if (depth > MAX_DEPTH) return false;
    if (ts.isMethodDeclaration(node)) return true;
    if (!ts.isExpression(node)) return false;
    const inner = this.unwrap(node);
    if (ts.isArrowFunction(inner) || ts.isFunctionExpression(inner)) return true;
    if (!ts.isIdentifier(inner)) return false;
    const target = this.constant(inner.text);
    return target ? this.isFunction(target, depth + 1) : false;
  }

  /** The object literal an expression stands for (directly or through constants), read property by property. */
  objectLiteral(
    node: TS.Expression,
    depth = 0,
  ): { node: TS.ObjectLiteralExpression; properties: PropertyRead[]; spreads: string[] } | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const inner = this.unwrap(node);
    if (this.ts.isObjectLiteralExpression(inner)) return { node: inner, ...this.readObject(inner, depth) };
    if (this.ts.isIdentifier(inner)) {
      const target = this.constant(inner.text);
      return target ? this.objectLiteral(target, depth + 1) : undefined;
    }
    if (this.ts.isPropertyAccessExpression(inner)) {
      const outer = this.objectLiteral(inner.expression, depth + 1);
      const property = outer?.properties.find((p) => p.key === inner.name.text);
      return property ? this.objectLiteral(property.valueNode as TS.Expression, depth + 1) : undefined;
    }
    return undefined;
  }

  private readObject(
    node: TS.ObjectLiteralExpression,
    depth: number,
  ): { properties: PropertyRead[]; spreads: string[] } {
    const ts = this.ts;
    const properties: PropertyRead[] = [];
    const spreads: string[] = [];
    for (const property of node.properties) {
      if (ts.isSpreadAssignment(property)) {
        spreads.push(this.text(property.expression));
        continue;
      }
      const key = this.propertyKey(property.name);
      if (key === undefined) continue;
      if (ts.isPropertyAssignment(property)) {
        properties.push({
          key,
          keyNode: property.name,
          valueNode: property.initializer,
          value: this.evaluate(property.initializer, depth),
        });
      } else if (ts.isShorthandPropertyAssignment(property)) {
        properties.push({
          key,
          keyNode: property.name,
          valueNode: property.name,
          value: this.evaluate(property.name, depth),
        });
      } else if (ts.isMethodDeclaration(property)) {
        properties.push({
          key,
          keyNode: property.name,
          valueNode: property,
          value: { dynamic: true, expression: 'function', reason: 'a function', node: property },
        });
      }
    }
    return { properties, spreads };
  }

  private propertyKey(name: TS.PropertyName | undefined): string | undefined {
    if (!name) return undefined;
    const ts = this.ts;
    if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
    if (ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
    return undefined;
  }

  /**
   * The value of a top-level name of this file (a const, or `name.member` of a const object, an
   * enum or a class's static readonly), as another file that imports it would see it.
   */
  evaluateName(name: string, member: string | undefined, depth: number): { value: OptionValue } | { reason: string } {
    const local = this.constant(name);
    const result = (e: Evaluated) => (e.dynamic ? { reason: e.reason } : { value: e.value });
    if (member === undefined) {
      if (local) return result(this.evaluate(local, depth + 1));
      const imported = this.importOf(name);
      if (imported && imported.name !== '*' && this.context.imported)
        return this.context.imported(imported.specifier, imported.name, undefined, depth + 1);
      return { reason: `'${name}' is not a constant` };
    }
    if (local) {
      const object = this.objectLiteral(local, depth + 1);
      const property = object?.properties.find((p) => p.key === member);
      return property ? result(property.value) : { reason: `${name}.${member} is not a constant` };
    }
    const staticValue = this.staticMember(name, member);
    if (staticValue) return result(this.evaluate(staticValue, depth + 1));
    const imported = this.importOf(name);
    if (imported && this.context.imported) {
      return imported.name === '*'
        ? this.context.imported(imported.specifier, member, undefined, depth + 1)
        : this.context.imported(imported.specifier, imported.name, member, depth + 1);
    }
    return { reason: `${name}.${member} is not a constant` };
  }

  /** Why an expression is known only at run time, in a few words. */
  reasonOf(node: TS.Expression): string {
    const ts = this.ts;
    const inner = this.unwrap(node);
    const env = this.envRead(inner);
    if (env) return `reads ${env}`;
    if (ts.isCallExpression(inner) || ts.isNewExpression(inner)) {
      const callee = this.text(inner.expression);
      return `calls a function (${callee.length > 40 ? `${callee.slice(0, 40)}…` : callee})`;
    }
    if (ts.isConditionalExpression(inner) || ts.isBinaryExpression(inner)) {
      const parts = ts.isConditionalExpression(inner)
        ? [inner.condition, inner.whenTrue, inner.whenFalse]
        : [inner.left, inner.right];
      for (const part of parts) {
        const reason = this.evaluate(part);
        if (reason.dynamic) return reason.reason;
      }
      return 'chooses a value at run time';
    }
    if (ts.isIdentifier(inner)) {
      const imported = this.importOf(inner.text);
      if (imported) return this.importReason(imported.specifier);
      return `'${inner.text}' is not a constant of this file`;
    }
    if (ts.isPropertyAccessExpression(inner) || ts.isElementAccessExpression(inner)) {
      let root: TS.Expression = inner;
      while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = root.expression;
      if (root.kind === ts.SyntaxKind.ThisKeyword) return `reads ${this.text(inner)} at run time`;
      if (ts.isIdentifier(root)) {
        const imported = this.importOf(root.text);
        if (imported) return this.importReason(imported.specifier);
      }
      return `${this.text(inner)} is not a constant of this file`;
    }
    if (ts.isArrowFunction(inner) || ts.isFunctionExpression(inner)) return 'a function';
    return 'not a literal or a constant';
  }

  private importReason(specifier: string): string {
    return specifier.startsWith('.') || specifier.startsWith('/')
      ? `imported from '${specifier}' (not resolved)`
      : `imported from node_modules ('${specifier}')`;
  }

  /** `process.env.X`, `process.env['X']`, `Bun.env.X`: the name read, if it is one. */
  private envRead(node: TS.Expression): string | undefined {
    const ts = this.ts;
    if (!ts.isPropertyAccessExpression(node) && !ts.isElementAccessExpression(node)) return undefined;
    const object = node.expression;
    if (
      (ts.isPropertyAccessExpression(object) && object.name.text === 'env') ||
      (ts.isIdentifier(object) && object.text === 'env')
    ) {
      return this.text(node);
    }
    return undefined;
  }

  /** Strips parentheses, `as`, `satisfies`, `<T>` and `!`, which do not change the value. */
  unwrap(node: TS.Expression): TS.Expression {
    const ts = this.ts;
    let current = node;
    for (;;) {
      if (
        ts.isParenthesizedExpression(current) ||
        ts.isAsExpression(current) ||
        ts.isSatisfiesExpression(current) ||
        ts.isTypeAssertionExpression(current) ||
        ts.isNonNullExpression(current)
      ) {
        current = current.expression;
      } else return current;
    }
  }

  /**
   * Where a string's characters are in the file, when offsets into the value map one to one onto
   * the source (no escapes). Otherwise undefined: diagnostics then cover the whole literal.
   */
  contentStart(node: TS.Node): number | undefined {
    const ts = this.ts;
    if (!ts.isStringLiteral(node) && !ts.isNoSubstitutionTemplateLiteral(node)) return undefined;
    const start = node.getStart(this.file) + 1;
    const raw = this.file.text.slice(start, node.end - 1);
    return raw === node.text ? start : undefined;
  }
}

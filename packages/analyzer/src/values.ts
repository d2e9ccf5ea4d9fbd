// Static evaluation of the expressions a job declaration uses: literals, templates without
// substitutions, and `const` identifiers (and their object properties) in the same file.
// Everything else is dynamic: reported with its text, never guessed and never an error.

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
  node: TS.Node;
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

  constructor(
    private readonly ts: TypeScript,
    private readonly file: TS.SourceFile,
  ) {}

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
    const dynamic = (): DynamicResult => ({ dynamic: true, expression: this.text(node), node });
    if (depth > MAX_DEPTH) return dynamic();
    const inner = this.unwrap(node);
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
    if (ts.isIdentifier(inner)) {
      const target = this.constant(inner.text);
      if (!target) return dynamic();
      const resolved = this.evaluate(target, depth + 1);
      return resolved.dynamic ? dynamic() : resolved;
    }
    if (ts.isPropertyAccessExpression(inner) || ts.isElementAccessExpression(inner)) {
      const key = ts.isPropertyAccessExpression(inner)
        ? inner.name.text
        : ts.isStringLiteralLike(inner.argumentExpression)
          ? inner.argumentExpression.text
          : undefined;
      const object = key === undefined ? undefined : this.objectLiteral(inner.expression, depth + 1);
      const property = object?.properties.find((p) => p.key === key);
      if (!property || property.value.dynamic) return dynamic();
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
          value: { dynamic: true, expression: 'function', node: property },
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

/**
 * The one query generator every text target specialises (sqlglot's Generator, kysely's query compiler).
 *
 * The base class owns the boolean structure: flattening, precedence and parentheses, negation passed down
 * as context (never as mutable state), and the value-list hook. A dialect supplies tokens and one method
 * per leaf kind; escaping lives in named, documented dialect hooks, never in string post-processing.
 */
import type { MappedRule, Reporter } from '../backend/types.js';
import type { IrNode, NodeOf, StringMatchNode } from '../ir/nodes.js';
import { inlineValues } from '../ir/in-list.js';
import type { Visitor } from '../ir/visit.js';
import { visit } from '../ir/visit.js';

export interface GenContext {
  readonly mapped: MappedRule;
  readonly report: Reporter;
  /** True below an odd number of `not`s. */
  readonly negated: boolean;
  /** The chain of boolean kinds from the root to the node being rendered. */
  readonly parents: readonly ('and' | 'or' | 'not')[];
}

export interface BooleanTokens {
  /** Joins AND children, e.g. ` and `, ` AND `, or a single space (Splunk's implicit AND). */
  readonly and: string;
  readonly or: string;
}

const PRECEDENCE = { or: 1, and: 2, not: 3, leaf: 4 } as const;

export abstract class QueryGenerator implements Visitor<string, GenContext> {
  protected abstract readonly tokens: BooleanTokens;
  /**
   * Parenthesise every nested boolean group even where precedence makes it unnecessary. Targets whose
   * precedence is disputed (Splunk `search`) set this, so no reader can mis-group.
   */
  protected readonly alwaysParenthesize: boolean = false;

  generate(node: IrNode, mapped: MappedRule, report: Reporter): string {
    return visit(node, this, { mapped, report, negated: false, parents: [] });
  }

  /**
   * Renders `child` in a context with the given parent kind, parenthesised when needed. `inPlace` renders a node
   * standing in for the current one (an expansion): same context, grouped as a child of `parent`.
   */
  protected operand(child: IrNode, parent: 'and' | 'or' | 'not', ctx: GenContext, inPlace = false): string {
    const inner: GenContext = inPlace
      ? ctx
      : {
          ...ctx,
          negated: parent === 'not' ? !ctx.negated : ctx.negated,
          parents: [...ctx.parents, parent],
        };
    const text = visit(child, this, inner);
    return this.needsGroup(child, parent) ? this.group(text) : text;
  }

  protected needsGroup(child: IrNode, parent: 'and' | 'or' | 'not'): boolean {
    const childPrec =
      child.kind === 'or' && !this.isValueList(child)
        ? PRECEDENCE.or
        : child.kind === 'and'
          ? PRECEDENCE.and
          : child.kind === 'not'
            ? PRECEDENCE.not
            : PRECEDENCE.leaf;
    if (childPrec === PRECEDENCE.leaf) return false;
    if (this.alwaysParenthesize) return childPrec !== PRECEDENCE.not || parent === 'not';
    return childPrec <= PRECEDENCE[parent];
  }

  protected group(text: string): string {
    return `(${text})`;
  }

  /** Renders a negation; the operand is already parenthesised when it is a group. */
  protected abstract negate(operand: string, child: IrNode, ctx: GenContext): string;

  and(node: NodeOf<'and'>, ctx: GenContext): string {
    return node.children.map((c) => this.operand(c, 'and', ctx)).join(this.tokens.and);
  }

  or(node: NodeOf<'or'>, ctx: GenContext): string {
    const list = this.isValueList(node) ? this.valueList(node.children as StringMatchNode[], ctx) : undefined;
    if (list !== undefined) return list;
    return node.children.map((c) => this.operand(c, 'or', ctx)).join(this.tokens.or);
  }

  not(node: NodeOf<'not'>, ctx: GenContext): string {
    return this.negate(this.operand(node.child, 'not', ctx), node.child, ctx);
  }

  const(node: NodeOf<'const'>, ctx: GenContext): string {
    return this.constant(node.value, ctx);
  }

  /** An OR whose children all test one field with plain values: candidates for `field:(a or b)` / `in~`. */
  protected isValueList(node: IrNode): boolean {
    if (node.kind !== 'or' || node.children.length < 2) return false;
    const first = node.children[0]!;
    if (first.kind !== 'stringMatch') return false;
    return node.children.every(
      (c) => c.kind === 'stringMatch' && c.field === first.field && c.cased === first.cased && this.listable(c),
    );
  }

  /** Whether a value may join a value list in this dialect (e.g. only exact values for `in~`). */
  protected listable(_node: StringMatchNode): boolean {
    return false;
  }

  /** Renders an OR of values of one field as the dialect's list form, or undefined to render a plain OR. */
  protected valueList(_nodes: readonly StringMatchNode[], _ctx: GenContext): string | undefined {
    return undefined;
  }

  /** A constant true/false: most targets have no literal, so dialects spell it (e.g. `*`, `true`). */
  protected abstract constant(value: boolean, ctx: GenContext): string;

  abstract stringMatch(node: NodeOf<'stringMatch'>, ctx: GenContext): string;
  abstract numberMatch(node: NodeOf<'numberMatch'>, ctx: GenContext): string;
  abstract boolMatch(node: NodeOf<'boolMatch'>, ctx: GenContext): string;
  abstract nullMatch(node: NodeOf<'nullMatch'>, ctx: GenContext): string;
  abstract exists(node: NodeOf<'exists'>, ctx: GenContext): string;
  abstract regexMatch(node: NodeOf<'regexMatch'>, ctx: GenContext): string;
  abstract cidrMatch(node: NodeOf<'cidrMatch'>, ctx: GenContext): string;
  abstract compare(node: NodeOf<'compare'>, ctx: GenContext): string;
  abstract fieldRef(node: NodeOf<'fieldRef'>, ctx: GenContext): string;
  abstract timePart(node: NodeOf<'timePart'>, ctx: GenContext): string;
  abstract keyword(node: NodeOf<'keyword'>, ctx: GenContext): string;
  /**
   * A placeholder resolved through a list the target keeps. The default renders the configured values inline
   * (`inlineValues`) and refuses with `refusal` when there are none; a target with native references overrides it.
   */
  inList(node: NodeOf<'inList'>, ctx: GenContext): string {
    const inline = inlineValues(node);
    if (inline !== undefined) return this.operand(inline, ctx.parents.at(-1) ?? 'and', ctx, true);
    const [code, message] = this.listRefusal(node);
    ctx.report.refuse(code, message, node);
    return this.constant(false, ctx);
  }

  /**
   * The code and message refusing a list reference this dialect cannot render with no values to fall back on.
   * Every dialect names its own code (a target-specific reason).
   */
  protected abstract listRefusal(node: NodeOf<'inList'>): readonly [code: string, message: string];
}

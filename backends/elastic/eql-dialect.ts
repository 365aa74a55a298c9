/**
 * EQL (`type: eql`, `language: eql`), the faithful home for Sigma semantics KQL lacks (docs/reference/targets/elastic.md §4; Elasticsearch
 * eql-syntax.md): `:` is case-insensitive equality and wildcard matching with `*` and `?`, `==`/`like` their
 * case-sensitive forms, `regex`/`regex~` Lucene regexes, `cidrMatch` for networks, `== null` for missing fields.
 *
 * Wildcard caveat from Elasticsearch's EQL source (`StringUtils.toLikePattern`, optimizer `ReplaceWildcards`): in a
 * `:` or `like` pattern every `*` and `?` is a wildcard and there is no escape, while `:` without any `*`/`?` is
 * plain equality. A literal `*`/`?` therefore goes through `in~` (exact) or a Lucene regex (with wildcards).
 */
import type { IrNode, NodeOf, StringMatchNode } from '../../src/ir/nodes.js';
import type { Pattern } from '../../src/ir/pattern.js';
import { patternShape } from '../../src/ir/pattern.js';
import type { BooleanTokens, GenContext } from '../../src/render/query-generator.js';
import { QueryGenerator } from '../../src/render/query-generator.js';
import { planCidr } from './cidr-lowering.js';
import './codes.js';
import {
  luceneRegexOrRefuse,
  refuseFieldComparison,
  refuseIpWildcard,
  refuseTimePart,
  refusedNumber,
} from './dialect-refusals.js';
import { listRefusal } from './value-lists.js';
import { eqlField, eqlNumber, eqlString } from './eql-escape.js';
import { numericComparisonLoss } from './dialect.js';
import { fieldKind } from './field-kind.js';
import { patternToLucene } from './lucene-regex.js';

const COMPARE_OPERATORS = { lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

/** Characters a `:`/`like` pattern cannot hold literally: the wildcards, and `toLikePattern`'s escape U+0001. */
const NOT_LIKE_SAFE = /[*?\u0001]/;

export class EqlGenerator extends QueryGenerator {
  protected readonly tokens: BooleanTokens = { and: ' and ', or: ' or ' };
  protected override readonly alwaysParenthesize = true;

  /**
   * @param fieldTypes the mapped rule's field types (value lists depend on them before any context exists).
   * @param kqlReason why KQL was not used, for the keyword-search refusal.
   */
  constructor(
    private readonly fieldTypes: Readonly<Record<string, string>>,
    private readonly kqlReason: string,
  ) {
    super();
  }

  protected negate(operand: string): string {
    return `not ${operand}`;
  }

  protected constant(value: boolean): string {
    return value ? 'true' : 'false';
  }

  /** Fields the pipeline does not type may be absent from the mapping: `?` makes them null instead of an error. */
  private field(name: string, ctx: GenContext): string {
    return eqlField(name, ctx.mapped.fieldTypes[name] === undefined);
  }

  /** Only string fields take `:`/`in`/`like` lists (`:` compares strings only). */
  protected override listable(node: StringMatchNode): boolean {
    const kind = fieldKind(this.fieldTypes, node.field);
    if (kind !== 'string' && kind !== 'unknown') return false;
    if (patternShape(node.pattern).kind === 'any') return false;
    return node.pattern.parts.every((part) => part.kind !== 'literal' || !NOT_LIKE_SAFE.test(part.text));
  }

  protected override valueList(nodes: readonly StringMatchNode[], ctx: GenContext): string {
    const first = nodes[0]!;
    const values = nodes.map((n) => eqlString(likeText(n.pattern))).join(', ');
    const field = this.field(first.field, ctx);
    if (!first.cased) return `${field} : (${values})`;
    const allExact = nodes.every((n) => patternShape(n.pattern).kind === 'exact');
    return `${field} ${allExact ? 'in' : 'like'} (${values})`;
  }

  stringMatch(node: NodeOf<'stringMatch'>, ctx: GenContext): string {
    return this.matchPattern(node, node.field, node.pattern, node.cased, ctx);
  }

  private matchPattern(node: IrNode, fieldName: string, p: Pattern, cased: boolean, ctx: GenContext): string {
    const field = this.field(fieldName, ctx);
    const shape = patternShape(p);
    // Sigma `*` alone matches any value, including the empty string, but not a missing field.
    if (shape.kind === 'any') return `${field} != null`;
    const kind = fieldKind(ctx.mapped.fieldTypes, fieldName);
    if (kind === 'ip') {
      if (shape.kind !== 'exact') {
        refuseIpWildcard(node, fieldName, ctx);
        return '';
      }
      return `${field} == ${eqlString(shape.text)}`;
    }
    if (shape.kind === 'exact') {
      if (cased) return `${field} == ${eqlString(shape.text)}`;
      // `:` would read a literal `*`/`?` as a wildcard; `in~` is case-insensitive equality without wildcards.
      return NOT_LIKE_SAFE.test(shape.text)
        ? `${field} in~ (${eqlString(shape.text)})`
        : `${field} : ${eqlString(shape.text)}`;
    }
    const likeSafe = p.parts.every((part) => part.kind !== 'literal' || !NOT_LIKE_SAFE.test(part.text));
    if (likeSafe) return `${field} ${cased ? 'like' : ':'} ${eqlString(likeText(p))}`;
    return `${field} ${cased ? 'regex' : 'regex~'} ${eqlString(patternToLucene(p))}`;
  }

  numberMatch(node: NodeOf<'numberMatch'>, ctx: GenContext): string {
    if (refusedNumber(node, ctx)) return '';
    const kind = fieldKind(ctx.mapped.fieldTypes, node.field);
    // EQL type-checks comparisons: a string field is compared with the number's canonical decimal text.
    const value = kind === 'string' || kind === 'text' ? eqlString(eqlNumber(node.value)) : eqlNumber(node.value);
    return `${this.field(node.field, ctx)} == ${value}`;
  }

  boolMatch(node: NodeOf<'boolMatch'>, ctx: GenContext): string {
    return `${this.field(node.field, ctx)} == ${String(node.value)}`;
  }

  nullMatch(node: NodeOf<'nullMatch'>, ctx: GenContext): string {
    return `${this.field(node.field, ctx)} == null`;
  }

  exists(node: NodeOf<'exists'>, ctx: GenContext): string {
    return `${this.field(node.field, ctx)} != null`;
  }

  regexMatch(node: NodeOf<'regexMatch'>, ctx: GenContext): string {
    const lucene = luceneRegexOrRefuse(node, ctx);
    if (lucene === undefined) return '';
    return `${this.field(node.field, ctx)} ${node.flags.ignoreCase ? 'regex~' : 'regex'} ${eqlString(lucene)}`;
  }

  cidrMatch(node: NodeOf<'cidrMatch'>, ctx: GenContext): string {
    const plan = planCidr(node, ctx);
    if (!plan) return '';
    if ('native' in plan) return `cidrMatch(${this.field(node.field, ctx)}, ${eqlString(plan.native)})`;
    return this.matchPattern(node, node.field, plan.pattern, true, ctx);
  }

  compare(node: NodeOf<'compare'>, ctx: GenContext): string {
    if (refusedNumber(node, ctx)) return '';
    numericComparisonLoss(node, ctx);
    return `${this.field(node.field, ctx)} ${COMPARE_OPERATORS[node.op]} ${eqlNumber(node.value)}`;
  }

  fieldRef(node: NodeOf<'fieldRef'>, ctx: GenContext): string {
    return refuseFieldComparison(node, ctx);
  }

  /** A value list inside an OR or a larger `not` cannot be a rule exception (./value-lists.ts). */
  protected listRefusal(node: NodeOf<'inList'>): readonly [string, string] {
    return listRefusal(node);
  }

  timePart(node: NodeOf<'timePart'>, ctx: GenContext): string {
    return refuseTimePart(node, ctx);
  }

  keyword(node: NodeOf<'keyword'>, ctx: GenContext): string {
    ctx.report.refuse(
      'EL304',
      `keyword search needs KQL free text, but the rule needs EQL for ${this.kqlReason}, and EQL has no field-less search`,
      node,
    );
    return '';
  }
}

/** A pattern in EQL wildcard form (`*`, `?`); only called when no literal holds `*`, `?` or U+0001. */
function likeText(p: Pattern): string {
  return p.parts.map((part) => (part.kind === 'literal' ? part.text : part.kind === 'anyChars' ? '*' : '?')).join('');
}

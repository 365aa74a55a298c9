/**
 * The base `search` expression (doc §1, §3).
 *
 * Decisions:
 * - AND is Splunk's implicit AND, a single space (doc §1 "Boolean operators"; the form ESCU and pySigma emit, so the
 *   seed reads `Workload="Exchange" Operation=…`). OR and NOT are written in upper case, the only case `search`
 *   reads as operators.
 * - Every nested group is parenthesised: the docs say OR binds tighter than AND in `search`, users and pySigma's
 *   PR #77 say the opposite (doc §1 "Precedence", §9.1), so no output may depend on either reading.
 * - Sigma `not` is `NOT`, never `!=`, which drops events lacking the field (doc §1 "`!=` vs NOT").
 * Only trees that `searchable` (./lowering.ts) accepts reach this class; the rest goes to ./where-dialect.ts.
 */
import type { IrNode, NodeOf, StringMatchNode } from '../../src/ir/nodes.js';
import { patternShape } from '../../src/ir/pattern.js';
import type { BooleanTokens, GenContext } from '../../src/render/query-generator.js';
import { QueryGenerator } from '../../src/render/query-generator.js';
import { SPLUNK_CODES as C } from './codes.js';
import { quote, searchField, searchPattern, UNSAFE_CHARS } from './escape.js';
import { listSearchTerm } from './list-reference.js';
import { plainNumber, searchGap } from './lowering.js';

const COMPARE_TOKENS = { lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

/** Placeholder for a refused piece: the query is discarded once a refusal is reported. */
const REFUSED = '"<refused>"';

export class SearchDialect extends QueryGenerator {
  protected readonly tokens: BooleanTokens = { and: ' ', or: ' OR ' };
  protected override readonly alwaysParenthesize = true;

  /** A field name: bare for `[A-Za-z0-9_.{}]` (doc §1 "Field names"), else double-quoted like a value. */
  protected field(name: string, node: IrNode, ctx: GenContext): string {
    if (UNSAFE_CHARS.test(name) || name === '') {
      ctx.report.refuse(C.SP302.code, `field name ${JSON.stringify(name)} cannot be written in SPL`, node);
      return REFUSED;
    }
    return searchField(name);
  }

  protected negate(operand: string): string {
    return `NOT ${operand}`;
  }

  /** `NOT` over a null test is an exists test: `field=*` rather than `NOT NOT field=*`. */
  override not(node: NodeOf<'not'>, ctx: GenContext): string {
    if (node.child.kind === 'nullMatch') return this.exists({ ...node.child, kind: 'exists' }, ctx);
    return super.not(node, ctx);
  }

  /** Only a whole-tree `true` reaches here (the IR builders fold constants away): "every event". */
  protected constant(value: boolean): string {
    if (!value) throw new Error('internal: constant false reached the search expression');
    return '*';
  }

  /** `field IN ("a", "b*")` takes wildcards (doc §1 "IN"); a bare `*` value stays its own `field=*` test. */
  protected override listable(node: StringMatchNode): boolean {
    return searchGap(node) === undefined && patternShape(node.pattern).kind !== 'any';
  }

  protected override valueList(nodes: readonly StringMatchNode[], ctx: GenContext): string {
    const first = nodes[0]!;
    return `${this.field(first.field, first, ctx)} IN (${nodes.map((n) => searchPattern(n.pattern)).join(', ')})`;
  }

  stringMatch(node: NodeOf<'stringMatch'>, ctx: GenContext): string {
    const field = this.field(node.field, node, ctx);
    if (patternShape(node.pattern).kind === 'any') return `${field}=*`;
    return `${field}=${searchPattern(node.pattern)}`;
  }

  numberMatch(node: NodeOf<'numberMatch'>, ctx: GenContext): string {
    const text = plainNumber(node.value);
    if (text === undefined) {
      ctx.report.refuse(C.SP303.code, `the number ${String(node.value)} has no plain decimal form`, node);
      return REFUSED;
    }
    // Quoted so a leading minus cannot be read as anything but part of the value.
    return `${this.field(node.field, node, ctx)}=${text.startsWith('-') ? quote(text) : text}`;
  }

  /** Event data has no booleans: JSON `true` is extracted as the text `true` (matched case-insensitively). */
  boolMatch(node: NodeOf<'boolMatch'>, ctx: GenContext): string {
    return `${this.field(node.field, node, ctx)}=${quote(String(node.value))}`;
  }

  /** `NOT field=*` is "absent"; `field!=*` never matches (doc §1 "Exists / null", §3 rule 5). */
  nullMatch(node: NodeOf<'nullMatch'>, ctx: GenContext): string {
    return `NOT ${this.field(node.field, node, ctx)}=*`;
  }

  exists(node: NodeOf<'exists'>, ctx: GenContext): string {
    return `${this.field(node.field, node, ctx)}=*`;
  }

  regexMatch(): string {
    throw new Error('internal: a regex reached the search expression');
  }

  /** CIDR is native in `search`, IPv6 included (doc §1 "CIDR", §3 rule 6). */
  cidrMatch(node: NodeOf<'cidrMatch'>, ctx: GenContext): string {
    return `${this.field(node.field, node, ctx)}=${quote(`${node.network}/${node.prefixLength}`)}`;
  }

  compare(node: NodeOf<'compare'>, ctx: GenContext): string {
    const text = plainNumber(node.value);
    if (text === undefined) {
      ctx.report.refuse(C.SP303.code, `the number ${String(node.value)} has no plain decimal form`, node);
      return REFUSED;
    }
    return `${this.field(node.field, node, ctx)}${COMPARE_TOKENS[node.op]}${text}`;
  }

  fieldRef(): string {
    throw new Error('internal: a field comparison reached the search expression');
  }

  timePart(): string {
    throw new Error('internal: a date part reached the search expression');
  }

  /** A placeholder's lookup (subsearch) or macro, as a search term (./list-reference.ts). */
  override inList(node: NodeOf<'inList'>, ctx: GenContext): string {
    return listSearchTerm(node, ctx.report) ?? REFUSED;
  }

  protected listRefusal(): never {
    throw new Error('internal: the search expression renders every list reference');
  }

  /** A quoted term: never a bare word, so `OR` or `NOT` as a keyword value stays a value. */
  keyword(node: NodeOf<'keyword'>): string {
    return patternShape(node.pattern).kind === 'any' ? '*' : searchPattern(node.pattern);
  }
}

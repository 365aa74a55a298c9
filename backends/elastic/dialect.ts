/**
 * Kibana KQL (`language: kuery`) for Elastic Security `type: query` rules, following docs/reference/targets/elastic.md §3 "Rendering
 * rules": lower-case `and`/`or`/`not`, nested groups parenthesised, exact values bare only when plain tokens,
 * wildcard values unquoted with specials escaped, `field:(a or b)` value lists.
 *
 * Whatever KQL cannot say with the rule's meaning throws `NeedsEql`; the caller then renders the whole rule in EQL
 * (./eql-dialect.ts). Impossible in both languages: `report.refuse`.
 */
import type { IrNode, NodeOf, StringMatchNode } from '../../src/ir/nodes.js';
import type { Pattern, PatternPart } from '../../src/ir/pattern.js';
import { ANY_CHARS, literalPart, pattern, patternShape, patternToSigma, searchPattern } from '../../src/ir/pattern.js';
import type { BooleanTokens, GenContext } from '../../src/render/query-generator.js';
import { QueryGenerator } from '../../src/render/query-generator.js';
import { planCidr } from './cidr-lowering.js';
import './codes.js';
import { refuseFieldComparison, refuseIpWildcard, refuseTimePart, refusedNumber } from './dialect-refusals.js';
import { listRefusal } from './value-lists.js';
import type { ElasticDestination } from './destination.js';
import { fieldKind, hasCasedCharacters, kqlCaseFidelity } from './field-kind.js';
import {
  escapeKqlWildcardLiteral,
  kqlExactValue,
  kqlField,
  kqlNumber,
  quoteKql,
  wildcardLiteralProblem,
} from './kql-escape.js';

/** Thrown when a node needs EQL; carries the reason for the EL101 note (or the EL307 refusal). */
// Not an Error: it is thrown for control flow (KQL → EQL) on most rules, and capturing a stack trace each time
// was a measurable share of a corpus build.
export class NeedsEql {
  constructor(
    readonly reason: string,
    readonly node: IrNode,
  ) {}
}

export interface KqlOptions {
  /** `eql`: a case-insensitive match KQL would make case-sensitive needs EQL; `warn`: keep KQL, warn EL201. */
  readonly caseLoss: 'eql' | 'warn';
}

const RANGE_OPERATORS = { lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

/**
 * A range on a field mapped numeric compares numbers, and a document without the field is outside the range, so
 * `not f < 15` keeps the rule's two-valued `not` (missing → true). On a field not typed numeric in the pipeline
 * (unknown, keyword, text…) Elasticsearch compares the indexed terms as strings (`"9" > "15"`): warn EL206 rather
 * than guess. Lowering to EQL would not help: EQL refuses to compare a keyword field with a number at run time.
 */
export function numericComparisonLoss(node: NodeOf<'compare'>, ctx: GenContext): void {
  if (fieldKind(ctx.mapped.fieldTypes, node.field) === 'number') return;
  ctx.report.warn(
    'EL206',
    `'${node.field}' is not typed numeric in the pipeline: the comparison is a text comparison of its terms unless it is mapped as a number`,
    node,
  );
}

export class KqlGenerator extends QueryGenerator {
  protected readonly tokens: BooleanTokens = { and: ' and ', or: ' or ' };
  // Elastic's own rules and detection-rules' linter expect every nested group in parentheses (docs/reference/targets/elastic.md §3.1).
  protected override readonly alwaysParenthesize = true;

  constructor(
    private readonly destination: ElasticDestination,
    private readonly options: KqlOptions,
  ) {
    super();
  }

  protected negate(operand: string, child: IrNode): string {
    // `null` renders as `not f:*`; its negation is `f:*`, not `not not f:*` (detection-rules allows one `not`).
    if (child.kind === 'nullMatch') return `${kqlField(child.field)}:*`;
    return `not ${operand}`;
  }

  protected constant(value: boolean): string {
    // KQL has no boolean literal: `*:*` is Kibana's match_all.
    return value ? '*:*' : 'not *:*';
  }

  protected override listable(node: StringMatchNode): boolean {
    return patternShape(node.pattern).kind !== 'any';
  }

  protected override valueList(nodes: readonly StringMatchNode[], ctx: GenContext): string {
    const first = nodes[0]!;
    return `${kqlField(first.field)}:(${nodes.map((n) => this.value(n, n.field, n.pattern, n.cased, ctx)).join(' or ')})`;
  }

  /** The value side of `field:value` for a Sigma pattern, after the case and type checks. */
  private value(node: IrNode, field: string, p: Pattern, cased: boolean, ctx: GenContext): string {
    const shape = patternShape(p);
    if (shape.kind === 'any') return '*';
    const kind = fieldKind(ctx.mapped.fieldTypes, field);
    if (kind === 'ip' && shape.kind !== 'exact') {
      refuseIpWildcard(node, field, ctx);
      return '*';
    }
    const literals = p.parts.flatMap((part) => (part.kind === 'literal' ? [part.text] : []));
    // The pipeline's own logsource condition (no origin) and value-mapped values are in the data's spelling.
    const fromRule = node.origin !== undefined && node.origin.valueMapped !== true;
    const fidelity = kqlCaseFidelity(field, literals, cased, ctx.mapped.fieldTypes, this.destination, fromRule);
    if (fidelity === 'case-exact') {
      ctx.report.warn(
        'EL208',
        `KQL matches '${field}' case-sensitively: the rule's '${patternToSigma(p)}' must be spelled exactly as the data spells it (the rule matches any case)`,
        node,
      );
    } else if (fidelity === 'case-sensitive') {
      if (this.options.caseLoss === 'eql')
        throw new NeedsEql(`a case-insensitive match on keyword field '${field}'`, node);
      ctx.report.warn('EL201', `KQL matches '${field}' case-sensitively; the rule matches case-insensitively`, node);
    } else if (fidelity === 'analysed') {
      ctx.report.warn('EL203', `'${field}' is a text field: the value is an analysed match, not an exact one`, node);
    }
    if (shape.kind === 'exact') return kqlExactValue(shape.text);
    return this.wildcardValue(node, p);
  }

  /** An unquoted wildcard value: `*` bare, literal runs escaped (no wildcards work inside quotes, kibana#161377). */
  private wildcardValue(node: IrNode, p: Pattern): string {
    if (p.parts.some((part) => part.kind === 'oneChar')) throw new NeedsEql("the single-character wildcard '?'", node);
    for (const part of p.parts) {
      const problem = part.kind === 'literal' ? wildcardLiteralProblem(part.text) : undefined;
      if (problem) throw new NeedsEql(problem, node);
    }
    const first = p.parts[0];
    // detection-rules lexes an unquoted value starting with `not` as NOT (docs/reference/targets/elastic.md §3.6, §5.1).
    if (first?.kind === 'literal' && /^not/i.test(first.text))
      throw new NeedsEql("a wildcard value starting with 'not'", node);
    return p.parts.map((part) => (part.kind === 'literal' ? escapeKqlWildcardLiteral(part.text) : '*')).join('');
  }

  stringMatch(node: NodeOf<'stringMatch'>, ctx: GenContext): string {
    return `${kqlField(node.field)}:${this.value(node, node.field, node.pattern, node.cased, ctx)}`;
  }

  numberMatch(node: NodeOf<'numberMatch'>, ctx: GenContext): string {
    if (refusedNumber(node, ctx)) return '';
    return `${kqlField(node.field)}:${kqlNumber(node.value)}`;
  }

  boolMatch(node: NodeOf<'boolMatch'>): string {
    return `${kqlField(node.field)}:${String(node.value)}`;
  }

  nullMatch(node: NodeOf<'nullMatch'>): string {
    return `not ${kqlField(node.field)}:*`;
  }

  exists(node: NodeOf<'exists'>): string {
    return `${kqlField(node.field)}:*`;
  }

  regexMatch(node: NodeOf<'regexMatch'>): string {
    // KQL has no regex: `field:/re/` is the literal string `/re/` (docs/reference/targets/elastic.md §3 "Regex").
    throw new NeedsEql('a regular expression', node);
  }

  cidrMatch(node: NodeOf<'cidrMatch'>, ctx: GenContext): string {
    const plan = planCidr(node, ctx);
    if (!plan) return '';
    // `/` is not special in KQL, but IPv6 colons are: quote (docs/reference/targets/elastic.md §3 "CIDR").
    if ('native' in plan) return `${kqlField(node.field)}:${node.family === 6 ? quoteKql(plan.native) : plan.native}`;
    return `${kqlField(node.field)}:${this.value(node, node.field, plan.pattern, true, ctx)}`;
  }

  compare(node: NodeOf<'compare'>, ctx: GenContext): string {
    if (refusedNumber(node, ctx)) return '';
    numericComparisonLoss(node, ctx);
    return `${kqlField(node.field)} ${RANGE_OPERATORS[node.op]} ${kqlNumber(node.value)}`;
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

  /**
   * A field-less keyword is a substring search of the document: KQL free text `*value*` (no field) is a wildcard
   * query over every field (`default_field: *`), which finds the keyword inside any value. What differs is case:
   * keyword fields compare case-sensitively (EL202 names it). KQL has no unquoted spelling for whitespace or
   * control characters and no `?` wildcard, and EQL has no field-less search: those become `*`, a wider search
   * that still finds every event the keyword finds (EL207 names it; under `not` the rule excludes more).
   */
  keyword(node: NodeOf<'keyword'>, ctx: GenContext): string {
    const { widened, changed } = widenForKql(searchPattern(node.pattern));
    if (patternShape(widened).kind === 'any') return '*';
    const literals = node.pattern.parts.flatMap((part) => (part.kind === 'literal' ? [part.text] : []));
    if (!node.cased && literals.some(hasCasedCharacters))
      ctx.report.warn(
        'EL202',
        'keyword search: KQL free text finds the keyword inside any field, but case-sensitively on keyword fields (the rule searches case-insensitively)',
        node,
      );
    if (changed)
      ctx.report.warn(
        'EL207',
        // One message for every keyword it concerns, so a rule with 39 such keywords gets one folded warning; the
        // code frame shows the keyword.
        "the keyword's whitespace, control characters and '?' are searched as '*' (any run of characters), which KQL free text can write: a wider search",
        node,
      );
    return this.wildcardValue(node, widened);
  }
}

/** Whitespace and control/format characters have no unquoted KQL spelling (kql-escape.ts). */
const KQL_UNWRITABLE = /[\s\p{Cc}\p{Cf}]+/u;

/** `p` with every run KQL cannot write unquoted, and every `?`, replaced by `*`: a superset of `p`. */
function widenForKql(p: Pattern): { widened: Pattern; changed: boolean } {
  let changed = false;
  const parts: PatternPart[] = [];
  for (const part of p.parts) {
    if (part.kind === 'oneChar') {
      changed = true;
      parts.push(ANY_CHARS);
    } else if (part.kind === 'literal' && KQL_UNWRITABLE.test(part.text)) {
      changed = true;
      part.text.split(KQL_UNWRITABLE).forEach((piece, i) => {
        if (i > 0) parts.push(ANY_CHARS);
        parts.push(literalPart(piece));
      });
    } else {
      parts.push(part);
    }
  }
  return { widened: changed ? pattern(parts) : p, changed };
}

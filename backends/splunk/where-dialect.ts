/**
 * The trailing `| where` expression (eval syntax), for what the base search cannot say (doc §3 rules 3–4).
 *
 * Differences from `search` that shape every method (doc §1):
 * - comparisons are case-sensitive, so Sigma's case-insensitive values become `match(f, "(?i)^…$")`
 *   (`match` rather than `like`, whose `%`/`_` escaping is undocumented: doc §1 "Open points");
 * - field names other than identifiers are single-quoted (a dot is the concatenation operator);
 * - strings are double-quoted with `\` and `"` escaped; the regex engine sees the string after that layer;
 * - a test on a missing field is null, and `where` drops null, which is right for a positive test but wrong
 *   under `NOT` (Sigma's `not` is true when the field is missing): negated tests are made total with
 *   `isnotnull(f) AND …`.
 * AND binds tighter than OR here, but groups are parenthesised anyway, like the base search, for readers.
 */
import type { IrNode, NodeOf, RegexFlags } from '../../src/ir/nodes.js';
import { hasWildcards, patternShape } from '../../src/ir/pattern.js';
import type { BooleanTokens, GenContext } from '../../src/render/query-generator.js';
import { QueryGenerator } from '../../src/render/query-generator.js';
import { SPLUNK_CODES as C } from './codes.js';
import { evalField, isEvalSafeField, patternToPcre, quoteBody, sanitizeRegexSource } from './escape.js';
import { plainNumber } from './lowering.js';

/** eval words a bare field name would be read as. */
const EVAL_KEYWORDS = new Set(['and', 'or', 'not', 'xor', 'like', 'in', 'true', 'false', 'null']);

const COMPARE_TOKENS = { lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

/** strftime formats for Sigma date parts (https://docs.splunk.com "Date and time format variables"). */
const TIME_FORMATS = { minute: '%M', hour: '%H', day: '%d', week: '%V', month: '%m', year: '%Y' } as const;

const REFUSED = 'false()';

/** An eval string literal; its content has been made safe (no raw backtick or control character) by the caller. */
function evalString(text: string): string {
  return `"${quoteBody(text)}"`;
}

function inlineFlags(flags: { i?: boolean; m?: boolean; s?: boolean }): string {
  const letters = `${flags.i ? 'i' : ''}${flags.m ? 'm' : ''}${flags.s ? 's' : ''}`;
  return letters === '' ? '' : `(?${letters})`;
}

export function regexFlagsPrefix(flags: RegexFlags): string {
  return inlineFlags({ i: flags.ignoreCase, m: flags.multiline, s: flags.dotAll });
}

export class WhereDialect extends QueryGenerator {
  protected readonly tokens: BooleanTokens = { and: ' AND ', or: ' OR ' };
  protected override readonly alwaysParenthesize = true;

  protected field(name: string, node: IrNode, ctx: GenContext): string | undefined {
    if (!isEvalSafeField(name)) {
      ctx.report.refuse(
        C.SP302.code,
        `field name ${JSON.stringify(name)} cannot be written in a where expression`,
        node,
      );
      return undefined;
    }
    return EVAL_KEYWORDS.has(name.toLowerCase()) ? `'${name}'` : evalField(name);
  }

  /** Makes a test on possibly missing fields false (not null) when it sits under a NOT. */
  protected total(test: string, fields: readonly string[], ctx: GenContext): string {
    if (!ctx.negated) return test;
    return `(${[...fields.map((f) => `isnotnull(${f})`), test].join(' AND ')})`;
  }

  /** Renders a one-field test, refusing an unwritable field name. */
  private onField(node: IrNode & { field: string }, ctx: GenContext, test: (f: string) => string): string {
    const f = this.field(node.field, node, ctx);
    return f === undefined ? REFUSED : this.total(test(f), [f], ctx);
  }

  protected negate(operand: string): string {
    return `NOT ${operand}`;
  }

  protected constant(value: boolean): string {
    return value ? 'true()' : 'false()';
  }

  stringMatch(node: NodeOf<'stringMatch'>, ctx: GenContext): string {
    if (patternShape(node.pattern).kind === 'any') return this.exists({ ...node, kind: 'exists' }, ctx);
    // `(?s)` so a Sigma wildcard spans newlines like `*` in every other target.
    const flags = inlineFlags({ i: !node.cased, s: hasWildcards(node.pattern) });
    const re = flags + patternToPcre(node.pattern, true);
    return this.onField(node, ctx, (f) => `match(${f}, ${evalString(re)})`);
  }

  numberMatch(node: NodeOf<'numberMatch'>, ctx: GenContext): string {
    const text = plainNumber(node.value);
    if (text === undefined) {
      ctx.report.refuse(C.SP303.code, `the number ${String(node.value)} has no plain decimal form`, node);
      return REFUSED;
    }
    // eval compares numerically when the field's text is a number, so `4688` also matches "4688".
    return this.onField(node, ctx, (f) => `${f}=${text}`);
  }

  boolMatch(node: NodeOf<'boolMatch'>, ctx: GenContext): string {
    return this.onField(node, ctx, (f) => `match(${f}, ${evalString(`(?i)^${String(node.value)}$`)})`);
  }

  /** isnull/isnotnull are never null themselves: no totality wrapper. */
  nullMatch(node: NodeOf<'nullMatch'>, ctx: GenContext): string {
    const f = this.field(node.field, node, ctx);
    return f === undefined ? REFUSED : `isnull(${f})`;
  }

  exists(node: NodeOf<'exists'>, ctx: GenContext): string {
    const f = this.field(node.field, node, ctx);
    return f === undefined ? REFUSED : `isnotnull(${f})`;
  }

  /** PCRE, unanchored (Sigma's search semantics match `match()`), flags inline (doc §1 "Regex"). */
  regexMatch(node: NodeOf<'regexMatch'>, ctx: GenContext): string {
    const source = sanitizeRegexSource(node.source);
    if (source === undefined) {
      ctx.report.refuse(C.SP304.code, 'a backtick or control character inside \\Q…\\E cannot be escaped', node);
      return REFUSED;
    }
    const re = regexFlagsPrefix(node.flags) + source;
    return this.onField(node, ctx, (f) => `match(${f}, ${evalString(re)})`);
  }

  cidrMatch(node: NodeOf<'cidrMatch'>, ctx: GenContext): string {
    return this.onField(node, ctx, (f) => `cidrmatch(${evalString(`${node.network}/${node.prefixLength}`)}, ${f})`);
  }

  compare(node: NodeOf<'compare'>, ctx: GenContext): string {
    const text = plainNumber(node.value);
    if (text === undefined) {
      ctx.report.refuse(C.SP303.code, `the number ${String(node.value)} has no plain decimal form`, node);
      return REFUSED;
    }
    return this.onField(node, ctx, (f) => `${f}${COMPARE_TOKENS[node.op]}${text}`);
  }

  /** Equal values; `lower()` on both sides for Sigma's default case-insensitivity (doc §2 "fieldref"). */
  fieldRef(node: NodeOf<'fieldRef'>, ctx: GenContext): string {
    const a = this.field(node.field, node, ctx);
    const b = this.field(node.otherField, node, ctx);
    if (a === undefined || b === undefined) return REFUSED;
    const test = node.cased ? `${a}=${b}` : `lower(${a})=lower(${b})`;
    return this.total(test, [a, b], ctx);
  }

  /**
   * Only `_time` has a known representation (epoch seconds); any other field's date format is unknown.
   * strftime formats in the search's time zone: reported by the planner (SP202).
   */
  /** Subsearches and search macros stand in `search` only: here a list is its configured values, or refused. */
  protected listRefusal(node: NodeOf<'inList'>): readonly [string, string] {
    return [
      C.SP630.code,
      `the ${node.list.kind} '${node.list.name}' (%${node.placeholder}%) would have to be tested in | where (${node.cased ? 'a case-sensitive match' : 'it is OR-ed with a test search cannot say'}), where it cannot stand: give the placeholder's values too (values: or file:) to expand them there`,
    ];
  }

  timePart(node: NodeOf<'timePart'>, ctx: GenContext): string {
    if (node.field !== '_time') {
      ctx.report.refuse(
        C.SP301.code,
        `the ${node.part} of field '${node.field}' needs its date format; only _time can be split into parts`,
        node,
      );
      return REFUSED;
    }
    return `tonumber(strftime(_time, ${evalString(TIME_FORMATS[node.part])}))=${node.value}`;
  }

  /** Matched against the raw event text, unanchored: the closest `where` form of a search term. */
  keyword(node: NodeOf<'keyword'>): string {
    const flags = inlineFlags({ i: !node.cased, s: hasWildcards(node.pattern) });
    return `match(_raw, ${evalString(flags + patternToPcre(node.pattern, false))})`;
  }
}

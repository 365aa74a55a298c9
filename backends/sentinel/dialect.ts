/**
 * Kusto (KQL) `where` expressions for Microsoft Sentinel. Operator choices follow docs/reference/targets/sentinel.md §4:
 * Sigma's case-insensitive default → `=~`, `in~`, `contains`, `startswith`, `endswith`; `cased` → `==`, `in`,
 * `*_cs`; inner wildcards → `matches regex` (RE2); negation is `not(…)` (`!(…)` is a syntax error).
 * Every value goes through ./kusto-literals.ts; every column name through `identifier`.
 *
 * Every leaf is two-valued (true or false, never null): `where` drops a row whose filter is null and `not(null)` is
 * null, while the rule's meaning (the JS predicate) is two-valued, so a leaf that could be null under `not(…)` would
 * drop rows the rule keeps. String operators never see null (Kusto strings have none; other columns go through
 * `tostring`), `==` against a literal is false on null, and the two that can be null are guarded: orderings
 * (`isnotnull(x) and x < n`) and CIDR ranges (`ipv4_is_in_any_range(…) == true`).
 */
import type { IrNode, NodeOf, StringMatchNode, TimePart } from '../../src/ir/nodes.js';
import type { Pattern } from '../../src/ir/pattern.js';
import { exactText, patternShape, searchPattern } from '../../src/ir/pattern.js';
import type { BooleanTokens, GenContext } from '../../src/render/query-generator.js';
import { QueryGenerator } from '../../src/render/query-generator.js';
import { SENTINEL_CODES } from './codes.js';
import { columnKind, isStringLike } from './column-types.js';
import { identifier, regexLiteral, stringLiteral } from './kusto-literals.js';
import { re2Literal, toRe2 } from './re2.js';
import { SENTINEL_LIST_REFERENCES, watchlistValues } from './watchlist.js';

const { SN001, SN002, SN003, SN004 } = SENTINEL_CODES;

/** Operators per wildcard shape: [case-insensitive, case-sensitive]. */
const SHAPE_OPERATORS = {
  exact: ['=~', '=='],
  prefix: ['startswith', 'startswith_cs'],
  suffix: ['endswith', 'endswith_cs'],
  contains: ['contains', 'contains_cs'],
} as const;

/** `datetime_part` part names (Kusto datetime-part docs); `week_of_year` is the ISO 8601 week. */
const DATETIME_PARTS: Readonly<Record<TimePart, string>> = {
  minute: 'minute',
  hour: 'hour',
  day: 'day',
  week: 'week_of_year',
  month: 'month',
  year: 'year',
};

/** A number as a Kusto literal: integers as `long`, others as `real`, non-finite values in `real(…)` form. */
export function numberLiteral(value: number): string {
  if (Number.isNaN(value)) return 'real(nan)';
  if (!Number.isFinite(value)) return value > 0 ? 'real(+inf)' : 'real(-inf)';
  if (Number.isSafeInteger(value)) return String(value);
  // JS prints e.g. 1e+21 / 5e-7; Kusto real literals accept the same exponent syntax.
  return String(value).includes('.') || /e/i.test(String(value)) ? String(value) : `${value}.0`;
}

/**
 * RE2 source matching a whole value against a Sigma wildcard pattern: `*` → `.*`, `?` → `.`, literals escaped.
 * `(?s)` because Sigma's `*` spans newlines; `(?i)` unless the match is cased. `matches regex` searches, so the
 * pattern is anchored.
 */
export function wildcardRegex(p: Pattern, cased: boolean): string {
  let body = '';
  for (const part of p.parts)
    body += part.kind === 'literal' ? re2Literal(part.text) : part.kind === 'anyChars' ? '.*' : '.';
  return `(?${cased ? '' : 'i'}s)^${body}$`;
}

/** Anchors of one alternative in a compact alternation, by wildcard shape: the text between them is literal. */
const SHAPE_ANCHORS = {
  exact: ['^', '$'],
  prefix: ['^', ''],
  suffix: ['', '$'],
  contains: ['', ''],
} as const;

export class KustoGenerator extends QueryGenerator {
  protected readonly tokens: BooleanTokens = { and: ' and ', or: ' or ' };

  /**
   * Compact rendering, for queries that would exceed Sentinel's length limit: within an OR, two or more string
   * tests of one column with the same case mode (exact, prefix, suffix or contains values) become one
   * `matches regex` alternation of anchored literals, which means the same as the OR of the operators
   * (`startswith` = `^x`, `endswith` = `x$`, `contains` = `x`, `=~` = `^x$`; `(?i)` unless cased); CIDR tests of
   * one column and family share one `ipv4_is_in_any_range(ip, r1, r2, …)` call.
   */
  constructor(private readonly compact = false) {
    super();
  }

  override or(node: NodeOf<'or'>, ctx: GenContext): string {
    // A list of exact values is already compact (`in~`).
    if (!this.compact || this.isValueList(node)) return super.or(node, ctx);
    type Groupable = StringMatchNode | NodeOf<'cidrMatch'>;
    const groups = new Map<string, Groupable[]>();
    const keyOf = (child: IrNode): string | undefined => {
      if (child.kind === 'cidrMatch') return JSON.stringify(['cidr', child.field, child.family]);
      if (child.kind !== 'stringMatch') return undefined;
      const shape = patternShape(child.pattern);
      if (shape.kind === 'any' || shape.kind === 'complex' || shape.text === '') return undefined;
      return JSON.stringify([child.field, child.cased]);
    };
    for (const child of node.children) {
      const key = keyOf(child);
      // Appended in place: copying the group for every value made one field's 32k values take 34 s.
      if (key !== undefined) {
        const group = groups.get(key);
        if (group === undefined) groups.set(key, [child as Groupable]);
        else group.push(child as Groupable);
      }
    }
    const done = new Set<string>();
    const parts: string[] = [];
    for (const child of node.children) {
      const key = keyOf(child);
      const group = key === undefined ? undefined : groups.get(key)!;
      if (key === undefined || group === undefined || group.length < 2) {
        parts.push(this.operand(child, 'or', ctx));
        continue;
      }
      if (done.has(key)) continue;
      done.add(key);
      const first = group[0]!;
      if (first.kind === 'cidrMatch') {
        parts.push(this.cidrGroup(group as NodeOf<'cidrMatch'>[], ctx));
        continue;
      }
      const alternatives = (group as StringMatchNode[]).map((n) => {
        const shape = patternShape(n.pattern) as { kind: keyof typeof SHAPE_ANCHORS; text: string };
        const [open, close] = SHAPE_ANCHORS[shape.kind];
        return `${open}${re2Literal(shape.text)}${close}`;
      });
      const source = `${first.cased ? '' : '(?i)'}(?:${alternatives.join('|')})`;
      parts.push(`${this.stringColumn(first.field, ctx)} matches regex ${regexLiteral(source)}`);
    }
    return parts.join(this.tokens.or);
  }

  protected negate(operand: string, child: IrNode, _ctx: GenContext): string {
    // `not` is a function in Kusto: a group already carries its parentheses.
    return this.needsGroup(child, 'not') ? `not${operand}` : `not(${operand})`;
  }

  protected constant(value: boolean): string {
    return value ? 'true' : 'false';
  }

  /** Exact, non-empty values join an `in~` / `in` list (the empty value keeps its own test and warning). */
  protected override listable(node: StringMatchNode): boolean {
    const shape = patternShape(node.pattern);
    return shape.kind === 'exact' && shape.text !== '';
  }

  protected override valueList(nodes: readonly StringMatchNode[], ctx: GenContext): string {
    const first = nodes[0]!;
    const values = nodes.map((n) => stringLiteral(exactText(n.pattern) ?? ''));
    return `${this.stringColumn(first.field, ctx)} ${first.cased ? 'in' : 'in~'} (${values.join(', ')})`;
  }

  /** The column as a string operand: `tostring()` around typed columns so string operators bind. */
  private stringColumn(field: string, ctx: GenContext): string {
    const col = identifier(field);
    return isStringLike(columnKind(field, ctx)) ? col : `tostring(${col})`;
  }

  /**
   * Presence of a value. Kusto string columns have no null: a missing field reads as `""` (§4), so for strings
   * "present" can only be "not empty", which the warning names.
   */
  private present(field: string, node: IrNode, ctx: GenContext): string {
    const kind = columnKind(field, ctx);
    if (!isStringLike(kind)) return `isnotnull(${identifier(field)})`;
    ctx.report.warn(
      SN002.code,
      `'${field}' present is rendered as isnotempty(): Kusto reads a missing string column as "", so a present empty value counts as missing and does not match`,
      node,
    );
    return `isnotempty(${identifier(field)})`;
  }

  private typeMismatch(node: IrNode & { field: string }, what: string, ctx: GenContext): string {
    const type = ctx.mapped.fieldTypes[node.field] ?? 'unknown';
    ctx.report.refuse(SN004.code, `cannot compare ${what} with column '${node.field}' of type ${type}`, node);
    return 'false';
  }

  stringMatch(node: NodeOf<'stringMatch'>, ctx: GenContext): string {
    return this.matchOperand(this.stringColumn(node.field, ctx), node.field, node.pattern, node.cased, node, ctx);
  }

  /** A wildcard pattern against a string operand (a column, or `*` for keywords), by the pattern's shape. */
  private matchOperand(
    operand: string,
    field: string,
    p: Pattern,
    cased: boolean,
    node: IrNode,
    ctx: GenContext,
  ): string {
    const shape = patternShape(p);
    const pick = (ops: readonly [string, string]): string => ops[cased ? 1 : 0];
    switch (shape.kind) {
      case 'exact':
        if (shape.text === '' && operand !== '*')
          ctx.report.warn(
            SN002.code,
            `'${field}' equal to '' also matches a missing field: Kusto reads a missing string column as "", so this test for an empty value cannot tell it from an absent field`,
            node,
          );
        return `${operand} ${pick(SHAPE_OPERATORS.exact)} ${stringLiteral(shape.text)}`;
      case 'prefix':
      case 'suffix':
      case 'contains':
        return `${operand} ${pick(SHAPE_OPERATORS[shape.kind])} ${stringLiteral(shape.text)}`;
      case 'any':
        return operand === '*' ? 'true' : this.present(field, node, ctx);
      case 'complex':
        return `${operand} matches regex ${regexLiteral(wildcardRegex(p, cased))}`;
    }
  }

  numberMatch(node: NodeOf<'numberMatch'>, ctx: GenContext): string {
    const kind = columnKind(node.field, ctx);
    const col = identifier(node.field);
    const value = numberLiteral(node.value);
    if (kind === 'number') return `${col} == ${value}`;
    // A string (or untyped) column holds the number as text: compare numerically, which also covers the
    // canonical decimal text; a non-numeric value converts to null and does not match.
    if (kind === 'string' || kind === 'unknown' || kind === 'dynamic')
      return `${Number.isSafeInteger(node.value) ? 'tolong' : 'toreal'}(${col}) == ${value}`;
    return this.typeMismatch(node, `the number ${node.value}`, ctx);
  }

  boolMatch(node: NodeOf<'boolMatch'>, ctx: GenContext): string {
    const kind = columnKind(node.field, ctx);
    const col = identifier(node.field);
    if (kind === 'bool') return `${col} == ${node.value}`;
    if (kind === 'string') return `${col} =~ ${stringLiteral(String(node.value))}`;
    // tostring(true) is "true": right whether an unlisted column turns out to be bool or string.
    if (kind === 'unknown' || kind === 'dynamic') return `tostring(${col}) =~ ${stringLiteral(String(node.value))}`;
    return this.typeMismatch(node, `the boolean ${node.value}`, ctx);
  }

  nullMatch(node: NodeOf<'nullMatch'>, ctx: GenContext): string {
    const kind = columnKind(node.field, ctx);
    if (!isStringLike(kind)) return `isnull(${identifier(node.field)})`;
    ctx.report.warn(
      SN002.code,
      `'${node.field}: null' is rendered as isempty(): Kusto reads a missing string column as "", so this test for a missing field also matches a present empty value`,
      node,
    );
    return `isempty(${identifier(node.field)})`;
  }

  exists(node: NodeOf<'exists'>, ctx: GenContext): string {
    return this.present(node.field, node, ctx);
  }

  regexMatch(node: NodeOf<'regexMatch'>, ctx: GenContext): string {
    const { source, problems } = toRe2(node.source);
    if (problems.length > 0) {
      ctx.report.refuse(SN001.code, `regex on '${node.field}' uses ${problems.join(', ')}, which RE2 cannot run`, node);
      return 'false';
    }
    const flags = `${node.flags.ignoreCase ? 'i' : ''}${node.flags.multiline ? 'm' : ''}${node.flags.dotAll ? 's' : ''}`;
    const prefix = flags === '' ? '' : `(?${flags})`;
    return `${this.stringColumn(node.field, ctx)} matches regex ${regexLiteral(prefix + source)}`;
  }

  /** CIDR tests of one column and family in one call: the range functions take up to 64 ranges (compact form). */
  private cidrGroup(nodes: readonly NodeOf<'cidrMatch'>[], ctx: GenContext): string {
    const first = nodes[0]!;
    const fn = first.family === 4 ? 'ipv4_is_in_any_range' : 'ipv6_is_in_any_range';
    const ip = this.ipOperand(first.field, first.family, ctx);
    const calls: string[] = [];
    for (let i = 0; i < nodes.length; i += 63) {
      const ranges = nodes.slice(i, i + 63).map((n) => stringLiteral(`${n.network}/${n.prefixLength}`));
      calls.push(`${fn}(${ip}, ${ranges.join(', ')}) == true`);
    }
    return calls.join(this.tokens.or);
  }

  cidrMatch(node: NodeOf<'cidrMatch'>, ctx: GenContext): string {
    const range = stringLiteral(`${node.network}/${node.prefixLength}`);
    const ip = this.ipOperand(node.field, node.family, ctx);
    // The range functions give null for an empty or invalid address; `== true` makes that false (null == true is
    // false, Kusto "Null values"), so `not(…)` keeps such rows as the rule means.
    return `${node.family === 4 ? 'ipv4_is_in_any_range' : 'ipv6_is_in_any_range'}(${ip}, ${range}) == true`;
  }

  /**
   * The column as an address. Columns the pipeline lists in `ipColumnsWithPort` (OfficeActivity.ClientIP:
   * `192.0.2.70:45186`, `[2001:db8::1]:1234`, §3) have the port stripped first, or no range would match.
   */
  private ipOperand(field: string, family: 4 | 6, ctx: GenContext): string {
    const col = this.stringColumn(field, ctx);
    const withPort = ctx.mapped.destination['ipColumnsWithPort'];
    if (!Array.isArray(withPort) || !withPort.includes(field)) return col;
    // IPv4 with a port: the text before the first ':'. IPv6 in brackets: the text between '[' and ']'.
    return family === 4 ? `tostring(split(${col}, ":")[0])` : `trim_start(@"\\[", tostring(split(${col}, "]")[0]))`;
  }

  compare(node: NodeOf<'compare'>, ctx: GenContext): string {
    const op = { lt: '<', lte: '<=', gt: '>', gte: '>=' }[node.op];
    const kind = columnKind(node.field, ctx);
    const col = identifier(node.field);
    const value = numberLiteral(node.value);
    // An ordering of null (a missing value, or text that is not a number) is null: the `isnotnull` guard makes the
    // test false instead, so its negation is true as in the rule's two-valued meaning.
    const operand =
      kind === 'number'
        ? col
        : kind === 'string' || kind === 'unknown' || kind === 'dynamic'
          ? `toreal(${col})`
          : undefined;
    if (operand === undefined) return this.typeMismatch(node, `a number (${node.op} ${node.value})`, ctx);
    const test = `isnotnull(${operand}) and ${operand} ${op} ${value}`;
    // Precedence makes the group unnecessary under `or`; it is there for the reader.
    return ctx.parents.at(-1) === 'or' ? `(${test})` : test;
  }

  /**
   * A missing field equals nothing (Sigma fieldref; the JS predicate's `fieldEq`), but a missing string column
   * reads as `""` in Kusto, so two missing columns would compare equal: the left column must hold a value. On a
   * string column "holds a value" can only be "not empty", so two empty values are not equal either (SN002).
   */
  fieldRef(node: NodeOf<'fieldRef'>, ctx: GenContext): string {
    const op = node.cased ? '==' : '=~';
    const left = this.stringColumn(node.field, ctx);
    const kind = columnKind(node.field, ctx);
    let guard: string;
    if (isStringLike(kind)) {
      ctx.report.warn(
        SN002.code,
        `'${node.field}' equal to '${node.otherField}' is rendered with isnotempty(): a missing column reads as "", so two empty values are not taken as equal`,
        node,
      );
      guard = `isnotempty(${identifier(node.field)})`;
    } else {
      guard = `isnotnull(${identifier(node.field)})`;
    }
    const test = `${guard} and ${left} ${op} ${this.stringColumn(node.otherField, ctx)}`;
    // `and` binds tighter than `or` and `not(…)` brings its own parentheses; under `or` they are for the reader.
    return ctx.parents.at(-1) === 'or' ? `(${test})` : test;
  }

  timePart(node: NodeOf<'timePart'>, ctx: GenContext): string {
    const kind = columnKind(node.field, ctx);
    const col = identifier(node.field);
    const part = stringLiteral(DATETIME_PARTS[node.part]);
    // No time zone handling in Sigma (docs/reference/sigma.md §modifiers): Kusto datetimes are UTC.
    if (kind === 'datetime') return `datetime_part(${part}, ${col}) == ${numberLiteral(node.value)}`;
    if (kind === 'string' || kind === 'unknown' || kind === 'dynamic')
      return `datetime_part(${part}, todatetime(${col})) == ${numberLiteral(node.value)}`;
    return this.typeMismatch(node, `the ${node.part} of a date`, ctx);
  }

  /** A placeholder's watchlist (./watchlist.ts): `field in~ (_GetWatchlist("alias") | project SearchKey)`. */
  override inList(node: NodeOf<'inList'>, ctx: GenContext): string {
    const kind = SENTINEL_LIST_REFERENCES[node.list.kind];
    const column = node.list.column;
    if (kind === undefined || !kind.name.test(node.list.name) || (column !== undefined && !kind.column!.test(column)))
      return super.inList(node, ctx);
    return `${this.stringColumn(node.field, ctx)} ${node.cased ? 'in' : 'in~'} (${watchlistValues(node.list.name, column)})`;
  }

  protected listRefusal(node: NodeOf<'inList'>): readonly [string, string] {
    return [
      SENTINEL_CODES.SN130.code,
      `Sentinel cannot use the ${node.list.kind} ${JSON.stringify(node.list.name)} (%${node.placeholder}%): only a watchlist alias of letters, digits, _ and - can be written into the query`,
    ];
  }

  /**
   * A field-less keyword is a substring search of the whole record: Kusto's `*` column operand applies the string
   * operator to every column of the row, so `where * contains "x"` (the `search "*x*"` form, case-insensitive)
   * finds the keyword inside any column; inner wildcards become `* matches regex`. The warning names what differs
   * from the event's own values: non-string columns and dynamic values are searched as their text.
   */
  keyword(node: NodeOf<'keyword'>, ctx: GenContext): string {
    ctx.report.warn(
      SN003.code,
      'keyword search: `* contains` finds the keyword inside any column of the row, non-string and dynamic columns searched as their text',
      node,
    );
    return this.matchOperand('*', '*', searchPattern(node.pattern), node.cased, node, ctx);
  }
}

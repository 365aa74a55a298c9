/**
 * Test-only reader and evaluator for Kibana Query Language (KQL, `language: kuery`), written from the grammar
 * facts in docs/reference/targets/elastic.md §3 (Kibana's PEG grammar is the authority; this is an independent
 * recursive-descent reading of it, not a copy).
 *
 * Semantics modelled: keyword fields (exact, case-sensitive, `*` wildcards in unquoted values only), `ip` fields
 * (CIDR), numeric and boolean fields (from a field-type map), `field:*` existence, arrays as any-element, `not`
 * two-valued (Elasticsearch `must_not` keeps documents lacking the field). Field-less values search every field
 * with the same keyword semantics (Kibana's `default_field: *` on keyword data). Text (analysed) fields are not
 * modelled and make `evaluate` throw.
 */
import {
  type Event,
  type GlobPart,
  QueryParseError,
  allScalars,
  globRegex,
  inRange,
  lookup,
  parseCidr,
  parseIp,
  scalarText,
  scalars,
  strictNumber,
} from './common.js';

export type KqlValue =
  | { readonly kind: 'or' | 'and'; readonly children: readonly KqlValue[] }
  | { readonly kind: 'not'; readonly child: KqlValue }
  /** A literal; `parts` holds wildcards as structure (only unquoted values have them). */
  | { readonly kind: 'literal'; readonly quoted: boolean; readonly parts: readonly GlobPart[] };

export type RangeOp = '<' | '<=' | '>' | '>=';

export type KqlNode =
  | { readonly kind: 'or' | 'and'; readonly children: readonly KqlNode[] }
  | { readonly kind: 'not'; readonly child: KqlNode }
  /** `field:value`, or a field-less value when `field` is null. */
  | { readonly kind: 'match'; readonly field: string | null; readonly value: KqlValue }
  | { readonly kind: 'exists'; readonly field: string }
  | { readonly kind: 'range'; readonly field: string; readonly op: RangeOp; readonly value: string }
  | { readonly kind: 'all' };

export interface KqlParseOptions {
  /**
   * Also reject what Kibana accepts but the other KQL parsers do not (docs/reference/targets/elastic.md §3 rendering rules, §5):
   * unquoted values with whitespace, unquoted values starting with `not`, raw newlines in quotes, keyword escapes.
   */
  readonly portable?: boolean;
}

const SPACE = /[ \t\r\n]/;
const SPECIAL = '\\():<>"*{}';

class Parser {
  pos = 0;
  constructor(
    readonly text: string,
    readonly options: KqlParseOptions,
  ) {}

  fail(message: string, at = this.pos): never {
    throw new QueryParseError('KQL', message, at, this.text);
  }

  spaces(): void {
    while (this.pos < this.text.length && SPACE.test(this.text[this.pos]!)) this.pos++;
  }

  /** `Space+ kw Space+` (for `or`/`and`), or `kw Space+` (for `not`); consumes it when present. */
  keyword(word: 'or' | 'and' | 'not', leadingSpace: boolean, consume = true): boolean {
    const re = leadingSpace
      ? new RegExp(`^[ \\t\\r\\n]+${word}[ \\t\\r\\n]+`, 'i')
      : new RegExp(`^${word}[ \\t\\r\\n]+`, 'i');
    const m = re.exec(this.text.slice(this.pos));
    if (m === null) return false;
    if (consume) this.pos += m[0].length;
    return true;
  }

  atKeywordBoundary(): boolean {
    return this.keyword('or', true, false) || this.keyword('and', true, false) || this.keyword('not', false, false);
  }

  query(): KqlNode {
    this.spaces();
    if (this.pos === this.text.length) return { kind: 'all' };
    const node = this.or();
    this.spaces();
    if (this.pos !== this.text.length) this.fail('unexpected text');
    return node;
  }

  or(): KqlNode {
    const children = [this.and()];
    while (this.keyword('or', true)) children.push(this.and());
    return children.length === 1 ? children[0]! : { kind: 'or', children };
  }

  and(): KqlNode {
    const children = [this.not()];
    while (this.keyword('and', true)) children.push(this.not());
    return children.length === 1 ? children[0]! : { kind: 'and', children };
  }

  not(): KqlNode {
    if (this.keyword('not', false)) return { kind: 'not', child: this.sub() };
    return this.sub();
  }

  sub(): KqlNode {
    if (this.text[this.pos] === '(') {
      this.pos++;
      this.spaces();
      const inner = this.or();
      this.spaces();
      if (this.text[this.pos] !== ')') this.fail('expected )');
      this.pos++;
      return inner;
    }
    return this.expression();
  }

  expression(): KqlNode {
    const start = this.pos;
    const field = this.literal();
    const afterField = this.pos;
    this.spaces();
    const c = this.text[this.pos];
    if (c === ':') {
      const name = this.fieldName(field, start);
      this.pos++;
      this.spaces();
      if (this.text[this.pos] === '{') this.fail('nested queries are outside the subset');
      const value = this.listOfValues();
      if (value.kind === 'literal' && !value.quoted && value.parts.length === 1 && 'any' in value.parts[0]!)
        return { kind: 'exists', field: name };
      return { kind: 'match', field: name, value };
    }
    if (c === '<' || c === '>') {
      const name = this.fieldName(field, start);
      const op = (this.text.startsWith('=', this.pos + 1) ? `${c}=` : c) as RangeOp;
      this.pos += op.length;
      this.spaces();
      const valueStart = this.pos;
      const value = this.literal();
      if (value.parts.some((p) => !('lit' in p))) this.fail('wildcards in a range value', valueStart);
      return { kind: 'range', field: name, op, value: textOf(value.parts) };
    }
    this.pos = afterField;
    if (field.parts.length === 1 && 'any' in field.parts[0]! && !field.quoted)
      this.fail('bare * is outside the subset', start);
    return { kind: 'match', field: null, value: { kind: 'literal', ...field } };
  }

  fieldName(field: { quoted: boolean; parts: readonly GlobPart[] }, at: number): string {
    if (field.parts.some((p) => !('lit' in p))) this.fail('wildcard field names are outside the subset', at);
    const name = textOf(field.parts);
    if (name === '') this.fail('empty field name', at);
    return name;
  }

  listOfValues(): KqlValue {
    if (this.text[this.pos] === '(') {
      this.pos++;
      this.spaces();
      const inner = this.orValues();
      this.spaces();
      if (this.text[this.pos] !== ')') this.fail('expected ) closing the value list');
      this.pos++;
      return inner;
    }
    return { kind: 'literal', ...this.literal() };
  }

  orValues(): KqlValue {
    const children = [this.andValues()];
    while (this.keyword('or', true)) children.push(this.andValues());
    return children.length === 1 ? children[0]! : { kind: 'or', children };
  }

  andValues(): KqlValue {
    const children = [this.notValues()];
    while (this.keyword('and', true)) children.push(this.notValues());
    return children.length === 1 ? children[0]! : { kind: 'and', children };
  }

  notValues(): KqlValue {
    if (this.keyword('not', false)) return { kind: 'not', child: this.listOfValues() };
    return this.listOfValues();
  }

  literal(): { quoted: boolean; parts: GlobPart[] } {
    if (this.text[this.pos] === '"') return { quoted: true, parts: [{ lit: this.quoted() }] };
    return { quoted: false, parts: this.unquoted() };
  }

  quoted(): string {
    const start = this.pos;
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail('unterminated quoted string', start);
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === '\\') {
        const n = this.text[this.pos + 1];
        const unicode = /^u([0-9a-fA-F]{4})/.exec(this.text.slice(this.pos + 1));
        if (n === 't' || n === 'r' || n === 'n') {
          out += n === 't' ? '\t' : n === 'r' ? '\r' : '\n';
          this.pos += 2;
        } else if (unicode !== null) {
          out += String.fromCharCode(parseInt(unicode[1]!, 16));
          this.pos += 6;
        } else if (n === '\\' || n === '"') {
          out += n;
          this.pos += 2;
        } else {
          // Kibana: any other backslash is a literal backslash; the next character is read on its own.
          out += '\\';
          this.pos++;
        }
        continue;
      }
      if (this.options.portable && (c === '\n' || c === '\r')) this.fail('raw line break inside quotes');
      out += c;
      this.pos++;
    }
  }

  /** Kibana's UnquotedLiteral: escapes, `*`, and any other character that is neither special nor a keyword. */
  unquoted(): GlobPart[] {
    const start = this.pos;
    type Item = { raw: string } | { escaped: string } | { any: true };
    const items: Item[] = [];
    while (this.pos < this.text.length) {
      const c = this.text[this.pos]!;
      if (c === '\\') {
        items.push({ escaped: this.unquotedEscape() });
        continue;
      }
      if (c === '*') {
        items.push({ any: true });
        this.pos++;
        continue;
      }
      if (SPECIAL.includes(c) || this.atKeywordBoundary()) break;
      items.push({ raw: c });
      this.pos++;
    }
    // Kibana trims the literal: drop raw whitespace at both ends.
    const isRawSpace = (i: Item | undefined): boolean => i !== undefined && 'raw' in i && SPACE.test(i.raw);
    while (isRawSpace(items[0])) items.shift();
    while (isRawSpace(items[items.length - 1])) items.pop();
    // Escaped whitespace at an edge would be trimmed too (the trim runs on decoded text): refuse the ambiguity.
    const isEscapedSpace = (i: Item | undefined): boolean =>
      i !== undefined && 'escaped' in i && /^[ \t\r\n]/.test(i.escaped);
    if (isEscapedSpace(items[0]) || isEscapedSpace(items[items.length - 1]))
      this.fail('escaped whitespace at the edge of an unquoted value', start);
    if (items.length === 0) this.fail('expected a value', start);
    const raw = this.text.slice(start, this.pos).trim();
    if (this.options.portable) {
      if (items.some((i) => 'raw' in i && SPACE.test(i.raw))) this.fail('unquoted value with whitespace', start);
      if (/^not/i.test(raw)) this.fail('unquoted value starting with "not"', start);
    }
    const parts: GlobPart[] = [];
    for (const item of items) {
      if ('any' in item) {
        if (!(parts[parts.length - 1] && 'any' in parts[parts.length - 1]!)) parts.push({ any: true });
        continue;
      }
      const t = 'raw' in item ? item.raw : item.escaped;
      const last = parts[parts.length - 1];
      if (last !== undefined && 'lit' in last) parts[parts.length - 1] = { lit: last.lit + t };
      else parts.push({ lit: t });
    }
    return parts;
  }

  /** One backslash escape in an unquoted value, at `this.pos`. */
  unquotedEscape(): string {
    const rest = this.text.slice(this.pos + 1);
    const n = rest[0];
    // Order matters (as in Kibana): `\n` is a newline before `\not` could be an escaped keyword.
    if (n === 't' || n === 'r' || n === 'n') {
      this.pos += 2;
      return n === 't' ? '\t' : n === 'r' ? '\r' : '\n';
    }
    if (n !== undefined && SPECIAL.includes(n)) {
      this.pos += 2;
      return n;
    }
    if (/^u[0-9a-fA-F]{4}/.test(rest)) {
      this.pos += 6;
      return String.fromCharCode(parseInt(rest.slice(1, 5), 16));
    }
    const keyword = /^(or|and|not)/i.exec(rest);
    if (keyword !== null) {
      if (this.options.portable) this.fail('escaped keyword (not portable; quote instead)');
      this.pos += 1 + keyword[0].length;
      return keyword[0];
    }
    return this.fail('invalid escape in an unquoted value');
  }
}

function textOf(parts: readonly GlobPart[]): string {
  return parts.map((p) => ('lit' in p ? p.lit : '*')).join('');
}

export function parse(query: string, options: KqlParseOptions = {}): KqlNode {
  return new Parser(query, options).query();
}

// ---- evaluation ---------------------------------------------------------------------------------------------

/** Field → Elasticsearch mapping type (`keyword` when absent). */
export type FieldTypes = Readonly<Record<string, string>>;

const NUMERIC_TYPES = new Set([
  'long',
  'integer',
  'short',
  'byte',
  'double',
  'float',
  'half_float',
  'scaled_float',
  'unsigned_long',
]);

export function evaluate(ast: KqlNode, event: Event, fieldTypes: FieldTypes = {}): boolean {
  switch (ast.kind) {
    case 'all':
      return true;
    case 'or':
      return ast.children.some((c) => evaluate(c, event, fieldTypes));
    case 'and':
      return ast.children.every((c) => evaluate(c, event, fieldTypes));
    case 'not':
      return !evaluate(ast.child, event, fieldTypes);
    case 'exists':
      return scalars(lookup(event, ast.field)).length > 0;
    case 'range':
      return scalars(lookup(event, ast.field)).some((v) =>
        compareRange(v, ast.op, ast.value, fieldTypes[ast.field] ?? 'keyword'),
      );
    case 'match':
      if (ast.field === null) {
        const values = allScalars(event);
        return matchValue(ast.value, (lit) => values.some((v) => literalMatches(lit, v, 'keyword')));
      }
      return matchValue(ast.value, (lit) => fieldMatches(lit, event, ast.field!, fieldTypes[ast.field!] ?? 'keyword'));
  }
}

function matchValue(value: KqlValue, leaf: (lit: Extract<KqlValue, { kind: 'literal' }>) => boolean): boolean {
  switch (value.kind) {
    case 'or':
      return value.children.some((c) => matchValue(c, leaf));
    case 'and':
      return value.children.every((c) => matchValue(c, leaf));
    case 'not':
      return !matchValue(value.child, leaf);
    case 'literal':
      return leaf(value);
  }
}

function fieldMatches(lit: Extract<KqlValue, { kind: 'literal' }>, event: Event, field: string, type: string): boolean {
  if (!lit.quoted && lit.parts.length === 1 && 'any' in lit.parts[0]!) return scalars(lookup(event, field)).length > 0;
  return scalars(lookup(event, field)).some((v) => literalMatches(lit, v, type));
}

function literalMatches(
  lit: Extract<KqlValue, { kind: 'literal' }>,
  value: string | number | boolean,
  type: string,
): boolean {
  const wild = lit.parts.some((p) => !('lit' in p));
  const text = textOf(lit.parts);
  if (type === 'text' || type === 'match_only_text')
    throw new Error('KQL evaluator: analysed text fields are not modelled');
  if (type === 'ip') {
    // A wildcard on an ip field is a query error in Elasticsearch; treat as no match.
    if (wild) return false;
    const range = parseCidr(text);
    const address = typeof value === 'string' ? parseIp(value) : undefined;
    return range !== undefined && address !== undefined && inRange(address, range);
  }
  if (NUMERIC_TYPES.has(type)) {
    const n = strictNumber(text);
    return !wild && n !== undefined && strictNumber(value) === n;
  }
  if (type === 'boolean') return !wild && (text === 'true' || text === 'false') && String(value) === text;
  const valueText = scalarText(value);
  if (!wild) return valueText === text;
  return globRegex(lit.parts, false).test(valueText);
}

/**
 * Range semantics follow the field's mapping: numeric types compare numbers; a keyword field compares terms
 * lexicographically (so "9" > "15"), which is what Elasticsearch does for a range on keyword. A JSON number in an
 * untyped field is taken as numeric (dynamic mapping makes it a long).
 */
function compareRange(value: string | number | boolean, op: RangeOp, bound: string, type: string): boolean {
  let cmp: number;
  const numeric = NUMERIC_TYPES.has(type) || typeof value === 'number';
  if (numeric) {
    const a = strictNumber(value);
    const b = strictNumber(bound);
    if (a === undefined || b === undefined) return false;
    cmp = Math.sign(a - b);
  } else {
    const s = scalarText(value);
    cmp = s < bound ? -1 : s > bound ? 1 : 0;
  }
  return op === '<' ? cmp < 0 : op === '<=' ? cmp <= 0 : op === '>' ? cmp > 0 : cmp >= 0;
}

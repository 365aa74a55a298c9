/**
 * Test-only reader and evaluator for the Elasticsearch EQL subset rulec emits (`any where <expr>`), written from
 * the EQL syntax reference (docs/reference/targets/elastic.md §4; Elasticsearch `docs/reference/query-languages/eql/eql-syntax.md`).
 *
 * Strings: `"…"` with escapes `\n \r \t \\ \" \'` and `\u{X…}` (2–8 hex digits); any other escape is an error.
 * Raw strings `"""…"""` keep backslashes literally and cannot contain `"""`. Single-quoted strings are rejected.
 * Field names: dotted identifiers or backtick-quoted (a backtick inside is doubled).
 *
 * Semantics: a where-clause runs as Elasticsearch query DSL on keyword fields, so comparisons against a missing
 * field are false and `not`/`!=` are two-valued (`must_not` keeps documents lacking the field). Arrays: any element.
 * `:` is case-insensitive with `*`/`?` wildcards; `==`, `in`, `like`, `regex` and the string functions are
 * case-sensitive, their `~` forms case-insensitive. Regexes use Lucene syntax, anchored to the whole value.
 */
import {
  type Event,
  type GlobPart,
  QueryParseError,
  escapeForRegex,
  globRegex,
  inRange,
  lookup,
  parseCidr,
  parseIp,
  scalarText,
  scalars,
  strictNumber,
  TokenCursor,
} from './common.js';

export type EqlLiteral = string | number | boolean | null;

export type EqlNode =
  | { readonly kind: 'or' | 'and'; readonly children: readonly EqlNode[] }
  | { readonly kind: 'not'; readonly child: EqlNode }
  | {
      readonly kind: 'compare';
      readonly field: string;
      readonly op: '==' | '!=' | '<' | '<=' | '>' | '>=';
      readonly value: EqlLiteral;
    }
  /** `:`, `like`, `like~`, `regex`, `regex~`, `in`, `in~` (with `negated` for `not in`). */
  | {
      readonly kind: 'match';
      readonly field: string;
      readonly op: ':' | 'like' | 'regex' | 'in';
      readonly insensitive: boolean;
      readonly negated: boolean;
      readonly values: readonly EqlLiteral[];
    }
  | {
      readonly kind: 'call';
      readonly fn: 'cidrMatch' | 'startsWith' | 'endsWith' | 'stringContains';
      readonly insensitive: boolean;
      readonly field: string;
      readonly args: readonly string[];
    };

type Token =
  | { readonly t: 'ident'; readonly v: string; readonly at: number }
  | { readonly t: 'field'; readonly v: string; readonly at: number }
  | { readonly t: 'string'; readonly v: string; readonly at: number }
  | { readonly t: 'number'; readonly v: number; readonly at: number }
  | { readonly t: 'op'; readonly v: string; readonly at: number }
  | { readonly t: 'eof'; readonly at: number };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const fail = (m: string, at: number): never => {
    throw new QueryParseError('EQL', m, at, text);
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (text.startsWith('"""', i)) {
      const end = text.indexOf('"""', i + 3);
      if (end < 0) fail('unterminated raw string', at);
      // A raw string ends at the first `"""`; a following quote would make the literal ambiguous.
      if (text[end + 3] === '"') fail('raw strings cannot contain three consecutive quotes', end);
      out.push({ t: 'string', v: text.slice(i + 3, end), at });
      i = end + 3;
      continue;
    }
    if (c === '"') {
      let v = '';
      i++;
      for (;;) {
        const ch = text[i];
        if (ch === undefined || ch === '\n' || ch === '\r') fail('unterminated string', at);
        if (ch === '"') break;
        if (ch === '\\') {
          const n = text[i + 1];
          const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"', "'": "'" };
          if (n !== undefined && n in simple) {
            v += simple[n];
            i += 2;
            continue;
          }
          const u = /^u\{([0-9a-fA-F]{2,8})\}/.exec(text.slice(i + 1));
          if (u !== null) {
            const cp = parseInt(u[1]!, 16);
            if (cp > 0x10ffff) fail('unicode escape out of range', i);
            v += String.fromCodePoint(cp);
            i += 1 + u[0].length;
            continue;
          }
          fail(`illegal escape sequence \\${n ?? ''}`, i);
        }
        v += ch;
        i++;
      }
      out.push({ t: 'string', v, at });
      i++;
      continue;
    }
    if (c === "'") fail('single-quoted strings are not supported', at);
    if (c === '`') {
      let v = '';
      i++;
      for (;;) {
        const ch = text[i];
        if (ch === undefined) fail('unterminated quoted field name', at);
        if (ch === '`') {
          if (text[i + 1] === '`') {
            v += '`';
            i += 2;
            continue;
          }
          break;
        }
        v += ch;
        i++;
      }
      i++;
      out.push({ t: 'field', v, at });
      continue;
    }
    const num = /^-?(\d+\.\d+|\d+)([eE][+-]?\d+)?(?![\w.])/.exec(text.slice(i));
    if (num !== null && (c === '-' || /\d/.test(c))) {
      out.push({ t: 'number', v: Number(num[0]), at });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_@][A-Za-z0-9_@.]*/.exec(text.slice(i));
    if (id !== null) {
      out.push({ t: 'ident', v: id[0], at });
      i += id[0].length;
      continue;
    }
    const op = /^(==|!=|<=|>=|<|>|:|\(|\)|,|~|\?)/.exec(text.slice(i));
    if (op !== null) {
      out.push({ t: 'op', v: op[0], at });
      i += op[0].length;
      continue;
    }
    fail(`unexpected character ${JSON.stringify(c)}`, at);
  }
  out.push({ t: 'eof', at: text.length });
  return out;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'like', 'regex', 'where', 'any', 'null', 'true', 'false']);
const FUNCTIONS = new Set(['cidrMatch', 'startsWith', 'endsWith', 'stringContains']);

class Parser extends TokenCursor<Token> {
  protected readonly language = 'EQL';

  query(): EqlNode {
    this.expectIdent('any');
    this.expectIdent('where');
    const node = this.or();
    if (this.tok.t !== 'eof') this.fail('unexpected text (pipes and sequences are outside the subset)');
    return node;
  }
  or(): EqlNode {
    const children = [this.and()];
    while (this.isIdent('or')) {
      this.i++;
      children.push(this.and());
    }
    return children.length === 1 ? children[0]! : { kind: 'or', children };
  }
  and(): EqlNode {
    const children = [this.not()];
    while (this.isIdent('and')) {
      this.i++;
      children.push(this.not());
    }
    return children.length === 1 ? children[0]! : { kind: 'and', children };
  }
  not(): EqlNode {
    if (this.isIdent('not')) {
      this.i++;
      return { kind: 'not', child: this.not() };
    }
    return this.primary();
  }
  primary(): EqlNode {
    if (this.isOp('(')) {
      this.i++;
      const inner = this.or();
      this.expectOp(')');
      return inner;
    }
    const tok = this.tok;
    if (tok.t === 'ident' && FUNCTIONS.has(tok.v) && (this.isOp('(', this.peek()) || this.isOp('~', this.peek()))) {
      return this.call(tok.v as Extract<EqlNode, { kind: 'call' }>['fn']);
    }
    const field = this.field();
    return this.predicate(field);
  }
  field(): string {
    const tok = this.tok;
    // `?field`: an optional field (a missing field reads as null instead of failing the query).
    if (this.isOp('?') && (this.peek().t === 'ident' || this.peek().t === 'field') && this.peek().at === tok.at + 1) {
      this.i++;
      return this.field();
    }
    if (tok.t === 'field') {
      this.i++;
      return tok.v;
    }
    if (tok.t === 'ident' && !KEYWORDS.has(tok.v) && !FUNCTIONS.has(tok.v)) {
      this.i++;
      return tok.v;
    }
    return this.fail('expected a field name');
  }
  call(fn: Extract<EqlNode, { kind: 'call' }>['fn']): EqlNode {
    this.i++;
    let insensitive = false;
    if (this.isOp('~')) {
      if (fn === 'cidrMatch') this.fail('cidrMatch has no ~ form');
      insensitive = true;
      this.i++;
    }
    this.expectOp('(');
    const field = this.field();
    const args: string[] = [];
    while (this.isOp(',')) {
      this.i++;
      const t = this.tok;
      if (t.t !== 'string') this.fail('expected a string argument');
      args.push(t.v);
      this.i++;
    }
    this.expectOp(')');
    if (args.length === 0) this.fail(`${fn} needs an argument`);
    if (fn !== 'cidrMatch' && args.length !== 1) this.fail(`${fn} takes one string`);
    if (fn === 'cidrMatch')
      for (const a of args) if (parseCidr(a) === undefined || !a.includes('/')) this.fail(`bad CIDR ${a}`);
    return { kind: 'call', fn, insensitive, field, args };
  }
  literal(): EqlLiteral {
    const t = this.tok;
    this.i++;
    if (t.t === 'string' || t.t === 'number') return t.v;
    if (t.t === 'ident' && t.v === 'null') return null;
    if (t.t === 'ident' && (t.v === 'true' || t.v === 'false')) return t.v === 'true';
    return this.fail('expected a literal', t.at);
  }
  literals(): EqlLiteral[] {
    if (!this.isOp('(')) return [this.literal()];
    this.i++;
    const out = [this.literal()];
    while (this.isOp(',')) {
      this.i++;
      out.push(this.literal());
    }
    this.expectOp(')');
    return out;
  }
  tilde(): boolean {
    if (!this.isOp('~')) return false;
    this.i++;
    return true;
  }
  predicate(field: string): EqlNode {
    const tok = this.tok;
    if (tok.t === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(tok.v)) {
      this.i++;
      const value = this.literal();
      const op = tok.v as Extract<EqlNode, { kind: 'compare' }>['op'];
      if (value === null && op !== '==' && op !== '!=') this.fail('null only compares with == and !=', tok.at);
      if (['<', '<=', '>', '>='].includes(op) && typeof value !== 'number') this.fail('range needs a number', tok.at);
      return { kind: 'compare', field, op, value };
    }
    if (this.isOp(':')) {
      this.i++;
      return this.matchNode(field, ':', false, false, this.literals());
    }
    let negated = false;
    if (this.isIdent('not') && this.isIdent('in', this.peek())) {
      negated = true;
      this.i++;
    }
    for (const op of ['like', 'regex', 'in'] as const) {
      if (this.isIdent(op)) {
        this.i++;
        const insensitive = this.tilde();
        if (op === 'in' && !this.isOp('(')) this.fail('in needs a parenthesised list');
        return this.matchNode(field, op, insensitive, negated, this.literals());
      }
    }
    return this.fail('expected an operator');
  }
  matchNode(
    field: string,
    op: ':' | 'like' | 'regex' | 'in',
    insensitive: boolean,
    negated: boolean,
    values: EqlLiteral[],
  ): EqlNode {
    if (op !== 'in' && values.some((v) => typeof v !== 'string')) this.fail(`${op} needs strings`);
    if (op === 'regex') for (const v of values) luceneToRegExp(v as string, insensitive, this.text);
    return { kind: 'match', field, op, insensitive, negated, values };
  }
}

export function parse(query: string): EqlNode {
  return new Parser(query, tokenize(query)).query();
}

// ---- Lucene regular expressions -----------------------------------------------------------------------------

/**
 * Lucene regex (docs/reference/targets/elastic.md §4) → JS RegExp matching the whole value. `.` is any character; `^`/`$` are literal;
 * `"…"` quotes a literal run; `\d \w \s` (and upper-case) are Lucene 9 classes. The optional operators
 * `# @ & < > ~` depend on query flags, so rulec must escape them: unescaped they are reported as outside the subset.
 */
export function luceneToRegExp(source: string, insensitive: boolean, query = source): RegExp {
  const fail = (m: string): never => {
    throw new QueryParseError('EQL regex', `${m} in ${JSON.stringify(source)}`, 0, query);
  };
  const classes: Record<string, string> = {
    d: '[0-9]',
    D: '[^0-9]',
    w: '[A-Za-z0-9_]',
    W: '[^A-Za-z0-9_]',
    s: '[ \\t\\n\\r\\f\\v]',
    S: '[^ \\t\\n\\r\\f\\v]',
  };
  let out = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\\') {
      const n = source[i + 1];
      if (n === undefined) fail('trailing backslash');
      out += classes[n!] ?? escapeForRegex(n!);
      i += 2;
    } else if (c === '"') {
      const end = source.indexOf('"', i + 1);
      if (end < 0) fail('unterminated quoted run');
      out += escapeForRegex(source.slice(i + 1, end));
      i = end + 1;
    } else if (c === '[') {
      let j = i + 1;
      let cls = '[';
      if (source[j] === '^') {
        cls += '^';
        j++;
      }
      let first = true;
      while (j < source.length && (source[j] !== ']' || first)) {
        const ch = source[j]!;
        if (ch === '\\') {
          const n = source[j + 1];
          if (n === undefined) fail('trailing backslash');
          // Lucene 9 classes keep their meaning; any other escaped character is itself.
          cls += 'dDwWsS'.includes(n!) ? `\\${n}` : /[A-Za-z0-9]/.test(n!) ? n : `\\${n}`;
          j += 2;
        } else if (ch === '-' && !first && source[j + 1] !== ']') {
          cls += '-';
          j++;
        } else {
          cls += /[\\\]^[-]/.test(ch) ? `\\${ch}` : ch;
          j++;
        }
        first = false;
      }
      if (source[j] !== ']') fail('unterminated character class');
      out += `${cls}]`;
      i = j + 1;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
      if (m === null) fail('bad repetition');
      out += m![0];
      i += m![0].length;
    } else if ('()|*+?'.includes(c)) {
      out += c;
      i++;
    } else if (c === '.') {
      out += '[\\s\\S]';
      i++;
    } else if ('#@&<>~'.includes(c)) {
      fail(`unescaped optional operator ${c}`);
    } else if (c === ']' || c === '}') {
      fail(`unbalanced ${c}`);
    } else {
      out += escapeForRegex(c);
      i++;
    }
  }
  try {
    return new RegExp(`^(?:${out})$`, insensitive ? 'iu' : 'u');
  } catch (error) {
    return fail(`invalid regex (${String(error)})`);
  }
}

// ---- evaluation ---------------------------------------------------------------------------------------------

export function evaluate(ast: EqlNode, event: Event): boolean {
  switch (ast.kind) {
    case 'or':
      return ast.children.some((c) => evaluate(c, event));
    case 'and':
      return ast.children.every((c) => evaluate(c, event));
    case 'not':
      return !evaluate(ast.child, event);
    case 'compare': {
      const values = scalars(lookup(event, ast.field));
      if (ast.value === null) return ast.op === '==' ? values.length === 0 : values.length > 0;
      if (ast.op === '!=') return !values.some((v) => equal(v, ast.value!, false));
      if (ast.op === '==') return values.some((v) => equal(v, ast.value!, false));
      return values.some((v) => {
        const n = strictNumber(v);
        const b = ast.value as number;
        if (n === undefined) return false;
        return ast.op === '<' ? n < b : ast.op === '<=' ? n <= b : ast.op === '>' ? n > b : n >= b;
      });
    }
    case 'match': {
      const values = scalars(lookup(event, ast.field));
      const hit = values.some((v) => ast.values.some((p) => matchOne(ast.op, ast.insensitive, v, p)));
      return ast.negated ? !hit : hit;
    }
    case 'call': {
      const values = scalars(lookup(event, ast.field));
      return values.some((v) => ast.args.some((a) => callOne(ast.fn, ast.insensitive, v, a)));
    }
  }
}

function equal(value: string | number | boolean, literal: string | number | boolean, insensitive: boolean): boolean {
  if (typeof literal === 'number') return strictNumber(value) === literal;
  if (typeof literal === 'boolean') return String(value) === String(literal);
  const text = scalarText(value);
  return insensitive ? text.toLowerCase() === literal.toLowerCase() : text === literal;
}

function wildcardParts(pattern: string): GlobPart[] {
  const parts: GlobPart[] = [];
  for (const piece of pattern.split(/([*?])/)) {
    if (piece === '*') parts.push({ any: true });
    else if (piece === '?') parts.push({ one: true });
    else if (piece !== '') parts.push({ lit: piece });
  }
  return parts;
}

function matchOne(
  op: ':' | 'like' | 'regex' | 'in',
  insensitive: boolean,
  value: string | number | boolean,
  p: EqlLiteral,
): boolean {
  if (p === null) return false;
  if (op === 'in') return equal(value, p, insensitive);
  const text = scalarText(value);
  const pattern = String(p);
  if (op === 'regex') return luceneToRegExp(pattern, insensitive).test(text);
  return globRegex(wildcardParts(pattern), op === ':' || insensitive).test(text);
}

function callOne(
  fn: Extract<EqlNode, { kind: 'call' }>['fn'],
  insensitive: boolean,
  value: string | number | boolean,
  arg: string,
): boolean {
  if (fn === 'cidrMatch') {
    const address = typeof value === 'string' ? parseIp(value) : undefined;
    const range = parseCidr(arg);
    return address !== undefined && range !== undefined && inRange(address, range);
  }
  let text = scalarText(value);
  let needle = arg;
  if (insensitive) {
    text = text.toLowerCase();
    needle = needle.toLowerCase();
  }
  return fn === 'startsWith'
    ? text.startsWith(needle)
    : fn === 'endsWith'
      ? text.endsWith(needle)
      : text.includes(needle);
}

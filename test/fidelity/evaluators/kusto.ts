/**
 * Test-only reader and evaluator for the Kusto (KQL for Sentinel) subset rulec emits: `<Table> | where <expr>`
 * (one or more `where` stages), written from docs/reference/targets/sentinel.md §4 and Microsoft's string-operator documentation.
 *
 * Semantics: columns are typed (a schema may be passed; otherwise the type is read off the event value, and a
 * missing column reads as a string, i.e. `""`). Strings are never null in Kusto; other types are, and
 * comparisons with null are null, so logic is three-valued (Kleene) and a row passes only when the filter is true.
 * String operators read non-string operands through `tostring()` (a dynamic array becomes its JSON text: Kusto has
 * no any-element semantics on `dynamic` without `mv-expand`). Case-insensitive operators fold with `toLowerCase()`.
 * `has` is whole-term search: a match must not continue an ASCII alphanumeric run on either side.
 *
 * Approximation: `matches regex` is RE2 in Kusto; here it is a JS RegExp (a leading `(?i)`, `(?s)`, `(?m)` group
 * becomes flags; `u` flag when the pattern allows it). RE2-only syntax (`\z`, `(?P<n>…)`) is rejected.
 */
import {
  type Event,
  QueryParseError,
  inRange,
  lookup,
  parseCidr,
  parseIpv4,
  parseIp,
  rangeToV6,
  strictNumber,
  toV6,
  TokenCursor,
  compileJsRegex,
} from './common.js';

export type KustoType = 'string' | 'long' | 'int' | 'real' | 'double' | 'decimal' | 'bool' | 'dynamic' | 'datetime';
export type KustoLiteral = string | number | boolean | null | { readonly dynamic: readonly (string | number)[] };

export type KustoExpr =
  | { readonly kind: 'or' | 'and'; readonly children: readonly KustoExpr[] }
  | { readonly kind: 'column'; readonly name: string }
  | { readonly kind: 'literal'; readonly value: KustoLiteral }
  | { readonly kind: 'binary'; readonly op: string; readonly left: KustoExpr; readonly right: KustoExpr }
  | {
      readonly kind: 'in';
      readonly op: 'in' | 'in~' | '!in' | '!in~';
      readonly left: KustoExpr;
      readonly list: readonly KustoExpr[];
    }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly KustoExpr[] };

export interface KustoQuery {
  readonly table: string;
  /** The `where` stages in order; a row must pass all of them. */
  readonly filters: readonly KustoExpr[];
}

/** Binary string/comparison operators (the `!` forms included). */
const STRING_OPS = [
  'contains',
  'contains_cs',
  'startswith',
  'startswith_cs',
  'endswith',
  'endswith_cs',
  'has',
  'has_cs',
  'hasprefix',
  'hasprefix_cs',
  'hassuffix',
  'hassuffix_cs',
];
const FUNCTIONS: Readonly<Record<string, readonly [number, number]>> = {
  not: [1, 1],
  isempty: [1, 1],
  isnotempty: [1, 1],
  isnull: [1, 1],
  isnotnull: [1, 1],
  ipv4_is_in_range: [2, 2],
  ipv4_is_in_any_range: [2, 64],
  ipv6_is_in_range: [2, 2],
  ipv6_is_in_any_range: [2, 64],
  tostring: [1, 1],
  tolong: [1, 1],
  toint: [1, 1],
  toreal: [1, 1],
  todouble: [1, 1],
  tolower: [1, 1],
  toupper: [1, 1],
};

type Token =
  | { readonly t: 'ident'; readonly v: string; readonly at: number }
  | { readonly t: 'string'; readonly v: string; readonly at: number }
  | { readonly t: 'number'; readonly v: number; readonly at: number }
  | { readonly t: 'op'; readonly v: string; readonly at: number }
  | { readonly t: 'eof'; readonly at: number };

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  '"': '"',
  "'": "'",
  t: '\t',
  n: '\n',
  r: '\r',
  '0': '\0',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
};

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const fail = (m: string, at: number): never => {
    throw new QueryParseError('Kusto', m, at, text);
  };
  let i = 0;
  const readString = (): string => {
    const at = i;
    if (text.startsWith('```', i)) {
      const end = text.indexOf('```', i + 3);
      if (end < 0) fail('unterminated multi-line string', at);
      i = end + 3;
      return text.slice(at + 3, end);
    }
    // h"…" / H"…" obfuscated literals mean the same string.
    if ((text[i] === 'h' || text[i] === 'H') && /["'@]/.test(text[i + 1] ?? '')) i++;
    if (text[i] === '@') {
      const q = text[i + 1];
      if (q !== '"' && q !== "'") fail('expected a quote after @', i);
      i += 2;
      let v = '';
      for (;;) {
        const c = text[i];
        if (c === undefined || c === '\n' || c === '\r') fail('unterminated verbatim string', at);
        if (c === q) {
          if (text[i + 1] === q) {
            v += q;
            i += 2;
            continue;
          }
          i++;
          return v;
        }
        v += c;
        i++;
      }
    }
    const q = text[i]!;
    i++;
    let v = '';
    for (;;) {
      const c = text[i];
      if (c === undefined || c === '\n' || c === '\r') fail('unterminated string', at);
      if (c === q) {
        i++;
        return v;
      }
      if (c === '\\') {
        const n = text[i + 1] ?? '';
        if (n in SIMPLE_ESCAPES) {
          v += SIMPLE_ESCAPES[n];
          i += 2;
          continue;
        }
        const x = /^x([0-9a-fA-F]{2})/.exec(text.slice(i + 1));
        const u = /^u([0-9a-fA-F]{4})/.exec(text.slice(i + 1));
        const bigU = /^U([0-9a-fA-F]{8})/.exec(text.slice(i + 1));
        if (bigU !== null) {
          const cp = parseInt(bigU[1]!, 16);
          if (cp > 0x10ffff) fail('escape out of range', i);
          v += String.fromCodePoint(cp);
          i += 10;
          continue;
        }
        const hex = x ?? u;
        if (hex !== null) {
          v += String.fromCharCode(parseInt(hex[1]!, 16));
          i += 1 + hex[0].length;
          continue;
        }
        fail(`invalid escape \\${n}`, i);
      }
      v += c;
      i++;
    }
  };
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (text.startsWith('//', i)) fail('comments are outside the subset', i);
    const at = i;
    if (c === '"' || c === "'" || c === '@' || text.startsWith('```', i) || /^[hH]@?["']/.test(text.slice(i, i + 3))) {
      let v = readString();
      // Adjacent string literals concatenate.
      for (;;) {
        const m = /^\s*/.exec(text.slice(i))![0];
        const next = text.slice(i + m.length);
        if (!/^(["'@]|```|[hH]@?["'])/.test(next)) break;
        i += m.length;
        v += readString();
      }
      out.push({ t: 'string', v, at });
      continue;
    }
    const num = /^\d+(\.\d+)?([eE][+-]?\d+)?(?![A-Za-z_])/.exec(text.slice(i));
    if (num !== null) {
      out.push({ t: 'number', v: Number(num[0]), at });
      i += num[0].length;
      continue;
    }
    const id = /^!?[A-Za-z_][A-Za-z0-9_]*~?/.exec(text.slice(i));
    if (id !== null && (c !== '!' || /^!(in~?|contains|startswith|endswith|has)/.test(id[0]))) {
      let v = id[0];
      if (v.endsWith('~') && !/^!?in~$/.test(v)) v = v.slice(0, -1);
      out.push({ t: 'ident', v, at });
      i += v.length;
      continue;
    }
    if (text.startsWith('!(', i)) fail('!(…) is a syntax error in Kusto; use not(…)', at);
    const op = /^(==|!=|=~|!~|<=|>=|<|>|\||\(|\)|,|\[|\]|-|\*)/.exec(text.slice(i));
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

class Parser extends TokenCursor<Token> {
  protected readonly language = 'Kusto';

  query(): KustoQuery {
    const table = this.name();
    const filters: KustoExpr[] = [];
    while (this.isOp('|')) {
      this.i++;
      if (!this.isIdent('where')) this.fail('only where stages are in the subset');
      this.i++;
      filters.push(this.or());
    }
    if (this.tok.t !== 'eof') this.fail('unexpected text');
    return { table, filters };
  }
  /** A bare identifier or `['name']` / `["name"]`. */
  name(): string {
    const tok = this.tok;
    if (tok.t === 'ident' && /^[A-Za-z_]\w*$/.test(tok.v)) {
      this.i++;
      return tok.v;
    }
    if (this.isOp('[')) {
      this.i++;
      const s = this.tok;
      if (s.t !== 'string') this.fail('expected a quoted name');
      this.i++;
      this.expectOp(']');
      return s.v;
    }
    return this.fail('expected a name');
  }
  or(): KustoExpr {
    const children = [this.and()];
    while (this.isIdent('or')) {
      this.i++;
      children.push(this.and());
    }
    return children.length === 1 ? children[0]! : { kind: 'or', children };
  }
  and(): KustoExpr {
    const children = [this.predicate()];
    while (this.isIdent('and')) {
      this.i++;
      children.push(this.predicate());
    }
    return children.length === 1 ? children[0]! : { kind: 'and', children };
  }
  predicate(): KustoExpr {
    const left = this.operand();
    const tok = this.tok;
    if (tok.t === 'op' && ['==', '!=', '=~', '!~', '<', '<=', '>', '>='].includes(tok.v)) {
      this.i++;
      return { kind: 'binary', op: tok.v, left, right: this.operand() };
    }
    if (tok.t === 'ident') {
      const bare = tok.v.replace(/^!/, '');
      if (STRING_OPS.includes(bare)) {
        this.i++;
        return { kind: 'binary', op: tok.v, left, right: this.operand() };
      }
      if (['in', 'in~', '!in', '!in~'].includes(tok.v)) {
        this.i++;
        this.expectOp('(');
        const list = [this.operand()];
        while (this.isOp(',')) {
          this.i++;
          list.push(this.operand());
        }
        this.expectOp(')');
        for (const item of list) if (item.kind !== 'literal') this.fail('in-lists hold literals only', tok.at);
        return { kind: 'in', op: tok.v as 'in', left, list };
      }
      if (tok.v === 'matches' && this.isIdent('regex', this.peek())) {
        this.i += 2;
        const right = this.operand();
        if (right.kind !== 'literal' || typeof right.value !== 'string')
          this.fail('matches regex needs a string', tok.at);
        compileRe2(right.value as string, this.text, tok.at);
        return { kind: 'binary', op: 'matches regex', left, right };
      }
    }
    return left;
  }
  operand(): KustoExpr {
    const tok = this.tok;
    if (this.isOp('(')) {
      this.i++;
      const inner = this.or();
      this.expectOp(')');
      return inner;
    }
    if (tok.t === 'string') {
      this.i++;
      return { kind: 'literal', value: tok.v };
    }
    if (tok.t === 'number') {
      this.i++;
      return { kind: 'literal', value: tok.v };
    }
    if (this.isOp('-') && this.peek().t === 'number') {
      this.i += 2;
      return { kind: 'literal', value: -(this.tokens[this.i - 1] as { v: number }).v };
    }
    if (tok.t === 'ident' && ['true', 'false'].includes(tok.v)) {
      this.i++;
      return { kind: 'literal', value: tok.v === 'true' };
    }
    if (this.isIdent('dynamic') && this.isOp('(', this.peek())) return this.dynamic();
    if (tok.t === 'ident' && this.isOp('(', this.peek())) {
      if (tok.v === '!') this.fail('!(…) is a syntax error; use not(…)');
      const arity = FUNCTIONS[tok.v];
      if (arity === undefined) this.fail(`function ${tok.v} is outside the subset`);
      this.i += 2;
      const args: KustoExpr[] = [];
      if (!this.isOp(')')) {
        args.push(this.or());
        while (this.isOp(',')) {
          this.i++;
          args.push(this.or());
        }
      }
      this.expectOp(')');
      if (args.length < arity![0] || args.length > arity![1])
        this.fail(`wrong number of arguments to ${tok.v}`, tok.at);
      return { kind: 'call', fn: tok.v, args };
    }
    if (tok.t === 'ident' && ['and', 'or', 'not', 'where'].includes(tok.v)) this.fail(`unexpected keyword ${tok.v}`);
    if (this.isOp('*')) {
      this.i++;
      return { kind: 'column', name: '*' };
    }
    if (tok.t === 'op' && tok.v !== '[') this.fail(`unexpected ${tok.v}`);
    return { kind: 'column', name: this.name() };
  }
  dynamic(): KustoExpr {
    this.i += 2;
    this.expectOp('[');
    const items: (string | number)[] = [];
    while (!this.isOp(']')) {
      const t = this.tok;
      if (t.t !== 'string' && t.t !== 'number') this.fail('dynamic arrays hold strings and numbers only');
      items.push(t.v);
      this.i++;
      if (this.isOp(',')) this.i++;
      else if (!this.isOp(']')) this.fail('expected , or ]');
    }
    this.i++;
    this.expectOp(')');
    return { kind: 'literal', value: { dynamic: items } };
  }
}

export function parse(query: string): KustoQuery {
  return new Parser(query, tokenize(query)).query();
}

// ---- regex --------------------------------------------------------------------------------------------------

const RE_CACHE = new Map<string, RegExp>();

/** RE2 → JS RegExp (see the module comment for the approximation). Leading flag groups become JS flags. */
export function compileRe2(source: string, query = source, at = 0): RegExp {
  const cached = RE_CACHE.get(source);
  if (cached) return cached;
  let flags = '';
  let body = source;
  const m = /^\(\?([imsU]+)\)/.exec(body);
  if (m !== null) {
    if (m[1]!.includes('U')) throw new QueryParseError('Kusto regex', 'the U flag is not modelled', at, query);
    flags = [...new Set(m[1]!)].join('');
    body = body.slice(m[0].length);
  }
  if (/\(\?[a-zA-Z]/.test(body) || /\(\?P?</.test(body) || /(?:^|[^\\])(?:\\\\)*\\[zAQE]/.test(body))
    throw new QueryParseError(
      'Kusto regex',
      `RE2 construct outside the modelled subset in ${JSON.stringify(source)}`,
      at,
      query,
    );
  if (/\(\?[=!]|\(\?<[=!]|\\[1-9]/.test(body))
    throw new QueryParseError(
      'Kusto regex',
      `look-around and back-references are not RE2 in ${JSON.stringify(source)}`,
      at,
      query,
    );
  const re = compileJsRegex(body, flags, 'Kusto regex', source, at, query);
  RE_CACHE.set(source, re);
  return re;
}

// ---- evaluation ---------------------------------------------------------------------------------------------

type Value = string | number | boolean | null | { readonly dynamic: unknown };

export interface KustoEvalOptions {
  /** Column → Kusto type. Columns missing from the event read as `""` (string) or null (other types). */
  readonly columns?: Readonly<Record<string, KustoType>>;
}

export function evaluate(query: KustoQuery, event: Event, options: KustoEvalOptions = {}): boolean {
  return query.filters.every((f) => truth(evalExpr(f, event, options)) === true);
}

function truth(v: Value): boolean | null {
  if (v === null) return null;
  if (typeof v === 'boolean') return v;
  throw new Error(`Kusto evaluator: a where-clause operand is not boolean: ${JSON.stringify(v)}`);
}

function readColumn(name: string, event: Event, options: KustoEvalOptions): Value {
  const raw = lookup(event, name);
  const type = options.columns?.[name];
  if (type === undefined) {
    if (raw === undefined || raw === null) return '';
    if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return raw;
    return { dynamic: raw };
  }
  if (type === 'string') {
    if (raw === undefined || raw === null) return '';
    return typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
  }
  if (raw === undefined || raw === null) return null;
  if (type === 'dynamic') return typeof raw === 'object' ? { dynamic: raw } : (raw as Value);
  if (type === 'bool') return typeof raw === 'boolean' ? raw : raw === 'true' ? true : raw === 'false' ? false : null;
  if (type === 'datetime') return typeof raw === 'string' ? raw : null;
  return strictNumber(raw) ?? null;
}

/** Kusto `tostring()`: null → "", dynamic → compact JSON text. */
function toText(v: Value): string {
  if (v === null) return '';
  if (typeof v === 'object') return typeof v.dynamic === 'string' ? v.dynamic : JSON.stringify(v.dynamic);
  return String(v);
}

function literalValue(v: KustoLiteral): Value {
  if (v !== null && typeof v === 'object') return { dynamic: v.dynamic };
  return v;
}

function evalExpr(e: KustoExpr, event: Event, o: KustoEvalOptions): Value {
  switch (e.kind) {
    case 'literal':
      return literalValue(e.value);
    case 'column':
      return readColumn(e.name, event, o);
    case 'or': {
      let sawNull = false;
      for (const c of e.children) {
        const t = truth(evalExpr(c, event, o));
        if (t === true) return true;
        if (t === null) sawNull = true;
      }
      return sawNull ? null : false;
    }
    case 'and': {
      let sawNull = false;
      for (const c of e.children) {
        const t = truth(evalExpr(c, event, o));
        if (t === false) return false;
        if (t === null) sawNull = true;
      }
      return sawNull ? null : true;
    }
    case 'in': {
      const left = evalExpr(e.left, event, o);
      const ci = e.op.endsWith('~');
      const items = e.list.flatMap((item) => {
        const v = evalExpr(item, event, o);
        return v !== null && typeof v === 'object' && Array.isArray(v.dynamic)
          ? (v.dynamic as (string | number)[])
          : [v];
      });
      let hit: boolean | null = false;
      for (const item of items) {
        const r = equals(left, item as Value, ci);
        if (r === true) {
          hit = true;
          break;
        }
        if (r === null) hit = null;
      }
      if (hit === null) return null;
      return e.op.startsWith('!') ? !hit : hit;
    }
    case 'binary':
      if (e.left.kind === 'column' && e.left.name === '*') {
        // `* op x`: any column of the row satisfies the operator (Kusto's all-columns search).
        const right = evalExpr(e.right, event, o);
        return Object.keys(event).some((name) => binary(e.op, readColumn(name, event, o), right) === true);
      }
      return binary(e.op, evalExpr(e.left, event, o), evalExpr(e.right, event, o));
    case 'call':
      return call(
        e.fn,
        e.args.map((a) => evalExpr(a, event, o)),
      );
  }
}

/**
 * `==`-style equality: numeric when the right side is a number, else textual. Kusto's null rule: null == null is
 * null, null == non-null is false (so `!=` is true), per the "Null values" reference.
 */
function equals(left: Value, right: Value, ci: boolean): boolean | null {
  if (left === null && right === null) return null;
  if (left === null || right === null) return false;
  if (typeof right === 'number') {
    const n = typeof left === 'object' ? undefined : strictNumber(left);
    return n === undefined ? false : n === right;
  }
  if (typeof right === 'boolean') return left === right;
  const a = toText(left);
  const b = toText(right);
  return ci ? a.toLowerCase() === b.toLowerCase() : a === b;
}

const ALNUM = /[A-Za-z0-9]/;

/** Whole-term search: the needle must not extend an alphanumeric run of the haystack on either side. */
function hasTerm(hay: string, needle: string, mode: 'has' | 'prefix' | 'suffix'): boolean {
  if (needle === '') return true;
  for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + 1)) {
    const before = hay[at - 1];
    const after = hay[at + needle.length];
    const startOk = !ALNUM.test(needle[0]!) || before === undefined || !ALNUM.test(before);
    const endOk = !ALNUM.test(needle[needle.length - 1]!) || after === undefined || !ALNUM.test(after);
    if (mode === 'has' && startOk && endOk) return true;
    if (mode === 'prefix' && startOk) return true;
    if (mode === 'suffix' && endOk) return true;
  }
  return false;
}

function binary(op: string, left: Value, right: Value): Value {
  switch (op) {
    case '==':
      return equals(left, right, false);
    case '=~':
      return equals(toText(left), toText(right), true);
    case '!=': {
      const r = equals(left, right, false);
      return r === null ? null : !r;
    }
    case '!~':
      return !equals(toText(left), toText(right), true);
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (left === null || right === null) return null;
      const a = typeof left === 'object' ? undefined : strictNumber(left);
      const b = typeof right === 'object' ? undefined : strictNumber(right);
      if (a === undefined || b === undefined) {
        if (typeof left !== 'string' || typeof right !== 'string') return null;
        const c = left < right ? -1 : left > right ? 1 : 0;
        return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
      }
      return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
    }
    case 'matches regex':
      return compileRe2(toText(right)).test(toText(left));
  }
  const negated = op.startsWith('!');
  const base = negated ? op.slice(1) : op;
  const cs = base.endsWith('_cs');
  const name = cs ? base.slice(0, -3) : base;
  let hay = toText(left);
  let needle = toText(right);
  if (!cs) {
    hay = hay.toLowerCase();
    needle = needle.toLowerCase();
  }
  let result: boolean;
  if (name === 'contains') result = hay.includes(needle);
  else if (name === 'startswith') result = hay.startsWith(needle);
  else if (name === 'endswith') result = hay.endsWith(needle);
  else if (name === 'has') result = hasTerm(hay, needle, 'has');
  else if (name === 'hasprefix') result = hasTerm(hay, needle, 'prefix');
  else if (name === 'hassuffix') result = hasTerm(hay, needle, 'suffix');
  else throw new Error(`Kusto evaluator: unknown operator ${op}`);
  return negated ? !result : result;
}

function call(fn: string, args: Value[]): Value {
  const a0 = args[0] ?? null;
  switch (fn) {
    case 'not': {
      const t = truth(a0);
      return t === null ? null : !t;
    }
    case 'isempty':
    case 'isnotempty': {
      const empty =
        a0 === null || a0 === '' || (typeof a0 === 'object' && Array.isArray(a0.dynamic) && a0.dynamic.length === 0);
      return fn === 'isempty' ? empty : !empty;
    }
    case 'isnull':
      return a0 === null;
    case 'isnotnull':
      return a0 !== null;
    case 'tostring':
      return toText(a0);
    case 'tolong':
    case 'toint':
    case 'toreal':
    case 'todouble': {
      // Conversions of text that is not a number give null; tolong/toint truncate.
      const n =
        a0 === null || typeof a0 === 'object' ? undefined : strictNumber(typeof a0 === 'boolean' ? Number(a0) : a0);
      if (n === undefined) return null;
      return fn === 'tolong' || fn === 'toint' ? Math.trunc(n) : n;
    }
    case 'tolower':
      return toText(a0).toLowerCase();
    case 'toupper':
      return toText(a0).toUpperCase();
    case 'ipv4_is_in_range':
    case 'ipv4_is_in_any_range':
    case 'ipv6_is_in_range':
    case 'ipv6_is_in_any_range':
      return ipCall(fn, args);
  }
  throw new Error(`Kusto evaluator: unknown function ${fn}`);
}

/** IPv4 functions take IPv4 only; IPv6 functions take both families (IPv4 as IPv4-mapped). Invalid → null. */
function ipCall(fn: string, args: Value[]): Value {
  const v6 = fn.startsWith('ipv6');
  const ipText = toText(args[0] ?? null);
  const address = v6 ? parseIp(ipText) : parseIpv4(ipText);
  const ranges = args
    .slice(1)
    .flatMap((r) =>
      r !== null && typeof r === 'object' && Array.isArray(r.dynamic) ? r.dynamic.map(String) : [toText(r)],
    );
  if (address === undefined) return null;
  let result = false;
  for (const text of ranges) {
    const range = parseCidr(text);
    if (range === undefined || (!v6 && range.family !== 4)) return null;
    if (v6 ? inRange(toV6(address), rangeToV6(range)) : inRange(address, range)) result = true;
  }
  return result;
}

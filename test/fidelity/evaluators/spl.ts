/**
 * Test-only reader and evaluator for the SPL subset rulec emits, written from docs/reference/targets/splunk.md §1 and Splunk's search
 * manual: a `search` expression, then `| where <eval-expr>`, `| regex field="…"` / `field!="…"` and `| search …`.
 *
 * `search` semantics: field names case-sensitive, values case-insensitive and whole-value, `*` a wildcard also
 * inside quotes (a literal `*` cannot be written: `\*` is reported), `field=*` = present, `field!=v` = present
 * and not v, CIDR values match addresses, multivalue = any value, `NOT` two-valued. Precedence: NOT, then OR,
 * then AND (as the docs state; `precedence: 'and-first'` parses the other reading, for tests proving rulec's
 * output does not depend on it). Bare terms (keywords) match anywhere in `_raw` when the event has one, else in
 * any field's value (an over-approximation of Splunk's segment-based term matching).
 *
 * `where`/eval semantics: case-sensitive, a missing field is null, null propagates (three-valued logic; a row
 * passes when true), multivalue fields compare any value (approximation). `match` and `regex` are PCRE in
 * Splunk; here JS RegExp with a leading `(?i)`/`(?s)`/`(?m)` group as flags (approximation). `like` uses `%`
 * and `_`, case-sensitive, `\` escaping the next character (open point in docs/reference/targets/splunk.md; rulec should prefer match).
 */
import {
  type Event,
  type GlobPart,
  QueryParseError,
  allScalars,
  escapeForRegex,
  globRegex,
  inRange,
  lookup,
  parseCidr,
  parseIp,
  scalarText,
  scalars,
  strictNumber,
  compileJsRegex,
} from './common.js';

export type SearchNode =
  | { readonly kind: 'and' | 'or'; readonly children: readonly SearchNode[] }
  | { readonly kind: 'not'; readonly child: SearchNode }
  | { readonly kind: 'field'; readonly field: string; readonly op: '=' | '!='; readonly value: string }
  | { readonly kind: 'compare'; readonly field: string; readonly op: '<' | '<=' | '>' | '>='; readonly value: string }
  | { readonly kind: 'in'; readonly field: string; readonly values: readonly string[] }
  | { readonly kind: 'term'; readonly value: string }
  | { readonly kind: 'all' };

export type EvalExpr =
  | { readonly kind: 'and' | 'or'; readonly children: readonly EvalExpr[] }
  | { readonly kind: 'not'; readonly child: EvalExpr }
  | {
      readonly kind: 'cmp';
      readonly op: '==' | '!=' | '<' | '<=' | '>' | '>=';
      readonly left: EvalExpr;
      readonly right: EvalExpr;
    }
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly EvalExpr[] };

export type Stage =
  | { readonly kind: 'search'; readonly expr: SearchNode }
  | { readonly kind: 'where'; readonly expr: EvalExpr }
  | { readonly kind: 'regex'; readonly field: string; readonly negated: boolean; readonly pattern: string };

export interface SplQuery {
  readonly stages: readonly Stage[];
}

export interface SplParseOptions {
  /** `docs` (default): NOT > OR > AND in `search`, as documented. `and-first`: the reading users report. */
  readonly precedence?: 'docs' | 'and-first';
}

const EVAL_FUNCTIONS: Readonly<Record<string, readonly [number, number]>> = {
  match: [2, 2],
  like: [2, 2],
  cidrmatch: [2, 2],
  isnull: [1, 1],
  isnotnull: [1, 1],
  lower: [1, 1],
  upper: [1, 1],
  in: [2, 64],
};

class Parser {
  pos = 0;
  constructor(
    readonly text: string,
    readonly options: SplParseOptions,
  ) {}

  fail(message: string, at = this.pos): never {
    throw new QueryParseError('SPL', message, at, this.text);
  }
  spaces(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }
  peekWord(): string {
    return /^[^\s()"|=!<>,']*/.exec(this.text.slice(this.pos))![0];
  }
  /** An uppercase operator word standing alone. */
  isWord(word: string): boolean {
    if (!this.text.startsWith(word, this.pos)) return false;
    const next = this.text[this.pos + word.length];
    return next === undefined || /[\s()]/.test(next);
  }
  atEnd(): boolean {
    return this.pos >= this.text.length || this.text[this.pos] === '|';
  }

  query(): SplQuery {
    const stages: Stage[] = [];
    this.spaces();
    if (this.isWord('search')) this.pos += 'search'.length;
    stages.push({ kind: 'search', expr: this.searchCommand() });
    while (this.text[this.pos] === '|') {
      this.pos++;
      this.spaces();
      if (this.isWord('where')) {
        this.pos += 5;
        const expr = this.evalOr();
        this.spaces();
        if (!this.atEnd()) this.fail('unexpected text in where');
        stages.push({ kind: 'where', expr });
      } else if (this.isWord('search')) {
        this.pos += 6;
        stages.push({ kind: 'search', expr: this.searchCommand() });
      } else if (this.isWord('regex')) {
        this.pos += 5;
        stages.push(this.regexCommand());
      } else this.fail('only search, where and regex commands are in the subset');
    }
    if (this.pos !== this.text.length) this.fail('unexpected text');
    return { stages };
  }

  // ---- search ----

  searchCommand(): SearchNode {
    this.spaces();
    if (this.atEnd()) return { kind: 'all' };
    const node = this.options.precedence === 'and-first' ? this.orAndFirst() : this.andDocs();
    this.spaces();
    if (!this.atEnd()) this.fail('unexpected text in search');
    return node;
  }

  /** docs: AND (explicit or implicit) binds loosest. */
  andDocs(): SearchNode {
    const children = [this.orDocs()];
    for (;;) {
      this.spaces();
      if (this.atEnd() || this.text[this.pos] === ')') break;
      if (this.isWord('AND')) {
        this.pos += 3;
        this.spaces();
      }
      children.push(this.orDocs());
    }
    return children.length === 1 ? children[0]! : { kind: 'and', children };
  }
  orDocs(): SearchNode {
    const children = [this.notSearch(() => this.andDocs())];
    for (;;) {
      const save = this.pos;
      this.spaces();
      if (!this.isWord('OR')) {
        this.pos = save;
        break;
      }
      this.pos += 2;
      this.spaces();
      children.push(this.notSearch(() => this.andDocs()));
    }
    return children.length === 1 ? children[0]! : { kind: 'or', children };
  }

  /** and-first: OR binds loosest. */
  orAndFirst(): SearchNode {
    const children = [this.andAndFirst()];
    for (;;) {
      const save = this.pos;
      this.spaces();
      if (!this.isWord('OR')) {
        this.pos = save;
        break;
      }
      this.pos += 2;
      this.spaces();
      children.push(this.andAndFirst());
    }
    return children.length === 1 ? children[0]! : { kind: 'or', children };
  }
  andAndFirst(): SearchNode {
    const children = [this.notSearch(() => this.orAndFirst())];
    for (;;) {
      const save = this.pos;
      this.spaces();
      if (this.atEnd() || this.text[this.pos] === ')' || this.isWord('OR')) {
        this.pos = save;
        break;
      }
      if (this.isWord('AND')) {
        this.pos += 3;
        this.spaces();
      }
      children.push(this.notSearch(() => this.orAndFirst()));
    }
    return children.length === 1 ? children[0]! : { kind: 'and', children };
  }

  notSearch(group: () => SearchNode): SearchNode {
    if (this.isWord('NOT')) {
      this.pos += 3;
      this.spaces();
      return { kind: 'not', child: this.notSearch(group) };
    }
    if (this.text[this.pos] === '(') {
      this.pos++;
      this.spaces();
      const inner = group();
      this.spaces();
      if (this.text[this.pos] !== ')') this.fail('expected )');
      this.pos++;
      return inner;
    }
    return this.searchTerm();
  }

  searchTerm(): SearchNode {
    const start = this.pos;
    if (this.isWord('AND') || this.isWord('OR')) this.fail('operator without an operand');
    const c = this.text[this.pos];
    if (c === '`') this.fail('macros are outside the subset');
    if (c === '[') this.fail('subsearches are outside the subset');
    let name: string;
    let quotedName = false;
    if (c === '"') {
      name = this.searchQuoted();
      quotedName = true;
    } else {
      name = this.peekWord();
      if (name === '') this.fail('expected a search term');
      if (/[`[\]]/.test(name)) this.fail('macros and subsearches are outside the subset');
      this.pos += name.length;
    }
    const op = /^(!=|<=|>=|=|<|>)/.exec(this.text.slice(this.pos));
    if (op !== null) {
      this.pos += op[0].length;
      const value = this.searchValue();
      if (op[0] === '=' || op[0] === '!=') return { kind: 'field', field: name, op: op[0], value };
      return { kind: 'compare', field: name, op: op[0] as '<', value };
    }
    const save = this.pos;
    this.spaces();
    if (this.isWord('IN')) {
      this.pos += 2;
      this.spaces();
      if (this.text[this.pos] !== '(') this.fail('IN needs a parenthesised list');
      this.pos++;
      const values: string[] = [];
      for (;;) {
        this.spaces();
        values.push(this.searchValue());
        this.spaces();
        if (this.text[this.pos] === ',') {
          this.pos++;
          continue;
        }
        if (this.text[this.pos] === ')') {
          this.pos++;
          break;
        }
        this.fail('expected , or ) in IN list');
      }
      return { kind: 'in', field: name, values };
    }
    this.pos = save;
    if (!quotedName && /[=!<>,']/.test(this.text[this.pos] ?? '')) this.fail('unexpected character', start);
    return { kind: 'term', value: name };
  }

  searchValue(): string {
    if (this.text[this.pos] === '"') return this.searchQuoted();
    const m = /^[^\s()"|,]+/.exec(this.text.slice(this.pos));
    if (m === null) this.fail('expected a value');
    if (/[`[\]]/.test(m![0])) this.fail('macros and subsearches are outside the subset');
    if (m![0].includes('\\')) this.fail('backslashes in unquoted values are outside the subset');
    this.pos += m![0].length;
    return m![0];
  }

  /** `"…"`: `\"` and `\\` are escapes, other sequences are kept; `\*` has no defined meaning (reported). */
  searchQuoted(): string {
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
        if (n === '"' || n === '\\') {
          out += n;
          this.pos += 2;
          continue;
        }
        if (n === '*') this.fail('\\* cannot escape a wildcard in search');
        out += '\\';
        this.pos++;
        continue;
      }
      out += c;
      this.pos++;
    }
  }

  // ---- regex command ----

  regexCommand(): Stage {
    this.spaces();
    const field = /^[A-Za-z0-9_.{}]+/.exec(this.text.slice(this.pos));
    if (field === null) this.fail('regex needs field="…" in the subset');
    this.pos += field![0].length;
    const op = /^!?=/.exec(this.text.slice(this.pos));
    if (op === null) this.fail('expected = or !=');
    this.pos += op![0].length;
    if (this.text[this.pos] !== '"') this.fail('regex needs a quoted pattern');
    const pattern = this.evalString();
    compilePcre(pattern, this.text, this.pos);
    this.spaces();
    if (!this.atEnd()) this.fail('unexpected text after regex');
    return { kind: 'regex', field: field![0], negated: op![0] === '!=', pattern };
  }

  // ---- where / eval ----

  evalOr(): EvalExpr {
    const children = [this.evalAnd()];
    for (;;) {
      this.spaces();
      if (!this.isWord('OR')) break;
      this.pos += 2;
      children.push(this.evalAnd());
    }
    return children.length === 1 ? children[0]! : { kind: 'or', children };
  }
  evalAnd(): EvalExpr {
    const children = [this.evalNot()];
    for (;;) {
      this.spaces();
      if (!this.isWord('AND')) break;
      this.pos += 3;
      children.push(this.evalNot());
    }
    return children.length === 1 ? children[0]! : { kind: 'and', children };
  }
  evalNot(): EvalExpr {
    this.spaces();
    if (this.isWord('NOT')) {
      this.pos += 3;
      return { kind: 'not', child: this.evalNot() };
    }
    return this.evalCompare();
  }
  evalCompare(): EvalExpr {
    const left = this.evalPrimary();
    this.spaces();
    const op = /^(==|!=|<=|>=|=|<|>)/.exec(this.text.slice(this.pos));
    if (op === null) return left;
    this.pos += op[0].length;
    const right = this.evalPrimary();
    return { kind: 'cmp', op: (op[0] === '=' ? '==' : op[0]) as '==', left, right };
  }
  evalPrimary(): EvalExpr {
    this.spaces();
    const c = this.text[this.pos];
    if (c === '(') {
      this.pos++;
      const inner = this.evalOr();
      this.spaces();
      if (this.text[this.pos] !== ')') this.fail('expected )');
      this.pos++;
      return inner;
    }
    if (c === '"') return { kind: 'string', value: this.evalString() };
    if (c === "'") {
      const end = this.text.indexOf("'", this.pos + 1);
      if (end < 0) this.fail('unterminated quoted field name');
      const name = this.text.slice(this.pos + 1, end);
      this.pos = end + 1;
      return { kind: 'field', name };
    }
    const num = /^-?\d+(\.\d+)?(?![\w.])/.exec(this.text.slice(this.pos));
    if (num !== null) {
      this.pos += num[0].length;
      return { kind: 'number', value: Number(num[0]) };
    }
    const id = /^[A-Za-z_][A-Za-z0-9_.{}]*/.exec(this.text.slice(this.pos));
    if (id === null) return this.fail('expected an operand');
    const at = this.pos;
    this.pos += id[0].length;
    if (this.text[this.pos] === '(') {
      const arity = EVAL_FUNCTIONS[id[0]];
      if (arity === undefined) this.fail(`function ${id[0]} is outside the subset`, at);
      this.pos++;
      const args: EvalExpr[] = [];
      this.spaces();
      if (this.text[this.pos] !== ')') {
        args.push(this.evalOr());
        for (;;) {
          this.spaces();
          if (this.text[this.pos] !== ',') break;
          this.pos++;
          args.push(this.evalOr());
        }
      }
      this.spaces();
      if (this.text[this.pos] !== ')') this.fail('expected ) closing the call');
      this.pos++;
      if (args.length < arity![0] || args.length > arity![1]) this.fail(`wrong number of arguments to ${id[0]}`, at);
      if (id[0] === 'match') {
        const re = args[1]!;
        if (re.kind !== 'string') this.fail('match needs a string literal pattern', at);
        compilePcre((re as { value: string }).value, this.text, at);
      }
      return { kind: 'call', fn: id[0], args };
    }
    if (['AND', 'OR', 'NOT'].includes(id[0])) this.fail(`unexpected ${id[0]}`, at);
    return { kind: 'field', name: id[0] };
  }
  /** Eval string: `\"`, `\\`, `\t`, `\n` decoded; other sequences kept. */
  evalString(): string {
    const start = this.pos;
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail('unterminated string', start);
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === '\\') {
        const n = this.text[this.pos + 1];
        const map: Record<string, string> = { '"': '"', '\\': '\\', t: '\t', n: '\n' };
        if (n !== undefined && n in map) {
          out += map[n];
          this.pos += 2;
          continue;
        }
        out += '\\';
        this.pos++;
        continue;
      }
      out += c;
      this.pos++;
    }
  }
}

export function parse(query: string, options: SplParseOptions = {}): SplQuery {
  return new Parser(query, options).query();
}

// ---- regex ----

const RE_CACHE = new Map<string, RegExp>();

/** PCRE → JS RegExp (approximation): a leading `(?ims)` group becomes flags; unanchored search. */
export function compilePcre(source: string, query = source, at = 0): RegExp {
  const cached = RE_CACHE.get(source);
  if (cached) return cached;
  let flags = '';
  let body = source;
  const m = /^\(\?([ims]+)\)/.exec(body);
  if (m !== null) {
    flags = [...new Set(m[1]!)].join('');
    body = body.slice(m[0].length);
  }
  if (/\(\?[a-zA-Z]/.test(body))
    throw new QueryParseError('SPL regex', `inline flags mid-pattern in ${JSON.stringify(source)}`, at, query);
  const re = compileJsRegex(body, flags, 'SPL regex', source, at, query);
  RE_CACHE.set(source, re);
  return re;
}

// ---- evaluation ----

export function evaluate(query: SplQuery, event: Event): boolean {
  return query.stages.every((stage) => {
    switch (stage.kind) {
      case 'search':
        return searchEval(stage.expr, event);
      case 'where':
        return evalValue(stage.expr, event) === true;
      case 'regex': {
        const re = compilePcre(stage.pattern);
        const hit = scalars(lookup(event, stage.field)).some((v) => re.test(scalarText(v)));
        return stage.negated ? !hit : hit;
      }
    }
  });
}

function starGlob(value: string): GlobPart[] {
  return value
    .split(/(\*)/)
    .filter((p) => p !== '')
    .map((p) => (p === '*' ? { any: true as const } : { lit: p }));
}

function valueMatches(pattern: string, value: string | number | boolean): boolean {
  const text = scalarText(value);
  if (!pattern.includes('*') && /\/\d{1,3}$/.test(pattern)) {
    const range = parseCidr(pattern);
    if (range !== undefined) {
      const address = parseIp(text);
      return address !== undefined && inRange(address, range);
    }
  }
  if (!pattern.includes('*')) return text.toLowerCase() === pattern.toLowerCase();
  return globRegex(starGlob(pattern), true).test(text);
}

function searchEval(node: SearchNode, event: Event): boolean {
  switch (node.kind) {
    case 'all':
      return true;
    case 'and':
      return node.children.every((c) => searchEval(c, event));
    case 'or':
      return node.children.some((c) => searchEval(c, event));
    case 'not':
      return !searchEval(node.child, event);
    case 'field': {
      const values = scalars(lookup(event, node.field));
      if (node.op === '=') return values.some((v) => valueMatches(node.value, v));
      return values.length > 0 && !values.some((v) => valueMatches(node.value, v));
    }
    case 'in':
      return scalars(lookup(event, node.field)).some((v) => node.values.some((p) => valueMatches(p, v)));
    case 'compare':
      // Numeric when both sides are numbers; a non-numeric value never satisfies a numeric bound (docs/reference/targets/splunk.md does
      // not document the mixed case: assumption, unverified against a live Splunk).
      return scalars(lookup(event, node.field)).some((v) => {
        const a = strictNumber(v);
        const b = strictNumber(node.value);
        let c: number;
        if (a !== undefined && b !== undefined) c = Math.sign(a - b);
        else if (b !== undefined) return false;
        else {
          const text = scalarText(v);
          c = text < node.value ? -1 : text > node.value ? 1 : 0;
        }
        return node.op === '<' ? c < 0 : node.op === '<=' ? c <= 0 : node.op === '>' ? c > 0 : c >= 0;
      });
    case 'term': {
      // `*` alone selects every event (the usual base search before a pipe).
      if (/^\*+$/.test(node.value)) return true;
      const re = globRegex(starGlob(node.value), true, false);
      const raw = event['_raw'];
      if (typeof raw === 'string') return re.test(raw);
      return allScalars(event).some((v) => re.test(scalarText(v)));
    }
  }
}

/** Eval values: null, a string, a number, a boolean, or a multivalue list. */
type EvalValue = string | number | boolean | null | readonly (string | number | boolean)[];

function fieldValue(name: string, event: Event): EvalValue {
  const values = scalars(lookup(event, name));
  if (values.length === 0) return null;
  return values.length === 1 ? values[0]! : values;
}

function each(v: EvalValue): (string | number | boolean)[] {
  if (v === null) return [];
  return Array.isArray(v) ? [...(v as (string | number | boolean)[])] : [v as string | number | boolean];
}

function truthOf(v: EvalValue): boolean | null {
  if (v === null) return null;
  if (typeof v === 'boolean') return v;
  throw new Error(`SPL evaluator: not a boolean: ${JSON.stringify(v)}`);
}

function likeRegex(pattern: string): RegExp {
  let body = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) body += escapeForRegex(pattern[++i]!);
    else if (c === '%') body += '[\\s\\S]*';
    else if (c === '_') body += '[\\s\\S]';
    else body += escapeForRegex(c);
  }
  return new RegExp(`^(?:${body})$`, 'su');
}

function compareScalars(op: string, a: string | number | boolean, b: string | number | boolean): boolean {
  const x = strictNumber(a);
  const y = strictNumber(b);
  let c: number;
  if (x !== undefined && y !== undefined) c = Math.sign(x - y);
  // A number against non-numeric text: unequal, and never ordered (same assumption as in search).
  else if (typeof a === 'number' || typeof b === 'number') return op === '!=';
  else {
    const s = scalarText(a);
    const t = scalarText(b);
    c = s < t ? -1 : s > t ? 1 : 0;
  }
  return op === '=='
    ? c === 0
    : op === '!='
      ? c !== 0
      : op === '<'
        ? c < 0
        : op === '<='
          ? c <= 0
          : op === '>'
            ? c > 0
            : c >= 0;
}

function evalValue(e: EvalExpr, event: Event): EvalValue {
  switch (e.kind) {
    case 'string':
    case 'number':
      return e.value;
    case 'field':
      return fieldValue(e.name, event);
    case 'and': {
      let sawNull = false;
      for (const c of e.children) {
        const t = truthOf(evalValue(c, event));
        if (t === false) return false;
        if (t === null) sawNull = true;
      }
      return sawNull ? null : true;
    }
    case 'or': {
      let sawNull = false;
      for (const c of e.children) {
        const t = truthOf(evalValue(c, event));
        if (t === true) return true;
        if (t === null) sawNull = true;
      }
      return sawNull ? null : false;
    }
    case 'not': {
      const t = truthOf(evalValue(e.child, event));
      return t === null ? null : !t;
    }
    case 'cmp': {
      const left = evalValue(e.left, event);
      const right = evalValue(e.right, event);
      if (left === null || right === null) return null;
      return each(left).some((a) => each(right).some((b) => compareScalars(e.op, a, b)));
    }
    case 'call':
      return callEval(e.fn, e.args, event);
  }
}

function callEval(fn: string, args: readonly EvalExpr[], event: Event): EvalValue {
  const values = args.map((a) => evalValue(a, event));
  const [a, b] = values;
  switch (fn) {
    case 'isnull':
      return a === null;
    case 'isnotnull':
      return a !== null;
    case 'lower':
    case 'upper': {
      if (a === null || a === undefined) return null;
      const mapped = each(a).map((v) => (fn === 'lower' ? scalarText(v).toLowerCase() : scalarText(v).toUpperCase()));
      return mapped.length === 1 ? mapped[0]! : mapped;
    }
    case 'match': {
      if (a === null || a === undefined) return null;
      const re = compilePcre(scalarText(b as string));
      return each(a).some((v) => re.test(scalarText(v)));
    }
    case 'like': {
      if (a === null || a === undefined) return null;
      const re = likeRegex(scalarText(b as string));
      return each(a).some((v) => re.test(scalarText(v)));
    }
    case 'cidrmatch': {
      if (b === null || b === undefined) return null;
      const range = parseCidr(scalarText(a as string));
      if (range === undefined) return false;
      return each(b).some((v) => {
        const address = parseIp(scalarText(v));
        return address !== undefined && inRange(address, range);
      });
    }
    case 'in': {
      if (a === null || a === undefined) return null;
      const list = values.slice(1).flatMap((v) => each(v ?? null));
      return each(a).some((v) => list.some((item) => scalarText(item) === scalarText(v)));
    }
  }
  throw new Error(`SPL evaluator: unknown function ${fn}`);
}

/**
 * Test-only reader and evaluator for the ES|QL subset rulec emits for correlation rules, written from the ES|QL
 * reference (commands FROM/WHERE/EVAL/STATS … BY, operators, LIKE/RLIKE, functions), not from rulec's code:
 *
 *   FROM <patterns> | WHERE <expr> | EVAL <col> = <expr>, … | STATS <col> = <agg>, … BY [<col> =] <expr>, … | WHERE …
 *
 * Strings `"…"` with escapes `\t \n \r \" \\` only (anything else is an error) or `"""…"""` raw; raw newlines are
 * not allowed in `"…"`. Identifiers: dotted plain names or one backtick-quoted name (backtick doubled inside).
 * Semantics: SQL three-valued logic (a missing field is null; comparisons with null are null; `NOT null` is null;
 * `WHERE` keeps only true rows); a field holding several values reads as null in comparisons (ES|QL's single-value
 * functions); `==`/`LIKE` are case-sensitive; LIKE wildcards `*`/`?` with `\` escapes; RLIKE is a whole-value
 * Lucene regex; BUCKET(@timestamp, <n> <unit>) floors the event time to the span from the epoch.
 */
import {
  type Event,
  QueryParseError,
  lookup,
  parseCidr,
  parseIp,
  inRange,
  escapeForRegex,
  fixedWindow,
} from './common.js';
import { luceneToRegExp } from './eql.js';

export type EsqlValue = string | number | boolean | null;

export type EsqlExpr =
  | { readonly kind: 'literal'; readonly value: EsqlValue }
  | { readonly kind: 'duration'; readonly ms: number }
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'star' }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly EsqlExpr[] }
  | { readonly kind: 'binary'; readonly op: string; readonly left: EsqlExpr; readonly right: EsqlExpr }
  | { readonly kind: 'not'; readonly child: EsqlExpr }
  | { readonly kind: 'isNull'; readonly negated: boolean; readonly child: EsqlExpr }
  | {
      readonly kind: 'like';
      readonly regex: boolean;
      readonly negated: boolean;
      readonly child: EsqlExpr;
      readonly pattern: string;
    };

export interface Assignment {
  readonly name: string;
  readonly expr: EsqlExpr;
}

export type EsqlStage =
  | { readonly kind: 'where'; readonly expr: EsqlExpr }
  | { readonly kind: 'eval'; readonly assignments: readonly Assignment[] }
  | { readonly kind: 'stats'; readonly aggregates: readonly Assignment[]; readonly by: readonly Assignment[] };

export interface EsqlQuery {
  readonly from: readonly string[];
  readonly stages: readonly EsqlStage[];
}

type Token =
  | { readonly t: 'ident' | 'field'; readonly v: string; readonly at: number }
  | { readonly t: 'string'; readonly v: string; readonly at: number }
  | { readonly t: 'number'; readonly v: number; readonly at: number }
  | { readonly t: 'op'; readonly v: string; readonly at: number };

const UNITS: Readonly<Record<string, number>> = {
  second: 1000,
  seconds: 1000,
  minute: 60_000,
  minutes: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
  day: 86_400_000,
  days: 86_400_000,
};

function tokenize(query: string, start: number): Token[] {
  const fail = (m: string, at: number): never => {
    throw new QueryParseError('ES|QL', m, at, query);
  };
  const out: Token[] = [];
  let i = start;
  while (i < query.length) {
    const c = query[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (query.startsWith('"""', i)) {
      const end = query.indexOf('"""', i + 3);
      if (end < 0) fail('unterminated raw string', i);
      out.push({ t: 'string', v: query.slice(i + 3, end), at: i });
      i = end + 3;
    } else if (c === '"') {
      let v = '';
      let j = i + 1;
      for (;;) {
        const ch = query[j];
        if (ch === undefined || ch === '\n' || ch === '\r') fail('unterminated string', i);
        if (ch === '"') break;
        if (ch === '\\') {
          const esc = { t: '\t', n: '\n', r: '\r', '"': '"', '\\': '\\' }[query[j + 1] ?? ''];
          if (esc === undefined) fail(`unknown escape \\${query[j + 1]}`, j);
          v += esc;
          j += 2;
        } else {
          v += ch;
          j++;
        }
      }
      out.push({ t: 'string', v, at: i });
      i = j + 1;
    } else if (c === '`') {
      let v = '';
      let j = i + 1;
      for (;;) {
        const ch = query[j];
        if (ch === undefined) fail('unterminated quoted identifier', i);
        if (ch === '`') {
          if (query[j + 1] === '`') {
            v += '`';
            j += 2;
            continue;
          }
          break;
        }
        v += ch;
        j++;
      }
      out.push({ t: 'field', v, at: i });
      i = j + 1;
    } else if (/[0-9]/.test(c)) {
      const m = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(query.slice(i))!;
      out.push({ t: 'number', v: Number(m[0]), at: i });
      i += m[0].length;
    } else if (/[A-Za-z_@]/.test(c)) {
      const m = /^[A-Za-z_@][A-Za-z0-9_]*(\.[A-Za-z_@][A-Za-z0-9_]*)*/.exec(query.slice(i))!;
      out.push({ t: 'ident', v: m[0], at: i });
      i += m[0].length;
    } else {
      const op = ['==', '!=', '<=', '>='].find((o) => query.startsWith(o, i)) ?? c;
      if (!'==!=<=>=<>(),|+-*'.includes(op)) fail(`unexpected ${JSON.stringify(c)}`, i);
      out.push({ t: 'op', v: op, at: i });
      i += op.length;
    }
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: readonly Token[],
    private readonly query: string,
  ) {}

  private fail(m: string): never {
    throw new QueryParseError('ES|QL', m, this.tokens[this.i]?.at ?? this.query.length, this.query);
  }
  private peek(): Token | undefined {
    return this.tokens[this.i];
  }
  private isWord(word: string, ahead = 0): boolean {
    const t = this.tokens[this.i + ahead];
    return t?.t === 'ident' && t.v.toUpperCase() === word;
  }
  private isOp(op: string): boolean {
    const t = this.peek();
    return t?.t === 'op' && t.v === op;
  }
  private word(word: string): void {
    if (!this.isWord(word)) this.fail(`expected ${word}`);
    this.i++;
  }
  private op(op: string): void {
    if (!this.isOp(op)) this.fail(`expected ${op}`);
    this.i++;
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }

  stages(): EsqlStage[] {
    const out: EsqlStage[] = [];
    while (!this.done()) {
      this.op('|');
      if (this.isWord('WHERE')) {
        this.i++;
        out.push({ kind: 'where', expr: this.expr() });
      } else if (this.isWord('EVAL')) {
        this.i++;
        out.push({ kind: 'eval', assignments: this.list(() => this.assignment(true)) });
      } else if (this.isWord('STATS')) {
        this.i++;
        const aggregates = this.list(() => this.assignment(true));
        this.word('BY');
        out.push({ kind: 'stats', aggregates, by: this.list(() => this.assignment(false)) });
      } else this.fail('expected WHERE, EVAL or STATS');
    }
    return out;
  }

  private list<T>(item: () => T): T[] {
    const out = [item()];
    while (this.isOp(',')) {
      this.i++;
      out.push(item());
    }
    return out;
  }

  private assignment(named: boolean): Assignment {
    const t = this.peek();
    const next = this.tokens[this.i + 1];
    if ((t?.t === 'ident' || t?.t === 'field') && next?.t === 'op' && next.v === '=') {
      this.i += 2;
      return { name: t.v, expr: this.expr() };
    }
    if (named) this.fail('expected <column> =');
    const expr = this.expr();
    if (expr.kind !== 'field') this.fail('a BY expression needs a name');
    return { name: expr.name, expr };
  }

  expr(): EsqlExpr {
    let left = this.and();
    while (this.isWord('OR')) {
      this.i++;
      left = { kind: 'binary', op: 'OR', left, right: this.and() };
    }
    return left;
  }
  private and(): EsqlExpr {
    let left = this.not();
    while (this.isWord('AND')) {
      this.i++;
      left = { kind: 'binary', op: 'AND', left, right: this.not() };
    }
    return left;
  }
  private not(): EsqlExpr {
    if (this.isWord('NOT')) {
      this.i++;
      return { kind: 'not', child: this.not() };
    }
    return this.predicate();
  }
  private predicate(): EsqlExpr {
    const left = this.additive();
    if (this.isWord('IS')) {
      this.i++;
      const negated = this.isWord('NOT');
      if (negated) this.i++;
      this.word('NULL');
      return { kind: 'isNull', negated, child: left };
    }
    const negated = this.isWord('NOT') && (this.isWord('LIKE', 1) || this.isWord('RLIKE', 1));
    if (negated) this.i++;
    if (this.isWord('LIKE') || this.isWord('RLIKE')) {
      const regex = this.isWord('RLIKE');
      this.i++;
      const t = this.peek();
      if (t?.t !== 'string') this.fail('expected a pattern string');
      this.i++;
      return { kind: 'like', regex, negated, child: left, pattern: t.v as string };
    }
    const t = this.peek();
    if (t?.t === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v)) {
      this.i++;
      return { kind: 'binary', op: t.v, left, right: this.additive() };
    }
    return left;
  }
  private additive(): EsqlExpr {
    let left = this.primary();
    while (this.isOp('+') || this.isOp('-')) {
      const op = (this.peek() as { v: string }).v;
      this.i++;
      left = { kind: 'binary', op, left, right: this.primary() };
    }
    return left;
  }
  private primary(): EsqlExpr {
    const t = this.peek();
    if (t === undefined) return this.fail('unexpected end');
    this.i++;
    if (t.t === 'string') return { kind: 'literal', value: t.v };
    if (t.t === 'number') {
      const unit = this.peek();
      if (unit?.t === 'ident' && UNITS[unit.v.toLowerCase()] !== undefined) {
        this.i++;
        return { kind: 'duration', ms: t.v * UNITS[unit.v.toLowerCase()]! };
      }
      return { kind: 'literal', value: t.v };
    }
    if (t.t === 'field') return { kind: 'field', name: t.v };
    if (t.t === 'op' && t.v === '(') {
      const inner = this.expr();
      this.op(')');
      return inner;
    }
    if (t.t === 'op' && t.v === '-') {
      const inner = this.primary();
      if (inner.kind !== 'literal' || typeof inner.value !== 'number') this.fail('unary minus on a non-number');
      return { kind: 'literal', value: -(inner as { value: number }).value };
    }
    if (t.t === 'op' && t.v === '*') return { kind: 'star' };
    if (t.t === 'ident') {
      const upper = t.v.toUpperCase();
      if (upper === 'TRUE' || upper === 'FALSE') return { kind: 'literal', value: upper === 'TRUE' };
      if (upper === 'NULL') return { kind: 'literal', value: null };
      if (this.isOp('(')) {
        this.i++;
        const args = this.isOp(')') ? [] : this.list(() => this.expr());
        this.op(')');
        return { kind: 'call', fn: upper, args };
      }
      if (['AND', 'OR', 'NOT', 'IS', 'LIKE', 'RLIKE', 'BY', 'WHERE'].includes(upper)) this.fail(`unexpected ${t.v}`);
      return { kind: 'field', name: t.v };
    }
    return this.fail(`unexpected ${JSON.stringify((t as { v: unknown }).v)}`);
  }
}

/** Splits off `FROM <patterns>` (bare patterns or quoted strings) and parses the rest. */
export function parseEsql(query: string): EsqlQuery {
  const head = /^FROM\s+/.exec(query);
  if (!head) throw new QueryParseError('ES|QL', 'expected FROM', 0, query);
  const from: string[] = [];
  let i = head[0].length;
  for (;;) {
    const quoted = /^"(?:[^"\\\n\r]|\\.)*"/.exec(query.slice(i));
    if (quoted) {
      from.push((tokenize(quoted[0], 0)[0] as { v: string }).v);
      i += quoted[0].length;
    } else {
      const m = /^[A-Za-z0-9_.*\-:]+/.exec(query.slice(i));
      if (!m) throw new QueryParseError('ES|QL', 'expected an index pattern', i, query);
      from.push(m[0]);
      i += m[0].length;
    }
    const sep = /^\s*,\s*/.exec(query.slice(i));
    if (!sep) break;
    i += sep[0].length;
  }
  const parser = new Parser(tokenize(query, i), query);
  return { from, stages: parser.stages() };
}

// ---- evaluation ---------------------------------------------------------------------------------------------

/** A row: the event's fields, and the columns EVAL/STATS made (which hide the event's fields of the same name). */
export interface Row {
  readonly event: Event;
  readonly columns: Readonly<Record<string, EsqlValue>>;
}

function fieldValue(row: Row, name: string): EsqlValue {
  if (Object.prototype.hasOwnProperty.call(row.columns, name)) return row.columns[name]!;
  let v = lookup(row.event, name);
  if (Array.isArray(v)) v = v.length === 1 ? v[0] : null; // multi-valued → null in single-value comparisons
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return null;
}

/** Epoch milliseconds of an event's @timestamp (ISO text or epoch milliseconds). */
function time(v: EsqlValue): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

function compare(op: string, a: EsqlValue, b: EsqlValue): boolean | null {
  if (a === null || b === null) return null;
  // A keyword column compared with a number reads the number as its text (and the other way round).
  if (typeof a !== typeof b) {
    if (typeof a === 'number' && typeof b === 'string') a = String(a);
    else if (typeof a === 'string' && typeof b === 'number') b = String(b);
    else return null;
  }
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

function likeRegex(pattern: string): RegExp {
  let body = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) body += escapeForRegex(pattern[++i]!);
    else body += c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : escapeForRegex(c);
  }
  return new RegExp(`^(?:${body})$`, 'u');
}

export function evalExpr(e: EsqlExpr, row: Row): EsqlValue {
  switch (e.kind) {
    case 'literal':
      return e.value;
    case 'duration':
      return e.ms;
    case 'star':
      return null;
    case 'field':
      return fieldValue(row, e.name);
    case 'not': {
      const v = evalExpr(e.child, row);
      return v === null ? null : !v;
    }
    case 'isNull': {
      const isNull = evalExpr(e.child, row) === null;
      return e.negated ? !isNull : isNull;
    }
    case 'like': {
      const v = evalExpr(e.child, row);
      if (typeof v !== 'string') return null;
      const ok = e.regex ? luceneToRegExp(e.pattern, false).test(v) : likeRegex(e.pattern).test(v);
      return e.negated ? !ok : ok;
    }
    case 'binary': {
      if (e.op === 'AND' || e.op === 'OR') {
        const a = evalExpr(e.left, row);
        const b = evalExpr(e.right, row);
        if (e.op === 'AND') return a === false || b === false ? false : a === null || b === null ? null : true;
        return a === true || b === true ? true : a === null || b === null ? null : false;
      }
      const a = evalExpr(e.left, row);
      const b = evalExpr(e.right, row);
      if (e.op === '+' || e.op === '-') {
        if (typeof a !== 'number' || typeof b !== 'number') return null;
        return e.op === '+' ? a + b : a - b;
      }
      return compare(e.op, a, b);
    }
    case 'call':
      return call(e.fn, e.args, row);
  }
}

function call(fn: string, args: readonly EsqlExpr[], row: Row): EsqlValue {
  const v = (i: number): EsqlValue => evalExpr(args[i]!, row);
  switch (fn) {
    case 'TO_LOWER': {
      const s = v(0);
      return typeof s === 'string' ? s.toLowerCase() : null;
    }
    case 'TO_STRING': {
      const x = v(0);
      return x === null ? null : String(x);
    }
    case 'TO_DOUBLE': {
      const x = v(0);
      if (typeof x === 'number') return x;
      return typeof x === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(x) ? Number(x) : null;
    }
    case 'TO_IP': {
      const s = v(0);
      return typeof s === 'string' && parseIp(s) ? s : null;
    }
    case 'COALESCE':
      for (let i = 0; i < args.length; i++) {
        const x = v(i);
        if (x !== null) return x;
      }
      return null;
    case 'CASE': {
      for (let i = 0; i + 1 < args.length; i += 2) if (v(i) === true) return v(i + 1);
      return args.length % 2 === 1 ? v(args.length - 1) : null;
    }
    case 'CIDR_MATCH': {
      const ip = v(0);
      const address = typeof ip === 'string' ? parseIp(ip) : undefined;
      if (!address) return null;
      return args.slice(1).some((a) => {
        const range = parseCidr(String(evalExpr(a, row)));
        return range !== undefined && inRange(address, range);
      });
    }
    case 'BUCKET': {
      const t = time(v(0));
      const span = v(1);
      if (t === null || typeof span !== 'number') return null;
      return fixedWindow(t, span);
    }
    default:
      throw new Error(`ES|QL evaluator: function ${fn} is outside the subset`);
  }
}

function aggregate(e: EsqlExpr, rows: readonly Row[]): EsqlValue {
  if (e.kind !== 'call') throw new Error('ES|QL evaluator: STATS needs an aggregate function');
  const values = (): EsqlValue[] => rows.map((r) => evalExpr(e.args[0]!, r)).filter((x) => x !== null);
  const numbers = (): number[] => values().filter((x): x is number => typeof x === 'number');
  switch (e.fn) {
    case 'COUNT':
      return e.args[0]!.kind === 'star' ? rows.length : values().length;
    case 'COUNT_DISTINCT':
      return new Set(values().map((x) => JSON.stringify(x))).size;
    case 'SUM':
      return numbers().length === 0 ? null : numbers().reduce((a, b) => a + b, 0);
    case 'AVG':
      return numbers().length === 0 ? null : numbers().reduce((a, b) => a + b, 0) / numbers().length;
    case 'MAX':
      return numbers().length === 0 ? null : Math.max(...numbers());
    case 'MIN':
      return numbers().length === 0 ? null : Math.min(...numbers());
    default:
      throw new Error(`ES|QL evaluator: aggregate ${e.fn} is outside the subset`);
  }
}

/** Runs the query's stages over `events` (every event is taken to be in the FROM indices). */
export function runEsql(query: EsqlQuery, events: readonly Event[]): Row[] {
  let rows: Row[] = events.map((event) => ({ event, columns: {} }));
  for (const stage of query.stages) {
    if (stage.kind === 'where') rows = rows.filter((r) => evalExpr(stage.expr, r) === true);
    else if (stage.kind === 'eval')
      rows = rows.map((r) => {
        const columns = { ...r.columns };
        for (const a of stage.assignments) columns[a.name] = evalExpr(a.expr, { event: r.event, columns });
        return { event: r.event, columns };
      });
    else {
      const groups = new Map<string, { keys: EsqlValue[]; rows: Row[] }>();
      for (const r of rows) {
        const keys = stage.by.map((b) => evalExpr(b.expr, r));
        const key = JSON.stringify(keys);
        const g = groups.get(key) ?? { keys, rows: [] };
        g.rows.push(r);
        groups.set(key, g);
      }
      rows = [...groups.values()].map((g) => {
        const columns: Record<string, EsqlValue> = {};
        for (const a of stage.aggregates) columns[a.name] = aggregate(a.expr, g.rows);
        stage.by.forEach((b, i) => (columns[b.name] = g.keys[i]!));
        return { event: {}, columns };
      });
    }
  }
  return rows;
}

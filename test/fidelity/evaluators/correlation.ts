/**
 * Test-only runner of the correlation queries rulec emits for Splunk and Sentinel (backends/<target>/correlation.ts),
 * over a list of events: the base search/filter is read by spl.ts / kusto.ts, the stages after it here. Only the
 * operators those renderers emit are read; anything else is a parse error, so a new stage must be added here first.
 *
 * Stages, as documented by Splunk's Search Reference and Microsoft's Kusto reference:
 * - SPL: `eval a=expr, …`, `bin _time span=<n><s|m|h|d>` (epoch-aligned), `stats`/`eventstats <agg> as <name> … by
 *   <fields>` (a row missing a by-field is dropped by `stats` and left alone by `eventstats`), `where expr`; eval
 *   functions `if`, `null`, `isnotnull`, `searchmatch` (its string read as a search by spl.ts); aggregates `count`,
 *   `dc`, `sum`, `avg`, `min`, `max` (null and non-numbers ignored; no value → no field), `eval(expr)` arguments;
 *   `case(cond, value, …)` (null when no condition holds), single-quoted field names.
 * - Kusto: `union (q), (q)` of `<Table> | where …` branches with `| extend rulec_rule = <n>`, `summarize <name> =
 *   <agg>, … by bin(TimeGenerated, <span>), <cols>`, `extend (a, b) = array_sort_asc(x, y)`, `extend name = expr`,
 *   `mv-expand A = x, B = y to typeof(long)` (arrays zipped), `where expr`; aggregates `count`, `count_distinct`,
 *   `sum`, `avg`, `make_list`; functions `todouble`, `tostring` (null → ""), `strcat_array`; `matches regex`. `make_list` keeps input order
 *   (Kusto does not promise one, which is why the emitted query sorts with array_sort_asc).
 *
 * Times: `_time` is epoch seconds (SPL), `TimeGenerated` epoch milliseconds (a number stands for the datetime).
 */
import type { Event } from './common.js';
import { fixedWindow, lookup } from './common.js';
import * as kusto from './kusto.js';
import * as spl from './spl.js';

export type Row = Record<string, unknown>;

// ---- expressions shared by SPL eval and Kusto extend/where ----------------------------------------------------

type Expr =
  | { readonly k: 'num'; readonly v: number }
  | { readonly k: 'str'; readonly v: string }
  | { readonly k: 'id'; readonly name: string }
  | { readonly k: 'call'; readonly fn: string; readonly args: readonly Expr[] }
  | { readonly k: 'bin'; readonly op: string; readonly l: Expr; readonly r: Expr };

type Tok = { t: 'num'; v: number } | { t: 'str'; v: string } | { t: 'id'; v: string } | { t: 'op'; v: string };

const SPAN_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"') {
      let v = '';
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\') j++;
        v += text[j];
      }
      if (j >= text.length) throw new Error(`unterminated string in ${text}`);
      out.push({ t: 'str', v });
      i = j + 1;
      continue;
    }
    if (c === "'") {
      // SPL eval: a single-quoted field name.
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated field name in ${text}`);
      out.push({ t: 'id', v: text.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const num = /^(\d+(?:\.\d+)?)([smhd](?![A-Za-z0-9_]))?/.exec(text.slice(i));
    if (num) {
      out.push({ t: 'num', v: Number(num[1]) * (num[2] ? SPAN_MS[num[2]]! : 1) });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_.-]*/.exec(text.slice(i));
    if (id) {
      out.push({ t: 'id', v: id[0] });
      i += id[0].length;
      continue;
    }
    const op = /^(==|!=|<=|>=|[=<>+\-*/(),])/.exec(text.slice(i));
    if (!op) throw new Error(`unexpected ${JSON.stringify(c)} in ${text}`);
    out.push({ t: 'op', v: op[0] });
    i += op[0].length;
  }
  return out;
}

class ExprParser {
  pos = 0;
  constructor(readonly toks: Tok[]) {}
  peek(): Tok | undefined {
    return this.toks[this.pos];
  }
  isOp(v: string): boolean {
    const t = this.peek();
    return t?.t === 'op' && t.v === v;
  }
  isWord(v: string): boolean {
    const t = this.peek();
    return t?.t === 'id' && t.v.toLowerCase() === v;
  }
  expect(v: string): void {
    if (!this.isOp(v)) throw new Error(`expected ${v} at token ${this.pos}: ${JSON.stringify(this.peek())}`);
    this.pos++;
  }
  expr(): Expr {
    let l = this.and();
    while (this.isWord('or')) {
      this.pos++;
      l = { k: 'bin', op: 'or', l, r: this.and() };
    }
    return l;
  }
  and(): Expr {
    let l = this.cmp();
    while (this.isWord('and')) {
      this.pos++;
      l = { k: 'bin', op: 'and', l, r: this.cmp() };
    }
    return l;
  }
  cmp(): Expr {
    const l = this.add();
    const t = this.peek();
    if (t?.t === 'op' && ['=', '==', '!=', '<', '<=', '>', '>='].includes(t.v)) {
      this.pos++;
      return { k: 'bin', op: t.v === '==' ? '=' : t.v, l, r: this.add() };
    }
    if (this.isWord('matches')) {
      this.pos++;
      if (!this.isWord('regex')) throw new Error('expected regex after matches');
      this.pos++;
      return { k: 'bin', op: 'matches', l, r: this.add() };
    }
    return l;
  }
  add(): Expr {
    let l = this.mul();
    while (this.isOp('+') || this.isOp('-')) {
      const op = (this.toks[this.pos++] as { v: string }).v;
      l = { k: 'bin', op, l, r: this.mul() };
    }
    return l;
  }
  mul(): Expr {
    let l = this.primary();
    while (this.isOp('*') || this.isOp('/')) {
      const op = (this.toks[this.pos++] as { v: string }).v;
      l = { k: 'bin', op, l, r: this.primary() };
    }
    return l;
  }
  primary(): Expr {
    const t = this.toks[this.pos++];
    if (!t) throw new Error('unexpected end of expression');
    if (t.t === 'num') return { k: 'num', v: t.v };
    if (t.t === 'str') return { k: 'str', v: t.v };
    if (t.t === 'op' && t.v === '(') {
      const e = this.expr();
      this.expect(')');
      return e;
    }
    if (t.t !== 'id') throw new Error(`unexpected ${t.v}`);
    if (!this.isOp('(')) return { k: 'id', name: t.v };
    this.pos++;
    const args: Expr[] = [];
    while (!this.isOp(')')) {
      args.push(this.expr());
      if (!this.isOp(')')) this.expect(',');
    }
    this.pos++;
    return { k: 'call', fn: t.v, args };
  }
}

function parseExpr(text: string): Expr {
  const p = new ExprParser(tokenize(text));
  const e = p.expr();
  if (p.pos !== p.toks.length) throw new Error(`trailing tokens in ${text}`);
  return e;
}

const num = (v: unknown): number | undefined => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
};

function evalExpr(e: Expr, row: Row): unknown {
  switch (e.k) {
    case 'num':
    case 'str':
      return e.v;
    case 'id':
      if (e.name === 'true') return true;
      return lookup(row, e.name) ?? null;
    case 'bin': {
      if (e.op === 'and' || e.op === 'or') {
        const l = evalExpr(e.l, row) === true;
        const r = evalExpr(e.r, row) === true;
        return e.op === 'and' ? l && r : l || r;
      }
      const l = evalExpr(e.l, row);
      const r = evalExpr(e.r, row);
      if (l === null || r === null || l === undefined || r === undefined) return null;
      if (e.op === 'matches') return new RegExp(String(r)).test(String(l));
      if (e.op === '=' || e.op === '!=') {
        const eq = num(l) !== undefined && num(r) !== undefined ? num(l) === num(r) : String(l) === String(r);
        return e.op === '=' ? eq : !eq;
      }
      const a = num(l);
      const b = num(r);
      if (a === undefined || b === undefined) return null;
      switch (e.op) {
        case '<':
          return a < b;
        case '<=':
          return a <= b;
        case '>':
          return a > b;
        case '>=':
          return a >= b;
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          return b === 0 ? null : a / b;
      }
      throw new Error(`operator ${e.op}`);
    }
    case 'call': {
      const args = (i: number) => evalExpr(e.args[i]!, row);
      switch (e.fn) {
        case 'if':
          return args(0) === true ? args(1) : args(2);
        case 'null':
          return null;
        case 'isnotnull':
          return args(0) !== null && args(0) !== undefined;
        case 'searchmatch':
          return spl.evaluate(spl.parse(String(args(0))), row);
        case 'case': {
          for (let k = 0; k + 1 < e.args.length; k += 2) if (args(k) === true) return args(k + 1);
          return null;
        }
        case 'tostring': {
          const v = args(0);
          return v === null || v === undefined ? '' : String(v);
        }
        case 'todouble':
          return num(args(0)) ?? null;
        case 'strcat_array':
          return (args(0) as unknown[]).map(String).join(String(args(1)));
        case 'eval':
          return args(0);
        case 'rulec_bin': {
          // Kusto's bin(TimeGenerated, span): floor to the span, epoch-aligned.
          const t = num(args(0));
          const span = num(args(1))!;
          return t === undefined ? null : fixedWindow(t, span);
        }
      }
      throw new Error(`function ${e.fn} is outside the subset`);
    }
  }
}

// ---- aggregation -------------------------------------------------------------------------------------------

interface Aggregate {
  readonly name: string;
  readonly fn: string;
  readonly arg?: Expr;
}

function aggregate(a: Aggregate, rows: readonly Row[]): unknown {
  if (a.fn === 'count' && a.arg === undefined) return rows.length;
  const values = rows.map((r) => evalExpr(a.arg!, r)).filter((v) => v !== null && v !== undefined);
  const numbers = values.map(num).filter((v): v is number => v !== undefined);
  switch (a.fn) {
    case 'dc':
    case 'count_distinct':
      return new Set(values.map(String)).size;
    case 'make_list':
      return values;
    case 'sum':
      return numbers.length === 0 ? undefined : numbers.reduce((x, y) => x + y, 0);
    case 'avg':
      return numbers.length === 0 ? undefined : numbers.reduce((x, y) => x + y, 0) / numbers.length;
    case 'min':
      return numbers.length === 0 ? undefined : Math.min(...numbers);
    case 'max':
      return numbers.length === 0 ? undefined : Math.max(...numbers);
  }
  throw new Error(`aggregate ${a.fn} is outside the subset`);
}

/** Rows grouped by the values of `by` (each an expression and the column it lands in); rows missing one dropped. */
function groups(rows: readonly Row[], by: readonly { col: string; expr: Expr }[]): Map<string, [Row, Row[]]> {
  const out = new Map<string, [Row, Row[]]>();
  for (const row of rows) {
    const keys: Row = {};
    let complete = true;
    for (const b of by) {
      const v = evalExpr(b.expr, row);
      if (v === null || v === undefined || v === '') complete = false;
      keys[b.col] = v;
    }
    if (!complete) continue;
    const key = JSON.stringify(by.map((b) => keys[b.col]));
    const entry = out.get(key);
    if (entry) entry[1].push(row);
    else out.set(key, [keys, [row]]);
  }
  return out;
}

function summarize(rows: readonly Row[], aggs: readonly Aggregate[], by: { col: string; expr: Expr }[]): Row[] {
  return [...groups(rows, by).values()].map(([keys, members]) => {
    const row: Row = { ...keys };
    for (const a of aggs) {
      const v = aggregate(a, members);
      if (v !== undefined) row[a.name] = v;
    }
    return row;
  });
}

function eventstats(rows: readonly Row[], aggs: readonly Aggregate[], by: { col: string; expr: Expr }[]): Row[] {
  const values = new Map<Row, Row>();
  for (const [, members] of groups(rows, by).values()) {
    const computed: Row = {};
    for (const a of aggs) {
      const v = aggregate(a, members);
      if (v !== undefined) computed[a.name] = v;
    }
    for (const m of members) values.set(m, computed);
  }
  return rows.map((r) => ({ ...r, ...(values.get(r) ?? {}) }));
}

// ---- SPL -----------------------------------------------------------------------------------------------------

/** `count as n dc(x) as d min(eval(…)) as m` → aggregates. */
function splAggregates(text: string): Aggregate[] {
  const p = new ExprParser(tokenize(text));
  const out: Aggregate[] = [];
  while (p.pos < p.toks.length) {
    const e = p.primary();
    if (!p.isWord('as')) throw new Error(`stats function without 'as' in ${text}`);
    p.pos++;
    const name = (p.toks[p.pos++] as { v: string }).v;
    if (e.k === 'id') out.push({ name, fn: e.name });
    else if (e.k === 'call') out.push({ name, fn: e.fn, ...(e.args[0] ? { arg: e.args[0] } : {}) });
    else throw new Error(`stats function expected in ${text}`);
  }
  return out;
}

/** Runs a Splunk correlation search over events (each with `_time` in epoch seconds); returns the result rows. */
export function runSpl(query: string, events: readonly Event[]): Row[] {
  const [base, ...lines] = query.split('\n');
  const search = spl.parse(base!);
  let rows: Row[] = events.filter((e) => spl.evaluate(search, e)).map((e) => ({ ...e }));
  const stages = subsearches(lines);
  for (const stage of stages) {
    if (typeof stage !== 'string') {
      rows = [...rows, ...runSpl(stage.search, events)];
      continue;
    }
    const line = stage;
    const m = /^\| (\w+) (.*)$/.exec(line);
    if (!m) throw new Error(`SPL stage expected: ${line}`);
    const [, command, rest] = m as unknown as [string, string, string];
    switch (command) {
      case 'eval': {
        const assignments = splitTop(rest).map((a) => {
          const at = a.indexOf('=');
          return [a.slice(0, at).trim(), parseExpr(a.slice(at + 1))] as const;
        });
        rows = rows.map((r) => {
          const out = { ...r };
          for (const [name, e] of assignments) out[name] = evalExpr(e, out);
          return out;
        });
        break;
      }
      case 'bin': {
        const span = /^_time span=(\d+[smhd])$/.exec(rest);
        if (!span) throw new Error(`bin: ${rest}`);
        const s = (tokenize(span[1]!)[0] as { v: number }).v / 1000;
        rows = rows.map((r) => ({ ...r, _time: fixedWindow(r['_time'] as number, s) }));
        break;
      }
      case 'stats':
      case 'eventstats': {
        const [aggs, by] = rest.split(' by ');
        const keys = by!.split(' ').map((col) => ({ col, expr: { k: 'id', name: col } as Expr }));
        rows = (command === 'stats' ? summarize : eventstats)(rows, splAggregates(aggs!), keys);
        break;
      }
      case 'where': {
        const e = parseExpr(rest);
        rows = rows.filter((r) => evalExpr(e, r) === true);
        break;
      }
      case 'rename': {
        // `a AS b, c AS d`: one after the other; a renamed field replaces one of the new name.
        const moves = splitTop(rest).map((m4) => {
          const parts = /^(\S+) AS (\S+)$/.exec(m4);
          if (!parts) throw new Error(`rename: ${m4}`);
          return [parts[1]!, parts[2]!] as const;
        });
        rows = rows.map((r) => {
          const out = { ...r };
          for (const [from, to] of moves) {
            const v = out[from];
            delete out[from];
            delete out[to];
            if (v !== undefined) out[to] = v;
          }
          return out;
        });
        break;
      }
      case 'fields': {
        const keep = rest.split(' ');
        rows = rows.map((r) => Object.fromEntries(keep.filter((k) => k in r).map((k) => [k, r[k]])));
        break;
      }
      default:
        throw new Error(`SPL command ${command} is outside the subset`);
    }
  }
  return rows;
}

/**
 * The stages after the base search: a line `| append [search <base>` opens a subsearch whose next lines are
 * indented by four spaces, the last ending in `]` (as backends/splunk/correlation.ts writes a chain's steps).
 */
function subsearches(lines: readonly string[]): (string | { search: string })[] {
  const out: (string | { search: string })[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith('| append [search ')) {
      out.push(line);
      continue;
    }
    const body = [line.slice('| append [search '.length)];
    while (i + 1 < lines.length && lines[i + 1]!.startsWith('    ')) body.push(lines[++i]!.slice(4));
    const last = body[body.length - 1]!;
    if (!last.endsWith(']')) throw new Error(`append: unterminated subsearch ${body.join('\n')}`);
    body[body.length - 1] = last.slice(0, -1);
    out.push({ search: body.join('\n') });
  }
  return out;
}

/** Splits `a, b(c, d), e` at top-level commas. */
function splitTop(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim());
}

// ---- Kusto ---------------------------------------------------------------------------------------------------

/**
 * The union's branches (or the one query): each a `<Table> | where …` with the `extend`s after it, or a chain's
 * step (a whole correlation query, run by `runKusto`). A branch starts with a line `    (`, four spaces deep;
 * a step's own union is indented further.
 */
function kustoBranches(lines: readonly string[]): { run: (events: readonly Event[]) => Row[] }[] {
  const texts: string[] = [];
  if (lines[0] === 'union') {
    let current: string[] = [];
    for (const line of lines.slice(1)) {
      if (/^ {4}\(/.test(line) && current.length > 0) {
        texts.push(current.join('\n'));
        current = [];
      }
      current.push(line.replace(/^ {4}/, ''));
    }
    texts.push(current.join('\n'));
  } else texts.push(lines.join('\n'));
  return texts.map((raw) => {
    const t = lines[0] === 'union' ? raw.replace(/^\(/, '').replace(/\),?$/, '') : raw;
    const parts = t.split('\n');
    const extend: [string, Expr][] = [];
    while (parts.length > 0 && parts[parts.length - 1]!.startsWith('| extend ')) {
      const assignments = splitTop(parts.pop()!.slice('| extend '.length)).map((a): [string, Expr] => {
        const m = /^(\w+) = (.*)$/.exec(a);
        if (!m) throw new Error(`extend: ${a}`);
        // A column computed from the event data XML (backends/sentinel/prelude.ts): the test events carry each
        // data element as a field of its name, so the column is that field.
        if (m[2]!.includes('extract(@"<Data Name=')) return [m[1]!, { k: 'id', name: m[1]! }];
        return [m[1]!, parseExpr(m[2]!)];
      });
      extend.unshift(...assignments);
    }
    const extended = (rows: Row[]): Row[] =>
      rows.map((r) => {
        const row: Row = { ...r };
        for (const [name, expr] of extend) row[name] = evalExpr(expr, row);
        return row;
      });
    if (parts.some((p) => p.startsWith('| summarize')))
      return { run: (events: readonly Event[]) => extended(runKusto(parts.join('\n'), events)) };
    const filter = kusto.parse(parts.join('\n'));
    return { run: (events: readonly Event[]) => extended(events.filter((e) => kusto.evaluate(filter, e))) };
  });
}

/** Runs a Sentinel correlation query over events (each with `TimeGenerated` in epoch ms); returns the result rows. */
export function runKusto(query: string, events: readonly Event[]): Row[] {
  const lines = query.split('\n');
  const first = lines.findIndex((l) => l.startsWith('| summarize'));
  let rows: Row[] = [];
  for (const branch of kustoBranches(lines.slice(0, first))) rows.push(...branch.run(events));
  for (const line of lines.slice(first)) {
    const m = /^\| ([\w-]+) (.*)$/.exec(line);
    if (!m) throw new Error(`Kusto stage expected: ${line}`);
    const [, operator, rest] = m as unknown as [string, string, string];
    switch (operator) {
      case 'summarize': {
        const [aggText, byText] = rest.split(' by ');
        const aggs = splitTop(aggText!).map((a): Aggregate => {
          const at = a.indexOf(' = ');
          const e = parseExpr(a.slice(at + 3));
          if (e.k !== 'call') throw new Error(`aggregate expected: ${a}`);
          return { name: a.slice(0, at), fn: e.fn, ...(e.args[0] ? { arg: e.args[0] } : {}) };
        });
        const by = splitTop(byText!).map((b) => {
          const e = parseExpr(b);
          if (e.k === 'call' && e.fn === 'bin') {
            const span = (e.args[1] as { v: number }).v;
            const col = (e.args[0] as { name: string }).name;
            return { col, expr: { k: 'call', fn: 'rulec_bin', args: [e.args[0]!, { k: 'num', v: span }] } as Expr };
          }
          return { col: b, expr: e };
        });
        rows = summarize(rows, aggs, by);
        break;
      }
      case 'extend': {
        const tuple = /^\((\w+), (\w+)\) = array_sort_asc\((\w+), (\w+)\)$/.exec(rest);
        if (tuple) {
          const [, a, b, x, y] = tuple as unknown as string[];
          rows = rows.map((r) => {
            const keys = r[x!] as number[];
            const order = keys.map((_, i) => i).sort((i, j) => keys[i]! - keys[j]!);
            return { ...r, [a!]: order.map((i) => keys[i]), [b!]: order.map((i) => (r[y!] as unknown[])[i]) };
          });
          break;
        }
        const m2 = /^(\w+) = (.*)$/.exec(rest);
        if (!m2) throw new Error(`extend: ${rest}`);
        const e = parseExpr(m2[2]!);
        rows = rows.map((r) => ({ ...r, [m2[1]!]: evalExpr(e, r) }));
        break;
      }
      case 'mv-expand': {
        const pairs = splitTop(rest).map((p) => {
          const m3 = /^(\w+) = (\w+)(?: to typeof\((\w+)\))?$/.exec(p);
          if (!m3) throw new Error(`mv-expand: ${p}`);
          return [m3[1]!, m3[2]!] as const;
        });
        rows = rows.flatMap((r) => {
          const length = Math.max(...pairs.map(([, src]) => (r[src] as unknown[]).length));
          return Array.from({ length }, (_, i) => {
            const out = { ...r };
            for (const [col, src] of pairs) out[col] = (r[src] as unknown[])[i] ?? null;
            return out;
          });
        });
        break;
      }
      case 'where': {
        const e = parseExpr(rest);
        rows = rows.filter((r) => evalExpr(e, r) === true);
        break;
      }
      case 'project': {
        // `name = expr` or a bare column; each computed from the input row, so columns may swap names.
        const columns = splitTop(rest).map((p): [string, Expr] => {
          const m4 = /^(\w+) = (.*)$/.exec(p);
          return m4 ? [m4[1]!, parseExpr(m4[2]!)] : [p, { k: 'id', name: p }];
        });
        rows = rows.map((r) => Object.fromEntries(columns.map(([name, e]) => [name, evalExpr(e, r)])));
        break;
      }
      default:
        throw new Error(`Kusto operator ${operator} is outside the subset`);
    }
  }
  return rows;
}

/**
 * Helpers shared by the test-only query evaluators. Deliberately independent of rulec's own code (src/, backends/):
 * the evaluators read query text with each language's documented meaning, so a bug in rulec cannot hide here too.
 */

/** A query outside the language subset, or malformed; `position` is a 0-based offset into the query text. */
export class QueryParseError extends Error {
  constructor(
    readonly language: string,
    message: string,
    readonly position: number,
    readonly query: string,
  ) {
    super(`${language}: ${message} at offset ${position}: ${excerpt(query, position)}`);
    this.name = 'QueryParseError';
  }
}

function excerpt(query: string, position: number): string {
  const start = Math.max(0, position - 20);
  return (
    JSON.stringify(query.slice(start, position)) + ' ⟨here⟩ ' + JSON.stringify(query.slice(position, position + 20))
  );
}

/**
 * The cursor over a token stream that the EQL and Kusto readers share: look-ahead, located errors and the
 * `ident` / `op` expectations both grammars are written with. A reader extends it and names its `language`.
 */
export abstract class TokenCursor<Token extends { readonly t: string; readonly at: number }> {
  i = 0;
  /** The language named in parse errors (`EQL`, `Kusto`). */
  protected abstract readonly language: string;
  constructor(
    readonly text: string,
    readonly tokens: readonly Token[],
  ) {}
  get tok(): Token {
    return this.tokens[this.i]!;
  }
  peek(n = 1): Token {
    return this.tokens[Math.min(this.i + n, this.tokens.length - 1)]!;
  }
  fail(message: string, at = this.tok.at): never {
    throw new QueryParseError(this.language, message, at, this.text);
  }
  isIdent(v: string, tok: Token = this.tok): boolean {
    return tok.t === 'ident' && (tok as { readonly v?: unknown }).v === v;
  }
  isOp(v: string, tok: Token = this.tok): boolean {
    return tok.t === 'op' && (tok as { readonly v?: unknown }).v === v;
  }
  expectIdent(v: string): void {
    if (!this.isIdent(v)) this.fail(`expected ${v}`);
    this.i++;
  }
  expectOp(v: string): void {
    if (!this.isOp(v)) this.fail(`expected ${v}`);
    this.i++;
  }
}

/**
 * The last step of the PCRE and RE2 readers (SPL, Kusto): `\x{HHHH}` code points rewritten as JS writes them
 * (`\u{HHHH}`), then the body compiled with the `u` flag when JS accepts it there, else without; an invalid
 * pattern is a parse error of `label` (`SPL regex`, `Kusto regex`).
 */
export function compileJsRegex(
  body: string,
  flags: string,
  label: string,
  source: string,
  at: number,
  query: string,
): RegExp {
  const js = body.replace(/(^|[^\\])((?:\\\\)*)\\x\{([0-9a-fA-F]{1,6})\}/g, '$1$2\\u{$3}');
  try {
    return new RegExp(js, `${flags}u`);
  } catch {
    try {
      return new RegExp(js, flags);
    } catch (error) {
      throw new QueryParseError(label, `invalid regex ${JSON.stringify(source)}: ${String(error)}`, at, query);
    }
  }
}

export type Event = Readonly<Record<string, unknown>>;

/** Field lookup: the flat key first (`"a.b"`), then a dotted walk through nested objects. */
export function lookup(event: Event, field: string): unknown {
  if (Object.prototype.hasOwnProperty.call(event, field)) return event[field];
  const parts = field.split('.');
  if (parts.length < 2) return undefined;
  let current: unknown = event;
  for (const part of parts) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** The scalar values of a field: arrays are flattened (any-element semantics), null and undefined dropped. */
export function scalars(value: unknown): (string | number | boolean)[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((v) => scalars(v));
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return [value];
  return [];
}

/** Every scalar anywhere in the event, for field-less (keyword) searches. */
export function allScalars(value: unknown): (string | number | boolean)[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((v) => allScalars(v));
  if (typeof value === 'object') return Object.values(value as object).flatMap((v) => allScalars(v));
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return [value];
  return [];
}

/** How a scalar reads as text in a keyword-typed index: numbers in canonical decimal, booleans as words. */
export function scalarText(value: string | number | boolean): string {
  return typeof value === 'string' ? value : String(value);
}

/** A strict decimal number (no hex, no blanks, no empty string), else undefined. */
export function strictNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)) return undefined;
  return Number(value);
}

export function escapeForRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, (c) => `\\${c}`);
}

/** One piece of a glob: literal text, or a wildcard. */
export type GlobPart = { readonly lit: string } | { readonly any: true } | { readonly one: true };

/** A compiled whole-value glob matcher. `s` so wildcards span newlines; `u` so `?` is one code point. */
export function globRegex(parts: readonly GlobPart[], caseInsensitive: boolean, anchored = true): RegExp {
  const body = parts.map((p) => ('lit' in p ? escapeForRegex(p.lit) : 'any' in p ? '[\\s\\S]*' : '[\\s\\S]')).join('');
  return new RegExp(anchored ? `^(?:${body})$` : body, caseInsensitive ? 'isu' : 'su');
}

// ---- IP addresses -------------------------------------------------------------------------------------------

/** An address as a 128-bit (v6) or 32-bit (v4) integer. */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

export function parseIpv4(text: string): IpAddress | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (m === null) return undefined;
  let value = 0n;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return { family: 4, value };
}

export function parseIpv6(text: string): IpAddress | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  let groups: number[] = [];
  let head = text;
  const tail: number[] = [];
  if (text.includes('.')) {
    const at = text.lastIndexOf(':');
    const v4 = parseIpv4(text.slice(at + 1));
    if (v4 === undefined) return undefined;
    tail.push(Number(v4.value >> 16n), Number(v4.value & 0xffffn));
    head = text.slice(0, at + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const parse = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = parse(halves[0] ?? '');
  const right = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (left === undefined || right === undefined) return undefined;
  const count = left.length + right.length + tail.length;
  if (halves.length === 2) {
    if (count > 7) return undefined;
    groups = [...left, ...new Array<number>(8 - count).fill(0), ...right, ...tail];
  } else {
    if (count !== 8) return undefined;
    groups = [...left, ...tail];
  }
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return { family: 6, value };
}

export function parseIp(text: string): IpAddress | undefined {
  return parseIpv4(text) ?? parseIpv6(text);
}

export interface CidrRange {
  readonly family: 4 | 6;
  readonly network: bigint;
  readonly prefix: number;
}

/** `a.b.c.d/n` or `v6/n`; a bare address is a host range. Host bits are allowed and ignored (masked). */
export function parseCidr(text: string): CidrRange | undefined {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const address = parseIp(addressText);
  if (address === undefined) return undefined;
  const width = address.family === 4 ? 32 : 128;
  let prefix = width;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > width) return undefined;
    prefix = Number(p);
  }
  return { family: address.family, network: mask(address.value, width, prefix), prefix };
}

function mask(value: bigint, width: number, prefix: number): bigint {
  const hostBits = BigInt(width - prefix);
  return (value >> hostBits) << hostBits;
}

/** Same-family membership. */
export function inRange(address: IpAddress, range: CidrRange): boolean {
  if (address.family !== range.family) return false;
  const width = address.family === 4 ? 32 : 128;
  return mask(address.value, width, range.prefix) === range.network;
}

/** IPv4 as an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), for functions that accept both families. */
export function toV6(address: IpAddress): IpAddress {
  return address.family === 6 ? address : { family: 6, value: (0xffffn << 32n) | address.value };
}

export function rangeToV6(range: CidrRange): CidrRange {
  return range.family === 6
    ? range
    : { family: 6, network: (0xffffn << 32n) | range.network, prefix: range.prefix + 96 };
}

/**
 * The fixed window a time falls in, as Splunk's `bin _time span=…`, Kusto's `bin(TimeGenerated, …)` and ES|QL's
 * `BUCKET(@timestamp, …)` compute it: the time floored to a multiple of the span, counted from the epoch (both in
 * the same unit).
 */
export function fixedWindow(time: number, span: number): number {
  return Math.floor(time / span) * span;
}

/**
 * ES|QL literal spelling, from Elasticsearch's ES|QL grammar (`EsqlBaseLexer.g4`: `QUOTED_STRING`,
 * `ESCAPE_SEQUENCE`, `QUOTED_IDENTIFIER`) and the LIKE reference (`operators/detailedDescription/like.md`).
 *
 * A `"…"` string knows the escapes `\t \n \r \" \\` and nothing else (no `\u`); every other character, controls
 * included, is allowed raw (`UNESCAPED_CHARS: ~[\r\n"\\]`), so it is written as itself: only `"`, `\`, CR and LF
 * could end or break the literal, and those are escaped. Identifiers that are not plain are wrapped in backticks,
 * inner backticks doubled.
 */

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** A double-quoted ES|QL string. */
export function esqlString(text: string): string {
  return `"${text.replace(/[\\"\n\r\t]/g, (ch) => SIMPLE_ESCAPES[ch]!)}"`;
}

/** A LIKE pattern's literal text: `*`, `?` and the escape character `\` itself are escaped with `\`. */
export function escapeLikeLiteral(text: string): string {
  return text.replace(/[\\*?]/g, (ch) => `\\${ch}`);
}

// prettier-ignore
const KEYWORDS = new Set([
  'and', 'as', 'asc', 'by', 'desc', 'false', 'first', 'from', 'in', 'is', 'last', 'like', 'limit', 'metadata',
  'not', 'null', 'nulls', 'on', 'or', 'rlike', 'true', 'where', 'with',
]);

/** A plain segment: a letter, `_` or `@` first, then letters, digits or `_`. */
const SEGMENT = /^[A-Za-z_@][A-Za-z0-9_]*$/;

/** A field reference: dotted plain segments as they are, anything else as one backtick-quoted name. */
export function esqlField(name: string): string {
  const plain = name.split('.').every((s) => SEGMENT.test(s) && !KEYWORDS.has(s.toLowerCase()));
  return plain ? name : `\`${name.replace(/`/g, '``')}\``;
}

/** A finite number as an ES|QL numeric literal. */
export function esqlNumber(value: number): string {
  return Object.is(value, -0) ? '0' : String(value);
}

/** An index pattern of `FROM`: plain patterns bare, others as a quoted string. */
export function esqlIndex(pattern: string): string {
  return /^[A-Za-z0-9_.*\-:]+$/.test(pattern) ? pattern : esqlString(pattern);
}

/** `5m` → `5 minutes`: ES|QL's time-duration literal for a Sigma timespan (`<n><s|m|h|d>`). */
export function esqlDuration(timespan: string): string | undefined {
  const m = /^(\d+)([smhd])$/.exec(timespan);
  if (!m) return undefined;
  const unit = { s: 'second', m: 'minute', h: 'hour', d: 'day' }[m[2] as 's' | 'm' | 'h' | 'd'];
  return `${m[1]} ${unit}${m[1] === '1' ? '' : 's'}`;
}

/**
 * EQL literal spelling, from Elasticsearch's EQL syntax reference (docs/reference/query-languages/eql/eql-syntax.md,
 * "Escape characters in a string", "Escape a field name") and its parser (`AbstractBuilder.unquoteString`).
 */

// prettier-ignore
const KEYWORDS = new Set([
  'and', 'any', 'by', 'false', 'in', 'join', 'like', 'maxspan', 'not', 'null', 'of', 'or', 'regex', 'sample',
  'sequence', 'true', 'until', 'where', 'with',
]);

/** EQL's unquoted identifier: a letter, `_` or `@`, then letters, digits, `_` or `@`. */
const IDENTIFIER = /^[A-Za-z_@][A-Za-z0-9_@]*$/;

/**
 * A double-quoted EQL string. The parser knows `\n \r \t \\ \"` and `\u{XX…}` (2–8 hex digits; surrogates are
 * rejected, so they are never escaped); other characters are literal. Control, format and line/paragraph separator
 * characters are escaped so the query stays one readable line and no invisible character hides in it.
 */
export function eqlString(text: string): string {
  // Most values need no escape: one test of the whole string instead of one per character. One replace over those
  // that do (Windows paths: nearly every backslash), not a Unicode property test per character.
  if (!NEEDS_ESCAPE.test(text)) return `"${text}"`;
  return `"${text.replace(ESCAPED, escapeOne)}"`;
}

const NEEDS_ESCAPE = /[\\"\n\r\t]|\p{Cc}|\p{Cf}|\p{Zl}|\p{Zp}/u;
/** As NEEDS_ESCAPE, every match: whole code points (`u`), as the characters of a string are iterated. */
const ESCAPED = /[\\"\n\r\t]|\p{Cc}|\p{Cf}|\p{Zl}|\p{Zp}/gu;

const escapeOne = (ch: string): string =>
  SIMPLE_ESCAPES[ch] ?? `\\u{${ch.codePointAt(0)!.toString(16).padStart(2, '0')}}`;

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * A field reference. Each dotted segment that is not a plain identifier, or is a keyword, is wrapped in backticks
 * with inner backticks doubled (syntax reference: "Use double backticks to escape any backticks"). `optional`
 * prefixes `?` so a field missing from the index mapping reads as null instead of failing the whole query.
 */
export function eqlField(name: string, optional: boolean): string {
  const segments = name.split('.');
  const quoteSegment = (s: string): string =>
    IDENTIFIER.test(s) && !KEYWORDS.has(s.toLowerCase()) ? s : `\`${s.replace(/`/g, '``')}\``;
  const text = segments.some((s) => s === '') ? quoteSegment(name) : segments.map(quoteSegment).join('.');
  return optional ? `?${text}` : text;
}

/** A finite number as an EQL numeric literal. */
export function eqlNumber(value: number): string {
  return Object.is(value, -0) ? '0' : String(value);
}

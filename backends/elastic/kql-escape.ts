/**
 * KQL literal spelling. Sources: Kibana's grammar (kbn-es-query `kuery/grammar/grammar.peggy`) and detection-rules'
 * Lark grammar (`lib/kql/kql/kql.g`), summarised in docs/reference/targets/elastic.md §3 and §5. A value is printed bare only
 * when every parser reads it back as the same single literal; everything else is quoted or escaped.
 */

/**
 * Characters safe in a bare token for all three KQL parsers: none is a Kibana special (`\():<>"*{}`), none is
 * whitespace (Elasticsearch's ANTLR grammar and detection-rules split on it), and none needs an escape.
 */
const PLAIN_TOKEN = /^[A-Za-z0-9_.@/-]+$/;

/**
 * detection-rules lexes any unquoted token that starts with `not` as the NOT keyword (`notepad.exe` becomes
 * `not epad.exe`, docs/reference/targets/elastic.md §5.1). `and`/`or` prefixes are safe in both grammars but are quoted too: quoting
 * costs nothing and keeps keyword-looking values visibly literal.
 */
const KEYWORD_PREFIX = /^(?:not|and|or)/i;

/** Words some KQL tools type-convert when bare (`true`, `false`, `null`); quoted so they stay strings. */
const TYPED_WORD = /^(?:true|false|null)$/i;

/** True when `text` may be printed without quotes as Elastic's own rules write values (`event.outcome:success`). */
export function isPlainToken(text: string): boolean {
  return PLAIN_TOKEN.test(text) && !KEYWORD_PREFIX.test(text) && !TYPED_WORD.test(text);
}

/**
 * A quoted KQL string. Inside quotes Kibana and detection-rules accept `\"`, `\\`, `\t`, `\r`, `\n`; any other
 * character (including NUL and U+2028) is literal, but detection-rules rejects raw CR/LF and knows no `\uXXXX`
 * (docs/reference/targets/elastic.md §3 "Quoted", §5.3), so only those five are escaped. Wildcards are never active inside quotes.
 */
export function quoteKql(text: string): string {
  return `"${text.replace(/[\\"\n\r\t]/g, (c) => QUOTED_ESCAPES[c]!)}"`;
}

const QUOTED_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** An exact value: bare when it is a plain token, else quoted. The empty string is `""`. */
export function kqlExactValue(text: string): string {
  return isPlainToken(text) ? text : quoteKql(text);
}

/**
 * A literal run inside an unquoted wildcard value: Kibana's `SpecialCharacter = [\\():<>"*{}]` are escaped with a
 * backslash (docs/reference/targets/elastic.md §3 "Specials in unquoted values"). Callers must first reject whitespace and control
 * characters (see `wildcardLiteralProblem`), which have no portable unquoted spelling.
 */
export function escapeKqlWildcardLiteral(text: string): string {
  return text.replace(/[\\():<>"*{}]/g, (c) => `\\${c}`);
}

/**
 * Why a literal run cannot appear in an unquoted KQL wildcard value, or undefined when it can. Whitespace: `\ ` is
 * not an escape and the parsers disagree on bare spaces (§3 "Whitespace"); control characters would need escapes
 * detection-rules does not know.
 */
export function wildcardLiteralProblem(text: string): string | undefined {
  if (/\s/u.test(text)) return 'a wildcard value containing whitespace';
  if (/\p{Cc}|\p{Cf}/u.test(text)) return 'a wildcard value containing a control or format character';
  return undefined;
}

/** A field name: bare when it is a plain token (same lexing hazards as values), else quoted. */
export function kqlField(name: string): string {
  return isPlainToken(name) ? name : quoteKql(name);
}

/** Canonical decimal text of a finite number, bare when plain (`4688`, `-1.5`), quoted otherwise (`1e+21`). */
export function kqlNumber(value: number): string {
  const text = Object.is(value, -0) ? '0' : String(value);
  return /^-?\d+(\.\d+)?$/.test(text) ? text : quoteKql(text);
}

/**
 * Kusto string literals and identifiers: the only way rule text reaches a Sentinel query.
 *
 * Rules from rulec's docs/reference/targets/sentinel.md §4 (Kusto "string data type" page; checked against
 * @kusto/language-service-next 12.4.1):
 * - `"…"` accepts C#-style escapes only (`\\ \" \' \t \n \r \0 \a \b \f \v \xHH \uHHHH`); any other escape
 *   (`"C:\Windows"`, `"\d"`) is a syntax error and a raw newline ends the statement.
 * - `@"…"` (verbatim) takes backslashes literally and doubles `"`; it cannot hold a newline.
 * - Column names are case-sensitive; names that are not plain identifiers (or are keywords) are written `['name']`.
 */

/**
 * Characters written as `\uXXXX` in a `"…"` literal: C0/C1 controls and DEL (NUL would otherwise end the text in
 * some tools), line/paragraph separators (U+2028/2029 break lines in editors and JSON-in-JS consumers), format
 * characters such as bidi overrides (they make a printed query read differently from what runs) and lone
 * surrogates (not encodable in UTF-8). Everything else is printed as is.
 */
const UNSAFE_CHAR =
  /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu;

const HAS_UNSAFE_CHAR = new RegExp(UNSAFE_CHAR.source, 'u');

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function unicodeEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** A `"…"` literal holding exactly `value`: `\` `"` LF CR TAB as short escapes, unsafe characters as `\uXXXX`. */
export function stringLiteral(value: string): string {
  const body = value.replace(/[\\"\n\r\t]/g, (c) => SHORT_ESCAPES[c]!).replace(UNSAFE_CHAR, unicodeEscape);
  return `"${body}"`;
}

/**
 * A regex as a Kusto literal: verbatim `@"…"` (backslashes literal, `"` doubled) so the pattern reads as written;
 * the escaped `"…"` form when the pattern holds a character a verbatim literal cannot carry safely (a line
 * break ends it; controls and separators are better escaped).
 */
export function regexLiteral(source: string): string {
  if (/[\n\r]/.test(source) || HAS_UNSAFE_CHAR.test(source)) return stringLiteral(source);
  return `@"${source.replace(/"/g, '""')}"`;
}

/**
 * Words the Kusto parser reads as operators or query keywords in a `where` expression; a column with such a name
 * must be bracketed. Kusto keywords are case-sensitive (`Count` is a plain name, `count` is not). Bracketing is
 * always valid, so the list errs on the side of quoting.
 */
const KEYWORDS = new Set([
  'and',
  'or',
  'not',
  'in',
  'has',
  'contains',
  'startswith',
  'endswith',
  'matches',
  'regex',
  'between',
  'by',
  'on',
  'with',
  'let',
  'where',
  'true',
  'false',
  'null',
  'as',
  'of',
  'to',
  'typeof',
  'dynamic',
  'datetime',
  'timespan',
  'bool',
  'int',
  'long',
  'real',
  'string',
  'guid',
  'decimal',
  'project',
  'extend',
  'summarize',
  'take',
  'limit',
  'sort',
  'order',
  'top',
  'count',
  'search',
  'union',
  'join',
  'range',
  'print',
  'set',
  'declare',
  'pattern',
  'restrict',
  'access',
  'materialize',
  'toscalar',
  'evaluate',
]);

const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A column reference: the bare name when it is a plain identifier and not a keyword, else `['name']`. */
export function identifier(name: string): string {
  if (PLAIN_IDENTIFIER.test(name) && !KEYWORDS.has(name)) return name;
  // Bracketed names are string literals (Kusto "entity names"): `'` and `\` need escaping like any literal.
  const body = name
    .replace(/[\\'\n\r\t]/g, (c) => (c === "'" ? "\\'" : SHORT_ESCAPES[c]!))
    .replace(UNSAFE_CHAR, unicodeEscape);
  return `['${body}']`;
}

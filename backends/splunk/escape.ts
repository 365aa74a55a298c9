/**
 * Every way a rule value or field name reaches SPL text. Each hook cites the rule it follows in
 * docs/reference/targets/splunk.md ("doc §n" below); nothing else in this backend builds quoted text.
 */
import type { Pattern } from '../../src/ir/pattern.js';
import { escapeRegexLiteral } from '../../src/ir/pattern.js';

/**
 * Characters that must never appear raw in a query, even inside quotes:
 * - backtick: starts a macro expansion and has no documented escape (doc §1 "Hazards");
 * - C0 controls, DEL, NEL and the Unicode line/paragraph separators: raw newlines must be rejected or routed to
 *   regex (doc §1, §3 rule 7), and the .conf writer would split a value on them.
 */
export const UNSAFE_CHARS = /[`\u0000-\u001f\u007f\u0085\u2028\u2029]/;

/**
 * A backslash followed by a pipe: inside quotes `\\|` is read as a literal pipe (doc §1 "Escapes in quotes"), so a
 * value holding `\|` cannot be written faithfully in a quoted search term.
 */
const BACKSLASH_PIPE = /\\\|/;

/** Whether a literal value can be written inside a quoted `search` term and mean exactly itself. */
export function isSearchSafeLiteral(text: string): boolean {
  // `*` cannot be escaped in `search` (doc §1 "Literal `*`"): it would become a wildcard.
  return !text.includes('*') && !UNSAFE_CHARS.test(text) && !BACKSLASH_PIPE.test(text);
}

/**
 * The body of a double-quoted SPL string: `\` → `\\` and `"` → `\"`, nothing else (doc §1 "Escapes in quotes",
 * §3 rule 2). The same two escapes apply to `where`/`eval` strings and to `| regex` patterns (doc §1 "Regex": the
 * string-escape layer runs before the regex engine). Callers make sure no unsafe character is left.
 */
export function quoteBody(text: string): string {
  return text.replace(/[\\"]/g, (c) => `\\${c}`);
}

export function quote(text: string): string {
  if (UNSAFE_CHARS.test(text)) throw new Error('internal: unsafe character reached an SPL string');
  return `"${quoteBody(text)}"`;
}

/**
 * A pattern as the text of a quoted `search` term: Sigma `*` stays `*` (doc §1 "Wildcards"), literals are escaped.
 * Only for patterns whose literals pass `isSearchSafeLiteral` and that have no `?`.
 */
export function searchPattern(p: Pattern): string {
  let body = '';
  for (const part of p.parts) {
    if (part.kind === 'literal') body += quoteBody(part.text);
    else if (part.kind === 'anyChars') body += '*';
    else throw new Error('internal: a single-character wildcard reached a search term');
  }
  return `"${body}"`;
}

/** Field names that work bare in `search`: `[A-Za-z0-9_.{}]` (doc §1 "Field names", §3 rule 2). */
const BARE_SEARCH_FIELD = /^[A-Za-z0-9_.{}]+$/;

/** A field name in `search`: bare when it can be, else double-quoted like a value (doc §2 `field_quote`). */
export function searchField(name: string): string {
  return isBareSearchField(name) ? name : quote(name);
}

/** Words `search` reads as operators or keywords when bare; a field with such a name is quoted. */
const SEARCH_KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'CASE', 'TERM']);

export function isBareSearchField(name: string): boolean {
  return BARE_SEARCH_FIELD.test(name) && !SEARCH_KEYWORDS.has(name.toUpperCase());
}

/**
 * Field names that work bare in `where`/`eval`: identifiers only. Dots (the eval concatenation operator), braces
 * and a leading digit need single quotes (doc §1 "Field names").
 */
const BARE_EVAL_FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Whether a field name can be written in `where`: single quotes have no documented escape, so names holding a
 * quote or a backslash (or an unsafe character) cannot be written safely.
 */
export function isEvalSafeField(name: string): boolean {
  return !/['\\]/.test(name) && !UNSAFE_CHARS.test(name) && name !== '';
}

export function evalField(name: string): string {
  if (BARE_EVAL_FIELD.test(name)) return name;
  if (!isEvalSafeField(name)) throw new Error('internal: unsafe field name reached a where expression');
  return `'${name}'`;
}

/** `\xNN` / `\x{NNNN}`: PCRE's way to name a character without writing it (doc §1 "Hazards": backtick as `\x60`). */
function pcreCodePoint(c: string): string {
  const code = c.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\x{${code.toString(16)}}`;
}

const UNSAFE_GLOBAL = new RegExp(UNSAFE_CHARS.source, 'g');

/** A literal as PCRE: metacharacters escaped, unsafe characters as code-point escapes. */
export function pcreLiteral(text: string): string {
  return escapeRegexLiteral(text).replace(UNSAFE_GLOBAL, pcreCodePoint);
}

/** PCRE source of a Sigma pattern; `anchored` for field values (full match), unanchored for raw-text keywords. */
export function patternToPcre(p: Pattern, anchored: boolean): string {
  let body = '';
  for (const part of p.parts) {
    if (part.kind === 'literal') body += pcreLiteral(part.text);
    // Sigma `*` and `?` span newlines; `(?s)` is added by the caller so `.` does too.
    else if (part.kind === 'anyChars') body += '.*';
    else body += '.';
  }
  if (anchored) return `^${body}$`;
  return body.replace(/^(\.\*)+/, '').replace(/(\.\*)+$/, '');
}

/**
 * A rule's regex with unsafe characters rewritten as code-point escapes, outside and inside classes; an escaped
 * unsafe character (`\` + backtick) loses its now-redundant backslash. Returns undefined inside `\Q…\E`, where an
 * escape would be read literally.
 */
export function sanitizeRegexSource(source: string): string | undefined {
  let out = '';
  const chars = [...source];
  let quoted = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (quoted) {
      if (c === '\\' && chars[i + 1] === 'E') quoted = false;
      if (UNSAFE_CHARS.test(c)) return undefined;
      out += c;
      continue;
    }
    if (c === '\\') {
      const next = chars[i + 1];
      if (next === undefined) return out + c;
      i++;
      if (next === 'Q') quoted = true;
      out += UNSAFE_CHARS.test(next) ? pcreCodePoint(next) : c + next;
      continue;
    }
    out += UNSAFE_CHARS.test(c) ? pcreCodePoint(c) : c;
  }
  return out;
}

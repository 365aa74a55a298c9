/**
 * Sigma string values → `Pattern`, with the spec's escape rules (docs/reference/sigma.md §3, pySigma's `SigmaString`):
 * `*` and `?` are wildcards; `\` escapes `*`, `?` and `\`; a `\` before any other character, or at the end, is
 * a literal backslash. So `a\b` and `a\\b` both mean `a\b`, and `C:\Windows\*` ends in a literal `*`.
 */
import { ANY_CHARS, ONE_CHAR, literalPart, pattern } from '../ir/pattern.js';
import type { Pattern, PatternPart } from '../ir/pattern.js';

const SPECIAL = /[\\*?]/;
const EMPTY: Pattern = Object.freeze({ parts: Object.freeze([]) });

/**
 * A pattern of one literal text, built directly: `pattern()` would re-create the part, and this is the hot path
 * (most corpus values are plain text).
 */
export function textPattern(text: string): Pattern {
  return text === '' ? EMPTY : Object.freeze({ parts: Object.freeze([literalPart(text)]) });
}

export function parseSigmaString(text: string): Pattern {
  // Most values (paths, command-line fragments) have no wildcard and no backslash worth parsing.
  if (!SPECIAL.test(text)) return textPattern(text);
  const parts: PatternPart[] = [];
  let literal = '';
  let escaped = false;
  for (const c of text) {
    if (escaped) {
      // Only wildcards and the escape character itself can be escaped; otherwise the backslash stays.
      literal += c === '*' || c === '?' || c === '\\' ? c : `\\${c}`;
      escaped = false;
    } else if (c === '\\') {
      escaped = true;
    } else if (c === '*' || c === '?') {
      if (literal !== '') parts.push(literalPart(literal));
      literal = '';
      parts.push(c === '*' ? ANY_CHARS : ONE_CHAR);
    } else {
      literal += c;
    }
  }
  // A trailing lone backslash is kept literally (`end\`).
  if (escaped) literal += '\\';
  if (literal !== '') parts.push(literalPart(literal));
  return pattern(parts);
}

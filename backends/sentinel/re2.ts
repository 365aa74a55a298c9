/**
 * Sigma regexes (PCRE-flavoured) for Kusto `matches regex`, which runs RE2 (docs/reference/targets/sentinel.md §4: no
 * look-around or backreferences, at most 16 groups). The language service does not validate regexes, so rulec
 * checks them here: what RE2 cannot run is reported, never sent.
 */
import { escapeRegexLiteral } from '../../src/ir/pattern.js';

export interface Re2Translation {
  /** The pattern for RE2: every group made non-capturing (a filter only needs match/no match). */
  readonly source: string;
  /** Constructs RE2 rejects, described for a diagnostic; empty when the pattern is usable. */
  readonly problems: readonly string[];
}

/**
 * Scans the pattern once, tracking escapes and character classes. Capturing and named groups become `(?:…)`:
 * the same match, and it keeps any pattern under RE2's group limit and away from the named-group syntax that
 * differs between RE2 versions (`(?P<n>…)` vs `(?<n>…)`).
 */
export function toRe2(pattern: string): Re2Translation {
  const problems = new Set<string>();
  let out = '';
  let inClass = false;
  let classStart = false;
  let afterQuantifier = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (!inClass) {
        if (/[1-9]/.test(next)) problems.add(`backreference \\${next}`);
        else if (next === 'k') problems.add('named backreference \\k');
        else if (next === 'Z' || next === 'G') problems.add(`anchor \\${next}`);
      }
      out += c + next;
      i++;
      classStart = false;
      afterQuantifier = false;
      continue;
    }
    if (inClass) {
      if (c === ']' && !classStart) inClass = false;
      classStart = classStart && c === '^';
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      classStart = true;
      afterQuantifier = false;
      out += c;
      continue;
    }
    if (c === '+' && afterQuantifier) problems.add('possessive quantifier');
    if (c === '(') {
      afterQuantifier = false;
      if (pattern[i + 1] !== '?') {
        out += '(?:';
        continue;
      }
      const rest = pattern.slice(i + 2);
      if (/^(=|!|<=|<!)/.test(rest)) problems.add('look-around');
      else if (rest.startsWith('>')) problems.add('atomic group');
      else if (/^[|R&+\d-]/.test(rest)) problems.add('branch reset or recursion');
      else if (rest.startsWith('#')) problems.add('comment group');
      const named = /^P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
      if (named) {
        out += '(?:';
        i += 1 + named[0].length;
        continue;
      }
      out += c;
      continue;
    }
    afterQuantifier = c === '*' || c === '+' || c === '?' || c === '}';
    out += c;
  }
  return { source: out, problems: [...problems] };
}

/**
 * A literal run inside a generated RE2 pattern: syntax characters escaped (shared escaper), and characters that
 * are hard to carry or read (controls, separators, format characters) written as RE2's `\x{HHHH}`, so the pattern
 * fits a verbatim `@"…"` literal.
 */
export function re2Literal(text: string): string {
  return escapeRegexLiteral(text).replace(
    /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu,
    (c) => `\\x{${c.codePointAt(0)!.toString(16).toUpperCase()}}`,
  );
}

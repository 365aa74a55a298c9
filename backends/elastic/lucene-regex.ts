/**
 * Translation of Sigma regular expressions (a PCRE/JS subset with search semantics) and Sigma wildcard patterns into
 * Lucene regular-expression syntax, which EQL's `regex`/`regex~` use (docs/reference/targets/elastic.md §4; Elasticsearch
 * docs/reference/query-languages/query-dsl/regexp-syntax.md).
 *
 * Lucene regexes always match the whole value, have no `^`/`$`, no inline flags, no lookaround, no backreferences
 * and no word boundaries. Reserved: `. ? + * | { } [ ] ( ) " \` plus the optional operators `# @ & < > ~`, so all of
 * those are escaped when meant literally. Anything Lucene cannot say is reported, never approximated.
 */
import type { RegexFlags } from '../../src/ir/nodes.js';
import type { Pattern } from '../../src/ir/pattern.js';

export type LuceneResult =
  { readonly ok: true; readonly source: string } | { readonly ok: false; readonly reason: string };

/** Characters Lucene reserves outside a character class. */
const LUCENE_RESERVED = new Set([...'.?+*|{}[]()"\\#@&<>~']);

/** JS `\s` (the semantics the rulec JS target uses), as raw characters for a Lucene class body. */
const WHITESPACE_CLASS = ' \t\n\u000b\f\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';
const SHORTHAND_BODY: Readonly<Record<string, string>> = { d: '0-9', w: 'A-Za-z0-9_', s: WHITESPACE_CLASS };

const CONTROL_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  r: '\r',
  t: '\t',
  f: '\f',
  v: '\u000b',
  '0': '\0',
};

function escapeLiteral(ch: string): string {
  return LUCENE_RESERVED.has(ch) ? `\\${ch}` : ch;
}

/** A literal character inside a Lucene class body: punctuation is escaped (`\x` is always literal there). */
function escapeClassChar(ch: string): string {
  return /[A-Za-z0-9]/.test(ch) || ch.codePointAt(0)! > 0x7f ? ch : `\\${ch}`;
}

/** Whole-value Lucene regex for a Sigma wildcard pattern (used when EQL's `like` cannot keep a literal `*`/`?`). */
export function patternToLucene(p: Pattern): string {
  return p.parts
    .map((part) =>
      part.kind === 'literal' ? [...part.text].map(escapeLiteral).join('') : part.kind === 'anyChars' ? '.*' : '.',
    )
    .join('');
}

class Unsupported extends Error {}

/** Reads `\x..`, `\u....`, `\u{...}` escapes; returns the character and the index after it. */
function hexEscape(src: string[], i: number): [string, number] {
  const kind = src[i];
  if (kind === 'x') {
    const hex = src.slice(i + 1, i + 3).join('');
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new Unsupported('a malformed \\x escape');
    return [String.fromCodePoint(parseInt(hex, 16)), i + 3];
  }
  if (src[i + 1] === '{') {
    const end = src.indexOf('}', i + 2);
    const hex = src.slice(i + 2, end).join('');
    if (end < 0 || !/^[0-9a-fA-F]{1,6}$/.test(hex)) throw new Unsupported('a malformed \\u{…} escape');
    return [String.fromCodePoint(parseInt(hex, 16)), end + 1];
  }
  const hex = src.slice(i + 1, i + 5).join('');
  if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new Unsupported('a malformed \\u escape');
  return [String.fromCodePoint(parseInt(hex, 16)), i + 5];
}

/** Translates a `[...]` class starting at `src[i] === '['`; returns the Lucene text and the index after `]`. */
function translateClass(src: string[], start: number): [string, number] {
  let i = start + 1;
  let out = '[';
  if (src[i] === '^') {
    out += '^';
    i++;
  }
  const bodyStart = i;
  for (;;) {
    const ch = src[i];
    if (ch === undefined) throw new Unsupported('an unterminated character class');
    if (ch === ']' && i > bodyStart) break;
    if (ch === '[' && src[i + 1] === ':') throw new Unsupported('a POSIX character class');
    if (ch === '\\') {
      const next = src[i + 1];
      if (next === undefined) throw new Unsupported('a trailing backslash');
      const shorthand = SHORTHAND_BODY[next];
      if (shorthand !== undefined) {
        out += shorthand;
        i += 2;
      } else if (/[DWS]/.test(next)) {
        throw new Unsupported(`a negated shorthand \\${next} inside a character class`);
      } else if (CONTROL_ESCAPES[next] !== undefined) {
        out += CONTROL_ESCAPES[next];
        i += 2;
      } else if (next === 'x' || next === 'u') {
        const [c, after] = hexEscape(src, i + 1);
        out += escapeClassChar(c);
        i = after;
      } else if (/[A-Za-z0-9]/.test(next)) {
        throw new Unsupported(`the escape \\${next} inside a character class`);
      } else {
        out += escapeClassChar(next);
        i += 2;
      }
      continue;
    }
    // `-` is a range only between two members; at either end it is literal in PCRE and must be escaped for Lucene.
    const isRange = ch === '-' && i > bodyStart && src[i + 1] !== ']';
    out += isRange ? '-' : escapeClassChar(ch);
    i++;
  }
  return [`${out}]`, i + 1];
}

/** Translates the body of a Sigma regex (anchors already removed) into Lucene syntax. */
function translateBody(src: string[], flags: RegexFlags): { text: string; topLevelAlternation: boolean } {
  let out = '';
  let depth = 0;
  let topLevelAlternation = false;
  let i = 0;
  const quantifierSuffix = (): void => {
    // A lazy quantifier matches the same set of whole values as a greedy one; a possessive one does not.
    if (src[i] === '?') i++;
    else if (src[i] === '+') throw new Unsupported('a possessive quantifier');
  };
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === '\\') {
      const next = src[i + 1];
      if (next === undefined) throw new Unsupported('a trailing backslash');
      if (SHORTHAND_BODY[next] !== undefined) {
        out += `[${SHORTHAND_BODY[next]}]`;
        i += 2;
      } else if (/[DWS]/.test(next)) {
        out += `[^${SHORTHAND_BODY[next.toLowerCase()]!}]`;
        i += 2;
      } else if (CONTROL_ESCAPES[next] !== undefined) {
        out += CONTROL_ESCAPES[next];
        i += 2;
      } else if (next === 'x' || next === 'u') {
        const [c, after] = hexEscape(src, i + 1);
        out += escapeLiteral(c);
        i = after;
      } else if (/[bBAzZG]/.test(next)) {
        throw new Unsupported(`the assertion \\${next}`);
      } else if (/[1-9k]/.test(next)) {
        throw new Unsupported('a backreference');
      } else if (/[A-Za-z0-9]/.test(next)) {
        throw new Unsupported(`the escape \\${next}`);
      } else {
        out += escapeLiteral(next);
        i += 2;
      }
      continue;
    }
    if (ch === '[') {
      const [text, after] = translateClass(src, i);
      out += text;
      i = after;
      continue;
    }
    if (ch === '(') {
      if (src[i + 1] === '?') {
        const rest = src.slice(i + 2, i + 4).join('');
        if (rest.startsWith(':')) i += 3;
        else if (rest.startsWith('P<') || (rest.startsWith('<') && rest !== '<=' && rest !== '<!')) {
          const end = src.indexOf('>', i);
          if (end < 0) throw new Unsupported('an unterminated group name');
          i = end + 1;
        } else if (/^(=|!|<=|<!)/.test(rest)) throw new Unsupported('a lookaround');
        else throw new Unsupported('an inline flag group inside the pattern');
      } else i++;
      depth++;
      out += '(';
      continue;
    }
    if (ch === ')') {
      depth--;
      out += ')';
      i++;
      continue;
    }
    if (ch === '|') {
      if (depth === 0) topLevelAlternation = true;
      out += '|';
      i++;
      continue;
    }
    if (ch === '*' || ch === '+' || ch === '?') {
      out += ch;
      i++;
      quantifierSuffix();
      continue;
    }
    if (ch === '{') {
      const m = /^\{\d+(,\d*)?\}/.exec(src.slice(i, i + 24).join(''));
      if (m) {
        out += m[0];
        i += m[0].length;
        quantifierSuffix();
      } else {
        out += '\\{';
        i++;
      }
      continue;
    }
    if (ch === '.') {
      // Without the `s` flag `.` excludes line breaks (JS semantics); Lucene's `.` matches anything.
      out += flags.dotAll ? '.' : '[^\n\r\u2028\u2029]';
      i++;
      continue;
    }
    if (ch === '^' || ch === '$') throw new Unsupported(`the anchor ${ch} inside the pattern`);
    out += escapeLiteral(ch);
    i++;
  }
  return { text: out, topLevelAlternation };
}

/**
 * Lucene regex equivalent to Sigma's search semantics: unanchored ends become `.*`; a leading `^` / trailing `$`
 * are dropped (Lucene anchors implicitly), or with the `m` flag become "at a line start/end".
 */
export function sigmaRegexToLucene(source: string, flags: RegexFlags): LuceneResult {
  try {
    const chars = [...source];
    const startAnchor = chars[0] === '^';
    if (startAnchor) chars.shift();
    let trailingBackslashes = 0;
    for (let k = chars.length - 2; k >= 0 && chars[k] === '\\'; k--) trailingBackslashes++;
    const endAnchor = chars[chars.length - 1] === '$' && trailingBackslashes % 2 === 0;
    if (endAnchor) chars.pop();
    const body = translateBody(chars, flags);
    if (body.topLevelAlternation && (startAnchor || endAnchor))
      throw new Unsupported('an anchor next to a top-level alternation');
    const prefix = startAnchor ? (flags.multiline ? '(.*\n)?' : '') : '.*';
    const suffix = endAnchor ? (flags.multiline ? '(\n.*)?' : '') : '.*';
    const core = body.topLevelAlternation && (prefix !== '' || suffix !== '') ? `(${body.text})` : body.text;
    return { ok: true, source: `${prefix}${core}${suffix}` };
  } catch (error) {
    if (error instanceof Unsupported) return { ok: false, reason: error.message };
    throw error;
  }
}

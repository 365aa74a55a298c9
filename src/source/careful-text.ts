/**
 * Which rule texts the fast path (./fast-load.ts) may read: those where js-yaml reads what the `yaml` package reads,
 * with nothing the careful path checks (anchors and aliases, tags, complex and merge keys, tabs, CR, directives,
 * numbers not spelled canonically).
 *
 * An indicator (`*`, `&`, `!`) or a number form (`0x1F`, `.inf`, `1_000`) matters only where a value starts. The
 * SigmaHQ rules that hold one have it inside text: a quoted value (`'* /deny *S-1-1-0'`), the middle of a plain
 * value (`title: InfDefaultInstall.exe .inf Execution`) or a comment (`# 0x8000`). Such a match is let through when
 * its line, read as a block-style line, puts it there and the light scanner (./light-locate.ts) reads the whole
 * file as block structure: no flow collection or quoted value spans lines, so no line is other than it looks.
 */
import { lightLocator } from './light-locate.js';

/**
 * A token the careful path treats differently when it starts a value: an anchor, alias or tag, and a number not
 * spelled canonically. A number form matters only as a whole token: not after a `-` inside a word nor as the start
 * of one (the `0b`/`-0b` of a UUID). Tried only where a rare character is (`carefulTokens`): run over whole texts,
 * this expression cost more than a tenth of reading a corpus with js-yaml.
 */
const CAREFUL_TOKEN =
  /(^|[\s[{,:-])[&*!][^\s,\]}]|(^|[\s:[,{])[-+]?(?:0(?:b[01_]+|o[0-7_]+|x[\da-f_]+)(?=[\s,\]}]|$)|\.(?:inf|nan)\b|\d[\d_]*_)/imy;
/** Where a number form of CAREFUL_TOKEN may be: `\d_` is the first underscore of `\d[\d_]*_`. */
const NUMBER_HINT = /0[box]|\.(?:inf|nan)|\d_/gi;
const SPACE = /\s/;
const DIGIT = /\d/;

/** Whether a text has something the careful path alone reads: tabs, CR, merge keys, directives, `? ` keys. */
function alwaysCareful(text: string): boolean {
  if (text.includes('\t') || text.includes('\r')) return true;
  if (text.includes('<<') && /<<\s*:/.test(text)) return true;
  if (text.includes('%') && /^%/m.test(text)) return true;
  for (let at = text.indexOf('?'); at >= 0; at = text.indexOf('?', at + 1)) if (isComplexKey(text, at)) return true;
  return false;
}

/** `?` first on its line (after spaces) and followed by a space or the end: YAML's complex key indicator. */
function isComplexKey(text: string, at: number): boolean {
  if (at + 1 < text.length && !SPACE.test(text[at + 1]!)) return false;
  for (let k = at - 1; k >= 0; k--) {
    const c = text[k]!;
    if (c === '\n' || c === '\u2028' || c === '\u2029') return true;
    if (!SPACE.test(c)) return false;
  }
  return true;
}

/** Offsets of the careful tokens of `text` (CAREFUL_TOKEN tried where `&`, `*`, `!` or a number form's hint is). */
function carefulTokens(text: string): Set<number> {
  const found = new Set<number>();
  const tryAround = (at: number): void => {
    // A match starts at the token, or one or two characters before it (the preceding space, a sign).
    for (let start = Math.max(0, at - 2); start <= at; start++) {
      CAREFUL_TOKEN.lastIndex = start;
      const m = CAREFUL_TOKEN.exec(text);
      if (m) found.add(start + (m[1] ?? m[2] ?? '').length);
    }
  };
  for (const indicator of ['&', '*', '!'])
    for (let at = text.indexOf(indicator); at >= 0; at = text.indexOf(indicator, at + 1)) tryAround(at);
  NUMBER_HINT.lastIndex = 0;
  for (let m = NUMBER_HINT.exec(text); m !== null; m = NUMBER_HINT.exec(text)) {
    if (!m[0].endsWith('_')) tryAround(m.index);
    // `\d[\d_]*_` starts at one of the digits before its first underscore.
    else for (let at = m.index; at >= 0 && DIGIT.test(text[at]!); at--) tryAround(at);
  }
  return found;
}

/** Characters a plain map key may not start with, nor contain (quotes, comments), in `textPosition`'s reading. */
const NOT_PLAIN_KEY = /^[-?:,[\]{}#&*!|>'"%@`~]|['"#]/;
/** Characters that start a value other than a plain or quoted scalar (collections, block scalars, properties). */
const NOT_SCALAR_START = /[[\]{}|>&*!%@`#?,]/;

/** Whether the fast path may read `text`. */
export function mayReadFast(text: string): boolean {
  if (alwaysCareful(text)) return false;
  const tokens = carefulTokens(text);
  for (const at of tokens) if (!insideText(text, at)) return false;
  return tokens.size === 0 || lightLocator(text) !== undefined;
}

/**
 * Whether offset `at` lies inside text on its line read as a block-style line (`- ` items, then `key: `, then a
 * value): inside a quoted value closed on the line, after the first character of a plain value, or in a comment.
 * Conservative: anything else, and every line it does not read, answers false.
 */
function insideText(text: string, at: number): boolean {
  const start = text.lastIndexOf('\n', at - 1) + 1;
  let end = text.indexOf('\n', at);
  if (end < 0) end = text.length;
  let k = start;
  while (text.charCodeAt(k) === 32) k++;
  if (text[k] === '#') return true;
  while (text[k] === '-' && text[k + 1] === ' ') {
    k += 2;
    while (text.charCodeAt(k) === 32) k++;
  }
  if (text[k] !== "'" && text[k] !== '"') {
    const colon = text.indexOf(': ', k);
    if (colon >= 0 && colon < end) {
      // `key: value`, the key plain text: the token must be in the value.
      if (at <= colon || NOT_PLAIN_KEY.test(text.slice(k, colon))) return false;
      k = colon + 2;
      while (text.charCodeAt(k) === 32) k++;
    }
  }
  const first = text[k];
  if (first === undefined || at <= k) return false;
  // `key: # comment`: an empty value, then a comment holding `at`.
  if (first === '#') return true;
  let comment: number;
  if (first === "'" || first === '"') {
    let close = -1;
    for (let j = k + 1; j < end && close < 0; j++) {
      const c = text[j];
      if (first === '"' && c === '\\') j++;
      else if (c === first) {
        if (first === "'" && text[j + 1] === "'") j++;
        else close = j;
      }
    }
    if (close < 0) return false;
    if (at < close) return true;
    // After the closing quote: nothing, or spaces and a comment.
    comment = close + 1;
    while (comment < end && text.charCodeAt(comment) === 32) comment++;
    if (comment < end && (text[comment] !== '#' || comment === close + 1)) return false;
  } else {
    if (NOT_SCALAR_START.test(first)) return false;
    comment = end;
    for (let j = k + 1; j < end; j++) {
      if (text[j] === '#' && text[j - 1] === ' ') {
        comment = j;
        break;
      }
    }
    if (at < comment) return true;
  }
  return comment < end && at > comment;
}

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

/** Texts with one of these always take the careful path. */
const ALWAYS_CAREFUL = /^[^\S\n]*\?(\s|$)|<<\s*:|\t|^%|\r/m;

/**
 * A token the careful path treats differently when it starts a value: an anchor, alias or tag, and a number not
 * spelled canonically. A number form matters only as a whole token: not after a `-` inside a word nor as the start
 * of one (the `0b`/`-0b` of a UUID).
 */
const CAREFUL_TOKEN =
  /(^|[\s[{,:-])[&*!][^\s,\]}]|(^|[\s:[,{])[-+]?(?:0(?:b[01_]+|o[0-7_]+|x[\da-f_]+)(?=[\s,\]}]|$)|\.(?:inf|nan)\b|\d[\d_]*_)/gim;

/** Characters a plain map key may not start with, nor contain (quotes, comments), in `textPosition`'s reading. */
const NOT_PLAIN_KEY = /^[-?:,[\]{}#&*!|>'"%@`~]|['"#]/;
/** Characters that start a value other than a plain or quoted scalar (collections, block scalars, properties). */
const NOT_SCALAR_START = /[[\]{}|>&*!%@`#?,]/;

/** Whether the fast path may read `text`. */
export function mayReadFast(text: string): boolean {
  if (ALWAYS_CAREFUL.test(text)) return false;
  CAREFUL_TOKEN.lastIndex = 0;
  let excused = false;
  for (let m = CAREFUL_TOKEN.exec(text); m !== null; m = CAREFUL_TOKEN.exec(text)) {
    const at = m.index + (m[1] ?? m[2] ?? '').length;
    if (!insideText(text, at)) return false;
    excused = true;
    // Matches may overlap: look again from just after this token's start.
    CAREFUL_TOKEN.lastIndex = at + 1;
  }
  return !excused || lightLocator(text) !== undefined;
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

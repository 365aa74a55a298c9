/**
 * Raw-text gates: a rule whose every match needs a keyword (a field-less search, ./router.ts evaluates such rules on
 * every event of their bucket) is first tested against the event's JSON text as read, lower-cased once per event.
 * When that text holds none of the rule's needles the rule cannot match and its predicate is not run: the Mimikatz
 * keyword rule, admitted by every Windows bucket, otherwise joins and lower-cases every string of every event.
 *
 * Why a needle absent from the text proves no match: a keyword matches when some string value of the normalised
 * event, lower-cased with `toLowerCase()` (or as is when cased), contains the keyword's literal text. A needle is a
 * run of that text made only of printable ASCII other than `\`, `"` and `/`, lower-cased. In JSON text a string
 * value's characters appear as they are, except characters written as an escape: `\\`, `\"`, `\/`, control
 * characters, and `\uXXXX`, which may stand for any character. No needle character is written by the first four,
 * and a text holding a `\uXXXX` escape is not gated (`hasUnicodeEscape`). So every character of a needle's
 * occurrence in a value appears in the text, contiguous, and `toLowerCase()` of the whole text maps each of them as
 * it maps them in the value (it is per character but for the Greek final sigma, which gives no ASCII). A cased
 * needle is ASCII, whose lower case is the same whatever surrounds it. Numbers and booleans are not searched by
 * keywords. The normaliser may write text that is not in the record (./formats.ts `normalizerTexts`): a needle
 * found in such text, or holding a character of a separator it joins values with, gives no gate.
 */
import type { IrNode } from '../ir/nodes.js';
import type { Pattern } from '../ir/pattern.js';
import { gramCost } from './witness.js';

/** What the event normaliser writes into values beyond the record's own text (./formats.ts `normalizerTexts`). */
export interface NormalizerTexts {
  /** Whole values it may write (lower-cased). */
  readonly values: readonly string[];
  /** Separators it joins several values with (an empty one: no gate at all). */
  readonly separators: readonly string[];
}

/** Tests the JSON text of an event as read: false means the gated rule cannot match it. */
export type RawGate = (text: string) => boolean;

/** Characters a needle may hold: printable ASCII that JSON writes as it is. */
const PLAIN = /^[\x20-\x21\x23-\x2e\x30-\x5b\x5d-\x7e]+$/;
/** Splits text at the characters a needle may not hold. */
const NOT_PLAIN = /[^\x20-\x21\x23-\x2e\x30-\x5b\x5d-\x7e]+/;
/** Shorter needles would let most events through. */
const MIN_NEEDLE = 3;

/** The gate of a rule's detection, or undefined when it has none (some match needs no keyword). */
export function rawGate(detection: IrNode, texts: NormalizerTexts): RawGate | undefined {
  if (texts.separators.includes('')) return undefined;
  const needles = requiredNeedles(detection, texts);
  if (needles === undefined) return undefined;
  if (needles.length === 0) return () => false;
  // One native scan of the text as read for a few short keys covering every needle (a needle holds one of them),
  // each character in every case `toLowerCase` maps to it: no lower-cased copy of the text is made.
  const alternation = new RegExp(coverKeys(needles).map(anyCase).join('|'));
  return (text) => alternation.test(text);
}

/** Key lengths tried when covering needles: a short key shared by many needles makes a short alternation. */
const KEY_LENGTHS = [2, 3, 4];
const LETTERS = /^[a-z]+$/;

/**
 * Keys such that every needle holds one (each key a substring of some needle): greedily the key with the lowest
 * selectivity cost (witness.ts `gramCost`) per needle it covers.
 */
export function coverKeys(needles: readonly string[]): string[] {
  let open = [...new Set(needles)];
  const keys: string[] = [];
  while (open.length > 0) {
    let best = open[0]!;
    let bestScore = Infinity;
    for (const needle of open) {
      for (const length of KEY_LENGTHS) {
        for (let i = 0; i + length <= needle.length; i++) {
          const key = needle.slice(i, i + length);
          const covered = open.filter((n) => n.includes(key)).length;
          // Letters-only keys are also parts of field names (`even` of `EventData`), which every event's text holds.
          const score = (LETTERS.test(key) ? 4 * gramCost(key) : gramCost(key)) / (covered * covered);
          if (score < bestScore) {
            best = key;
            bestScore = score;
          }
        }
      }
    }
    keys.push(best);
    open = open.filter((n) => !n.includes(best));
  }
  return keys;
}

/**
 * A regular expression source matching the key in any text whose lower case holds it: an ASCII letter in both
 * cases, `k` also as U+212A (KELVIN SIGN) and `i` as U+0130 (its lower case is `i` then U+0307), the only non-ASCII
 * characters whose lower case holds ASCII; other characters escaped.
 */
function anyCase(key: string): string {
  let out = '';
  for (const c of key) {
    if (c === 'k') out += '[kK\\u212a]';
    else if (c === 'i') out += '[iI\\u0130]';
    else if (c >= 'a' && c <= 'z') out += `[${c}${c.toUpperCase()}]`;
    else out += c.replace(/[\\^$.*+?()[\]{}|-]/g, '\\$&');
  }
  return out;
}

/** Needles one of which every match holds; undefined: none required; empty: the node never matches. */
export function requiredNeedles(node: IrNode, texts: NormalizerTexts): string[] | undefined {
  switch (node.kind) {
    case 'keyword': {
      const found = needle(node.pattern, texts);
      return found === undefined ? undefined : [found];
    }
    case 'const':
      return node.value ? undefined : [];
    case 'or': {
      const all: string[] = [];
      for (const child of node.children) {
        const r = requiredNeedles(child, texts);
        if (r === undefined) return undefined;
        all.push(...r);
      }
      return all;
    }
    case 'and': {
      let best: string[] | undefined;
      for (const child of node.children) {
        const r = requiredNeedles(child, texts);
        if (r !== undefined && (best === undefined || r.length < best.length)) best = r;
      }
      return best;
    }
    default:
      return undefined;
  }
}

/** The longest plain run of the pattern's literal text that the normaliser cannot have written, lower-cased. */
function needle(pattern: Pattern, texts: NormalizerTexts): string | undefined {
  let best = '';
  for (const part of pattern.parts) {
    if (part.kind !== 'literal') continue;
    for (const run of part.text.split(NOT_PLAIN)) {
      const folded = run.toLowerCase();
      if (folded.length > best.length && PLAIN.test(folded) && !written(folded, texts)) best = folded;
    }
  }
  return best.length >= MIN_NEEDLE ? best : undefined;
}

function written(needle: string, texts: NormalizerTexts): boolean {
  return (
    texts.values.some((value) => value.includes(needle)) ||
    texts.separators.some((separator) => [...separator].some((c) => needle.includes(c)))
  );
}

/**
 * Whether JSON text holds a `\uXXXX` escape (a backslash after an even run of backslashes, then `u`): such text is
 * not gated, the escape may stand for a needle's character. `\\u` (an escaped backslash before a `u`, as in
 * `C:\\Users`) is not one.
 */
export function hasUnicodeEscape(text: string): boolean {
  let at = text.indexOf('\\u');
  while (at >= 0) {
    let start = at;
    while (start > 0 && text.charCodeAt(start - 1) === 0x5c) start--;
    if ((at - start) % 2 === 0) return true;
    at = text.indexOf('\\u', at + 2);
  }
  return false;
}

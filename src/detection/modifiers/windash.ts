/**
 * `windash`: Windows tools accept `-x`, `/x` and look-alike dashes. A `-` or `/` at the start of a word (not
 * preceded by a word character, followed by one: pySigma's `\B[-/]\b`) is replaced by each of `-`, `/`, en dash,
 * em dash and horizontal bar, every combination; an inner `-` (`-param-name`) is left alone. Works per literal
 * part, so text next to a wildcard counts as a word boundary, as in pySigma.
 */
import { DETECTION_CODES as C } from '../../diagnostics/detection-codes.js';
import { literalPart, pattern } from '../../ir/pattern.js';
import type { PatternPart } from '../../ir/pattern.js';
import type { Value } from '../value.js';
import { STRING_INPUTS, asPattern } from './as-pattern.js';
import type { ModifierDef } from './types.js';

export const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'] as const;

/** Compiled once; `\p{L}\p{N}_` approximates Python's Unicode `\w`. */
const WORD_START_DASH = /(?<![\p{L}\p{N}_])[-/](?=[\p{L}\p{N}_])/gu;

/** The variants of one literal text (one entry when it has no word-start dash). */
function textVariants(text: string): string[] {
  const pieces = text.split(WORD_START_DASH);
  if (pieces.length === 1) return [text];
  let variants = [pieces[0]!];
  for (let i = 1; i < pieces.length; i++) {
    const next: string[] = [];
    for (const prefix of variants) for (const dash of DASHES) next.push(prefix + dash + pieces[i]!);
    variants = next;
  }
  return variants;
}

/** 5^5 variants; more dashes in one value would blow up every query, so they are refused. */
const MAX_VARIANTS = 3125;

export const windash: ModifierDef = {
  name: 'windash',
  accepts: STRING_INPUTS,
  output: () => 'pattern',
  apply(value, ctx) {
    const p = asPattern(value, ctx, 'windash');
    if (p === undefined) return [];
    let total = 1;
    for (const part of p.pattern.parts) if (part.kind === 'literal') total *= textVariants(part.text).length;
    if (total > MAX_VARIANTS) {
      ctx.report(C.RC211, `'windash' would expand this value into ${total} variants (limit ${MAX_VARIANTS})`, [
        'split the value, or list the dash variants explicitly',
      ]);
      return [];
    }
    let combos: PatternPart[][] = [[]];
    for (const part of p.pattern.parts) {
      if (part.kind !== 'literal') {
        for (const combo of combos) combo.push(part);
        continue;
      }
      const variants = textVariants(part.text);
      if (variants.length === 1) {
        for (const combo of combos) combo.push(part);
        continue;
      }
      combos = combos.flatMap((combo) => variants.map((v) => [...combo, literalPart(v)]));
    }
    return combos.map((parts): Value => ({ kind: 'pattern', pattern: pattern(parts), bytes: p.bytes }));
  },
};

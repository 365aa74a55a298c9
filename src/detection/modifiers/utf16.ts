/**
 * `utf16le` (alias `wide`), `utf16be`, `utf16` (BOM `FF FE` + little endian): encode each literal part of the
 * pattern; wildcards stay wildcards (pySigma). The result is a byte string, one character per byte, so a following
 * `base64` encodes those bytes rather than their UTF-8 form.
 */
import { literalPart, pattern } from '../../ir/pattern.js';
import type { PatternPart } from '../../ir/pattern.js';
import { STRING_INPUTS, asPattern } from './as-pattern.js';
import type { ModifierDef } from './types.js';

type Order = 'le' | 'be';

function encode(text: string, order: Order): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const lo = String.fromCharCode(unit & 0xff);
    const hi = String.fromCharCode(unit >> 8);
    out += order === 'le' ? lo + hi : hi + lo;
  }
  return out;
}

function utf16Modifier(name: string, order: Order, bom: string): ModifierDef {
  return {
    name,
    accepts: STRING_INPUTS,
    output: () => 'pattern',
    apply(value, ctx) {
      const p = asPattern(value, ctx, name);
      if (p === undefined) return [];
      const parts: PatternPart[] = bom === '' ? [] : [literalPart(bom)];
      for (const part of p.pattern.parts)
        parts.push(part.kind === 'literal' ? literalPart(encode(part.text, order)) : part);
      return [{ kind: 'pattern', pattern: pattern(parts), bytes: true }];
    },
  };
}

export const utf16le = utf16Modifier('utf16le', 'le', '');
export const wide = utf16Modifier('wide', 'le', '');
export const utf16be = utf16Modifier('utf16be', 'be', '');
export const utf16 = utf16Modifier('utf16', 'le', '\xff\xfe');

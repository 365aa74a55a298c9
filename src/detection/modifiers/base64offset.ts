/**
 * `base64offset`: the value can sit at any of the three byte offsets of a longer base64 text, so it yields three
 * encodings, each trimmed of the characters that depend on the unknown neighbouring bytes (the standard table
 * used by pySigma and CyberChef: start 0/2/3, end trimmed by 0/3/2 depending on the length).
 */
import { literalPattern } from '../../ir/pattern.js';
import type { Value } from '../value.js';
import { STRING_INPUTS, asPattern } from './as-pattern.js';
import { patternBytes } from './encoded-bytes.js';
import type { ModifierDef } from './types.js';

const START = [0, 2, 3] as const;
const END_TRIM = [0, 3, 2] as const;

export function base64OffsetVariants(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift, 0x20), bytes]).toString('base64');
    const trim = END_TRIM[(bytes.length + shift) % 3]!;
    const variant = encoded.slice(START[shift]!, encoded.length - trim);
    if (!out.includes(variant)) out.push(variant);
  }
  return out;
}

export const base64offset: ModifierDef = {
  name: 'base64offset',
  accepts: STRING_INPUTS,
  output: () => 'pattern',
  apply(value, ctx) {
    const p = asPattern(value, ctx, 'base64offset');
    const bytes = p && patternBytes(p, ctx, 'base64offset');
    if (bytes === undefined) return [];
    return base64OffsetVariants(bytes).map((text): Value => ({
      kind: 'pattern',
      pattern: literalPattern(text),
      bytes: false,
    }));
  },
};

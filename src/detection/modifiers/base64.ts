/** `base64`: the value's base64 encoding (no wildcards allowed inside the encoded value). */
import { literalPattern } from '../../ir/pattern.js';
import { STRING_INPUTS, asPattern } from './as-pattern.js';
import { patternBytes } from './encoded-bytes.js';
import type { ModifierDef } from './types.js';

export const base64: ModifierDef = {
  name: 'base64',
  accepts: STRING_INPUTS,
  output: () => 'pattern',
  apply(value, ctx) {
    const p = asPattern(value, ctx, 'base64');
    const bytes = p && patternBytes(p, ctx, 'base64');
    if (bytes === undefined) return [];
    return [{ kind: 'pattern', pattern: literalPattern(bytes.toString('base64')), bytes: false }];
  },
};

/** `neq`: the field differs from every value: `not (v1 or v2 …)` (pySigma negates the whole item). */
import type { ModifierDef } from './types.js';

export const neq: ModifierDef = {
  name: 'neq',
  accepts: ['raw', 'pattern', 'regex', 'cidr', 'compare', 'timePart', 'fieldRef'],
  fieldOnly: true,
  setFlag(flags) {
    flags.neq = true;
  },
};

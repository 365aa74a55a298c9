/** `all`: the values of the item are AND-linked instead of OR-linked. */
import type { ModifierDef } from './types.js';

export const all: ModifierDef = {
  name: 'all',
  accepts: ['raw', 'pattern', 'regex', 'cidr', 'compare', 'timePart', 'fieldRef'],
  setFlag(flags) {
    flags.all = true;
  },
};

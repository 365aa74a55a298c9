/** `cased`: string comparison is case-sensitive (regexes already are). */
import type { ModifierDef } from './types.js';

export const cased: ModifierDef = {
  name: 'cased',
  accepts: ['raw', 'pattern', 'fieldRef'],
  setFlag(flags) {
    flags.cased = true;
  },
};

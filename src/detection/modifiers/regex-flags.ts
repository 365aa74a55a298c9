/** `re` sub-modifiers: `i`/`ignorecase`, `m`/`multiline`, `s`/`dotall` (pySigma's names and aliases). */
import type { RegexFlags } from '../../ir/nodes.js';
import type { ModifierDef } from './types.js';

const REGEX_CHAIN = ['re', 'i', 'ignorecase', 'm', 'multiline', 's', 'dotall'];

function flagModifier(name: string, flag: keyof RegexFlags): ModifierDef {
  return {
    name,
    accepts: ['regex'],
    follows: REGEX_CHAIN,
    output: () => 'regex',
    apply(value) {
      return value.kind === 'regex' ? [{ ...value, flags: { ...value.flags, [flag]: true } }] : [];
    },
  };
}

export const i = flagModifier('i', 'ignoreCase');
export const ignorecase = flagModifier('ignorecase', 'ignoreCase');
export const m = flagModifier('m', 'multiline');
export const multiline = flagModifier('multiline', 'multiline');
export const s = flagModifier('s', 'dotAll');
export const dotall = flagModifier('dotall', 'dotAll');

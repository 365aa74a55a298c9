/** `fieldref`: the value names another field whose value must be equal (compared at match time). */
import { DETECTION_CODES as C } from '../../diagnostics/detection-codes.js';
import { exactText } from '../../ir/pattern.js';
import { parseSigmaString } from '../sigma-string.js';
import { rawString } from './as-pattern.js';
import type { ModifierDef } from './types.js';

export const fieldref: ModifierDef = {
  name: 'fieldref',
  accepts: ['raw'],
  fieldOnly: true,
  output: () => 'fieldRef',
  apply(value, ctx) {
    const text = rawString(value, ctx, 'fieldref');
    if (text === undefined) return [];
    const field = exactText(parseSigmaString(text));
    if (field === undefined) {
      ctx.report(C.RC208, `a field reference cannot contain wildcards: '${text}'`);
      return [];
    }
    if (field === '') {
      ctx.report(C.RC203, `modifier 'fieldref' needs a field name, got an empty string`);
      return [];
    }
    return [{ kind: 'fieldRef', field }];
  },
};

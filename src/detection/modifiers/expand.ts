/**
 * `expand`: `%name%` placeholders are replaced from a placeholder configuration. rulec has none yet, so every
 * placeholder is an error (the spec: a converter that cannot resolve placeholders must reject the rule).
 * `\%` escapes a percent sign.
 */
import { DETECTION_CODES as C } from '../../diagnostics/detection-codes.js';
import { parseSigmaString } from '../sigma-string.js';
import { rawString } from './as-pattern.js';
import type { ModifierDef } from './types.js';

const PLACEHOLDER = /(?<!\\)%([^%\s]+)%/g;

export const expand: ModifierDef = {
  name: 'expand',
  accepts: ['raw'],
  output: () => 'pattern',
  apply(value, ctx) {
    const text = rawString(value, ctx, 'expand');
    if (text === undefined) return [];
    const names = [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
    if (names.length > 0) {
      for (const name of names) {
        ctx.report(C.RC209, `placeholder %${name}% cannot be resolved: no placeholder configuration is available`);
      }
      return [];
    }
    ctx.report(C.RC213, `modifier 'expand' has no effect: '${text}' has no %placeholder%`);
    return [{ kind: 'pattern', pattern: parseSigmaString(text.replaceAll('\\%', '%')), bytes: false }];
  },
};

/**
 * `expand`: `%name%` placeholders, resolved per target from the project configuration (rulec.config.yml) by the
 * pipeline, which refuses the rule for a target that has no value for one (RC209). Here the placeholder becomes a
 * marked part of the pattern (src/ir/placeholder.ts), so later modifiers (`contains`, …) apply around it.
 * `\%` escapes a percent sign.
 */
import { DETECTION_CODES as C } from '../../diagnostics/detection-codes.js';
import { placeholderPart } from '../../ir/placeholder.js';
import { pattern } from '../../ir/pattern.js';
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
    const matches = [...text.matchAll(PLACEHOLDER)];
    if (matches.length === 0) {
      ctx.report(C.RC213, `modifier 'expand' has no effect: '${text}' has no %placeholder%`);
      return [{ kind: 'pattern', pattern: parseSigmaString(text.replaceAll('\\%', '%')), bytes: false }];
    }
    const parts = [];
    let last = 0;
    for (const m of matches) {
      parts.push(...parseSigmaString(text.slice(last, m.index).replaceAll('\\%', '%')).parts);
      parts.push(placeholderPart(m[1]!));
      last = m.index + m[0].length;
    }
    parts.push(...parseSigmaString(text.slice(last).replaceAll('\\%', '%')).parts);
    return [{ kind: 'pattern', pattern: pattern(parts), bytes: false }];
  },
};

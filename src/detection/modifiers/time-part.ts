/** `minute`, `hour`, `day`, `week`, `month`, `year` (spec 2.1): a part of a date value equals an integer. */
import { DETECTION_CODES as C } from '../../diagnostics/detection-codes.js';
import type { TimePart } from '../../ir/nodes.js';
import { describeScalar } from '../value.js';
import type { ModifierDef } from './types.js';

/** Inclusive ranges from the spec; ISO weeks can be numbered 53, so week allows it. */
const RANGES: Readonly<Record<TimePart, readonly [number, number]>> = {
  minute: [0, 59],
  hour: [0, 23],
  day: [1, 31],
  week: [1, 53],
  month: [1, 12],
  year: [0, 9999],
};

function timePartModifier(part: TimePart): ModifierDef {
  return {
    name: part,
    accepts: ['raw'],
    fieldOnly: true,
    output: () => 'timePart',
    apply(value, ctx) {
      if (value.kind !== 'raw') return [];
      const n = value.value;
      if (typeof n !== 'number' || !Number.isInteger(n)) {
        ctx.report(C.RC203, `modifier '${part}' expects an integer, got ${describeScalar(n)}`);
        return [];
      }
      const [min, max] = RANGES[part];
      if (n < min || n > max) {
        ctx.report(C.RC211, `${part} ${n} is out of range ${min}–${max}`);
        return [];
      }
      return [{ kind: 'timePart', part, value: n }];
    },
  };
}

export const minute = timePartModifier('minute');
export const hour = timePartModifier('hour');
export const day = timePartModifier('day');
export const week = timePartModifier('week');
export const month = timePartModifier('month');
export const year = timePartModifier('year');

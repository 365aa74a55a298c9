/** `lt`, `lte`, `gt`, `gte`: numeric comparison with an unquoted YAML number. */
import { DETECTION_CODES as C } from '../../diagnostics/detection-codes.js';
import type { CompareOp } from '../../ir/nodes.js';
import { describeScalar } from '../value.js';
import type { ModifierDef } from './types.js';

function compareModifier(op: CompareOp): ModifierDef {
  return {
    name: op,
    accepts: ['raw'],
    fieldOnly: true,
    output: () => 'compare',
    apply(value, ctx) {
      if (value.kind === 'raw' && typeof value.value === 'number' && Number.isFinite(value.value)) {
        return [{ kind: 'compare', op, value: value.value }];
      }
      if (value.kind === 'raw') {
        ctx.report(C.RC203, `modifier '${op}' expects a number, got ${describeScalar(value.value)}`, [
          'write the number without quotes',
        ]);
      }
      return [];
    },
  };
}

export const lt = compareModifier('lt');
export const lte = compareModifier('lte');
export const gt = compareModifier('gt');
export const gte = compareModifier('gte');

/**
 * `exists: true|false`: presence of the field. YAML 1.2 reads `yes`/`no` as strings; pySigma's own tests write
 * them (PyYAML reads them as booleans), so they are accepted with a warning.
 */
import { DETECTION_CODES as C } from '../../diagnostics/detection-codes.js';
import { describeScalar } from '../value.js';
import type { ModifierDef } from './types.js';

const YAML11_BOOLEANS: Readonly<Record<string, boolean>> = {
  yes: true,
  y: true,
  on: true,
  true: true,
  no: false,
  n: false,
  off: false,
  false: false,
};

export const exists: ModifierDef = {
  name: 'exists',
  accepts: ['raw'],
  first: true,
  fieldOnly: true,
  output: () => 'exists',
  apply(value, ctx) {
    if (value.kind !== 'raw') return [];
    if (typeof value.value === 'boolean') return [{ kind: 'exists', value: value.value }];
    if (typeof value.value === 'string') {
      const b = YAML11_BOOLEANS[value.value.toLowerCase()];
      if (b !== undefined) {
        ctx.report(C.RC210, `'${value.value}' is a string in YAML 1.2; read as ${String(b)} for 'exists'`, [
          `write ${String(b)} without quotes`,
        ]);
        return [{ kind: 'exists', value: b }];
      }
    }
    ctx.report(C.RC203, `modifier 'exists' expects true or false, got ${describeScalar(value.value)}`);
    return [];
  },
};

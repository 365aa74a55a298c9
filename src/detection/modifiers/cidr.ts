/** `cidr`: the field holds an IP address inside the network (IPv4 or IPv6), normalised at compile time. */
import { DETECTION_CODES as C } from '../../diagnostics/detection-codes.js';
import { parseCidr } from '../cidr.js';
import { rawString } from './as-pattern.js';
import type { ModifierDef } from './types.js';

export const cidr: ModifierDef = {
  name: 'cidr',
  accepts: ['raw'],
  first: true,
  fieldOnly: true,
  output: () => 'cidr',
  apply(value, ctx) {
    const text = rawString(value, ctx, 'cidr');
    if (text === undefined) return [];
    const parsed = parseCidr(text);
    if (parsed.ok)
      return [{ kind: 'cidr', network: parsed.network, prefixLength: parsed.prefixLength, family: parsed.family }];
    if (parsed.hostBits !== undefined) {
      ctx.report(C.RC207, `CIDR network '${text}' has host bits set`, [`did you mean '${parsed.hostBits}'?`]);
    } else {
      ctx.report(C.RC206, `invalid CIDR network '${text}': ${parsed.reason}`);
    }
    return [];
  },
};

/**
 * A CIDR test on a field stored as text (not `ip`) can be written as a wildcard only when the prefix ends on an
 * IPv4 octet boundary: `10.0.0.0/8` is exactly the dotted-decimal strings `10.*`. Other prefixes, and IPv6 (whose
 * text forms vary: zero compression, case), have no faithful string form.
 */
import type { Pattern } from '../../src/ir/pattern.js';
import { ANY_CHARS, literalPart, pattern } from '../../src/ir/pattern.js';

export function cidrAsPattern(network: string, prefixLength: number, family: 4 | 6): Pattern | undefined {
  if (family !== 4 || prefixLength % 8 !== 0) return undefined;
  const octets = network.split('.');
  if (octets.length !== 4) return undefined;
  const kept = prefixLength / 8;
  if (kept === 4) return pattern([literalPart(network)]);
  return pattern([
    literalPart(
      octets
        .slice(0, kept)
        .map((o) => `${o}.`)
        .join(''),
    ),
    ANY_CHARS,
  ]);
}

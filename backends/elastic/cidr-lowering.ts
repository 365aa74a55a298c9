/**
 * A CIDR test on a field stored as text (not `ip`) can be written as a wildcard only when the prefix ends on an
 * IPv4 octet boundary: `10.0.0.0/8` is exactly the dotted-decimal strings `10.*`. Other prefixes, and IPv6 (whose
 * text forms vary: zero compression, case), have no faithful string form.
 */
import type { Pattern } from '../../src/ir/pattern.js';
import { ANY_CHARS, literalPart, pattern } from '../../src/ir/pattern.js';
import type { NodeOf } from '../../src/ir/nodes.js';
import type { GenContext } from '../../src/render/query-generator.js';
import { fieldKind } from './field-kind.js';

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

/**
 * How each Elastic dialect (KQL, EQL, ES|QL) writes a CIDR test, decided once: on an `ip` field (or one of unknown
 * type, EL204) the dialect's native CIDR form; on a text field the wildcard form when one exists; otherwise refused
 * (EL306, undefined).
 */
export type CidrPlan = { readonly native: string } | { readonly pattern: Pattern };

export function planCidr(node: NodeOf<'cidrMatch'>, ctx: GenContext): CidrPlan | undefined {
  const kind = fieldKind(ctx.mapped.fieldTypes, node.field);
  const cidr = `${node.network}/${node.prefixLength}`;
  if (kind === 'ip' || kind === 'unknown') {
    if (kind === 'unknown')
      ctx.report.warn(
        'EL204',
        `'${node.field}' is not declared as an ip field: the CIDR match needs an ip mapping`,
        node,
      );
    return { native: cidr };
  }
  const lowered = kind === 'string' ? cidrAsPattern(node.network, node.prefixLength, node.family) : undefined;
  if (!lowered) {
    ctx.report.refuse('EL306', `'${node.field}' is not an ip field and ${cidr} has no exact wildcard form`, node);
    return undefined;
  }
  return { pattern: lowered };
}

/**
 * A value that an ip-typed field can never hold (issue 13, cause 5). Windows writes `IpAddress: '-'` when a logon
 * has no network address, and SigmaHQ's `win_security_successful_external_remote_{rdp,smb}_login` exclude such
 * logons with `IpAddress: '-'`. In Elastic that field is `source.ip`, typed ip: the ingest pipeline cannot store
 * '-' there, so no document ever has `source.ip` equal to '-', and the KQL term `source.ip:-` (or the EQL
 * comparison) is at best always false, at worst a query error at run time.
 *
 * The faithful rendering of what Elastic can say is the comparison's truth value in Elastic's data: always false.
 * rulec writes it as such (the IR constant, folded by the simplifying constructors) and warns with EL209, whose
 * text says what that does to the rule: a selection that can never match, or, under `not`, an exclusion that is
 * dropped so the rule also fires on the events it meant to exclude. Refusing the rule instead would lose the
 * whole detection for the sake of one exclusion; mapping '-' to "field missing" would guess at the ingest
 * pipeline. Only exact values are concerned: a wildcard on an ip field is already refused (EL305).
 */
import { isIP } from 'node:net';
import type { MappedRule, Reporter } from '../../src/backend/types.js';
import * as b from '../../src/ir/build.js';
import type { IrNode } from '../../src/ir/nodes.js';
import { patternShape } from '../../src/ir/pattern.js';
import './codes.js';
import { fieldKind } from './field-kind.js';

/** `mapped` with every exact value an ip field cannot hold replaced by constant false, each with EL209. */
export function applyIpValues(mapped: MappedRule, report: Reporter): MappedRule {
  let changed = false;
  const rewrite = (node: IrNode, negated: boolean): IrNode => {
    switch (node.kind) {
      case 'and':
        return b.and(
          node.children.map((c) => rewrite(c, negated)),
          node.origin,
        );
      case 'or':
        return b.or(
          node.children.map((c) => rewrite(c, negated)),
          node.origin,
        );
      case 'not':
        return b.not(rewrite(node.child, !negated), node.origin);
      case 'stringMatch': {
        if (fieldKind(mapped.fieldTypes, node.field) !== 'ip') return node;
        const shape = patternShape(node.pattern);
        if (shape.kind !== 'exact' || isIP(shape.text) !== 0) return node;
        changed = true;
        const consequence = negated
          ? 'under `not` the exclusion is dropped: the rule also matches the events it meant to exclude'
          : 'this part of the rule can never match';
        report.warn(
          'EL209',
          `'${node.field}' is an ip field and can never hold ${JSON.stringify(shape.text)}, which is not an IP address: the test is always false in Elastic, so ${consequence}`,
          node,
        );
        return b.FALSE;
      }
      default:
        return node;
    }
  };
  const detection = rewrite(mapped.detection, false);
  return changed ? { ...mapped, detection } : mapped;
}

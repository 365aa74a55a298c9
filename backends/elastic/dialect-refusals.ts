/**
 * Refusals the Elastic dialects (KQL, EQL, ES|QL) share, worded once so that each names the same loss the same
 * way whichever query language the rule ends in.
 */
import type { IrNode, NodeOf } from '../../src/ir/nodes.js';
import type { GenContext } from '../../src/render/query-generator.js';
import './codes.js';
import { sigmaRegexToLucene } from './lucene-regex.js';

/** EL308 for a number no query can write (NaN, ±Infinity); true when refused (the caller then writes nothing). */
export function refusedNumber(node: NodeOf<'numberMatch'> | NodeOf<'compare'>, ctx: GenContext): boolean {
  if (Number.isFinite(node.value)) return false;
  ctx.report.refuse('EL308', `the number ${node.value} of '${node.field}' cannot be written in a query`, node);
  return true;
}

/** EL305: an `ip` field holds addresses, not text, so only an exact value can be matched on it. */
export function refuseIpWildcard(node: IrNode, field: string, ctx: GenContext): void {
  ctx.report.refuse('EL305', `field '${field}' is an ip field: a wildcard value cannot be matched on it`, node);
}

/** EL301: KQL and EQL compare a field with values only (eql-syntax.md "Limitations for comparisons"). */
export function refuseFieldComparison(node: NodeOf<'fieldRef'>, ctx: GenContext): string {
  ctx.report.refuse(
    'EL301',
    `'${node.field}' compared with '${node.otherField}': KQL and EQL cannot compare fields`,
    node,
  );
  return '';
}

/** EL302: KQL and EQL have no date-part functions. */
export function refuseTimePart(node: NodeOf<'timePart'>, ctx: GenContext): string {
  ctx.report.refuse('EL302', `the ${node.part} of '${node.field}' cannot be tested in KQL or EQL`, node);
  return '';
}

/**
 * The rule's regex in Lucene regex syntax (EQL `regex`, ES|QL `RLIKE`), or EL303 and undefined when it uses a
 * construct Lucene cannot express (the caller then writes nothing).
 */
export function luceneRegexOrRefuse(node: NodeOf<'regexMatch'>, ctx: GenContext): string | undefined {
  const lucene = sigmaRegexToLucene(node.source, node.flags);
  if (lucene.ok) return lucene.source;
  ctx.report.refuse(
    'EL303',
    `the regex of '${node.field}' uses ${lucene.reason}, which Lucene regex cannot express`,
    node,
  );
  return undefined;
}

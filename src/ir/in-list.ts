/**
 * Helpers for `inList` nodes (a placeholder resolved through a list the target keeps, ./nodes.ts): the inline form
 * a target falls back to when it cannot use the reference where the node stands, and the one-line description
 * messages use.
 */
import { parseSigmaString } from '../detection/sigma-string.js';
import * as b from './build.js';
import type { InListNode, IrNode } from './nodes.js';

/**
 * The node as an OR of its configured values on its (mapped) field, each a Sigma string like the rule's own
 * values; undefined when the configuration gives only the reference.
 */
export function inlineValues(node: InListNode): IrNode | undefined {
  if (node.values === undefined) return undefined;
  return b.or(
    node.values.map((v) => b.stringMatch(node.field, parseSigmaString(v), node.cased, node.origin)),
    node.origin,
  );
}

/** `watchlist 'Admins' (%admin_users%)`: what the node refers to, for messages. */
export function describeList(node: InListNode): string {
  return `${node.list.kind} '${node.list.name}' (%${node.placeholder}%)`;
}

/** Exhaustive visitors over the IR (kysely's `Record<OperationNodeKind, …>` pattern). */
import type { IrKind, IrNode, NodeOf } from './nodes.js';
import * as b from './build.js';

/** One handler per node kind: a new kind fails to compile until every visitor handles it. */
export type Visitor<R, C = void> = { readonly [K in IrKind]: (node: NodeOf<K>, context: C) => R };

export function visit<R, C>(node: IrNode, visitor: Visitor<R, C>, context: C): R;
export function visit<R>(node: IrNode, visitor: Visitor<R>): R;
export function visit<R, C>(node: IrNode, visitor: Visitor<R, C>, context?: C): R {
  const handler = visitor[node.kind] as (this: Visitor<R, C>, n: IrNode, c: C) => R;
  // Called on the visitor so class-based visitors (the query generators) keep `this`.
  return handler.call(visitor, node, context as C);
}

/** Throws on a value typed `never`: for `switch` statements over kinds. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}

/**
 * Rebuilds a tree bottom-up, letting `leaf` replace any leaf. Boolean nodes are rebuilt through the
 * simplifying constructors, so a leaf replaced by a constant folds away. Pure: the input is never changed.
 */
export function mapLeaves(node: IrNode, leaf: (node: IrNode) => IrNode): IrNode {
  switch (node.kind) {
    case 'and':
      return b.and(
        node.children.map((c) => mapLeaves(c, leaf)),
        node.origin,
      );
    case 'or':
      return b.or(
        node.children.map((c) => mapLeaves(c, leaf)),
        node.origin,
      );
    case 'not':
      return b.not(mapLeaves(node.child, leaf), node.origin);
    default:
      return leaf(node);
  }
}

/** Every node of the tree, depth first, parents before children. */
export function* walk(node: IrNode): Generator<IrNode> {
  yield node;
  if (node.kind === 'and' || node.kind === 'or') for (const c of node.children) yield* walk(c);
  else if (node.kind === 'not') yield* walk(node.child);
}

/** Field names tested anywhere in the tree, in first-seen order. */
export function fieldsOf(node: IrNode): string[] {
  const seen = new Set<string>();
  for (const n of walk(node)) {
    if ('field' in n) seen.add(n.field);
    if (n.kind === 'fieldRef') seen.add(n.otherField);
  }
  return [...seen];
}

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
 * A subtree whose leaves all come back unchanged is returned as is, not copied: most passes change few or no
 * leaves of a rule, and copying every boolean node (and its origin) per pass per target was measurable.
 */
export function mapLeaves(node: IrNode, leaf: (node: IrNode) => IrNode): IrNode {
  switch (node.kind) {
    case 'and':
    case 'or': {
      const mapped = mapChildren(node.children, leaf);
      if (mapped === node.children) return node;
      return node.kind === 'and' ? b.and(mapped, node.origin) : b.or(mapped, node.origin);
    }
    case 'not': {
      const child = mapLeaves(node.child, leaf);
      return child === node.child ? node : b.not(child, node.origin);
    }
    default:
      return leaf(node);
  }
}

/** The children mapped, or the very same array when every child came back unchanged. */
function mapChildren(children: readonly IrNode[], leaf: (node: IrNode) => IrNode): readonly IrNode[] {
  let out: IrNode[] | undefined;
  for (let i = 0; i < children.length; i++) {
    const child = children[i]!;
    const mapped = mapLeaves(child, leaf);
    if (out === undefined && mapped !== child) out = children.slice(0, i);
    out?.push(mapped);
  }
  return out ?? children;
}

/** Every node of the tree, depth first, parents before children. */
export function* walk(node: IrNode): Generator<IrNode> {
  // An explicit stack rather than recursive `yield*`: each level of delegation costs every node yielded below it.
  const stack: IrNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    yield n;
    if (n.kind === 'and' || n.kind === 'or')
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
    else if (n.kind === 'not') stack.push(n.child);
  }
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

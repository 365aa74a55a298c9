/** Condition AST → IR: identifiers are replaced by their search identifier's tree (shared, never copied). */
import { FALSE, and, not, or } from '../ir/build.js';
import type { IrNode } from '../ir/nodes.js';
import type { ConditionNode } from './ast.js';
import { selectNames } from './name-pattern.js';

export interface ResolveProblem {
  readonly kind: 'undefined' | 'empty-pattern';
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

export interface ResolveResult {
  readonly node: IrNode;
  readonly used: ReadonlySet<string>;
  readonly problems: readonly ResolveProblem[];
}

/**
 * `selections` maps every search identifier, in declaration order, to its tree (undefined when building it
 * failed; such names still count as defined and used).
 */
export function resolveCondition(
  ast: ConditionNode,
  selections: ReadonlyMap<string, IrNode | undefined>,
): ResolveResult {
  const used = new Set<string>();
  const problems: ResolveProblem[] = [];
  const names = [...selections.keys()];
  const lookup = (name: string): IrNode => {
    used.add(name);
    return selections.get(name) ?? FALSE;
  };
  const walk = (node: ConditionNode): IrNode => {
    switch (node.kind) {
      case 'ident':
        if (!selections.has(node.name)) {
          problems.push({ kind: 'undefined', name: node.name, start: node.start, end: node.end });
          return FALSE;
        }
        return lookup(node.name);
      case 'of': {
        const selected = selectNames(node.target, names);
        if (selected.length === 0) {
          const name = node.target.them ? 'them' : node.target.pattern;
          problems.push({ kind: 'empty-pattern', name, start: node.start, end: node.end });
          return FALSE;
        }
        const children = selected.map(lookup);
        return node.quantifier === 'all' ? and(children) : or(children);
      }
      case 'and':
        return and(node.children.map(walk));
      case 'or':
        return or(node.children.map(walk));
      case 'not':
        return not(walk(node.child));
    }
  };
  return { node: walk(ast), used, problems };
}

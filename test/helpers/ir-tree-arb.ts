/**
 * The fast-check arbitrary the fuzz tests draw IR detections from: boolean trees (and, or, not) over the leaves a
 * test supplies, small and shrinkable. `minChildren` is the least number of children of an and/or (1 lets a
 * single-child group appear, as rules can write it).
 */
import fc from 'fast-check';
import * as b from '../../src/ir/build.js';
import type { IrNode } from '../../src/ir/nodes.js';

export function irTreeArb(leaf: fc.Arbitrary<IrNode>, minChildren = 2): fc.Arbitrary<IrNode> {
  return fc.letrec<{ node: IrNode }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('node'), { minLength: minChildren, maxLength: 3 }).map((c) => b.and(c)),
      fc.array(tie('node'), { minLength: minChildren, maxLength: 3 }).map((c) => b.or(c)),
      tie('node').map((c) => b.not(c)),
    ),
  })).node;
}

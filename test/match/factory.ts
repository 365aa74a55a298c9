/**
 * The predicate factory the matching tests run with: the JS target's, through the registry (what `rulec match`
 * and `rulec test` use). The reference interpreter in reference-predicate.ts stays as an independent check.
 */
import { BACKENDS } from '../../backends/index.js';
import { predicateFactory } from '../../src/cli/predicates.js';
import type { PredicateFactory } from '../../src/match/types.js';

export const factory: PredicateFactory = predicateFactory(BACKENDS)!;
export const factoryName = 'JS target (backends/js) through the registry';

/** Global filters applied to detection rules: a filter removes its matches, `rule and not filter`, in the IR. */
import { and, not } from '../ir/build.js';
import type { Rule } from '../model/rule.js';
import type { Filter } from './model.js';

/** The rule with every filter's condition excluded; the same rule object when no filter applies. */
export function applyFilters(rule: Rule, filters: readonly Filter[] | undefined): Rule {
  if (!filters || filters.length === 0) return rule;
  return { ...rule, detection: and([rule.detection, ...filters.map((f) => not(f.detection))]) };
}

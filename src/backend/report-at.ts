/** Helpers for targets to say where in the rule a diagnostic belongs (see `ReportAt` in ./types.ts). */
import type { SourceRef } from '../diagnostics/diagnostic.js';
import type { IrNode } from '../ir/nodes.js';

/**
 * The `Field|modifiers` key a detection node came from, for problems with the field itself (no counterpart in the
 * target, a type the target cannot compare): the node's origin minus the list index of its value.
 */
export function fieldKeyOf(node: IrNode): SourceRef | undefined {
  const path = node.origin?.path;
  if (path === undefined) return undefined;
  let end = path.length;
  while (end > 0 && typeof path[end - 1] === 'number') end--;
  return end === 0 ? undefined : { path: path.slice(0, end), part: 'key' };
}

/** The key `path` of the rule document (e.g. `['logsource']`, `['targets', 'sentinel', 'table']`). */
export function ruleKey(...path: readonly (string | number)[]): SourceRef {
  return { path, part: 'key' };
}

/** The value at `path` of the rule document (e.g. `['schedule', 'interval']`). */
export function ruleValue(...path: readonly (string | number)[]): SourceRef {
  return { path };
}

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
  if (end === 0) return undefined;
  const key = path[end - 1];
  const field = 'field' in node ? node.field : undefined;
  // Underline the field name alone when the key starts with it (`CurrentDirectory|contains`).
  const exact = typeof key === 'string' && field !== undefined && (key === field || key.startsWith(`${field}|`));
  return { path: path.slice(0, end), part: 'key', ...(exact ? { range: [0, field.length] as const } : {}) };
}

/** The key `path` of the rule document (e.g. `['logsource']`, `['targets', 'sentinel', 'table']`). */
export function ruleKey(...path: readonly (string | number)[]): SourceRef {
  return { path, part: 'key' };
}

/** The value at `path` of the rule document (e.g. `['schedule', 'interval']`). */
export function ruleValue(...path: readonly (string | number)[]): SourceRef {
  return { path };
}

/**
 * Column types as the pipeline declares them (Kusto scalar type names), and what they imply for operators:
 * Kusto rejects `long =~ string` (KS106) but its binder misses `string == 1` (docs/reference/targets/sentinel.md §5), so the
 * dialect decides conversions from these types rather than hoping the service catches a mismatch.
 */
import type { GenContext } from '../../src/render/query-generator.js';

export type ColumnKind = 'string' | 'number' | 'bool' | 'datetime' | 'dynamic' | 'other' | 'unknown';

const KINDS: Readonly<Record<string, ColumnKind>> = {
  string: 'string',
  int: 'number',
  long: 'number',
  real: 'number',
  double: 'number',
  decimal: 'number',
  bool: 'bool',
  boolean: 'bool',
  datetime: 'datetime',
  date: 'datetime',
  dynamic: 'dynamic',
  guid: 'other',
  timespan: 'other',
};

/** The kind of a target column; `unknown` when the pipeline does not list it (fallback or unlisted column). */
export function columnKind(field: string, ctx: GenContext): ColumnKind {
  const type = ctx.mapped.fieldTypes[field];
  if (type === undefined) return 'unknown';
  return KINDS[type.toLowerCase()] ?? 'other';
}

/** Whether string operators apply to the column as is (an unlisted column is assumed to be a string). */
export function isStringLike(kind: ColumnKind): boolean {
  return kind === 'string' || kind === 'unknown';
}

/**
 * Working values of one detection item while its modifiers are applied left to right. A YAML scalar starts as
 * `raw`; modifiers turn it into a Sigma pattern, a regex, a CIDR network, and so on. Value-transforming modifiers
 * return several values (alternatives, OR-linked), so the IR never needs to know about encodings.
 */
import type { CompareOp, RegexFlags, TimePart } from '../ir/nodes.js';
import type { Pattern } from '../ir/pattern.js';

export type Scalar = string | number | boolean | null;

export type Value =
  | { readonly kind: 'raw'; readonly value: Scalar }
  /** `bytes`: each character stands for one byte (after a utf16 encoding), which base64 must encode as is. */
  | { readonly kind: 'pattern'; readonly pattern: Pattern; readonly bytes: boolean }
  | { readonly kind: 'regex'; readonly source: string; readonly flags: RegexFlags }
  | { readonly kind: 'cidr'; readonly network: string; readonly prefixLength: number; readonly family: 4 | 6 }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly value: number }
  | { readonly kind: 'timePart'; readonly part: TimePart; readonly value: number }
  | { readonly kind: 'fieldRef'; readonly field: string }
  | { readonly kind: 'exists'; readonly value: boolean };

export type ValueKind = Value['kind'];
export type ValueOf<K extends ValueKind> = Extract<Value, { kind: K }>;

/** Human wording of a kind, for messages. */
export const KIND_WORDS: Readonly<Record<ValueKind, string>> = {
  raw: 'a plain value',
  pattern: 'a string',
  regex: 'a regular expression',
  cidr: 'a CIDR network',
  compare: 'a numeric comparison',
  timePart: 'a date part',
  fieldRef: 'a field reference',
  exists: 'an existence test',
};

export function describeScalar(value: Scalar): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `the string '${value}'`;
  return `the ${typeof value} ${String(value)}`;
}

/**
 * Sigma 2 meta-rules: correlation rules (`correlation:`) and global filters (`filter:`), the two document kinds
 * beside detection rules. They refer to other rules by `name` or `id`; `resolve.ts` links the references.
 */
import type { Span } from '../diagnostics/diagnostic.js';
import type { IrNode } from '../ir/nodes.js';
import type { Level, Logsource } from '../model/rule.js';

export const CORRELATION_TYPES = [
  'event_count',
  'value_count',
  'temporal',
  'temporal_ordered',
  'value_sum',
  'value_avg',
  'value_percentile',
] as const;
export type CorrelationType = (typeof CORRELATION_TYPES)[number];

export type CompareKey = 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq';

/** The comparisons of `condition:`, AND-linked (a range is `gt` + `lte`). */
export type Threshold = Readonly<Partial<Record<CompareKey, number>>>;

/** A name or id written in a `rules:` list, with where it is written. */
export interface Reference {
  readonly text: string;
  readonly span?: Span;
}

/** Where a meta-rule comes from, for located diagnostics long after reading. */
export interface Place {
  readonly file: string;
  readonly documentIndex: number;
}

export interface Correlation extends Place {
  readonly kind: 'correlation';
  readonly id?: string;
  readonly name?: string;
  readonly title: string;
  readonly level?: Level;
  readonly status?: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly type: CorrelationType;
  readonly rules: readonly Reference[];
  readonly groupBy: readonly string[];
  /** Where each `group-by` entry is written, same order as `groupBy`. */
  readonly groupBySpans: readonly (Span | undefined)[];
  /** alias → referenced rule name → field of that rule's events. */
  readonly aliases: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly aliasSpans: Readonly<Record<string, Span | undefined>>;
  /** The window, in milliseconds, and as written. */
  readonly timespanMs: number;
  readonly timespan: string;
  /** Absent for temporal types without `condition:` (then every referenced rule must occur). */
  readonly threshold?: Threshold;
  /** `condition.field` of the value types: one field, or several (value_count only) whose values count as tuples. */
  readonly fields: readonly string[];
  readonly generate: boolean;
  /** Span of the `correlation:` key, for diagnostics about the whole correlation. */
  readonly span?: Span;
  readonly document: Readonly<Record<string, unknown>>;
}

export interface Filter extends Place {
  readonly kind: 'filter';
  readonly id?: string;
  readonly name?: string;
  readonly title: string;
  readonly logsource: Logsource;
  readonly rules: readonly Reference[];
  /** The filter's condition as IR: what is removed from each referenced rule. */
  readonly detection: IrNode;
  readonly span?: Span;
}

/** `5m` → 300000; undefined when not `<n><s|m|h|d>` (the schema has said so already). */
export function timespanMs(text: string): number | undefined {
  const m = /^(\d+)([smhd])$/.exec(text);
  if (!m) return undefined;
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

/** Whether `value` satisfies every comparison of `threshold`. */
export function meets(value: number, threshold: Threshold): boolean {
  for (const [key, bound] of Object.entries(threshold) as [CompareKey, number][]) {
    const ok =
      key === 'gt'
        ? value > bound
        : key === 'gte'
          ? value >= bound
          : key === 'lt'
            ? value < bound
            : key === 'lte'
              ? value <= bound
              : key === 'eq'
                ? value === bound
                : value !== bound;
    if (!ok) return false;
  }
  return true;
}

/**
 * Whether the threshold only asks for "at least": once met, more events keep it met, so a streaming evaluator may
 * fire as soon as it holds. Others (`lt`, `eq`, ranges) can only be judged when the window closes.
 */
export function isLowerBound(threshold: Threshold): boolean {
  const keys = Object.keys(threshold);
  return keys.length > 0 && keys.every((k) => k === 'gt' || k === 'gte');
}

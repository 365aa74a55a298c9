/**
 * Witnesses: for a rule, field/value pairs of which any matching event must hold at least one. Found from the
 * IR: an exact string or number match is its own witness; an AND needs only one child's witness (the most
 * selective); an OR needs one from every child. A rule without a witness is evaluated on every event.
 *
 * Values are compared as index keys (`valueKeys`): lower-cased text, plus the canonical decimal form of numeric
 * text, so the index never excludes an event the predicate would match (case-insensitive equality, number/string
 * equality of matching.md §2 and §7).
 */
import type { IrNode } from '../ir/nodes.js';
import { patternShape } from '../ir/pattern.js';

/**
 * How an event value becomes keys: `exact` (the whole value) or `basename` (the part after the last backslash,
 * for `endswith '\\name'` tests on Windows paths: a value ends with `\\name`, `name` free of backslashes, exactly
 * when its last backslash-separated segment is `name`).
 */
export type KeyKind = 'exact' | 'basename';

export interface WitnessTerm {
  readonly field: string;
  readonly kind: KeyKind;
  readonly keys: readonly string[];
}

/** A disjunction: a matching event holds one of the keys in one of the fields. */
export type Witness = readonly WitnessTerm[];

/**
 * Fields whose values are shared by many events (routing fields, outcomes): a witness on them excludes little, so
 * another conjunct is preferred when there is one.
 */
const BROAD_FIELDS: ReadonlySet<string> = new Set([
  'EventID',
  'Channel',
  'Provider_Name',
  'EventType',
  'Level',
  'Task',
  'Opcode',
  'Workload',
  'RecordType',
  'ResultStatus',
  'UserType',
  'LogonType',
  'Initiated',
  'Protocol',
  'DestinationPort',
  'State',
]);

const DECIMAL = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Index keys of a rule's exact text. */
export function textKeys(text: string): string[] {
  const lower = text.toLowerCase();
  const trimmed = text.trim();
  if (DECIMAL.test(trimmed)) {
    const canonical = String(Number(trimmed));
    if (canonical !== lower) return [lower, canonical];
  }
  return [lower];
}

export function findWitness(node: IrNode): Witness | undefined {
  switch (node.kind) {
    case 'stringMatch': {
      const shape = patternShape(node.pattern);
      if (shape.kind === 'exact') return [{ field: node.field, kind: 'exact', keys: textKeys(shape.text) }];
      if (shape.kind === 'suffix' && shape.text.length > 1 && shape.text.lastIndexOf('\\') === 0) {
        return [{ field: node.field, kind: 'basename', keys: [shape.text.slice(1).toLowerCase()] }];
      }
      return undefined;
    }
    case 'numberMatch':
      return Number.isFinite(node.value)
        ? [{ field: node.field, kind: 'exact', keys: [String(node.value)] }]
        : undefined;
    case 'const':
      // Never true: an empty disjunction, no event is a candidate.
      return node.value ? undefined : [];
    case 'and': {
      let best: Witness | undefined;
      let bestCost = Infinity;
      for (const child of node.children) {
        const w = findWitness(child);
        if (w === undefined) continue;
        const c = cost(w);
        if (c < bestCost) {
          best = w;
          bestCost = c;
        }
      }
      return best;
    }
    case 'or': {
      const terms: WitnessTerm[] = [];
      for (const child of node.children) {
        const w = findWitness(child);
        if (w === undefined) return undefined;
        terms.push(...w);
      }
      return mergeTerms(terms);
    }
    default:
      return undefined;
  }
}

/** Rough count of candidates a witness lets through: broad fields count as many keys. */
function cost(w: Witness): number {
  let total = 0;
  for (const term of w) total += BROAD_FIELDS.has(term.field) ? 1000 + term.keys.length : term.keys.length;
  return total;
}

/** One term per field and key kind, keys deduplicated, in first-seen order. */
function mergeTerms(terms: readonly WitnessTerm[]): Witness {
  const merged = new Map<string, { field: string; kind: KeyKind; keys: Set<string> }>();
  for (const term of terms) {
    const id = `${term.kind}\u0000${term.field}`;
    let entry = merged.get(id);
    if (!entry) merged.set(id, (entry = { field: term.field, kind: term.kind, keys: new Set() }));
    for (const key of term.keys) entry.keys.add(key);
  }
  return [...merged.values()].map(({ field, kind, keys }) => ({ field, kind, keys: [...keys] }));
}

/** What an event's field value means for the index. */
export type FieldKeys =
  /** The value's keys (empty: missing, null, or nothing indexable). */
  | readonly string[]
  /** Objects and nested lists: the predicate may look inside, so every rule indexed on the field is a candidate. */
  | 'unknown';

/** Index keys of an event value for a key kind. */
export function eventKeys(value: unknown, kind: KeyKind): FieldKeys {
  return kind === 'exact' ? valueKeys(value) : basenameKeys(value);
}

/** The lower-cased segment after the last backslash of each string; nothing for values without one. */
export function basenameKeys(value: unknown): FieldKeys {
  if (typeof value === 'string') {
    const cut = value.lastIndexOf('\\');
    return cut < 0 ? [] : [value.slice(cut + 1).toLowerCase()];
  }
  if (typeof value !== 'object' || value === null) return [];
  if (!Array.isArray(value)) return 'unknown';
  const keys: string[] = [];
  for (const item of value) {
    if (typeof item === 'object' && item !== null) return 'unknown';
    const k = basenameKeys(item);
    if (k === 'unknown') return k;
    keys.push(...k);
  }
  return keys;
}

/** Index keys of an event value, mirroring `textKeys` so equal values meet. Arrays: any element. */
export function valueKeys(value: unknown): FieldKeys {
  switch (typeof value) {
    case 'string':
      return textKeys(value);
    case 'number':
      return [String(value)];
    case 'boolean':
    case 'bigint':
      return [String(value)];
    case 'object': {
      if (value === null) return [];
      if (!Array.isArray(value)) return 'unknown';
      const keys: string[] = [];
      for (const item of value) {
        if (typeof item === 'object' && item !== null) return 'unknown';
        const k = valueKeys(item);
        if (k === 'unknown') return k;
        keys.push(...k);
      }
      return keys;
    }
    default:
      return [];
  }
}

/**
 * The event's value for a rule field: the flat key first, then a dotted path through nested objects
 * (matching.md §8). A path crossing a list is `'unknown'`: the predicate distributes over its elements.
 */
export function fieldValue(event: Record<string, unknown>, field: string, segments: readonly string[]): unknown {
  const flat = event[field];
  if (flat !== undefined || segments.length < 2) return flat;
  let value: unknown = event;
  for (const segment of segments) {
    if (typeof value !== 'object' || value === null) return undefined;
    if (Array.isArray(value)) return UNKNOWN_VALUE;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** Stands for a value the index cannot judge; `valueKeys` maps it to 'unknown'. */
export const UNKNOWN_VALUE: unknown = Object.freeze({});

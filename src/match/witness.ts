/**
 * Witnesses: for a rule, field/key pairs of which any matching event must hold at least one. Found from the
 * IR: an exact string or number match is its own witness; an AND needs only one child's witness (the most
 * selective); an OR needs one from every child, whatever their fields (`Image|endswith '\\x.exe'` OR
 * `OriginalFileName: x.exe` is indexed under both fields). A rule without a witness is evaluated on every event.
 *
 * Values are compared as index keys (`valueKeys`): lower-cased text, plus the canonical decimal form of numeric
 * text, so the index never excludes an event the predicate would match (case-insensitive equality, number/string
 * equality of matching.md §2 and §7).
 */
import type { IrNode } from '../ir/nodes.js';
import { patternShape } from '../ir/pattern.js';

/**
 * How an event value becomes keys:
 * - `exact`: the whole value;
 * - `basename`: the part after the last backslash, for `endswith '…\\name'` tests on Windows paths (a value ends
 *   with `…\\name`, `name` free of backslashes, only when its last backslash-separated segment is `name`);
 * - `gram`: every run of GRAM consecutive UTF-16 units of the lower-cased value, for `contains`, `startswith`,
 *   `endswith` and wildcard tests: a value holding a needle holds each of the needle's grams, so one gram of it
 *   (the rarest-looking) is a witness.
 *
 * The event side always lower-cases a whole string with `toLowerCase()` first, exactly as the predicate does, so a
 * key taken from the predicate's own lower-cased needle is found whenever the predicate can match.
 */
export type KeyKind = 'exact' | 'basename' | 'gram';

/** Gram length in UTF-16 code units: needles shorter than this give no gram witness. */
export const GRAM = 4;

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
    case 'stringMatch':
      return stringWitness(node.field, node.pattern, node.cased);
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

/** Printable ASCII: case-sensitive needles give gram and basename keys only from such text (see below). */
const ASCII = /^[\x20-\x7e]*$/;

function stringWitness(field: string, pattern: Parameters<typeof patternShape>[0], cased: boolean): Witness | undefined {
  const shape = patternShape(pattern);
  if (shape.kind === 'exact') return [{ field, kind: 'exact', keys: textKeys(shape.text) }];
  if (shape.kind === 'any') return undefined;
  // The predicate compares `toLowerCase(value)` with the lower-cased needle (case-insensitive tests), or the raw
  // value with the raw needle (cased ones). Lower-casing maps ASCII characters one to one whatever surrounds
  // them, so for a cased test an ASCII run of the needle, lower-cased, is also in the lower-cased value.
  if (shape.kind === 'suffix') {
    const cut = shape.text.lastIndexOf('\\');
    const folded = shape.text.toLowerCase();
    const name = folded.slice(folded.lastIndexOf('\\') + 1);
    if (cut >= 0 && name.length > 0 && (!cased || ASCII.test(shape.text))) {
      return [{ field, kind: 'basename', keys: [name] }];
    }
  }
  let best: string | undefined;
  let bestCost = Infinity;
  for (const part of pattern.parts) {
    if (part.kind !== 'literal' || part.text.length < GRAM) continue;
    const text = cased ? part.text : part.text.toLowerCase();
    for (let i = 0; i + GRAM <= text.length; i++) {
      const gram = text.slice(i, i + GRAM);
      if (cased && !ASCII.test(gram)) continue;
      const key = gram.toLowerCase();
      const c = gramCost(key);
      if (c < bestCost) {
        best = key;
        bestCost = c;
      }
    }
  }
  return best === undefined ? undefined : [{ field, kind: 'gram', keys: [best] }];
}

/**
 * Text common in Windows events: grams of it let many events through, so a needle's other grams are preferred.
 * Only a heuristic for selectivity; soundness never depends on it.
 */
const COMMON_TEXT = [
  'c:\\windows\\system32\\',
  'c:\\windows\\syswow64\\',
  'c:\\program files (x86)\\',
  'c:\\programdata\\',
  'c:\\users\\public\\',
  '\\appdata\\local\\temp\\',
  '\\appdata\\roaming\\',
  'hklm\\software\\microsoft\\windows\\currentversion\\',
  'hkcu\\software\\classes\\',
  'hklm\\system\\currentcontrolset\\services\\',
  '\\registry\\machine\\',
  'microsoft corporation',
  'windows powershell',
  'powershell.exe -command ',
  'cmd.exe /c ',
  'rundll32.exe',
  'svchost.exe -k ',
  '.exe" ',
  '.dll,',
  'http://',
  'https://',
  'administrator',
];
const COMMON_GRAMS: ReadonlySet<string> = new Set(
  COMMON_TEXT.flatMap((t) => Array.from({ length: Math.max(0, t.length - GRAM + 1) }, (_, i) => t.slice(i, i + GRAM))),
);
const FREQUENT_CHARS = new Set(' etaoinsrlcdhm.\\/-:"_');

function gramCost(gram: string): number {
  let c = COMMON_GRAMS.has(gram) ? 40 : 4;
  for (const ch of gram) if (FREQUENT_CHARS.has(ch)) c += 1;
  return c;
}

/** Rough count of candidates a witness lets through: broad fields count as many keys, grams as several. */
function cost(w: Witness): number {
  let total = 0;
  for (const term of w) {
    if (term.kind === 'gram') for (const key of term.keys) total += gramCost(key);
    else total += BROAD_FIELDS.has(term.field) ? 1000 + term.keys.length : term.keys.length;
  }
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

/** Index keys of an event value for an exact or basename key kind (gram keys: `gramTexts`). */
export function eventKeys(value: unknown, kind: KeyKind): FieldKeys {
  return kind === 'exact' ? valueKeys(value) : kind === 'basename' ? basenameKeys(value) : gramTexts(value);
}

/**
 * The lower-cased segment after the last backslash of each string; nothing for values without one. The whole
 * string is lower-cased first, as the predicate does, then cut.
 */
export function basenameKeys(value: unknown): FieldKeys {
  if (typeof value === 'string') {
    if (value.lastIndexOf('\\') < 0) return [];
    const folded = value.toLowerCase();
    return [folded.slice(folded.lastIndexOf('\\') + 1)];
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

/**
 * The texts a string test sees in a value, as the predicate sees them: strings lower-cased, finite numbers as
 * their decimal text, booleans as `true`/`false`, any element of a list; objects are 'unknown' (the predicate
 * searches every string inside them).
 */
export function gramTexts(value: unknown): FieldKeys {
  switch (typeof value) {
    case 'string':
      return value.length < GRAM ? [] : [value.toLowerCase()];
    case 'number':
      return Number.isFinite(value) ? [String(value)] : [];
    case 'boolean':
      return [value ? 'true' : 'false'];
    case 'object': {
      if (value === null) return [];
      if (!Array.isArray(value)) return 'unknown';
      const texts: string[] = [];
      for (const item of value) {
        if (typeof item === 'object' && item !== null) return 'unknown';
        const t = gramTexts(item);
        if (t === 'unknown') return t;
        texts.push(...t);
      }
      return texts;
    }
    default:
      return [];
  }
}

/**
 * A gram as a 32-bit number: the low byte of each of its GRAM code units. Equal grams give equal codes; distinct
 * grams may collide, which only adds candidates. `gramCodeAt` rolls the same code along a text.
 */
export function gramCode(gram: string): number {
  let h = 0;
  for (let i = 0; i < GRAM; i++) h = ((h << 8) | (gram.charCodeAt(i) & 0xff)) >>> 0;
  return h;
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
    // The predicate's path reader prefers the longest dotted key at each level (`{"b.c": …}` for `a.b.c`): when
    // a level has such keys, leave the judgement to the predicate.
    for (const key in value) if (key.includes('.')) return UNKNOWN_VALUE;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** Stands for a value the index cannot judge; `valueKeys` maps it to 'unknown'. */
export const UNKNOWN_VALUE: unknown = Object.freeze({});

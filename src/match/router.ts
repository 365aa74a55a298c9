/**
 * Runs many rules on one event without running every predicate: rules are grouped by the logsource an event
 * can have (./logsource.ts) and, inside a group, indexed by witness field values (./witness.ts). Per event only
 * the rules without a witness and the rules the event holds a witness value of every witness clause of are
 * evaluated.
 */
import type { EventMemo, EventPredicate } from '../backend/types.js';
import type { Rule } from '../model/rule.js';
import { eventLogsource, logsourceAdmits } from './logsource.js';
import type { NormalizerTexts, RawGate } from './raw-gate.js';
import { hasUnicodeEscape, rawGate } from './raw-gate.js';
import type { PredicateFactory } from './types.js';
import type { KeyKind, Witness } from './witness.js';
import {
  eventKeys,
  fieldValue,
  findClauses,
  GRAM_LENGTHS,
  gramCode,
  gramCodeOf,
  numericKey,
  pathValue,
} from './witness.js';

export type Predicate = EventPredicate;

export interface EngineRule {
  readonly rule: Rule;
  /** The rule's predicate; when absent, `compile` makes it the first time the rule is a candidate for an event. */
  readonly predicate?: Predicate;
  /** Builds the predicate (undefined, or a throw: the rule cannot be evaluated and is set aside). */
  readonly compile?: () => Predicate | undefined;
}

/** A rule with its predicate already built (`prepareRules`). */
export interface PreparedRule extends EngineRule {
  readonly predicate: Predicate;
}

/** A rule set aside: its predicate could not be built. */
export interface SkippedRule {
  readonly rule: Rule;
  readonly reason: string;
}

export interface RouterOptions {
  /** Route by logsource (default true). */
  readonly routing?: boolean;
  /** Index by witness values (default true). */
  readonly indexing?: boolean;
  /**
   * What the event normaliser writes beyond the record's text (formats.ts `normalizerTexts`): given (and with
   * `indexing`), rules that need a keyword are first tested against the JSON text `matchRecord` receives
   * (./raw-gate.ts).
   */
  readonly rawText?: NormalizerTexts;
}

interface FieldIndex {
  readonly field: string;
  readonly kind: KeyKind;
  readonly segments: readonly string[];
  readonly byKey: Map<string, number[]>;
  /** Gram keys (kind `gram`), one table per gram length some key has, longest first. */
  readonly grams: GramTable[];
  /**
   * By the slot of a text position's last two units (`endSlot`), the `bit`s of the tables holding a key that ends
   * with such units: most positions of a value end no key, and one lookup then skips every table.
   */
  readonly ends: Uint8Array;
  /** Single non-ASCII unit keys (kind `gram`) by their code unit. */
  readonly byUnit: Map<number, number[]>;
  /** Every clause entry indexed on the field, for values the index cannot judge. */
  readonly all: number[];
  /** Length of the longest key (kind `exact`): a longer value cannot be one (see `stringLists`). */
  longest: number;
}

/** Values longer than this (command lines) are looked up each time: they rarely repeat, and would fill the memo. */
const MEMO_MAX_LENGTH = 160;
/** Values remembered per field name before the memo starts over (bounds its memory: at most ~0.4 MB per name). */
const MEMO_ENTRIES = 1024;
const NO_LISTS: readonly (readonly number[])[] = Object.freeze([]);

/** The gram keys of one length by their code (witness.ts `gramCode`), with a bit filter of the codes present. */
interface GramTable {
  readonly length: number;
  /** This length's bit in `FieldIndex.ends`. */
  readonly bit: number;
  readonly byCode: Map<number, number[]>;
  readonly filter: Uint32Array;
}

/** Bits of the gram filter: 2^16, a few hundred grams per field leave it mostly empty. */
const FILTER_SHIFT = 16;
const filterSlot = (code: number): number => Math.imul(code, 0x9e3779b1) >>> FILTER_SHIFT;

/** Slots of `FieldIndex.ends`: 2^13, from the low bytes of two units (`lo & 0xffff`, see `gramLists`). */
const END_SLOTS = 1 << 13;
const endSlot = (pair: number): number => (pair ^ (pair >>> 5)) & (END_SLOTS - 1);

/** The indexes of one field name, with one memo for all of them (`nameLists`). */
interface NameIndexes {
  readonly indexes: readonly FieldIndex[];
  /** The lists of all the indexes for recent short string values: one lookup per field, not one per index. */
  readonly memo: Map<string, readonly (readonly number[])[]>;
}

interface Bucket {
  /** Rules evaluated on every event of the bucket, in rule order. */
  readonly always: readonly number[];
  /** Per rule of `always`, its raw-text gate (./raw-gate.ts), if any. */
  readonly gates: readonly (RawGate | undefined)[];
  readonly fields: readonly FieldIndex[];
  /** The indexes of plain (undotted) field names, by name. */
  readonly byName: ReadonlyMap<string, NameIndexes>;
  /** The indexes of dotted field names (flat key or nested path, see witness.ts `fieldValue`), by name. */
  readonly dotted: readonly NameIndexes[];
}

export interface PredicateError {
  count: number;
  readonly first: string;
}

/** A router's findings at one moment (`RuleRouter.mark`). */
export interface RouterMark {
  readonly skipped: number;
  readonly errors: readonly [number, PredicateError][];
}

const NO_MATCH: readonly number[] = Object.freeze([]);

/** Index lists hold `rule << CLAUSE_BITS | clause`: the clause number takes the low bits (witness.ts MAX_CLAUSES). */
const CLAUSE_BITS = 3;
const CLAUSE_MASK = (1 << CLAUSE_BITS) - 1;
/** Marks a rule evaluated for the current event in `RuleRouter.held`: no clause's bit. */
const EVALUATED = 0x80;

/** Channel/EventID pairs whose bucket is remembered (see `bucketFor`). */
const MAX_CHANNEL_ENTRIES = 4096;

/** Stands for a rule set aside: never matches. */
const NEVER: Predicate = () => false;

export class RuleRouter {
  readonly rules: readonly EngineRule[];
  /** Per rule, its predicate once built (undefined until a lazily compiled rule is first a candidate). */
  private readonly predicates: (Predicate | undefined)[];
  /**
   * Per rule, its witness clauses once computed (null: computed, none), computed when a bucket first admits the
   * rule (witness.ts `findClauses`). Index lists hold clause entries, `rule << CLAUSE_BITS | clause`.
   */
  private readonly witnesses: (readonly Witness[] | null | undefined)[];
  /** Per rule, the bits of all its clauses: the rule is evaluated once an event has set them all in `held`. */
  private readonly full: Uint8Array;
  /** Per rule, the bits of the clauses the current event holds (valid when `stamp` is the event's generation). */
  private readonly held: Uint8Array;
  private readonly indexing: boolean;
  private readonly rawText: NormalizerTexts | undefined;
  /** Per rule, its raw-text gate once computed (null: none). */
  private readonly gates: (RawGate | null | undefined)[];
  /** The current event's JSON text while it may be gated, and whether it was found free of `\\uXXXX` escapes. */
  private text: string | undefined;
  private plain = false;
  /** Rules whose predicate could not be built when first needed (lazy compilation), in discovery order. */
  readonly skipped: SkippedRule[] = [];
  private readonly buckets = new Map<string, Bucket>();
  private readonly routing: boolean;
  /** Per rule, the event number that last evaluated it: dedupes rules reached through several keys. */
  private readonly stamp: Uint32Array;
  private generation = 0;
  /** Candidate lists of the current event (reused). */
  private readonly scratch: (readonly number[])[] = [];
  /** Events seen and predicate calls made, for the fraction of rules evaluated per event. */
  events = 0;
  evaluated = 0;
  /** Predicates that threw, by rule index: the event counts as not matching. */
  readonly errors = new Map<number, PredicateError>();
  /**
   * Whether the last event was refused: a predicate ran out of stack on it and it nests deeper than
   * `MAX_EVENT_DEPTH` (a hostile record). It then matches nothing, and no rule is blamed.
   */
  refused = false;

  constructor(rules: readonly EngineRule[], options: RouterOptions = {}) {
    this.rules = rules;
    this.predicates = rules.map((r) => r.predicate);
    this.routing = options.routing ?? true;
    this.indexing = options.indexing ?? true;
    // Gates stand on the same ground as the witness index (rules tested by their own detection): off with it.
    this.rawText = this.indexing ? options.rawText : undefined;
    this.gates = new Array<RawGate | null | undefined>(rules.length).fill(undefined);
    this.witnesses = new Array<readonly Witness[] | null | undefined>(rules.length).fill(undefined);
    this.stamp = new Uint32Array(rules.length);
    this.full = new Uint8Array(rules.length);
    this.held = new Uint8Array(rules.length);
  }

  private witness(i: number): readonly Witness[] | undefined {
    let w = this.witnesses[i];
    if (w === undefined) {
      w = (this.indexing ? findClauses(this.rules[i]!.rule.detection) : undefined) ?? null;
      this.witnesses[i] = w;
      if (w !== null) this.full[i] = (1 << w.length) - 1;
    }
    return w ?? undefined;
  }

  /** The rule's raw-text gate (computed once, when a bucket first admits the rule), if any. */
  private gate(i: number): RawGate | undefined {
    if (this.rawText === undefined) return undefined;
    let gate = this.gates[i];
    if (gate === undefined) {
      gate = rawGate(this.rules[i]!.rule.detection, this.rawText) ?? null;
      this.gates[i] = gate;
    }
    return gate ?? undefined;
  }

  /** Builds a lazily compiled rule's predicate; a rule that cannot be built is recorded and never matches. */
  private compile(i: number): Predicate {
    const { rule, compile } = this.rules[i]!;
    let predicate = buildPredicate(() => compile?.());
    if (typeof predicate === 'string') {
      this.skipped.push({ rule, reason: predicate });
      predicate = NEVER;
    }
    this.predicates[i] = predicate;
    return predicate;
  }

  /** Share of rules evaluated per event so far (0 to 1). */
  /** What `rewind` returns to: the unusable rules found and the predicate errors counted so far. */
  mark(): RouterMark {
    return { skipped: this.skipped.length, errors: [...this.errors].map(([i, e]) => [i, { ...e }]) };
  }

  /**
   * Forgets what matching found since `mark`: the rules found unusable since are built again when next needed (and
   * so found again) and the errors counted since are uncounted. For events about to be matched again (`rulec match
   * --jobs` matches again blocks whose results it dropped), so that they report as if matched once.
   */
  rewind(mark: RouterMark): void {
    for (const { rule } of this.skipped.splice(mark.skipped)) {
      const i = this.rules.findIndex((r) => r.rule === rule);
      this.predicates[i] = undefined;
    }
    this.errors.clear();
    for (const [i, e] of mark.errors) this.errors.set(i, { ...e });
  }

  get evaluatedFraction(): number {
    return this.events === 0 || this.rules.length === 0 ? 0 : this.evaluated / (this.events * this.rules.length);
  }

  /** Rules with a witness, and the witness fields (`basename:Image` for basename keys), for reports. */
  witnessSummary(): { indexed: number; fields: Map<string, number> } {
    const fields = new Map<string, number>();
    let indexed = 0;
    for (let i = 0; i < this.rules.length; i++) {
      const clauses = this.witness(i);
      if (!clauses) continue;
      indexed++;
      for (const term of clauses.flat()) {
        const name = term.kind === 'exact' ? term.field : `${term.kind}:${term.field}`;
        fields.set(name, (fields.get(name) ?? 0) + 1);
      }
    }
    return { indexed, fields };
  }

  /**
   * Like `match`, for a record as read: routes on `view(record)` (cheap, see formats.ts `RouteView`) and
   * normalises the record only when some rule can apply to it. `text`: the JSON text the record was parsed from
   * (or text holding it), for the raw-text gates (`RouterOptions.rawText`).
   */
  matchRecord(
    record: Record<string, unknown>,
    normalize: (r: Record<string, unknown>) => Record<string, unknown>,
    view: (r: Record<string, unknown>) => Record<string, unknown> | undefined,
    text?: string,
  ): readonly number[] {
    this.text = this.rawText === undefined ? undefined : text;
    this.plain = false;
    const routed = view(record);
    if (routed === undefined) {
      const event = normalize(record);
      return this.matchIn(this.bucketFor(event), event);
    }
    const bucket = this.bucketFor(routed);
    if (bucket.always.length === 0 && bucket.fields.length === 0) {
      this.events++;
      return NO_MATCH;
    }
    return this.matchIn(bucket, normalize(record));
  }

  /** Indexes of the rules matching the (normalised) event, in rule order. */
  match(event: Record<string, unknown>): readonly number[] {
    this.text = undefined;
    return this.matchIn(this.bucketFor(event), event);
  }

  private matchIn(bucket: Bucket, event: Record<string, unknown>): readonly number[] {
    this.refused = false;
    try {
      return this.evaluate(bucket, event);
    } catch (error) {
      if (error !== TOO_DEEP) throw error;
      this.refused = true;
      return NO_MATCH;
    }
  }

  private evaluate(bucket: Bucket, event: Record<string, unknown>): readonly number[] {
    this.events++;
    let matched: number[] | undefined;
    const predicates = this.predicates;
    const always = bucket.always;
    const gates = bucket.gates;
    // One memo per event, shared by its predicates (EventPredicate): never reused, so never stale.
    const memo: EventMemo = {};
    for (let k = 0; k < always.length; k++) {
      const gate = gates[k];
      if (gate !== undefined && !this.passes(gate)) continue;
      const i = always[k]!;
      this.evaluated++;
      if (this.test(i, predicates[i] ?? this.compile(i), event, memo)) (matched ??= []).push(i);
    }
    if (bucket.fields.length > 0) {
      const gen = this.nextGeneration();
      const stamp = this.stamp;
      const lists = this.lists(bucket, event);
      for (let k = 0; k < lists.length; k++) matched = this.evaluateList(lists[k]!, event, memo, gen, stamp, matched);
    }
    if (matched === undefined) return NO_MATCH;
    if (matched.length > 1) matched.sort((a, b) => a - b);
    return matched;
  }

  /** Whether the current event's text passes a rule's gate (always without a text, or when it holds a `\uXXXX` escape). */
  private passes(gate: RawGate): boolean {
    const text = this.text;
    if (text === undefined) return true;
    if (!this.plain) {
      if (hasUnicodeEscape(text)) {
        this.text = undefined;
        return true;
      }
      this.plain = true;
    }
    return gate(text);
  }

  /** The rules `match` would evaluate for the event (tests and measurements). */
  candidates(event: Record<string, unknown>): number[] {
    const bucket = this.bucketFor(event);
    const out = new Set<number>(bucket.always);
    const held = new Map<number, number>();
    for (const list of this.lists(bucket, event)) {
      for (const entry of list) {
        const i = entry >>> CLAUSE_BITS;
        const bits = (held.get(i) ?? 0) | (1 << (entry & CLAUSE_MASK));
        held.set(i, bits);
        if (bits === this.full[i]) out.add(i);
      }
    }
    return [...out].sort((a, b) => a - b);
  }

  /** The index lists the event reaches (may repeat a list; the scratch array is reused). */
  private lists(bucket: Bucket, event: Record<string, unknown>): readonly (readonly number[])[] {
    const out = this.scratch;
    out.length = 0;
    // Plain field names: walk the event's keys (a handful) rather than look up every indexed name (up to a
    // hundred per bucket). A name the event lacks has no keys; a non-enumerable inherited value (`constructor`)
    // is no string. `for…in` walks the keys without the array `Object.keys` made per event, and also visits
    // enumerable inherited names, which the predicates read too (`Object.keys` missed their matches).
    const byName = bucket.byName;
    const dotted = bucket.dotted;
    // Whether some top-level name holds a dot (`"a.b": …`), checked on the walk when the bucket has dotted fields.
    let dots = false;
    for (const name in event) {
      if (!dots && dotted.length > 0 && name.includes('.')) dots = true;
      const entry = byName.get(name);
      if (entry === undefined) continue;
      this.entryLists(entry, event[name], out);
    }
    for (let f = 0; f < dotted.length; f++) {
      const { field, segments } = dotted[f]!.indexes[0]!;
      if (dots) {
        this.entryLists(dotted[f]!, fieldValue(event, field, segments), out);
        continue;
      }
      // No dotted top-level name, so no flat key either: `fieldValue`'s walk from the first segment's value, which
      // most events lack (a missing value has no keys), without its scan of the event's names per field.
      const head = event[segments[0]!];
      if (head !== undefined) this.entryLists(dotted[f]!, pathValue(head, segments, 1), out);
    }
    return out;
  }

  /** The lists the indexes of one field name reach for the event's value of the field. */
  private entryLists(entry: NameIndexes, value: unknown, out: (readonly number[])[]): void {
    if (typeof value === 'string' && value.length <= MEMO_MAX_LENGTH) this.nameLists(entry, value, out);
    else for (let f = 0; f < entry.indexes.length; f++) this.indexLists(entry.indexes[f]!, value, out);
  }

  /** The lists one field index reaches for the event's value of its field. */
  private indexLists(index: FieldIndex, value: unknown, out: (readonly number[])[]): void {
    // Missing and null values have no keys for any kind.
    if (value === undefined || value === null) return;
    if (typeof value === 'string') {
      this.stringLists(index, value, out);
      return;
    }
    const keys = eventKeys(value, index.kind);
    if (keys === 'unknown') {
      out.push(index.all);
      return;
    }
    if (index.kind !== 'gram') {
      for (const key of keys) {
        const list = index.byKey.get(key);
        if (list !== undefined) out.push(list);
      }
      return;
    }
    for (const text of keys) this.gramLists(index, text, out, true);
  }

  /**
   * The lists of a short value for every index of a field name, remembered: the same image paths, users, companies
   * and descriptions come back event after event, and one map lookup then replaces lower-casing, scanning and
   * looking them up in each index (the same lists, in the same order).
   */
  private nameLists(entry: NameIndexes, value: string, out: (readonly number[])[]): void {
    const memo = entry.memo;
    const known = memo.get(value);
    if (known !== undefined) {
      for (let k = 0; k < known.length; k++) out.push(known[k]!);
      return;
    }
    const start = out.length;
    const indexes = entry.indexes;
    for (let f = 0; f < indexes.length; f++) this.stringLists(indexes[f]!, value, out);
    if (memo.size >= MEMO_ENTRIES) memo.clear();
    memo.set(value, out.length === start ? NO_LISTS : out.slice(start));
  }

  /** The lists of a string value: the same keys as `eventKeys` without the key arrays. */
  private stringLists(index: FieldIndex, value: string, out: (readonly number[])[]): void {
    if (index.kind === 'gram') {
      if (value.length > 0) this.gramLists(index, value, out);
    } else if (index.kind === 'exact') {
      // `toLowerCase` never shortens a string (U+0130 even grows to two units), so a value longer than every key
      // cannot lower-case to one: only its canonical number may be a key (a long command line is not lower-cased).
      if (value.length > index.longest) {
        const canonical = numericKey(value, value);
        const other = canonical === undefined ? undefined : index.byKey.get(canonical);
        if (other !== undefined) out.push(other);
        return;
      }
      const lower = value.toLowerCase();
      const list = index.byKey.get(lower);
      if (list !== undefined) out.push(list);
      const canonical = numericKey(value, lower);
      if (canonical !== undefined) {
        const other = index.byKey.get(canonical);
        if (other !== undefined) out.push(other);
      }
    } else {
      const cut = value.lastIndexOf('\\');
      if (cut < 0) return;
      const folded = value.toLowerCase();
      const list = index.byKey.get(folded.slice(folded.lastIndexOf('\\') + 1));
      if (list !== undefined) out.push(list);
    }
  }

  /**
   * Lists of the grams and non-ASCII units of a text, lower-cased as `toLowerCase` does. ASCII letters are folded
   * inline (no copy of the string); at the first non-ASCII unit, whose lower case may differ in length, the rest is
   * done on `text.toLowerCase()` from the start (`folded`; lists pushed twice are deduplicated by the caller).
   * `lo` holds the low bytes of the last 4 units, `hi` those of the 4 before (witness.ts `gramCodeOf`).
   */
  private gramLists(index: FieldIndex, text: string, out: (readonly number[])[], folded = false): void {
    const { grams, ends, byUnit } = index;
    let hi = 0;
    let lo = 0;
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (c >= 0x80) {
        if (!folded) {
          this.gramLists(index, text.toLowerCase(), out, true);
          return;
        }
        const list = byUnit.get(c);
        if (list !== undefined) out.push(list);
      } else if (!folded && c >= 0x41 && c <= 0x5a) c |= 0x20;
      hi = (hi << 8) | (lo >>> 24);
      lo = (lo << 8) | (c & 0xff);
      const ending = ends[endSlot(lo & 0xffff)]!;
      if (ending === 0) continue;
      for (let g = 0; g < grams.length; g++) {
        const table = grams[g]!;
        if ((ending & table.bit) === 0 || i + 1 < table.length) continue;
        const code = gramCodeOf(hi, lo, table.length);
        const slot = filterSlot(code);
        if ((table.filter[slot >>> 5]! & (1 << (slot & 31))) === 0) continue;
        const list = table.byCode.get(code);
        if (list !== undefined) out.push(list);
      }
    }
  }

  private evaluateList(
    list: readonly number[],
    event: Record<string, unknown>,
    memo: EventMemo,
    gen: number,
    stamp: Uint32Array,
    matched: number[] | undefined,
  ): number[] | undefined {
    const predicates = this.predicates;
    const held = this.held;
    const full = this.full;
    for (let k = 0; k < list.length; k++) {
      const entry = list[k]!;
      const i = entry >>> CLAUSE_BITS;
      if (stamp[i] !== gen) {
        stamp[i] = gen;
        held[i] = 0;
      }
      const bits = held[i]! | (1 << (entry & CLAUSE_MASK));
      if (bits !== full[i]) {
        held[i] = bits;
        continue;
      }
      // Evaluated once: EVALUATED is no clause bit, so the rule's bits never equal `full` again for this event.
      held[i] = EVALUATED;
      this.evaluated++;
      if (this.test(i, predicates[i] ?? this.compile(i), event, memo)) (matched ??= []).push(i);
    }
    return matched;
  }

  private test(i: number, predicate: Predicate, event: unknown, memo: EventMemo): boolean {
    try {
      return predicate(event, memo) === true;
    } catch (error) {
      // A stack overflow on an event nested thousands of levels deep is the event's fault, not the rule's: the
      // event is refused (the depth is measured only then, so ordinary events cost nothing).
      if (error instanceof RangeError && nestingDepth(event, MAX_EVENT_DEPTH) > MAX_EVENT_DEPTH) throw TOO_DEEP;
      const known = this.errors.get(i);
      if (known) known.count++;
      else this.errors.set(i, { count: 1, first: error instanceof Error ? error.message : String(error) });
      return false;
    }
  }

  private nextGeneration(): number {
    if (this.generation === 0xffffffff) {
      this.stamp.fill(0);
      this.generation = 0;
    }
    return ++this.generation;
  }

  /**
   * Buckets of Windows events by Channel, then EventID as it appears (number or text): most events route
   * through two map lookups, without building the logsource key. Bounded, for logs with endless channel names.
   */
  private readonly byChannel = new Map<string, Map<unknown, Bucket>>();
  private channelEntries = 0;

  private bucketFor(event: Record<string, unknown>): Bucket {
    const channel = event['Channel'];
    if (!this.routing || typeof channel !== 'string') return this.bucketBySource(event);
    const id = event['EventID'];
    const byId = this.byChannel.get(channel);
    const cached = byId?.get(id);
    if (cached !== undefined) return cached;
    const bucket = this.bucketBySource(event);
    if (this.channelEntries < MAX_CHANNEL_ENTRIES && (typeof id === 'number' || typeof id === 'string')) {
      if (byId === undefined) this.byChannel.set(channel, new Map([[id, bucket]]));
      else byId.set(id, bucket);
      this.channelEntries++;
    }
    return bucket;
  }

  private bucketBySource(event: Record<string, unknown>): Bucket {
    const source = this.routing ? eventLogsource(event) : undefined;
    const key = source?.key ?? '';
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = this.buildBucket((rule) => source === undefined || logsourceAdmits(rule.logsource, source));
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private buildBucket(admits: (rule: Rule) => boolean): Bucket {
    const always: number[] = [];
    const gates: (RawGate | undefined)[] = [];
    const fields = new Map<string, FieldIndex>();
    this.rules.forEach((r, i) => {
      if (!admits(r.rule)) return;
      const clauses = this.witness(i);
      if (clauses === undefined) {
        always.push(i);
        gates.push(this.gate(i));
        return;
      }
      clauses.forEach((witness, clause) => this.indexClause(fields, (i << CLAUSE_BITS) | clause, witness));
    });
    const list = [...fields.values()];
    const byName = new Map<string, { indexes: FieldIndex[]; memo: Map<string, readonly (readonly number[])[]> }>();
    for (const index of list) {
      const same = byName.get(index.field);
      if (same === undefined) byName.set(index.field, { indexes: [index], memo: new Map() });
      else same.indexes.push(index);
    }
    const dotted = [...byName.values()].filter((entry) => entry.indexes[0]!.segments.length > 1);
    for (const entry of dotted) byName.delete(entry.indexes[0]!.field);
    return { always, gates, fields: list, byName, dotted };
  }

  /** Adds one clause of a rule to the bucket's field indexes, as `entry` (`rule << CLAUSE_BITS | clause`). */
  private indexClause(fields: Map<string, FieldIndex>, entry: number, witness: Witness): void {
    for (const term of witness) {
      const id = `${term.kind}\u0000${term.field}`;
      let index = fields.get(id);
      if (!index) {
        index = {
          field: term.field,
          kind: term.kind,
          segments: term.field.split('.'),
          byKey: new Map(),
          grams: [],
          ends: new Uint8Array(term.kind === 'gram' ? END_SLOTS : 0),
          byUnit: new Map(),
          all: [],
          longest: 0,
        };
        fields.set(id, index);
      }
      index.all.push(entry);
      for (const key of term.keys) {
        if (term.kind === 'gram' && key.length === 1) {
          const list = index.byUnit.get(key.charCodeAt(0));
          if (list === undefined) index.byUnit.set(key.charCodeAt(0), [entry]);
          else if (list[list.length - 1] !== entry) list.push(entry);
          continue;
        }
        if (term.kind === 'gram') {
          const table = gramTable(index, key.length);
          const pair = ((key.charCodeAt(key.length - 2) & 0xff) << 8) | (key.charCodeAt(key.length - 1) & 0xff);
          index.ends[endSlot(pair)]! |= table.bit;
          // As a signed 32-bit number, as the event side rolls it (small integers, no heap numbers).
          const code = gramCode(key) | 0;
          const slot = filterSlot(code);
          table.filter[slot >>> 5]! |= 1 << (slot & 31);
          const list = table.byCode.get(code);
          if (list === undefined) table.byCode.set(code, [entry]);
          else if (list[list.length - 1] !== entry) list.push(entry);
          continue;
        }
        if (key.length > index.longest) index.longest = key.length;
        const list = index.byKey.get(key);
        if (list === undefined) index.byKey.set(key, [entry]);
        else if (list[list.length - 1] !== entry) list.push(entry);
      }
    }
  }
}

/** The index's table of grams of `length` units, made on first use; tables are kept longest first. */
function gramTable(index: FieldIndex, length: number): GramTable {
  let table = index.grams.find((t) => t.length === length);
  if (table === undefined) {
    const bit = 1 << GRAM_LENGTHS.indexOf(length);
    table = { length, bit, byCode: new Map(), filter: new Uint32Array(1 << (32 - FILTER_SHIFT - 5)) };
    index.grams.push(table);
    index.grams.sort((x, y) => y.length - x.length);
  }
  return table;
}

export interface PreparedRules {
  readonly rules: PreparedRule[];
  /** Rules the factory cannot evaluate, with the reason. */
  readonly skipped: SkippedRule[];
}

/**
 * Rules whose predicates are built when first needed: a large rule set (the SigmaHQ corpus: ~1 s of pipeline,
 * code generation and `new Function` for 3,000 rules) then costs only the rules some event can reach. Rules that
 * cannot be evaluated are found when first needed (`RuleRouter.skipped`); a rule never reached could not have
 * matched anyway.
 */
export function lazyRules(rules: readonly Rule[], factory: PredicateFactory): EngineRule[] {
  return rules.map((rule) => ({ rule, compile: () => factory(rule) }));
}

/** Makes a predicate per rule; rules the factory refuses (or throws on) are set aside, not fatal. */
export function prepareRules(rules: readonly Rule[], factory: PredicateFactory): PreparedRules {
  const out: PreparedRule[] = [];
  const skipped: SkippedRule[] = [];
  for (const rule of rules) {
    const predicate = buildPredicate(() => factory(rule));
    if (typeof predicate === 'string') skipped.push({ rule, reason: predicate });
    else out.push({ rule, predicate });
  }
  return { rules: out, skipped };
}

/** The predicate `build` makes, or why there is none (it returned undefined, or threw). */
function buildPredicate(build: () => Predicate | undefined): Predicate | string {
  try {
    return build() ?? 'the predicate target cannot evaluate this rule';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Nesting beyond which an event on which a predicate exhausted the stack is refused (real events nest ~10 deep). */
export const MAX_EVENT_DEPTH = 256;

const TOO_DEEP = Symbol('event nested too deeply');

/** The nesting depth of a JSON value, measured without recursion and without going past `limit + 1`. */
export function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth + 1 > deepest) deepest = depth + 1;
    if (deepest > limit) return deepest;
    for (const key in item) {
      if (Object.hasOwn(item, key)) stack.push([(item as Record<string, unknown>)[key], depth + 1]);
    }
  }
  return deepest;
}

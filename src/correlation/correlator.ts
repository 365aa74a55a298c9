/**
 * The streaming correlator of `rulec match`: rule matches come in (rule, time, event), correlation alerts go out.
 *
 * Windows slide (the specification asks for no fixed boundaries): for thresholds that only ask for "at least"
 * (`gt`, `gte`) an alert fires as soon as the last `timespan` of a group meets it, and the group starts over, so
 * one burst gives one alert. Other thresholds (`lt`, `eq`, ranges) are judged when a window that opened with a
 * group's first event closes (so is any value_avg or value_percentile threshold: they can fall again): at the first later
 * event past its end, or at the end of the stream.
 * A late event joins its group's window in time order; memory is bounded by evicting groups that can no longer
 * fire (a group idle for longer than `timespan` behind the newest event).
 */
import type { Correlation } from './model.js';
import { isLowerBound, meets } from './model.js';
import type { ResolvedCorrelation } from './resolve.js';

/** What a contributing event is reported as: the event itself or its pointer, chosen by the caller. */
export type EventRef = unknown;

export interface CorrelationAlert {
  readonly correlation: Correlation;
  /** Group-by field → value, in `group-by` order. */
  readonly group: Readonly<Record<string, unknown>>;
  /** Milliseconds since the epoch. */
  readonly start: number;
  readonly end: number;
  /** The measured value: event count, distinct values, rules seen, sum, average. */
  readonly value: number;
  readonly events: readonly EventRef[];
}

interface Entry {
  readonly time: number;
  /** Index of the referenced rule in the correlation's `rules:`. */
  readonly rule: number;
  readonly value: unknown;
  readonly ref: EventRef;
}

interface Group {
  readonly values: readonly unknown[];
  entries: Entry[];
  /** For temporal_ordered: per step, the entries of the best (latest-starting) chain completed up to that step. */
  chains?: (Entry[] | undefined)[];
  last: number;
}

/** Contributing events kept per alert; the count is exact, the list stops growing here. */
const MAX_EVENTS_PER_ALERT = 100;

class Engine {
  readonly groups = new Map<string, Group>();
  constructor(readonly resolved: ResolvedCorrelation) {}

  get c(): Correlation {
    return this.resolved.correlation;
  }

  add(rule: number, time: number, event: Readonly<Record<string, unknown>>, ref: EventRef, out: CorrelationAlert[]) {
    const fields = this.resolved.groupFields[rule]!;
    const values = fields.map((f) => valueOf(event, f));
    // An event without a group-by value cannot be grouped with others (as `stats … by` drops it).
    if (values.some((v) => v === undefined || v === null)) return;
    const key = JSON.stringify(values);
    let group = this.groups.get(key);
    if (!group) {
      group = { values, entries: [], last: time };
      this.groups.set(key, group);
    }
    const c = this.c;
    const lower = firesEarly(c);
    if (!lower && group.entries.length > 0 && time - group.entries[0]!.time > c.timespanMs) {
      this.close(group, out);
      group.entries = [];
    }
    group.last = Math.max(group.last, time);
    const value =
      c.fields.length === 0 ? undefined : c.fields.length === 1 ? valueOf(event, c.fields[0]!) : tuple(event, c.fields);
    const entry: Entry = { time, rule, value, ref };
    if (c.type === 'temporal_ordered') {
      this.ordered(group, entry, out);
      return;
    }
    // A late event (logs merged from several sources) takes its place in time order, so windows stay contiguous.
    let at = group.entries.length;
    while (at > 0 && group.entries[at - 1]!.time > time) at--;
    group.entries.splice(at, 0, entry);
    if (!lower) return;
    // Sliding window: drop what fell out of the `timespan` that ends with the group's newest event.
    const from = group.entries[group.entries.length - 1]!.time - c.timespanMs;
    let drop = 0;
    while (drop < group.entries.length && group.entries[drop]!.time < from) drop++;
    if (drop > 0) group.entries.splice(0, drop);
    const measured = this.measure(group.entries);
    if (measured !== undefined && this.fires(measured)) {
      out.push(this.alert(group, measured, group.entries));
      group.entries = [];
    }
  }

  /** temporal_ordered: step j extends the chain of step j-1 if it lies within `timespan` of the chain's start. */
  private ordered(group: Group, entry: Entry, out: CorrelationAlert[]): void {
    const n = this.c.rules.length;
    const chains = (group.chains ??= new Array<Entry[] | undefined>(n).fill(undefined));
    const j = entry.rule;
    if (j === 0) chains[0] = [entry];
    else {
      const prev = chains[j - 1];
      if (!prev || entry.time - prev[0]!.time > this.c.timespanMs || entry.time < prev[prev.length - 1]!.time) return;
      const next = [...prev, entry];
      const current = chains[j];
      if (!current || current[0]!.time <= next[0]!.time) chains[j] = next;
    }
    const done = chains[n - 1];
    if (done) {
      out.push(this.alert(group, n, done));
      delete group.chains;
    }
  }

  /** The measured value of a window, or undefined when the type needs a value no event gave. */
  private measure(entries: readonly Entry[]): number | undefined {
    const c = this.c;
    switch (c.type) {
      case 'event_count':
        return entries.length;
      case 'value_count':
        return new Set(entries.filter((e) => e.value !== undefined && e.value !== null).map((e) => String(e.value)))
          .size;
      case 'temporal':
        return new Set(entries.map((e) => e.rule)).size;
      case 'value_sum':
      case 'value_avg': {
        const numbers = entries.map((e) => numeric(e.value)).filter((x): x is number => x !== undefined);
        if (numbers.length === 0) return undefined;
        const sum = numbers.reduce((a, b) => a + b, 0);
        return c.type === 'value_sum' ? sum : sum / numbers.length;
      }
      default:
        return undefined;
    }
  }

  private fires(measured: number): boolean {
    const c = this.c;
    // temporal without a condition: every referenced rule must occur.
    if (c.threshold === undefined) return measured >= c.rules.length;
    return meets(measured, c.threshold);
  }

  private alert(group: Group, value: number, entries: readonly Entry[]): CorrelationAlert {
    const c = this.c;
    const groupValues: Record<string, unknown> = {};
    c.groupBy.forEach((g, i) => (groupValues[g] = group.values[i]));
    return {
      correlation: c,
      group: groupValues,
      start: entries.length > 0 ? entries[0]!.time : group.last,
      end: entries.length > 0 ? entries[entries.length - 1]!.time : group.last,
      value,
      events: entries.slice(0, MAX_EVENTS_PER_ALERT).map((e) => e.ref),
    };
  }

  /** Judges a closing window of an upper-bounded threshold. */
  private close(group: Group, out: CorrelationAlert[]): void {
    if (this.c.type === 'value_percentile') {
      this.percentiles(group, out);
      return;
    }
    const measured = this.measure(group.entries);
    if (measured !== undefined && this.fires(measured)) out.push(this.alert(group, measured, group.entries));
  }

  /**
   * value_percentile, as the specification's example reads ("a process name [seen in] less than 1% of all the
   * processes" of a computer, `condition: {field: Image, lte: 1}`): for each value of the field in the closing
   * window, the share of the group's events carrying it, in percent, is compared with the condition; each value
   * that meets it is one alert, its group values followed by the field and that value. Exact: the window's
   * entries are all the state there is.
   */
  private percentiles(group: Group, out: CorrelationAlert[]): void {
    const byValue = new Map<string, Entry[]>();
    let total = 0;
    for (const e of group.entries) {
      if (e.value === undefined || e.value === null) continue;
      total++;
      const key = String(e.value);
      const list = byValue.get(key);
      if (list) list.push(e);
      else byValue.set(key, [e]);
    }
    for (const entries of byValue.values()) {
      const share = (100 * entries.length) / total;
      if (!this.fires(share)) continue;
      const alert = this.alert(group, share, entries);
      out.push({ ...alert, group: { ...alert.group, [this.c.fields[0]!]: entries[0]!.value } });
    }
  }

  /** Number of entries held in windows, for the memory bound tests. */
  get entryCount(): number {
    let n = 0;
    for (const g of this.groups.values())
      n += g.entries.length + (g.chains?.reduce((k, c) => k + (c?.length ?? 0), 0) ?? 0);
    return n;
  }

  /** Forgets groups whose window ended before `now` (judging the closing ones first). */
  evict(now: number, out: CorrelationAlert[]): void {
    const lower = firesEarly(this.c);
    for (const [key, group] of this.groups) {
      if (now - group.last <= this.c.timespanMs) continue;
      if (!lower && group.entries.length > 0) this.close(group, out);
      this.groups.delete(key);
    }
  }

  finish(out: CorrelationAlert[]): void {
    this.evict(Number.POSITIVE_INFINITY, out);
  }
}

/**
 * Whether an alert may fire as soon as the sliding window meets the threshold: the measure only grows as events
 * arrive (counts, distinct values, rules seen, sums of the non-negative amounts they are) and the threshold only
 * asks for "at least". An average or a share can fall again, so they wait for the window to close, like upper bounds.
 */
export function firesEarly(c: Correlation): boolean {
  return (
    c.type !== 'value_avg' && c.type !== 'value_percentile' && (c.threshold === undefined || isLowerBound(c.threshold))
  );
}

/** Evicting scans every group; doing it once per this many events keeps it off the per-event cost. */
const EVICT_EVERY = 4096;

export class Correlator {
  private readonly engines: Engine[];
  /** Detection rule (by the caller's rule index) → [engine, position in its `rules:`]. */
  private readonly byRule = new Map<unknown, [Engine, number][]>();
  /** Correlation → engines that refer to it (correlations of correlations). */
  private readonly byCorrelation = new Map<Correlation, [Engine, number][]>();
  private seen = 0;
  private readonly fieldCache = new Map<unknown, readonly string[]>();
  private clock = Number.NEGATIVE_INFINITY;

  constructor(resolved: readonly ResolvedCorrelation[]) {
    this.engines = resolved.map((r) => new Engine(r));
    for (const engine of this.engines) {
      // Later steps first: one event matching two steps of a temporal_ordered must not complete both.
      [...engine.resolved.targets.entries()].reverse().forEach(([i, t]) => {
        const map = ('kind' in t ? this.byCorrelation : this.byRule) as Map<unknown, [Engine, number][]>;
        map.set(t, [...(map.get(t) ?? []), [engine, i]]);
      });
    }
  }

  /** The fields the correlations read from the events of this rule (group-by, value field). */
  fieldsRead(rule: unknown): readonly string[] {
    let fields = this.fieldCache.get(rule);
    if (!fields) {
      const set = new Set<string>();
      for (const [engine, i] of this.byRule.get(rule) ?? []) {
        for (const f of engine.resolved.groupFields[i]!) set.add(f);
        for (const f of engine.c.fields) set.add(f);
      }
      fields = [...set];
      this.fieldCache.set(rule, fields);
    }
    return fields;
  }

  /** Whether any correlation refers to this detection rule. */
  uses(rule: unknown): boolean {
    return this.byRule.has(rule);
  }

  /** Feeds one event matched by `rule`; returns the alerts it completes (including correlations of correlations). */
  push(rule: unknown, time: number, event: Readonly<Record<string, unknown>>, ref: EventRef): CorrelationAlert[] {
    const out: CorrelationAlert[] = [];
    for (const [engine, i] of this.byRule.get(rule) ?? []) engine.add(i, time, event, ref, out);
    this.clock = Math.max(this.clock, time);
    if (++this.seen % EVICT_EVERY === 0) for (const e of this.engines) e.evict(this.clock, out);
    return this.cascade(out);
  }

  /** Alerts of the correlations whose window closed by the end of the stream. */
  finish(): CorrelationAlert[] {
    const out: CorrelationAlert[] = [];
    for (const e of this.engines) e.finish(out);
    return this.cascade(out);
  }

  /** Number of live groups, for the memory bound tests. */
  get groupCount(): number {
    return this.engines.reduce((n, e) => n + e.groups.size, 0);
  }

  /** Number of events held in live windows (the correlator's state besides the groups), for the same tests. */
  get entryCount(): number {
    return this.engines.reduce((n, e) => n + e.entryCount, 0);
  }

  /** An alert is an event for the correlations that refer to its correlation: its group values are its fields. */
  private cascade(alerts: CorrelationAlert[]): CorrelationAlert[] {
    for (let k = 0; k < alerts.length; k++) {
      const a = alerts[k]!;
      for (const [engine, i] of this.byCorrelation.get(a.correlation) ?? [])
        engine.add(
          i,
          a.end,
          a.group,
          { correlation: a.correlation.name ?? a.correlation.id ?? a.correlation.title },
          alerts,
        );
    }
    return alerts;
  }
}

/** A field of an event: the key as written first (Sigma fields may contain dots), then a dotted path. */
export function valueOf(event: Readonly<Record<string, unknown>>, field: string): unknown {
  if (field in event) return event[field];
  let current: unknown = event;
  for (const part of field.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/**
 * A value the value types add up: a finite number, or a string holding one. Empty strings, booleans and the rest
 * are skipped, as Splunk's `sum`/`avg` skip non-numbers and Kusto's `todouble` makes them null (JS `Number('')`
 * would be 0 and pull an average down).
 */
function numeric(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function tuple(event: Readonly<Record<string, unknown>>, fields: readonly string[]): unknown {
  const values = fields.map((f) => valueOf(event, f));
  return values.some((v) => v === undefined || v === null) ? undefined : JSON.stringify(values);
}

/** Field names tried for an event's time when none is given (`--time-field`), in this order. */
export const TIME_FIELDS = ['@timestamp', 'timestamp', 'TimeGenerated', 'TimeCreated', 'UtcTime', '_time', 'time'];

/**
 * Milliseconds since the epoch of an event, from `field` or the first of TIME_FIELDS present. Numbers are epoch
 * seconds below 10^11 (until year 5138) and milliseconds above; strings are ISO 8601 (or what Date.parse reads).
 */
export function eventTime(event: Readonly<Record<string, unknown>>, field?: string): number | undefined {
  const candidates = field !== undefined ? [field] : TIME_FIELDS;
  for (const f of candidates) {
    const v = valueOf(event, f);
    if (typeof v === 'number' && Number.isFinite(v)) return v < 1e11 ? v * 1000 : v;
    if (typeof v === 'string') {
      const t = Date.parse(v);
      if (!Number.isNaN(t)) return t;
    }
    if (v !== undefined && field !== undefined) return undefined;
  }
  return undefined;
}

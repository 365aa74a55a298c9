/**
 * Differential test of the Elastic correlation rules: generated timestamped event streams, the JS correlator of
 * `rulec match` versus each emitted Elastic rule as the test-only readers run it:
 *
 * - a threshold rule (KQL reader): runs every `interval` over its `from` look-back, groups by `threshold.field`,
 *   alerts on `threshold.value` events (and `cardinality`);
 * - an ES|QL rule (ES|QL reader) over the whole stream: each result row is an alert of its group;
 * - an EQL sequence (EQL reader per step): a group alerts when its events hold the steps in order within maxspan.
 *
 * Compared per stream as the set of groups that alert. A disagreement is excused only by the loss code the
 * correlation carries, and only in the direction it names: EL501 (threshold look-back longer than the timespan)
 * only adds alerts, EL502 (fixed ES|QL buckets) only splits bursts, so for "at least" conditions it only removes
 * alerts. Streams whose events all fall in one bucket must agree exactly.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import type { QueryResult } from '../../src/backend/types.js';
import { loadTargets } from '../../src/cli/targets.js';
import { predicateFactory } from '../../src/cli/predicates.js';
import { compileCorrelation } from '../../src/correlation/compile.js';
import { Correlator } from '../../src/correlation/correlator.js';
import { isLowerBound, timespanMs } from '../../src/correlation/model.js';
import type { ResolvedCorrelation } from '../../src/correlation/resolve.js';
import { resolveReferences } from '../../src/correlation/resolve.js';
import { readRuleFile } from '../../src/frontend.js';
import type { Rule } from '../../src/model/rule.js';
import { correlationSchedule } from '../../backends/elastic/rule-object.js';
import { lookup } from '../fidelity/evaluators/common.js';
import { evaluate as evaluateEql, parse as parseEql } from '../fidelity/evaluators/eql.js';
import { parseEsql, runEsql } from '../fidelity/evaluators/esql.js';
import { evaluate as evaluateKql, parse as parseKql } from '../fidelity/evaluators/kql.js';

const [elastic] = loadTargets(BACKENDS, ['elastic']);
const predicateOf = predicateFactory(BACKENDS)!;

const RULES = `title: Failed login
name: failed
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4625}
  condition: selection
---
title: Explicit credentials
name: explicit
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4648}
  condition: selection
---
title: Success
name: success
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4624}
  condition: selection
`;

const CASES: [type: string, rules: string, condition?: string][] = [
  ['event_count', 'failed', '{gte: 3}'],
  ['event_count', 'failed, explicit', '{gt: 3}'],
  ['event_count', 'failed', '{gte: 2, lte: 3}'],
  ['value_count', 'failed', '{field: IpAddress, gte: 2}'],
  ['value_count', 'failed, success', '{field: IpAddress, lt: 2}'],
  ['temporal', 'failed, explicit, success'],
  ['temporal_ordered', 'failed, success'],
  ['temporal_ordered', 'failed, explicit, success'],
  ['value_sum', 'failed', '{field: LogonType, gte: 12}'],
  ['value_avg', 'failed, success', '{field: LogonType, gt: 5}'],
];

const TIMESPAN = '10m';
const SPAN = timespanMs(TIMESPAN)!;

function load(type: string, rules: string, condition?: string): ResolvedCorrelation {
  const text = `${RULES}---\ntitle: C\ncorrelation:\n  type: ${type}\n  rules: [${rules}]\n  group-by: [TargetUserName]\n  timespan: ${TIMESPAN}\n${condition ? `  condition: ${condition}\n` : ''}`;
  const read = readRuleFile('d.yml', text);
  const resolution = resolveReferences(read.rules, read.correlations, read.filters);
  expect(resolution.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return resolution.correlations[0]!;
}

type Event = Record<string, unknown>;

/** Deterministic pseudo-random numbers (mulberry32), so a failure names a stream that can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE = Date.UTC(2026, 0, 1); // a multiple of the timespan: bucket boundaries at BASE + k·SPAN

/**
 * One stream, each event in both spellings: Sigma's fields (for the JS correlator) and ECS (for the Elastic
 * queries). `oneBucket` keeps every event inside the first bucket [BASE, BASE + timespan).
 */
function stream(seed: number, oneBucket: boolean): Event[] {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const n = 4 + Math.floor(r() * 14);
  const horizon = oneBucket ? SPAN - 1000 : SPAN * (1 + r() * 5);
  const times = [...new Set(Array.from({ length: n }, () => 1000 * Math.floor((r() * horizon) / 1000)))].sort(
    (a, b) => a - b,
  );
  return times.map((offset) => {
    const id = pick([4625, 4625, 4648, 4624]);
    const user = pick(['alice', 'bob', 'carol']);
    const ip = pick(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    const logonType = pick([2, 3, 5, 10]);
    const withUser = r() > 0.1; // some events lack the group-by field
    return {
      '@timestamp': new Date(BASE + offset).toISOString(),
      Channel: 'Security',
      EventID: id,
      IpAddress: ip,
      LogonType: logonType,
      ...(withUser ? { TargetUserName: user } : {}),
      event: { code: String(id) },
      winlog: {
        channel: 'Security',
        event_data: { LogonType: logonType, ...(withUser ? { TargetUserName: user } : {}) },
      },
      source: { ip },
    };
  });
}

const key = (values: readonly unknown[]): string => JSON.stringify(values);

/** The groups the JS correlator alerts for. */
function jsGroups(resolved: ResolvedCorrelation, events: readonly Event[]): Set<string> {
  const predicates = resolved.targets.map((t) => predicateOf(t as Rule));
  const correlator = new Correlator([resolved]);
  const out = new Set<string>();
  for (const e of events) {
    const time = Date.parse(e['@timestamp'] as string);
    resolved.targets.forEach((t, i) => {
      if (predicates[i]!(e)) for (const a of correlator.push(t, time, e, e)) out.add(key(Object.values(a.group)));
    });
  }
  for (const a of correlator.finish()) out.add(key(Object.values(a.group)));
  return out;
}

/** A threshold rule run every `interval` over its `from` look-back, from before the first event to after the last. */
function thresholdGroups(query: QueryResult, resolved: ResolvedCorrelation, events: readonly Event[]): Set<string> {
  const ast = parseKql(query.query);
  const t = query.extra!['threshold'] as {
    field: string[];
    value: number;
    cardinality?: { field: string; value: number }[];
  };
  const schedule = correlationSchedule(resolved.correlation, '5m');
  const interval = timespanMs(schedule.interval)!;
  const lookback = timespanMs(schedule.from.slice('now-'.length))!;
  const hits = events.filter((e) => evaluateKql(ast, e));
  const out = new Set<string>();
  const last = Date.parse(events[events.length - 1]!['@timestamp'] as string);
  for (let run = BASE; run <= last + interval; run += interval) {
    const groups = new Map<string, Event[]>();
    for (const e of hits) {
      const time = Date.parse(e['@timestamp'] as string);
      if (time < run - lookback || time >= run) continue;
      const values = t.field.map((f) => lookup(e, f));
      if (values.some((v) => v === undefined || v === null)) continue; // terms aggregations skip missing values
      groups.set(key(values), [...(groups.get(key(values)) ?? []), e]);
    }
    for (const [k, es] of groups) {
      if (es.length < t.value) continue;
      const card = t.cardinality?.[0];
      if (card && new Set(es.map((e) => JSON.stringify(lookup(e, card.field)))).size < card.value) continue;
      out.add(k);
    }
  }
  return out;
}

function esqlGroups(query: QueryResult, resolved: ResolvedCorrelation, events: readonly Event[]): Set<string> {
  const ast = parseEsql(query.query);
  const stats = ast.stages.find((s) => s.kind === 'stats')!;
  const columns = stats.kind === 'stats' ? stats.by.slice(1).map((b) => b.name) : [];
  expect(columns).toHaveLength(resolved.correlation.groupBy.length);
  return new Set(runEsql(ast, events).map((row) => key(columns.map((c) => row.columns[c]))));
}

/** An EQL sequence: per group, steps matched by strictly later events, the last within maxspan of the first. */
function sequenceGroups(query: QueryResult, events: readonly Event[]): Set<string> {
  const [head, ...stepLines] = query.query.split('\n');
  const m = /^sequence by (.+) with maxspan=(\d+[smhd])$/.exec(head!)!;
  const by = m[1]!.split(', ');
  const maxspan = timespanMs(m[2]!)!;
  const steps = stepLines.map((l) => parseEql(/^ {2}\[(any where .*)\]$/.exec(l)![1]!));
  const out = new Set<string>();
  const groups = new Map<string, Event[]>();
  for (const e of events) {
    const values = by.map((f) => lookup(e, f));
    if (values.some((v) => v === undefined || v === null)) continue;
    groups.set(key(values), [...(groups.get(key(values)) ?? []), e]);
  }
  const time = (e: Event): number => Date.parse(e['@timestamp'] as string);
  for (const [k, es] of groups) {
    const found = (step: number, from: number, start: number): boolean => {
      if (step === steps.length) return true;
      for (let i = from; i < es.length; i++) {
        const t = time(es[i]!);
        if (step > 0 && t - start > maxspan) break;
        if (evaluateEql(steps[step]!, es[i]!) && found(step + 1, i + 1, step === 0 ? t : start)) return true;
      }
      return false;
    };
    if (found(0, 0, 0)) out.add(k);
  }
  return out;
}

const STREAMS = 150;

describe.each(CASES)('%s of [%s] %s', (type, rules, condition) => {
  const resolved = load(type, rules, condition);
  const result = compileCorrelation(resolved, elastic!);
  const query = result.query!;
  const codes = new Set(result.diagnostics.map((d) => d.code));
  const kind = query?.extra?.['type'];
  const run = (events: readonly Event[]): Set<string> =>
    kind === 'threshold'
      ? thresholdGroups(query, resolved, events)
      : kind === 'esql'
        ? esqlGroups(query, resolved, events)
        : sequenceGroups(query, events);

  it('compiles', () => {
    expect(query, JSON.stringify(result.diagnostics)).toBeDefined();
  });

  it('agrees with the JS correlator, disagreements only where and as the loss code says', () => {
    let differing = 0;
    let alerting = 0;
    for (let seed = 1; seed <= STREAMS; seed++) {
      const events = stream(seed * 7919 + type.length, false);
      const js = jsGroups(resolved, events);
      const target = run(events);
      if (js.size > 0) alerting++;
      const extra = [...target].filter((g) => !js.has(g));
      const missed = [...js].filter((g) => !target.has(g));
      if (extra.length + missed.length === 0) continue;
      differing++;
      const where = `stream ${seed}: extra ${extra.join(' ')} missed ${missed.join(' ')}`;
      if (kind === 'threshold') {
        // A look-back longer than the timespan sees more, never less.
        expect(codes.has('EL501'), where).toBe(true);
        expect(missed, where).toEqual([]);
      } else if (kind === 'esql') {
        expect(codes.has('EL502'), where).toBe(true);
        // Buckets split windows: for "at least" conditions on growing measures they can only lose alerts.
        const threshold = resolved.correlation.threshold;
        if (type !== 'value_avg' && (threshold === undefined || isLowerBound(threshold)))
          expect(extra, where).toEqual([]);
      } else {
        expect.fail(`EQL sequences carry no loss code: ${where}`);
      }
    }
    // The streams exercise the correlation: some alert, and the comparison is not vacuous.
    expect(alerting).toBeGreaterThanOrEqual(10);
    console.log(
      `${type} [${rules}] ${condition ?? ''}: ${alerting}/${STREAMS} streams alert, ${differing} differ (${kind})`,
    );
  });

  it('agrees exactly on streams inside one bucket (where no window loss applies to ES|QL and sequences)', () => {
    if (kind === 'threshold') return; // its look-back loss is about spacing, checked above
    for (let seed = 1; seed <= STREAMS; seed++) {
      const events = stream(seed * 104729 + type.length, true);
      expect([...run(events)].sort(), `stream ${seed}`).toEqual([...jsGroups(resolved, events)].sort());
    }
  });
});

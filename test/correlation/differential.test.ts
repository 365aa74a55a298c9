/**
 * Differential test per correlation type: generated timestamped event streams through the JS correlator
 * (src/correlation/correlator.ts, what `rulec match` runs) and through the Splunk and Sentinel queries, read by the
 * test-only evaluators (test/fidelity/evaluators/correlation.ts). Each side's answer is the set of alert keys
 * (time bin, group values, and for value_percentile the value).
 *
 * The targets count in fixed bins where the specification slides (SP501, SN020). So:
 * - streams of aligned bursts (each group's events inside one bin, with an empty bin between bursts): a sliding
 *   window and the bin see the same events, so all three answers must be equal, no excuse;
 * - free streams: the queries must equal the correlator run bin by bin (a fresh correlator per bin, which is the
 *   fixed-bin reading of the same rule); where they differ from the sliding correlator, the query must carry the
 *   warning that names that loss.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import { loadTargets } from '../../src/cli/targets.js';
import { compileCorrelation, type CorrelationResult } from '../../src/correlation/compile.js';
import { Correlator, type CorrelationAlert } from '../../src/correlation/correlator.js';
import { resolveReferences, type ResolvedCorrelation } from '../../src/correlation/resolve.js';
import { readRuleFile } from '../../src/frontend.js';
import { runKusto, runSpl, type Row } from '../fidelity/evaluators/correlation.js';
import { prng } from '../helpers/prng.js';

const EVENT_IDS = [4625, 4648, 4624];
const RULES = EVENT_IDS.map(
  (id, i) =>
    `title: Rule ${i}\nname: rule_${i}\nlogsource: {product: windows, service: security}\ndetection:\n  selection: {EventID: ${id}}\n  condition: selection\n`,
).join('---\n');

const HOUR = 3_600_000;
/** An hour boundary, so Splunk's and Kusto's epoch-aligned bins start where the generator's do. */
const EPOCH = Date.UTC(2024, 0, 1);
const GROUP_BY = ['TargetUserName', 'Computer'];

interface Case {
  readonly type: string;
  readonly rules: number;
  readonly condition?: string;
  /** The value field (value_percentile alerts per value of it). */
  readonly perValue?: string;
  /**
   * Group by the alias `user`: TargetUserName in rule 0's events, SubjectUserName in the others' (whose
   * TargetUserName then holds a decoy the query must not group by).
   */
  readonly alias?: boolean;
}

const CASES: Case[] = [
  { type: 'event_count', rules: 2, condition: '{gte: 4}' },
  { type: 'event_count', rules: 1, condition: '{gt: 1, lte: 3}' },
  { type: 'value_count', rules: 2, condition: '{field: IpAddress, gte: 3}' },
  { type: 'temporal', rules: 3 },
  { type: 'temporal', rules: 3, condition: '{gte: 2}' },
  { type: 'temporal_ordered', rules: 3 },
  { type: 'temporal_ordered', rules: 2 },
  { type: 'value_sum', rules: 2, condition: '{field: ProcessId, gt: 300}' },
  { type: 'value_avg', rules: 1, condition: '{field: ProcessId, gte: 120}' },
  { type: 'value_avg', rules: 2, condition: '{field: ProcessId, lt: 60}' },
  { type: 'value_percentile', rules: 2, condition: '{field: IpAddress, lte: 20}', perValue: 'IpAddress' },
  { type: 'event_count', rules: 2, condition: '{gte: 4}', alias: true },
  { type: 'temporal_ordered', rules: 3, alias: true },
  { type: 'value_sum', rules: 2, condition: '{field: ProcessId, gt: 300}', alias: true },
];

const groupColumns = (c: Case): string[] => (c.alias ? ['user', 'Computer'] : GROUP_BY);

function correlationText(c: Case): string {
  const names = Array.from({ length: c.rules }, (_, i) => `rule_${i}`);
  const aliases = c.alias
    ? `  aliases:\n    user:\n${names.map((n, i) => `      ${n}: ${i === 0 ? 'TargetUserName' : 'SubjectUserName'}\n`).join('')}`
    : '';
  return `${RULES}---\ntitle: Correlated\nname: correlated\ncorrelation:\n  type: ${c.type}\n  rules: [${names.join(', ')}]\n  group-by: [${groupColumns(c).join(', ')}]\n${aliases}  timespan: 1h\n${c.condition ? `  condition: ${c.condition}\n` : ''}`;
}

interface Setup {
  readonly resolved: ResolvedCorrelation;
  readonly splunk: CorrelationResult;
  readonly sentinel: CorrelationResult;
}

function setup(c: Case): Setup {
  const read = readRuleFile('c.yml', correlationText(c));
  expect(read.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const resolved = resolveReferences(read.rules, read.correlations, read.filters).correlations[0]!;
  const [splunk, sentinel] = loadTargets(BACKENDS, ['splunk', 'sentinel']).map((t) => compileCorrelation(resolved, t));
  expect(splunk!.query, JSON.stringify(splunk!.diagnostics)).toBeDefined();
  expect(sentinel!.query, JSON.stringify(sentinel!.diagnostics)).toBeDefined();
  return { resolved, splunk: splunk!, sentinel: sentinel! };
}

/** One generated event: which rule it matches, its time, its fields (Windows security names). */
interface Gen {
  readonly rule: number;
  readonly time: number;
  readonly fields: Readonly<Record<string, string | number>>;
}

function fields(random: () => number, user: number, computer: number): Record<string, string | number> {
  return {
    TargetUserName: `u${user}`,
    Computer: `c${computer}`,
    IpAddress: `10.0.0.${Math.floor(random() * 6)}`,
    ProcessId: Math.floor(random() * 200),
  };
}

/** Distinct times (the order of events at the same instant is not defined by the queries). */
function distinctTime(used: Set<number>, at: () => number): number {
  for (;;) {
    const t = at();
    if (!used.has(t)) {
      used.add(t);
      return t;
    }
  }
}

const BINS = 12;

/** Each group's events in bursts inside one bin; a bin after a burst stays empty for that group. */
function alignedStream(seed: number, rules: number): Gen[] {
  const random = prng(seed);
  const used = new Set<number>();
  const out: Gen[] = [];
  for (let user = 0; user < 4; user++) {
    for (let computer = 0; computer < 2; computer++) {
      for (let bin = 0; bin < BINS; bin++) {
        if (random() < 0.55) continue;
        const n = 1 + Math.floor(random() * 8);
        for (let k = 0; k < n; k++) {
          const time = distinctTime(used, () => EPOCH + bin * HOUR + Math.floor(random() * HOUR));
          out.push({ rule: Math.floor(random() * rules), time, fields: fields(random, user, computer) });
        }
        bin++;
      }
    }
  }
  return out.sort((a, b) => a.time - b.time);
}

/** Events anywhere in time. */
function freeStream(seed: number, rules: number): Gen[] {
  const random = prng(seed);
  const used = new Set<number>();
  const out: Gen[] = [];
  for (let k = 0; k < 240; k++) {
    const user = Math.floor(random() * 3);
    const computer = Math.floor(random() * 2);
    const time = distinctTime(used, () => EPOCH + Math.floor(random() * BINS * HOUR));
    out.push({ rule: Math.floor(random() * rules), time, fields: fields(random, user, computer) });
  }
  return out.sort((a, b) => a.time - b.time);
}

/** The alias cases' events: rules after the first carry the user in SubjectUserName. */
function aliased(c: Case, stream: Gen[]): Gen[] {
  if (!c.alias) return stream;
  return stream.map((g) =>
    g.rule === 0
      ? g
      : { ...g, fields: { ...g.fields, SubjectUserName: g.fields['TargetUserName']!, TargetUserName: 'decoy' } },
  );
}

const keyOf = (bin: number, values: readonly unknown[]): string => JSON.stringify([bin, ...values.map(String)]);

function jsKeys(s: Setup, stream: readonly Gen[]): string[] {
  const correlator = new Correlator([s.resolved]);
  const alerts: CorrelationAlert[] = [];
  stream.forEach((g, i) => {
    const event = { EventID: EVENT_IDS[g.rule]!, ...g.fields };
    alerts.push(...correlator.push(s.resolved.targets[g.rule], g.time, event, i));
  });
  alerts.push(...correlator.finish());
  return sorted(alerts.map((a) => keyOf(Math.floor((a.start - EPOCH) / HOUR), Object.values(a.group))));
}

/** The correlator run bin by bin: a fresh one per bin, the fixed-window reading of the rule. */
function jsPerBinKeys(s: Setup, stream: readonly Gen[]): string[] {
  const bins = new Map<number, Gen[]>();
  for (const g of stream) {
    const bin = Math.floor((g.time - EPOCH) / HOUR);
    bins.set(bin, [...(bins.get(bin) ?? []), g]);
  }
  return sorted([...bins.values()].flatMap((events) => jsKeys(s, events)));
}

function targetKeys(rows: readonly Row[], timeColumn: string, perSecond: boolean, c: Case): string[] {
  const columns = [...groupColumns(c), ...(c.perValue ? [c.perValue] : [])];
  return sorted(
    rows.map((r) => {
      const ms = (r[timeColumn] as number) * (perSecond ? 1000 : 1);
      return keyOf(
        Math.floor((ms - EPOCH) / HOUR),
        columns.map((col) => r[col]),
      );
    }),
  );
}

function splunkKeys(s: Setup, stream: readonly Gen[], c: Case): string[] {
  const events = stream.map((g) => ({
    source: 'XmlWinEventLog:Security',
    EventCode: String(EVENT_IDS[g.rule]),
    _time: g.time / 1000,
    ...g.fields,
  }));
  return targetKeys(runSpl(s.splunk.query!.query, events), '_time', true, c);
}

function sentinelKeys(s: Setup, stream: readonly Gen[], c: Case): string[] {
  const events = stream.map((g) => ({ EventID: EVENT_IDS[g.rule]!, TimeGenerated: g.time, ...g.fields }));
  return targetKeys(runKusto(s.sentinel.query!.query, events), 'TimeGenerated', false, c);
}

const sorted = (keys: string[]): string[] => [...new Set(keys)].sort();
const SEEDS = Array.from({ length: 12 }, (_, i) => 1000 + i);

describe.each(CASES)('$type $condition over $rules rule(s), alias $alias', (c) => {
  const s = setup(c);

  it('aligned bursts: the correlator, the Splunk search and the Kusto query raise the same alerts', () => {
    let alerts = 0;
    for (const seed of SEEDS) {
      const stream = aliased(c, alignedStream(seed, c.rules));
      const js = jsKeys(s, stream);
      expect(splunkKeys(s, stream, c), `seed ${seed}`).toEqual(js);
      expect(sentinelKeys(s, stream, c), `seed ${seed}`).toEqual(js);
      alerts += js.length;
    }
    // The streams exercise the rule: some groups alert, not all.
    expect(alerts).toBeGreaterThan(0);
  });

  it('free streams: the queries equal the correlator bin by bin; a sliding difference is named by SP501/SN020', () => {
    let differing = 0;
    for (const seed of SEEDS) {
      const stream = aliased(c, freeStream(seed, c.rules));
      const perBin = jsPerBinKeys(s, stream);
      const splunk = splunkKeys(s, stream, c);
      const sentinel = sentinelKeys(s, stream, c);
      expect(splunk, `seed ${seed}`).toEqual(perBin);
      expect(sentinel, `seed ${seed}`).toEqual(perBin);
      if (JSON.stringify(jsKeys(s, stream)) !== JSON.stringify(perBin)) {
        differing++;
        expect(s.splunk.diagnostics.map((d) => d.code)).toContain('SP501');
        expect(s.sentinel.diagnostics.map((d) => d.code)).toContain('SN020');
      }
    }
    // Sliding windows do see what fixed bins miss (bursts across a boundary) in these streams.
    if (c.type === 'event_count' && c.condition === '{gte: 4}') expect(differing).toBeGreaterThan(0);
  });
});

/**
 * Hand-written cases whose expected answers come from the text of the specification
 * (sigma-specification/specification/sigma-correlation-rules-specification.md, section "Correlation Types"), checked
 * on all three sides. Events sit inside one bin so the fixed windows of the targets see what the spec's window sees.
 */
describe('the specification, by hand', () => {
  const at = (minute: number) => EPOCH + minute * 60_000;
  const user = (extra: Record<string, string | number> = {}) => ({
    TargetUserName: 'alice',
    Computer: 'ws1',
    IpAddress: '10.0.0.1',
    ProcessId: 1,
    ...extra,
  });
  const all = (c: Case, stream: Gen[]) => {
    const s = setup(c);
    return [jsKeys(s, stream), splunkKeys(s, stream, c), sentinelKeys(s, stream, c)];
  };
  const ALICE = keyOf(0, ['alice', 'ws1']);

  it('§ Event Count: "the condition defines how many events must occur" (gte: 4 → 4 events alert, 3 do not)', () => {
    const c: Case = { type: 'event_count', rules: 1, condition: '{gte: 4}' };
    const four = [1, 2, 3, 4].map((m) => ({ rule: 0, time: at(m), fields: user() }));
    for (const keys of all(c, four)) expect(keys).toEqual([ALICE]);
    for (const keys of all(c, four.slice(1))) expect(keys).toEqual([]);
  });

  it('§ Temporal Proximity: "all events defined by the rules … must occur", in arbitrary order', () => {
    const c: Case = { type: 'temporal', rules: 3 };
    const anyOrder = [2, 0, 1].map((rule, k) => ({ rule, time: at(10 + k), fields: user() }));
    for (const keys of all(c, anyOrder)) expect(keys).toEqual([ALICE]);
    for (const keys of all(c, anyOrder.slice(0, 2))) expect(keys).toEqual([]);
  });

  it('§ Ordered Temporal Proximity: "requires in addition that the events appear in the order provided"', () => {
    const c: Case = { type: 'temporal_ordered', rules: 2 };
    const inOrder = [0, 1].map((rule, k) => ({ rule, time: at(10 + k), fields: user() }));
    const reversed = [1, 0].map((rule, k) => ({ rule, time: at(10 + k), fields: user() }));
    for (const keys of all(c, inOrder)) expect(keys).toEqual([ALICE]);
    for (const keys of all(c, reversed)) expect(keys).toEqual([]);
  });

  it('§ Value Sum / Value Average: the sum and the average of the field against the condition', () => {
    const stream = [100, 200, 300].map((p, k) => ({ rule: 0, time: at(k), fields: user({ ProcessId: p }) }));
    // sum 600 > 500; average 200 >= 200, not > 200.
    for (const keys of all({ type: 'value_sum', rules: 1, condition: '{field: ProcessId, gt: 500}' }, stream))
      expect(keys).toEqual([ALICE]);
    for (const keys of all({ type: 'value_avg', rules: 1, condition: '{field: ProcessId, gte: 200}' }, stream))
      expect(keys).toEqual([ALICE]);
    for (const keys of all({ type: 'value_avg', rules: 1, condition: '{field: ProcessId, gt: 200}' }, stream))
      expect(keys).toEqual([]);
  });

  it('§ Value Percentile: "a processes name … than 1% of all the processes" (lte: 1 → values seen in ≤ 1%)', () => {
    const c: Case = {
      type: 'value_percentile',
      rules: 1,
      condition: '{field: IpAddress, lte: 1}',
      perValue: 'IpAddress',
    };
    // 100 events of one group: 10.0.0.9 once (1%), 10.0.0.8 twice (2%), 10.0.0.1 the rest.
    const stream = Array.from({ length: 100 }, (_, k) => ({
      rule: 0,
      time: at(0) + k * 1000,
      fields: user({ IpAddress: k === 5 ? '10.0.0.9' : k === 6 || k === 7 ? '10.0.0.8' : '10.0.0.1' }),
    }));
    for (const keys of all(c, stream)) expect(keys).toEqual([keyOf(0, ['alice', 'ws1', '10.0.0.9'])]);
  });
});

describe('values the value types skip', () => {
  it('an empty string or a word is no number on any side (an average of 100 and 200 stays 150)', () => {
    const c: Case = { type: 'value_avg', rules: 1, condition: '{field: ProcessId, eq: 150}' };
    const stream = [100, '', 'n/a', '200'].map((p, k) => ({
      rule: 0,
      time: EPOCH + k * 60_000,
      fields: { TargetUserName: 'alice', Computer: 'ws1', IpAddress: '10.0.0.1', ProcessId: p },
    }));
    const s = setup(c);
    const expected = [keyOf(0, ['alice', 'ws1'])];
    expect(jsKeys(s, stream)).toEqual(expected);
    expect(splunkKeys(s, stream, c)).toEqual(expected);
    expect(sentinelKeys(s, stream, c)).toEqual(expected);
  });
});

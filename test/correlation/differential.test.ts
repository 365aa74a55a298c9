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
import { createKustoChecker, tablesFromPipeline } from '../../backends/sentinel/kusto-check.js';
import { checkCorrelationSpl } from '../../backends/splunk/spl-check.js';
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
  return correlatorKeys([s.resolved], s.resolved, s.resolved.targets, stream);
}

/**
 * The alert keys of `tested` when the correlator runs `all` (a chain's correlations, inner first) over the stream,
 * each generated event matched by the detection rule `rules[g.rule]`.
 */
function correlatorKeys(
  all: readonly ResolvedCorrelation[],
  tested: ResolvedCorrelation,
  rules: readonly unknown[],
  stream: readonly Gen[],
): string[] {
  const correlator = new Correlator(all);
  const alerts: CorrelationAlert[] = [];
  stream.forEach((g, i) => {
    const event = { EventID: EVENT_IDS[g.rule]!, ...g.fields };
    alerts.push(...correlator.push(rules[g.rule], g.time, event, i));
  });
  alerts.push(...correlator.finish());
  return sorted(
    alerts
      .filter((a) => a.correlation === tested.correlation)
      .map((a) => keyOf(Math.floor((a.start - EPOCH) / HOUR), Object.values(a.group))),
  );
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

/** Alert keys of a target's result rows: the hour bin of `timeColumn` (seconds or ms) and `columns`' values. */
function targetKeys(
  rows: readonly Row[],
  timeColumn: string,
  perSecond: boolean,
  columns: readonly string[],
): string[] {
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

const keyColumns = (c: Case): string[] => [...groupColumns(c), ...(c.perValue ? [c.perValue] : [])];

/** A generated stream as Splunk events (`_time` in seconds) and as Sentinel rows (`TimeGenerated` in ms). */
const splunkEvents = (stream: readonly Gen[]) =>
  stream.map((g) => ({
    source: 'XmlWinEventLog:Security',
    EventCode: String(EVENT_IDS[g.rule]),
    _time: g.time / 1000,
    ...g.fields,
  }));
const sentinelEvents = (stream: readonly Gen[]) =>
  stream.map((g) => ({ EventID: EVENT_IDS[g.rule]!, TimeGenerated: g.time, ...g.fields }));

function splunkKeys(s: Setup, stream: readonly Gen[], c: Case): string[] {
  const events = splunkEvents(stream);
  return targetKeys(runSpl(s.splunk.query!.query, events), '_time', true, keyColumns(c));
}

function sentinelKeys(s: Setup, stream: readonly Gen[], c: Case): string[] {
  const events = sentinelEvents(stream);
  return targetKeys(runKusto(s.sentinel.query!.query, events), 'TimeGenerated', false, keyColumns(c));
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

/**
 * Chains (correlations of correlations, issue 14): the inner correlation's query gives one row per firing (group
 * and bin) at the time of the last event of its bin (SP505, SN023), read by the outer query as the events of that
 * referenced rule. `rulec match` fires an inner correlation as soon as its condition is met, once per burst here:
 * each burst gives an inner event_count exactly its threshold or one less, and one event or none to every other
 * rule, so the firing time is that of the bin's last event on every side. A user's bursts (all computers at once)
 * sit in one bin with an empty bin after, so the sliding windows see what the bins see.
 */
interface Chain {
  readonly name: string;
  /** Correlation documents after RULES, the outermost last (named `outer`). */
  readonly docs: string;
  /** How many events each leaf rule gets per burst: the threshold of an inner event_count on it, else 1. */
  readonly counts: readonly number[];
  /**
   * The outer correlation groups by the alias `user`: the inner correlation's TargetUserName, SubjectUserName in
   * rule 1's events (whose TargetUserName then holds a decoy), as `aliased` does for the per-type cases.
   */
  readonly alias?: boolean;
}

const corr = (name: string, type: string, rules: string, groupBy: string, extra = ''): string =>
  `title: ${name}\nname: ${name}\ncorrelation:\n  type: ${type}\n  rules: [${rules}]\n  group-by: [${groupBy}]\n  timespan: 1h\n${extra}`;

const CHAINS: Chain[] = [
  {
    // The specification's example: many failed logins (an event_count) followed by a success, grouped by the
    // user only, where the inner correlation also groups by computer.
    name: 'temporal_ordered over an event_count and a rule',
    docs: [
      corr('many', 'event_count', 'rule_0', 'TargetUserName, Computer', '  condition: {gte: 3}\n'),
      corr('outer', 'temporal_ordered', 'many, rule_2', 'TargetUserName'),
    ].join('---\n'),
    counts: [3, 0, 1],
  },
  {
    name: 'temporal over a temporal and a rule',
    docs: [
      corr('both', 'temporal', 'rule_0, rule_1', 'TargetUserName, Computer'),
      corr('outer', 'temporal', 'both, rule_2', 'TargetUserName'),
    ].join('---\n'),
    counts: [1, 1, 1],
  },
  {
    name: 'event_count over two event_counts (no rule of its own)',
    docs: [
      corr('fails', 'event_count', 'rule_0', 'TargetUserName, Computer', '  condition: {gte: 2}\n'),
      corr('explicit', 'event_count', 'rule_1', 'TargetUserName, Computer', '  condition: {gte: 2}\n'),
      corr('outer', 'event_count', 'fails, explicit', 'TargetUserName', '  condition: {gte: 2}\n'),
    ].join('---\n'),
    counts: [2, 2, 0],
  },
  {
    name: 'three levels: temporal over (temporal_ordered over an event_count and a rule) and a rule',
    docs: [
      corr('many', 'event_count', 'rule_0', 'TargetUserName, Computer', '  condition: {gte: 2}\n'),
      corr('then', 'temporal_ordered', 'many, rule_1', 'TargetUserName, Computer'),
      corr('outer', 'temporal', 'then, rule_2', 'TargetUserName'),
    ].join('---\n'),
    counts: [2, 1, 1],
  },
  {
    name: 'temporal over an event_count and a rule, grouped by an alias (a different field per source)',
    docs: [
      corr('many', 'event_count', 'rule_0', 'TargetUserName, Computer', '  condition: {gte: 2}\n'),
      corr(
        'outer',
        'temporal',
        'many, rule_1',
        'user',
        '  aliases:\n    user: {many: TargetUserName, rule_1: SubjectUserName}\n',
      ),
    ].join('---\n'),
    counts: [2, 1, 0],
    alias: true,
  },
];

interface ChainSetup {
  readonly all: readonly ResolvedCorrelation[];
  readonly outer: ResolvedCorrelation;
  readonly leaves: readonly unknown[];
  readonly splunk: CorrelationResult;
  readonly sentinel: CorrelationResult;
}

function chainSetup(chain: Chain): ChainSetup {
  const read = readRuleFile('c.yml', `${RULES}---\n${chain.docs}`);
  expect(read.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const resolution = resolveReferences(read.rules, read.correlations, read.filters);
  expect(resolution.diagnostics).toEqual([]);
  const outer = resolution.correlations.find((r) => r.correlation.name === 'outer')!;
  const [splunk, sentinel] = loadTargets(BACKENDS, ['splunk', 'sentinel']).map((t) => compileCorrelation(outer, t));
  expect(splunk!.query, JSON.stringify(splunk!.diagnostics)).toBeDefined();
  expect(sentinel!.query, JSON.stringify(sentinel!.diagnostics)).toBeDefined();
  return { all: resolution.correlations, outer, leaves: read.rules, splunk: splunk!, sentinel: sentinel! };
}

/** Bursts per user: every computer of the user in the same bin, each rule `counts[rule]` events or one less. */
function chainStream(seed: number, counts: readonly number[]): Gen[] {
  const random = prng(seed);
  const used = new Set<number>();
  const out: Gen[] = [];
  for (let user = 0; user < 4; user++) {
    for (let bin = 0; bin < BINS; bin++) {
      if (random() < 0.4) continue;
      for (let computer = 0; computer < 2; computer++)
        counts.forEach((count, rule) => {
          const n = count === 0 ? 0 : count - (random() < 0.3 ? 1 : 0);
          for (let k = 0; k < n; k++) {
            const time = distinctTime(used, () => EPOCH + bin * HOUR + Math.floor(random() * HOUR));
            out.push({ rule, time, fields: fields(random, user, computer) });
          }
        });
      bin++;
    }
  }
  return out.sort((a, b) => a.time - b.time);
}

const chainColumns = (chain: Chain): string[] => [chain.alias ? 'user' : 'TargetUserName'];

/** Rule 1's events of an alias chain carry the user in SubjectUserName, a decoy in TargetUserName. */
const chainEvents = (chain: Chain, stream: Gen[]): Gen[] =>
  chain.alias
    ? stream.map((g) =>
        g.rule === 1
          ? { ...g, fields: { ...g.fields, SubjectUserName: g.fields['TargetUserName']!, TargetUserName: 'decoy' } }
          : g,
      )
    : stream;

function chainJsKeys(s: ChainSetup, stream: readonly Gen[]): string[] {
  return correlatorKeys(s.all, s.outer, s.leaves, stream);
}

function chainSplunkKeys(s: ChainSetup, stream: readonly Gen[], chain: Chain): string[] {
  return targetKeys(runSpl(s.splunk.query!.query, splunkEvents(stream)), '_time', true, chainColumns(chain));
}

function chainSentinelKeys(s: ChainSetup, stream: readonly Gen[], chain: Chain): string[] {
  return targetKeys(
    runKusto(s.sentinel.query!.query, sentinelEvents(stream)),
    'TimeGenerated',
    false,
    chainColumns(chain),
  );
}

describe.each(CHAINS)('chain: $name', (chain) => {
  const s = chainSetup(chain);

  it('bursts: the correlator, the Splunk search and the Kusto query raise the same alerts of the outer correlation', () => {
    let alerts = 0;
    let silent = 0;
    for (const seed of SEEDS) {
      const stream = chainEvents(chain, chainStream(seed, chain.counts));
      const js = chainJsKeys(s, stream);
      expect(chainSplunkKeys(s, stream, chain), `seed ${seed}`).toEqual(js);
      expect(chainSentinelKeys(s, stream, chain), `seed ${seed}`).toEqual(js);
      alerts += js.length;
      // Bursts one event short: some of a user's bursts raise nothing.
      silent +=
        new Set(stream.map((g) => `${g.fields['TargetUserName']} ${Math.floor((g.time - EPOCH) / HOUR)}`)).size -
        js.length;
    }
    expect(alerts).toBeGreaterThan(0);
    expect(silent).toBeGreaterThan(0);
  });

  it('passes the SPL checker, and binds with 0 errors in the Kusto language service', () => {
    expect(checkCorrelationSpl(s.splunk.query!.query)).toEqual([]);
    const [sentinel] = loadTargets(BACKENDS, ['sentinel']);
    expect(createKustoChecker(tablesFromPipeline(sentinel!.pipeline)).errors(s.sentinel.query!.query)).toEqual([]);
  });

  it('names the firing time of its inner correlations (SP505, SN023) and the fixed bins (SP501, SN020)', () => {
    expect(s.splunk.diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining(['SP501', 'SP505']));
    expect(s.sentinel.diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining(['SN020', 'SN023']));
  });
});

/**
 * The specification's flagship example, "Failed Logins Followed by Successful Login"
 * (sigma-correlation-rules-specification.md, section Example), as written there: a temporal_ordered correlation
 * over the event_count `multiple_failed_login` (10 failed logins, 4625, of a user within 10 minutes) and the rule
 * `successful_login` (4624), same user, within 10 minutes. Expected from its text: "multiple failed logins by a
 * single user followed by a successful login of that user". Ten failures then a success alert; nine failures, or
 * a success before the failures, or another user's success, do not.
 */
describe('the specification, by hand: Failed Logins Followed by Successful Login', () => {
  const FLAGSHIP = `title: Correlation - Multiple Failed Logins Followed by Successful Login
id: b180ead8-d58f-40b2-ae54-c8940995b9b6
correlation:
    type: temporal_ordered
    rules:
        - multiple_failed_login
        - successful_login
    group-by:
        - User
    timespan: 10m
level: high
---
title: Multiple failed logons
id: a8418a5a-5fc4-46b5-b23b-6c73beb19d41
name: multiple_failed_login
correlation:
    type: event_count
    rules:
        - failed_login
    group-by:
        - User
    timespan: 10m
    condition:
        gte: 10
---
title: Single failed login
id: 53ba33fd-3a50-4468-a5ef-c583635cfa92
name: failed_login
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID:
            - 529
            - 4625
    condition: selection
---
title: Successful login
id: 4d0a2c83-c62c-4ed4-b475-c7e23a9269b8
name: successful_login
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID:
            - 528
            - 4624
    condition: selection
`;
  const read = readRuleFile('flagship.yml', FLAGSHIP);
  const resolution = resolveReferences(read.rules, read.correlations, read.filters);
  const outer = resolution.correlations.find((r) => r.correlation.name === undefined)!;
  const [splunk, sentinel] = loadTargets(BACKENDS, ['splunk', 'sentinel']).map((t) => compileCorrelation(outer, t));
  const [failed, success] = [4625, 4624];
  const at = (second: number) => EPOCH + second * 1000;
  /** Events as `[EventID, User, second]`; the answer of each side: the users alerted. */
  const answers = (events: [number, string, number][]): string[][] => {
    const correlator = new Correlator(resolution.correlations);
    const js: CorrelationAlert[] = [];
    for (const [id, user, second] of events) {
      const rule = read.rules.find((r) => r.name === (id === failed ? 'failed_login' : 'successful_login'));
      js.push(...correlator.push(rule, at(second), { EventID: id, User: user }, second));
    }
    js.push(...correlator.finish());
    const spl = runSpl(
      splunk!.query!.query,
      events.map(([id, User, second]) => ({
        source: 'XmlWinEventLog:Security',
        EventCode: String(id),
        User,
        _time: at(second) / 1000,
      })),
    );
    const kql = runKusto(
      sentinel!.query!.query,
      events.map(([EventID, User, second]) => ({ EventID, User, TimeGenerated: at(second) })),
    );
    return [
      sorted(js.filter((a) => a.correlation === outer.correlation).map((a) => String(a.group['User']))),
      sorted(spl.map((r) => String(r['User']))),
      sorted(kql.map((r) => String(r['User']))),
    ];
  };
  const failures = (user: string, from: number, n: number): [number, string, number][] =>
    Array.from({ length: n }, (_, k) => [failed, user, from + k * 10]);

  it('compiles for Splunk and Sentinel (a chain), and is refused by Elastic with EL520', () => {
    expect(splunk!.query?.query).toContain('| append [search ');
    expect(sentinel!.query?.query).toMatch(/^union\n/);
    expect(checkCorrelationSpl(splunk!.query!.query)).toEqual([]);
    const checker = createKustoChecker(tablesFromPipeline(loadTargets(BACKENDS, ['sentinel'])[0]!.pipeline));
    expect(checker.errors(sentinel!.query!.query)).toEqual([]);
    const [elastic] = loadTargets(BACKENDS, ['elastic']);
    const codes = compileCorrelation(outer, elastic!).diagnostics.map((d) => d.code);
    expect(codes).toEqual(expect.arrayContaining(['EL520', 'RC723']));
  });

  it('ten failed logins then a success of the same user alert, on every side', () => {
    for (const answer of answers([...failures('alice', 0, 10), [success, 'alice', 150]]))
      expect(answer).toEqual(['alice']);
  });

  it('nine failures, a success before the failures, or the success of another user do not', () => {
    for (const answer of answers([...failures('alice', 0, 9), [success, 'alice', 150]])) expect(answer).toEqual([]);
    for (const answer of answers([[success, 'alice', 0], ...failures('alice', 10, 10)])) expect(answer).toEqual([]);
    for (const answer of answers([...failures('alice', 0, 10), [success, 'bob', 150]])) expect(answer).toEqual([]);
  });
});

describe('chain: the loss SP505 and SN023 name, by hand', () => {
  it('a burst of twice the inner threshold fires the inner correlation twice in rulec match, once in the queries', () => {
    const chain: Chain = {
      name: 'event_count over an event_count',
      docs: [
        corr('many', 'event_count', 'rule_0', 'TargetUserName, Computer', '  condition: {gte: 3}\n'),
        corr('outer', 'event_count', 'many', 'TargetUserName', '  condition: {gte: 2}\n'),
      ].join('---\n'),
      counts: [6],
    };
    const s = chainSetup(chain);
    const stream: Gen[] = Array.from({ length: 6 }, (_, k) => ({
      rule: 0,
      time: EPOCH + k * 60_000,
      fields: { TargetUserName: 'alice', Computer: 'ws1', IpAddress: '10.0.0.1', ProcessId: 1 },
    }));
    expect(chainJsKeys(s, stream)).toEqual([keyOf(0, ['alice'])]);
    expect(chainSplunkKeys(s, stream, chain)).toEqual([]);
    expect(chainSentinelKeys(s, stream, chain)).toEqual([]);
    expect(s.splunk.diagnostics.map((d) => d.code)).toContain('SP505');
    expect(s.sentinel.diagnostics.map((d) => d.code)).toContain('SN023');
  });
});

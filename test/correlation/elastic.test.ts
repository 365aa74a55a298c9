/**
 * Elastic correlation rules: one golden per correlation type (query, diagnostics, rule object), the Sigma
 * specification's examples, and hostile values in ES|QL and EQL literals.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import { loadTargets } from '../../src/cli/targets.js';
import { compileCorrelation } from '../../src/correlation/compile.js';
import { resolveReferences } from '../../src/correlation/resolve.js';
import { readRuleFile } from '../../src/frontend.js';
import { correlationAsCompiled } from '../../src/correlation/as-compiled.js';
import { chain, correlation, withStandIns } from '../helpers/correlation-cases.js';
import { evaluate as evaluateEql, parse as parseEql } from '../fidelity/evaluators/eql.js';
import { parseEsql, runEsql } from '../fidelity/evaluators/esql.js';
import { parse as parseKql } from '../fidelity/evaluators/kql.js';

const [elastic] = loadTargets(BACKENDS, ['elastic']);

function compile(text: string) {
  const read = readRuleFile('c.yml', text);
  expect(read.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const resolution = resolveReferences(read.rules, read.correlations, read.filters);
  const resolved = resolution.correlations[resolution.correlations.length - 1]!;
  return { resolved, result: compileCorrelation(resolved, elastic!) };
}

/** The rule objects of a compiled correlation as rulec build makes them (src/correlation/as-compiled.ts). */
function artifactsOf({ resolved, result }: ReturnType<typeof compile>) {
  const names = resolved.correlation.rules.map((r) => r.text);
  const compiled = correlationAsCompiled(resolved.correlation, result.referenced!, names, result.query!);
  return elastic!.backend.renderArtifacts(compiled, { warn() {}, refuse() {}, info() {} });
}

/** What a golden holds: the diagnostics, the query, and the rule object Kibana imports. */
function golden(text: string): string {
  const compiled = compile(text);
  const { result } = compiled;
  const diagnostics = result.diagnostics.map((d) => `${d.severity}[${d.code}] ${d.message}`).join('\n');
  if (!result.query) return `# diagnostics\n${diagnostics}\n`;
  const artifacts = artifactsOf(compiled);
  return `# diagnostics\n${diagnostics}\n# query\n${result.query.query}\n# rule\n${artifacts[0]!.content}`;
}

const GOLDENS: [name: string, text: string][] = [
  ['event_count-threshold', correlation('event_count', 'failed_login, explicit_credentials', '{gt: 9}')],
  ['event_count-range-esql', correlation('event_count', 'failed_login', '{gte: 10, lte: 100}')],
  ['value_count-threshold', correlation('value_count', 'failed_login', '{field: IpAddress, gte: 5}')],
  ['value_count-eq-esql', correlation('value_count', 'failed_login', '{field: IpAddress, eq: 5}')],
  ['temporal-esql', correlation('temporal', 'failed_login, explicit_credentials')],
  ['temporal_ordered-eql', correlation('temporal_ordered', 'failed_login, explicit_credentials')],
  ['value_sum-esql', correlation('value_sum', 'failed_login', '{field: LogonType, gt: 100}')],
  ['value_avg-esql', correlation('value_avg', 'failed_login', '{field: LogonType, lt: 3}')],
  ['value_percentile-refused', correlation('value_percentile', 'failed_login', '{field: LogonType, lte: 1}')],
  ['chain-refused', chain()],
];

describe('Elastic correlation goldens, one per type', () => {
  it.each(GOLDENS)('%s', async (name, text) => {
    await expect(golden(text)).toMatchFileSnapshot(`golden/elastic/${name}.txt`);
  });
});

describe('the rule type each correlation becomes', () => {
  const object = (text: string): Record<string, unknown> => {
    const files = artifactsOf(compile(text));
    return JSON.parse(files[0]!.content) as Record<string, unknown>;
  };

  it('event_count ≥ N: a threshold rule over the rules KQL, with index, threshold and a schedule from the timespan', () => {
    const rule = object(correlation('event_count', 'failed_login, explicit_credentials', '{gte: 10}'));
    expect(rule['type']).toBe('threshold');
    expect(rule['language']).toBe('kuery');
    expect(rule['threshold']).toEqual({ field: ['winlog.event_data.TargetUserName'], value: 10 });
    expect(() => parseKql(rule['query'] as string)).not.toThrow();
    expect(rule['index']).toEqual(['logs-system.security-*', 'winlogbeat-*']);
    // 30m timespan, run every 30m as rulec build schedules a correlation (as-compiled.ts): every 30m window lies
    // inside one look-back of timespan + interval.
    expect([rule['interval'], rule['from']]).toEqual(['30m', 'now-1h']);
    expect(rule['timestamp_override']).toBeUndefined();
    expect(rule['description']).toContain("of the rules: 'failed_login', 'explicit_credentials'.");
  });

  it('a timespan shorter than the rule interval runs as often as the timespan', () => {
    const rule = object(correlation('event_count', 'failed_login', '{gte: 10}').replace('30m', '2m'));
    expect([rule['interval'], rule['from']]).toEqual(['2m', 'now-4m']);
  });

  it('value_count: threshold value 1 and a cardinality condition', () => {
    const rule = object(correlation('value_count', 'failed_login', '{field: IpAddress, gt: 4}'));
    expect(rule['threshold']).toEqual({
      field: ['winlog.event_data.TargetUserName'],
      value: 1,
      cardinality: [{ field: 'source.ip', value: 5 }],
    });
  });

  it('ES|QL: no index key (FROM names the indices), parsed by the test reader', () => {
    const rule = object(correlation('temporal', 'failed_login, share_process'));
    // TargetUserName is winlog.event_data.TargetUserName in one rule, user.name in the other: one column each event fills.
    expect(rule['query']).toContain('| EVAL TargetUserName = CASE(');
    expect(rule['type']).toBe('esql');
    expect(rule['language']).toBe('esql');
    expect(rule['index']).toBeUndefined();
    const query = parseEsql(rule['query'] as string);
    expect(query.from).toEqual([
      'logs-system.security-*',
      'winlogbeat-*',
      'logs-endpoint.events.process-*',
      'logs-windows.sysmon_operational-*',
    ]);
  });

  it('temporal_ordered: an EQL sequence whose steps the EQL reader parses', () => {
    const rule = object(correlation('temporal_ordered', 'failed_login, explicit_credentials'));
    expect(rule['type']).toBe('eql');
    const lines = (rule['query'] as string).split('\n');
    expect(lines[0]).toBe('sequence by winlog.event_data.TargetUserName with maxspan=30m');
    for (const step of lines.slice(1)) expect(() => parseEql(/^ {2}\[(.*)\]$/.exec(step)![1]!)).not.toThrow();
  });

  it('a referenced EQL rule makes event_count an ES|QL rule (EL503 says why)', () => {
    const text = correlation('event_count', 'failed_login, admin_failure', '{gte: 3}');
    const { result } = compile(text);
    expect(result.query?.extra?.['type']).toBe('esql');
    expect(result.diagnostics.find((d) => d.code === 'EL503')?.message).toContain("'admin_failure' is an EQL rule");
  });
});

describe('what a threshold rule cannot take becomes ES|QL, EL503 saying why', () => {
  it.each([
    [
      'more group-by fields than Kibana takes',
      correlation('event_count', 'failed_login', '{gte: 3}').replace(
        'group-by: [TargetUserName]',
        'group-by: [TargetUserName, Computer, IpAddress, LogonType]',
      ),
      'groups by at most 3 fields',
    ],
    [
      'a distinct count of a grouped field',
      correlation('value_count', 'failed_login', '{field: TargetUserName, gte: 3}'),
      "cannot count distinct values of 'winlog.event_data.TargetUserName', a field it groups by",
    ],
    ['an upper bound', correlation('event_count', 'failed_login', '{lt: 3}'), 'is not "at least N"'],
  ])('%s', (_name, text, reason) => {
    const { result } = compile(text);
    expect(result.query?.extra?.['type']).toBe('esql');
    expect(result.diagnostics.find((d) => d.code === 'EL503')?.message).toContain(reason);
  });
});

describe('hostile values stay literals', () => {
  const HOSTILE = [
    'a" OR TRUE OR "',
    'x\\" | STATS c = COUNT(*) | WHERE "',
    '*?\\*\\\\',
    'line\nbreak\ttab\rret',
    '`) | DROP x',
    ']\n  [any where true',
  ];

  it.each(HOSTILE)('%j in ES|QL and EQL: the query structure is intact and the value matches itself only', (value) => {
    // Written with Sigma's escapes, so the rule means the value literally (its `*`, `?` and `\\` too).
    const sigma = value.replace(/[\\*?]/g, (c) => `\\${c}`);
    const rules = `title: Hostile
name: hostile
logsource: {product: windows, service: security}
detection:
  exact: {TargetUserName: ${JSON.stringify(sigma)}}
  wild: {SubjectUserName|contains: ${JSON.stringify(sigma)}}
  condition: exact or wild
`;
    const tail = (type: string, condition: string) =>
      `${rules}---\ntitle: C\ncorrelation:\n  type: ${type}\n  rules: [hostile]\n  group-by: [Computer]\n  timespan: 5m\n${condition}`;
    const event = (data: Record<string, unknown>) => ({
      '@timestamp': '2026-01-01T00:00:00Z',
      host: { name: 'h1' }, // Computer, as Elastic stores it (pipeline: Computer → host.name)
      winlog: { channel: 'Security', event_data: { LogonType: 5, ...data } },
    });
    const hits = [event({ TargetUserName: value }), event({ SubjectUserName: `pre${value.toUpperCase()}post` })];
    const misses = [event({ TargetUserName: `${value}x` }), event({ SubjectUserName: value.slice(1) })];

    const esql = compile(tail('value_sum', '  condition: {field: LogonType, gt: 1}\n')).result;
    const ast = parseEsql(esql.query!.query);
    expect(ast.stages.map((s) => s.kind)).toEqual(['where', 'stats', 'where']);
    for (const e of hits) expect(runEsql(ast, [e])).toHaveLength(1);
    for (const e of misses) expect(runEsql(ast, [e])).toHaveLength(0);

    const eql = compile(tail('temporal_ordered', '')).result;
    const steps = eql.query!.query.split('\n').slice(1);
    expect(steps).toHaveLength(1);
    const step = parseEql(`any where ${/^ {2}\[any where (.*)\]$/s.exec(steps[0]!)![1]!}`);
    for (const e of hits) expect(evaluateEql(step, e)).toBe(true);
    for (const e of misses) expect(evaluateEql(step, e)).toBe(false);
  });

  it('a control character stays inside its ES|QL string literal (the grammar allows it raw)', () => {
    const text = `title: Ctl\nname: ctl\nlogsource: {product: windows, service: security}\ndetection:\n  s: {TargetUserName: "a\\u0001b"}\n  condition: s\n---\ntitle: C\ncorrelation:\n  type: temporal\n  rules: [ctl]\n  group-by: [Computer]\n  timespan: 5m\n`;
    const { result } = compile(text);
    const ast = parseEsql(result.query!.query);
    const event = (user: string) => ({
      '@timestamp': '2026-01-01T00:00:00Z',
      host: { name: 'h' },
      winlog: { channel: 'Security', event_data: { TargetUserName: user } },
    });
    expect(runEsql(ast, [event('a\u0001b')])).toHaveLength(1);
    expect(runEsql(ast, [event('ab')])).toHaveLength(0);
  });
});

// The specification's example files name rules they do not contain: each reference gets a stand-in rule.
const SPEC = '/work/shared/data/sigma-specification/tests/schema/correlation';
const FIXTURES = new URL('./fixtures/spec/', import.meta.url).pathname;
const MARKDOWN = '/work/shared/data/sigma-specification/specification/sigma-correlation-rules-specification.md';

/** The specification text's fenced YAML blocks that are whole correlation documents. */
function markdownExamples(file: string): { name: string; text: string }[] {
  const blocks = [...readFileSync(file, 'utf8').matchAll(/```ya?ml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .map((text, i) => ({ name: `${file.split('/').pop()} block ${i + 1}`, text }))
    .filter((b) => /^title: /m.test(b.text) && /^correlation:/m.test(b.text) && /^\s+type: /m.test(b.text))
    .filter((b) => !/^id: —$/m.test(b.text)); // the aliases example's placeholder id is no UUID
}

const specExamples: { name: string; text: string }[] = [
  ...readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.yml') && !f.startsWith('filter'))
    .map((f) => join(FIXTURES, f)),
  ...(existsSync(SPEC) ? readdirSync(SPEC).map((f) => join(SPEC, f)) : []),
]
  .sort()
  .map((f) => ({ name: f, text: readFileSync(f, 'utf8') }))
  .concat(existsSync(MARKDOWN) ? markdownExamples(MARKDOWN) : []);
if (!existsSync(SPEC)) console.log(`elastic correlation: ${SPEC} is absent; using the in-repo copies only`);

describe('Sigma specification examples compile for Elastic or are refused with a code', () => {
  it('has examples', () => expect(specExamples.length).toBeGreaterThanOrEqual(existsSync(SPEC) ? 12 : 4));
  it.each(specExamples)('$name', ({ text }) => {
    const read = readRuleFile('spec.yml', withStandIns(text));
    const resolution = resolveReferences(read.rules, read.correlations, read.filters);
    expect(resolution.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    for (const resolved of resolution.correlations) {
      const result = compileCorrelation(resolved, elastic!);
      if (result.query) {
        expect(['threshold', 'eql', 'esql']).toContain(result.query.extra?.['type']);
        if (result.query.language === 'esql') expect(() => parseEsql(result.query!.query)).not.toThrow();
      } else {
        // Refusals name why: value_percentile's undefined percentile, or a correlation of correlations (EL520 on
        // the inner correlation, RC723 on the chain).
        const codes = result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);
        expect(codes.length).toBeGreaterThan(0);
        expect(codes.every((c) => c === 'EL511' || c === 'EL520' || c === 'RC723')).toBe(true);
      }
    }
  });
});

/** The correlation types beyond counting, per target: exact query text, checked by each target's query checker. */
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import { createKustoChecker, tablesFromPipeline } from '../../backends/sentinel/kusto-check.js';
import { checkSpl, CORRELATION_COMMANDS } from '../../backends/splunk/spl-check.js';
import { loadTargets } from '../../src/cli/targets.js';
import { compileCorrelation } from '../../src/correlation/compile.js';
import { resolveReferences } from '../../src/correlation/resolve.js';
import { readRuleFile } from '../../src/frontend.js';

const RULES = `title: Failed login
name: failed_login
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4625}
  condition: selection
---
title: Explicit credentials
name: explicit_credentials
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4648, TargetServerName: 'say "hi" \\ there'}
  condition: selection
`;

function correlation(type: string, condition?: string): string {
  return `${RULES}---\ntitle: Correlated\ncorrelation:\n  type: ${type}\n  rules: [failed_login, explicit_credentials]\n  group-by: [TargetUserName, Computer]\n  timespan: 1h\n${condition ? `  condition: ${condition}\n` : ''}`;
}

function compile(text: string, target: string) {
  const read = readRuleFile('c.yml', text);
  expect(read.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const resolution = resolveReferences(read.rules, read.correlations, read.filters);
  const [loaded] = loadTargets(BACKENDS, [target]);
  return { result: compileCorrelation(resolution.correlations[0]!, loaded!), loaded: loaded! };
}

/** Per type: the lines after the base search that carry the type's meaning, per target. */
const CASES: [string, string | undefined, string[], string[]][] = [
  [
    'temporal',
    undefined,
    [
      '| bin _time span=1h',
      '| stats max(rulec_rule_0) as rulec_rule_0 max(rulec_rule_1) as rulec_rule_1 by _time TargetUserName Computer',
      '| eval temporal=rulec_rule_0+rulec_rule_1',
      '| where temporal >= 2',
    ],
    [
      '| summarize temporal = count_distinct(rulec_rule) by bin(TimeGenerated, 1h), TargetUserName, Computer',
      '| where temporal >= 2',
    ],
  ],
  [
    'temporal_ordered',
    undefined,
    [
      '| bin _time span=1h',
      '| eventstats min(eval(if(rulec_rule_0=1,rulec_time,null()))) as rulec_step_0 by _time TargetUserName Computer',
      '| eventstats min(eval(if(rulec_rule_1=1 AND rulec_time>rulec_step_0,rulec_time,null()))) as rulec_step_1 by _time TargetUserName Computer',
      '| stats min(rulec_step_1) as rulec_end by _time TargetUserName Computer',
      '| where isnotnull(rulec_end)',
    ],
    [
      '| summarize rulec_times = make_list(TimeGenerated), rulec_rules = make_list(rulec_rule) by bin(TimeGenerated, 1h), TargetUserName, Computer',
      '| extend (rulec_times, rulec_order) = array_sort_asc(rulec_times, rulec_rules)',
      '| where strcat_array(rulec_order, ",") matches regex "(^|,)0,([0-9]+,)*1(,|$)"',
    ],
  ],
  [
    'value_sum',
    '{field: ProcessId, gt: 1000}',
    [
      '| bin _time span=1h',
      '| stats sum(ProcessId) as value_sum by _time TargetUserName Computer',
      '| where value_sum > 1000',
    ],
    [
      '| summarize value_sum = sum(todouble(ProcessId)) by bin(TimeGenerated, 1h), TargetUserName, Computer',
      '| where value_sum > 1000',
    ],
  ],
  [
    'value_avg',
    '{field: ProcessId, gte: 10, lt: 20}',
    [
      '| bin _time span=1h',
      '| stats avg(ProcessId) as value_avg by _time TargetUserName Computer',
      '| where value_avg >= 10 AND value_avg < 20',
    ],
    [
      '| summarize value_avg = avg(todouble(ProcessId)) by bin(TimeGenerated, 1h), TargetUserName, Computer',
      '| where value_avg >= 10 and value_avg < 20',
    ],
  ],
  [
    'value_percentile',
    '{field: IpAddress, lte: 1}',
    [
      '| bin _time span=1h',
      '| stats count as rulec_count by _time TargetUserName Computer IpAddress',
      '| eventstats sum(rulec_count) as rulec_total by _time TargetUserName Computer',
      '| eval value_percentile=100*rulec_count/rulec_total',
      '| where value_percentile <= 1',
    ],
    [
      '| summarize rulec_count = count() by bin(TimeGenerated, 1h), TargetUserName, Computer, IpAddress',
      '| summarize rulec_values = make_list(IpAddress), rulec_counts = make_list(rulec_count), rulec_total = sum(rulec_count) by TimeGenerated, TargetUserName, Computer',
      '| mv-expand IpAddress = rulec_values, rulec_count = rulec_counts to typeof(long)',
      '| extend value_percentile = 100.0 * rulec_count / rulec_total',
      '| where value_percentile <= 1',
    ],
  ],
];

const codes = (ds: readonly { code: string }[]) => ds.map((d) => d.code);

describe.each(CASES)('%s', (type, condition, spl, kusto) => {
  it('Splunk: the expected stages, passing the SPL checker, warning SP501 (and SP503 for order)', () => {
    const { result } = compile(correlation(type, condition), 'splunk');
    const lines = result.query!.query.split('\n');
    expect(lines.slice(-spl.length)).toEqual(spl);
    expect(checkSpl(result.query!.query, CORRELATION_COMMANDS)).toEqual([]);
    expect(codes(result.diagnostics)).toEqual(type === 'temporal_ordered' ? ['SP501', 'SP503'] : ['SP501']);
  });
  it('Sentinel: the expected stages, binding with 0 errors in the Kusto language service, warning SN020 (and SN022 for order)', () => {
    const { result, loaded } = compile(correlation(type, condition), 'sentinel');
    expect(result.query!.query.split('\n').slice(-kusto.length)).toEqual(kusto);
    expect(createKustoChecker(tablesFromPipeline(loaded.pipeline)).errors(result.query!.query)).toEqual([]);
    expect(codes(result.diagnostics)).toEqual(type === 'temporal_ordered' ? ['SN020', 'SN022'] : ['SN020']);
  });
});

describe('Splunk rule tags', () => {
  it('quote each rule search as an eval string: a quote or backslash in a rule value cannot end it', () => {
    const { result } = compile(correlation('temporal'), 'splunk');
    const tagLine = result.query!.query.split('\n')[1]!;
    expect(tagLine).toBe(
      '| eval rulec_rule_0=if(searchmatch("source=\\"XmlWinEventLog:Security\\" EventCode=4625"),1,0), ' +
        'rulec_rule_1=if(searchmatch("source=\\"XmlWinEventLog:Security\\" EventCode=4648 TargetServerName=\\"say \\\\\\"hi\\\\\\" \\\\\\\\ there\\""),1,0)',
    );
  });

  it('a piped rule search cannot be tagged: refused with RC720', () => {
    const text = correlation('temporal').replace(
      'TargetServerName: \'say "hi" \\ there\'',
      "TargetServerName|re: 'a.*b'",
    );
    const { result } = compile(text, 'splunk');
    expect(result.query).toBeUndefined();
    expect(codes(result.diagnostics)).toEqual(['RC720']);
  });
});

describe('aliases: a group-by entry read from a different field per rule', () => {
  const text = correlation('event_count', '{gte: 3}').replace(
    '  timespan: 1h\n',
    '  timespan: 1h\n  aliases:\n    TargetUserName:\n      failed_login: TargetUserName\n      explicit_credentials: SubjectUserName\n',
  );

  it('Splunk: an eval picks the field of the rule each event matches, warning SP504', () => {
    const { result } = compile(text, 'splunk');
    const lines = result.query!.query.split('\n');
    expect(lines[1]).toBe(
      '| eval TargetUserName=case(searchmatch("source=\\"XmlWinEventLog:Security\\" EventCode=4625"),\'TargetUserName\',' +
        'searchmatch("source=\\"XmlWinEventLog:Security\\" EventCode=4648 TargetServerName=\\"say \\\\\\"hi\\\\\\" \\\\\\\\ there\\""),\'SubjectUserName\')',
    );
    expect(lines.slice(2)).toEqual([
      '| bin _time span=1h',
      '| stats count as event_count by _time TargetUserName Computer',
      '| where event_count >= 3',
    ]);
    expect(checkSpl(result.query!.query, CORRELATION_COMMANDS)).toEqual([]);
    expect(codes(result.diagnostics)).toEqual(['SP504', 'SP501']);
  });

  it('Sentinel: each branch copies its field into the entry (as a string), binding with 0 errors', () => {
    const { result, loaded } = compile(text, 'sentinel');
    expect(result.query!.query).toContain(
      '    | where EventID == 4625\n    | extend TargetUserName = tostring(TargetUserName)),\n',
    );
    expect(result.query!.query).toContain('\n    | extend TargetUserName = tostring(SubjectUserName))\n');
    expect(createKustoChecker(tablesFromPipeline(loaded.pipeline)).errors(result.query!.query)).toEqual([]);
    expect(codes(result.diagnostics)).toEqual(['SN020']);
  });
});

describe('Splunk searchmatch literals are injection-safe', () => {
  const HOSTILE = ['a"), 1, 0) | delete', 'ends with \\', '\\"', 'x" OR "1"="1', 'pipe | eval x=1', "quote ' single"];

  it.each(HOSTILE)('the literal holding a rule with %j reads back as exactly the rule search', (value) => {
    const text = `${RULES.replace(`'say "hi" \\ there'`, JSON.stringify(value))}---
title: Correlated
correlation: {type: temporal, rules: [failed_login, explicit_credentials], group-by: [TargetUserName], timespan: 1h}
`;
    const { result } = compile(text, 'splunk');
    const query = result.query!.query;
    expect(checkSpl(query, CORRELATION_COMMANDS)).toEqual([]);
    const searches = query.split('\n')[0]!.slice(1, -1).split(') OR (');
    // Each searchmatch("…") literal, read as Splunk reads an eval string (\\ and \" escapes), is the rule search.
    const literals = [...query.split('\n')[1]!.matchAll(/searchmatch\("((?:[^"\\]|\\.)*)"\)/g)].map((m) =>
      m[1]!.replace(/\\(.)/g, '$1'),
    );
    expect(literals).toEqual(searches);
    expect(searches[1]).toContain('TargetServerName=');
    expect(searches[1]).not.toContain('say');
  });
});

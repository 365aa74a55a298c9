/** Correlation queries per target: event_count for Splunk and Sentinel, checked by their query checkers; refusals. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import { createKustoChecker, tablesFromPipeline } from '../../backends/sentinel/kusto-check.js';
import { checkSpl, CORRELATION_COMMANDS } from '../../backends/splunk/spl-check.js';
import { loadTargets } from '../../src/cli/targets.js';
import { compileCorrelation } from '../../src/correlation/compile.js';
import { resolveReferences } from '../../src/correlation/resolve.js';
import { readRuleFile } from '../../src/frontend.js';
import { runRulec } from '../helpers/run-rulec.js';

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
  selection: {EventID: 4648}
  condition: selection
`;

function correlation(type: string, condition: string): string {
  return `${RULES}---\ntitle: Many failed logins\ncorrelation:\n  type: ${type}\n  rules: [failed_login, explicit_credentials]\n  group-by: [TargetUserName, Computer]\n  timespan: 1h\n  condition: ${condition}\n`;
}

function compile(text: string, target: string) {
  const read = readRuleFile('c.yml', text);
  expect(read.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const resolution = resolveReferences(read.rules, read.correlations, read.filters);
  const [loaded] = loadTargets(BACKENDS, [target]);
  return { result: compileCorrelation(resolution.correlations[0]!, loaded!), loaded: loaded! };
}

const codes = (ds: readonly { code: string }[]) => ds.map((d) => d.code);

describe('event_count', () => {
  it('Splunk: the rules OR-ed, bin + stats count by + where, and a warning for fixed bins', () => {
    const { result } = compile(correlation('event_count', '{gte: 10, lte: 100}'), 'splunk');
    expect(result.query?.query).toBe(
      [
        '(source="XmlWinEventLog:Security" EventCode=4625) OR (source="XmlWinEventLog:Security" EventCode=4648)',
        '| bin _time span=1h',
        '| stats count as event_count by _time TargetUserName Computer',
        '| where event_count >= 10 AND event_count <= 100',
      ].join('\n'),
    );
    expect(checkSpl(result.query!.query, CORRELATION_COMMANDS)).toEqual([]);
    // Detection searches are still held to the narrower list: an injected `| stats` there stays a finding.
    expect(checkSpl(result.query!.query)).toContain('command bin is not allowed');
    expect(codes(result.diagnostics)).toEqual(['SP501']);
  });

  it('Sentinel: a union, summarize count() by bin(TimeGenerated), binding with no error', () => {
    const { result, loaded } = compile(correlation('event_count', '{gt: 10}'), 'sentinel');
    expect(result.query?.query).toBe(
      [
        'union',
        '    (SecurityEvent',
        '    | where EventID == 4625),',
        '    (SecurityEvent',
        '    | where EventID == 4648)',
        '| summarize event_count = count() by bin(TimeGenerated, 1h), TargetUserName, Computer',
        '| where event_count > 10',
      ].join('\n'),
    );
    const checker = createKustoChecker(tablesFromPipeline(loaded.pipeline));
    expect(checker.errors(result.query!.query)).toEqual([]);
    expect(codes(result.diagnostics)).toEqual(['SN020']);
  });
});

describe('value_count', () => {
  it('Splunk: dc(field)', () => {
    const { result } = compile(correlation('value_count', '{field: IpAddress, gte: 5}'), 'splunk');
    expect(result.query?.query.split('\n').slice(1)).toEqual([
      '| bin _time span=1h',
      '| stats dc(IpAddress) as value_count by _time TargetUserName Computer',
      '| where value_count >= 5',
    ]);
    expect(checkSpl(result.query!.query, CORRELATION_COMMANDS)).toEqual([]);
  });

  it('Sentinel: count_distinct(field), binding with no error', () => {
    const { result, loaded } = compile(correlation('value_count', '{field: IpAddress, gte: 5}'), 'sentinel');
    expect(result.query?.query.split('\n').slice(-2)).toEqual([
      '| summarize value_count = count_distinct(IpAddress) by bin(TimeGenerated, 1h), TargetUserName, Computer',
      '| where value_count >= 5',
    ]);
    expect(createKustoChecker(tablesFromPipeline(loaded.pipeline)).errors(result.query!.query)).toEqual([]);
  });
});

describe('temporal', () => {
  it('Sentinel: each branch tagged with its rule position, distinct rules per bin, every rule by default', () => {
    const text = correlation('temporal', '{gte: 2}').replace('  condition: {gte: 2}\n', '');
    const { result, loaded } = compile(text, 'sentinel');
    expect(result.query?.query).toBe(
      [
        'union',
        '    (SecurityEvent',
        '    | where EventID == 4625',
        '    | extend rulec_rule = 0),',
        '    (SecurityEvent',
        '    | where EventID == 4648',
        '    | extend rulec_rule = 1)',
        '| summarize temporal = count_distinct(rulec_rule) by bin(TimeGenerated, 1h), TargetUserName, Computer',
        '| where temporal >= 2',
      ].join('\n'),
    );
    expect(createKustoChecker(tablesFromPipeline(loaded.pipeline)).errors(result.query!.query)).toEqual([]);
  });
});

describe('what the targets cannot express yet is refused, per target, on the correlation', () => {
  it('js: a correlation has no predicate module, refused with the reason (JS100)', () => {
    const { result } = compile(correlation('event_count', '{gte: 3}'), 'js');
    expect(result.query).toBeUndefined();
    expect(result.diagnostics.map((d) => `${d.code} ${d.message} ${d.span?.start.line}`)).toEqual([
      "JS100 correlation rule 'Many failed logins' has no JS module (modules are per-event predicates): rulec match runs it 17",
    ]);
  });
});

describe('rulec compile (binary)', () => {
  it('prints the correlation query after the rules, exit 0 with warnings only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rulec-corr-'));
    writeFileSync(join(dir, 'c.yml'), correlation('event_count', '{gte: 5}'));
    const r = runRulec(['compile', join(dir, 'c.yml'), '-t', 'sentinel']);
    expect(r.stdout).toContain(`// Many failed logins (${join(dir, 'c.yml')}#2)\nunion\n`);
    // The referenced rules do not alert on their own (generate: false): labelled, not printed.
    expect(r.stdout).toContain(
      `// not deployed on its own, only through the correlation 'Many failed logins' (generate: false): Failed login (${join(dir, 'c.yml')})\n`,
    );
    expect(r.stdout).not.toContain('| where EventID == 4625\n\n');
    expect(r.stderr).toContain('warning[SN020]');
    expect(r.status).toBe(0);
    const elastic = runRulec(['compile', join(dir, 'c.yml'), '-t', 'elastic']);
    expect(elastic.stdout).toContain(
      '(winlog.channel:Security and event.code:4625) or (winlog.channel:Security and event.code:4648)',
    );
    expect(elastic.stderr).toContain('warning[EL501]');
    expect(elastic.status).toBe(0);
    const refused = runRulec(['compile', join(dir, 'c.yml'), '-t', 'js']);
    expect(refused.stderr).toContain("error[JS100]: correlation rule 'Many failed logins' has no JS module");
    expect(refused.status).toBe(1);
  });
});

/** The Sentinel analytic rule of a correlation carries the entities its group-by columns identify (entities.yml). */
describe('Sentinel correlation entity mappings', () => {
  const entities = (text: string, name?: string) => {
    const read = readRuleFile('c.yml', text);
    const resolution = resolveReferences(read.rules, read.correlations, read.filters);
    const resolved = resolution.correlations.find((r) => r.correlation.name === name)!;
    const [loaded] = loadTargets(BACKENDS, ['sentinel']);
    return compileCorrelation(resolved, loaded!).query?.extra?.['entityMappings'];
  };
  const corr = (rules: string, groupBy: string, extra = '', name = 'outer') =>
    `title: ${name}\nname: ${name}\ncorrelation:\n  type: event_count\n  rules: [${rules}]\n  group-by: [${groupBy}]\n  timespan: 1h\n  condition: {gte: 2}\n${extra}`;

  it('SecurityEvent group-by columns: the target account (name and domain in one entity) and the host', () => {
    expect(
      entities(`${RULES}---\n${corr('failed_login', 'TargetUserName, TargetDomainName, Computer')}`, 'outer'),
    ).toEqual([
      {
        entityType: 'Account',
        fieldMappings: [
          { identifier: 'Name', columnName: 'TargetUserName' },
          { identifier: 'NTDomain', columnName: 'TargetDomainName' },
        ],
      },
      { entityType: 'Host', fieldMappings: [{ identifier: 'FullName', columnName: 'Computer' }] },
    ]);
  });

  it('an alias reading the same kind of entity in each rule maps its column; one reading different kinds maps none', () => {
    const user = `  aliases:\n    user: {failed_login: TargetUserName, explicit_credentials: SubjectUserName}\n`;
    expect(entities(`${RULES}---\n${corr('failed_login, explicit_credentials', 'user', user)}`, 'outer')).toEqual([
      { entityType: 'Account', fieldMappings: [{ identifier: 'Name', columnName: 'user' }] },
    ]);
    const mixed = `  aliases:\n    who: {failed_login: TargetUserName, explicit_credentials: Computer}\n`;
    expect(
      entities(`${RULES}---\n${corr('failed_login, explicit_credentials', 'who', mixed)}`, 'outer'),
    ).toBeUndefined();
  });

  it('a chain: the entities of the inner correlation reach the outer rows through the step', () => {
    const text = [
      RULES,
      corr('failed_login', 'TargetUserName, Computer', '', 'inner'),
      corr('inner, inner', 'TargetUserName', '', 'outer').replace('rules: [inner, inner]', 'rules: [inner]'),
    ].join('---\n');
    expect(entities(text, 'outer')).toEqual([
      { entityType: 'Account', fieldMappings: [{ identifier: 'Name', columnName: 'TargetUserName' }] },
    ]);
  });
});

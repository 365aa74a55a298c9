/** The Kibana rule object: severity, naming, licence, threat mapping, EQL rules, and the m365 pipeline's mappings. */
import { describe, expect, it } from 'vitest';
import { backend } from '../../../backends/elastic/index.js';
import { ruleThreat } from '../../../backends/elastic/threat.js';
import { compileRule } from '../../../src/compile.js';
import * as b from '../../../src/ir/build.js';
import { ANY_CHARS, literalPart, literalPattern, pattern } from '../../../src/ir/pattern.js';
import type { Rule } from '../../../src/model/rule.js';
import { loadPipeline } from '../../../src/pipeline/load.js';
import { makeRule } from '../../helpers/make-rule.js';

const target = { backend, pipeline: loadPipeline(backend.root, 'elastic') };
const m365 = { product: 'm365', service: 'audit' };
const compile = (rule: Rule) => compileRule(rule, target);
const artifact = (rule: Rule) => {
  const result = compile(rule);
  expect(result.artifacts).toHaveLength(1);
  return { path: result.artifacts[0]!.path, json: JSON.parse(result.artifacts[0]!.content) as Record<string, unknown> };
};
const op = (value: string) => b.stringMatch('Operation', literalPattern(value));

describe('rule object', () => {
  it('maps informational to low severity and falls back to risk bands without a level', () => {
    expect(artifact(makeRule(op('New-InboxRule'), { logsource: m365, level: 'informational' })).json['severity']).toBe(
      'low',
    );
    const noLevel = makeRule(op('New-InboxRule'), { logsource: m365 });
    const { level: _dropped, ...rest } = noLevel;
    expect(artifact({ ...rest, deploy: { ...noLevel.deploy, riskScore: 73 } }).json['severity']).toBe('high');
  });

  it('names a rule without an id after its file, and emits no invented licence', () => {
    const { id: _id, ...rest } = makeRule(op('New-InboxRule'), { logsource: m365, file: 'rules/M365 Inbox Rule!.yml' });
    const { path, json } = artifact(rest);
    expect(path).toBe('m365-inbox-rule.json');
    expect(json['rule_id']).toBe('m365-inbox-rule');
    expect(json).not.toHaveProperty('license');
    expect(json).not.toHaveProperty('note');
    expect(json['author']).toEqual(['Tester']);
    expect(json['tags']).toEqual(['Domain: Cloud', 'Data Source: Microsoft 365']);
  });

  it('emits an EQL rule when KQL cannot keep the meaning', () => {
    const rule = makeRule(b.stringMatch('UserId', pattern([ANY_CHARS, literalPart('@contoso.com')])), {
      logsource: m365,
    });
    const result = compile(rule);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['EL101']);
    expect(result.status).toBe('ok');
    const json = JSON.parse(result.artifacts[0]!.content) as Record<string, unknown>;
    expect(json).toMatchObject({
      type: 'eql',
      language: 'eql',
      query: 'any where event.dataset : "o365.audit" and user.id : "*@contoso.com"',
    });
  });

  it('leaves unknown ATT&CK tags to the front end (RC140, once per tag), keeping the known ones', () => {
    const result = compile(
      makeRule(op('New-InboxRule'), { logsource: m365, tags: ['attack.t9999', 'attack.defense-evasion'] }),
    );
    expect(result.diagnostics).toEqual([]);
    expect(JSON.parse(result.artifacts[0]!.content)).toMatchObject({
      tags: expect.arrayContaining(['Tactic: Defense Evasion']),
    });
  });

  it('uses the fallback destination for an unmapped logsource', () => {
    // (product windows alone now has a mapping, windows-any: use a product no pipeline file names)
    const result = compile(makeRule(b.exists('CommandLine'), { logsource: { product: 'acme-unmapped' } }));
    expect(result.diagnostics.map((d) => d.code)).toEqual(['RC401']);
    const json = JSON.parse(result.artifacts[0]!.content) as Record<string, unknown>;
    expect(json).toMatchObject({ query: 'CommandLine:*', index: ['logs-*', 'filebeat-*', 'winlogbeat-*'], tags: [] });
  });
});

describe('m365 audit pipeline', () => {
  it('maps ResultStatus values to event.outcome', () => {
    const query = (value: string) =>
      compile(makeRule(b.stringMatch('ResultStatus', literalPattern(value)), { logsource: m365 })).compiled?.query
        .query;
    expect(query('False')).toBe('event.dataset:o365.audit and event.outcome:failure');
    expect(query('succeeded')).toBe('event.dataset:o365.audit and event.outcome:success');
    expect(query('PartiallySucceeded')).toBe('event.dataset:o365.audit and event.outcome:success');
  });

  it('refuses a field the integration has no counterpart for', () => {
    const result = compile(makeRule(b.stringMatch('NoSuchField', literalPattern('x')), { logsource: m365 }));
    expect(result.status).toBe('refused');
    expect(result.diagnostics.map((d) => d.code)).toEqual(['RC402']);
  });

  it('writes CIDR on source.ip as KQL', () => {
    const result = compile(makeRule(b.cidrMatch('ClientIP', '10.0.0.0', 8, 4), { logsource: m365 }));
    expect(result.compiled?.query.query).toBe('event.dataset:o365.audit and source.ip:10.0.0.0/8');
  });
});

describe('threat', () => {
  it('lists tactics alone when the rule names no technique', () => {
    expect(ruleThreat(['attack.persistence', 'attack.defense-evasion']).map((t) => [t.tactic.id, t.technique])).toEqual(
      [
        ['TA0003', undefined],
        ['TA0005', undefined],
      ],
    );
  });

  it("files a technique without a tactic tag under the technique's own tactics", () => {
    const threat = ruleThreat(['attack.t1098']);
    expect(threat.map((t) => t.tactic.id)).toContain('TA0003');
    expect(threat.every((t) => t.technique?.[0]?.id === 'T1098')).toBe(true);
  });

  it('groups sub-techniques under their parent and ignores unknown tags', () => {
    const threat = ruleThreat([
      'attack.defense-evasion',
      'attack.t1562',
      'attack.t1562.001',
      'attack.t9999',
      'cve.2021-1',
    ]);
    expect(threat).toHaveLength(1);
    expect(threat[0]!.technique).toEqual([
      expect.objectContaining({ id: 'T1562', subtechnique: [expect.objectContaining({ id: 'T1562.001' })] }),
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import * as b from '../../../src/ir/build.js';
import { literalPattern } from '../../../src/ir/pattern.js';
import type { Rule } from '../../../src/model/rule.js';
import { compileRule } from '../../../src/compile.js';
import { backend } from '../../../backends/sentinel/index.js';
import { SEED_ID, seedRule as seedRuleFor } from '../../helpers/seed-rule.js';
import { kusto, pipeline } from './helpers.js';

const GUIDE = [
  '## Triage and analysis',
  '',
  '### Investigating O365 Mailbox Audit Logging Bypass',
  '',
  '- Identify the account behind the `Set-MailboxAuditBypassAssociation` event.',
  '- Check whether the "bypass" is expected: C:\\path and `code`.',
  '',
].join('\n');

const seedRule = (overrides: Partial<Rule> = {}): Rule =>
  seedRuleFor(
    {
      description:
        'Detects the occurrence of mailbox audit bypass associations. Attackers can abuse this allowlist mechanism to conceal actions taken.',
      investigationGuide: GUIDE,
      setup: 'The Office 365 data connector must be enabled (OfficeActivity table).',
    },
    overrides,
  );

const compile = (rule: Rule) => compileRule(rule, { backend, pipeline });

describe('seed rule: O365 Mailbox Audit Logging Bypass', () => {
  const result = compile(seedRule());
  const yamlFile = result.artifacts.find((a) => a.path === `${SEED_ID}.yaml`);
  const armFile = result.artifacts.find((a) => a.path === `${SEED_ID}.arm.json`);

  it('compiles without diagnostics', () => {
    expect(result.status).toBe('ok');
    expect(result.diagnostics).toEqual([]);
    expect(result.artifacts.map((a) => a.path)).toEqual([`${SEED_ID}.yaml`, `${SEED_ID}.arm.json`]);
  });

  it('renders the expected query, which binds with zero diagnostics', () => {
    const query = result.compiled!.query.query;
    expect(query).toBe(
      'OfficeActivity\n| where OfficeWorkload =~ "Exchange" and Operation =~ "Set-MailboxAuditBypassAssociation" and ResultStatus =~ "True"',
    );
    expect(
      kusto()
        .diagnostics(query)
        .filter((d) => d.severity !== 'Suggestion'),
    ).toEqual([]);
  });

  it('writes LF text with one trailing newline', () => {
    for (const file of result.artifacts) {
      expect(file.content).not.toContain('\r');
      expect(file.content.endsWith('\n')).toBe(true);
      expect(file.content.endsWith('\n\n')).toBe(false);
    }
  });

  it('writes an Azure-Sentinel analytic rule whose fields equal the rule', () => {
    const doc = parse(yamlFile!.content) as Record<string, unknown>;
    expect(doc).toEqual({
      id: SEED_ID,
      name: 'O365 Mailbox Audit Logging Bypass',
      description: seedRule().description,
      severity: 'Medium',
      requiredDataConnectors: [{ connectorId: 'Office365', dataTypes: ['OfficeActivity'] }],
      queryFrequency: '5m',
      queryPeriod: '30m',
      triggerOperator: 'gt',
      triggerThreshold: 0,
      tactics: ['InitialAccess', 'DefenseEvasion'],
      relevantTechniques: ['T1562.001'],
      query: result.compiled!.query.query,
      entityMappings: [{ entityType: 'Account', fieldMappings: [{ identifier: 'FullName', columnName: 'UserId' }] }],
      version: '207.0.0',
      kind: 'Scheduled',
      metadata: {
        author: { name: 'Elastic' },
        license: 'Elastic License v2',
        references: ['https://twitter.com/misconfig/status/1476144066807140355'],
        falsePositives: ['Legitimate allowlisting of noisy accounts'],
        investigationGuide: GUIDE,
        setup: 'The Office 365 data connector must be enabled (OfficeActivity table).',
        generatedBy: 'rulec',
      },
    });
  });

  it('writes the query as a YAML block scalar, readable as in shipped templates', () => {
    expect(yamlFile!.content).toContain(
      'query: |-\n  OfficeActivity\n  | where OfficeWorkload =~ "Exchange" and Operation =~',
    );
  });

  it('writes an ARM template deploying a Scheduled alert rule', () => {
    const arm = JSON.parse(armFile!.content) as {
      $schema: string;
      parameters: Record<string, { type: string }>;
      resources: Record<string, unknown>[];
      metadata: Record<string, unknown>;
    };
    expect(arm.$schema).toContain('deploymentTemplate.json');
    expect(arm.parameters['workspace']?.type).toBe('string');
    expect(arm.resources).toHaveLength(1);
    const resource = arm.resources[0]!;
    expect(resource).toMatchObject({
      type: 'Microsoft.SecurityInsights/alertRules',
      apiVersion: '2023-02-01',
      name: SEED_ID,
      scope: "[format('Microsoft.OperationalInsights/workspaces/{0}', parameters('workspace'))]",
      kind: 'Scheduled',
    });
    expect(resource['properties']).toEqual({
      displayName: 'O365 Mailbox Audit Logging Bypass',
      description: seedRule().description,
      severity: 'Medium',
      enabled: true,
      query: result.compiled!.query.query,
      queryFrequency: 'PT5M',
      queryPeriod: 'PT30M',
      triggerOperator: 'GreaterThan',
      triggerThreshold: 0,
      suppressionDuration: 'PT5H',
      suppressionEnabled: false,
      tactics: ['InitialAccess', 'DefenseEvasion'],
      techniques: ['T1562'],
      entityMappings: [{ entityType: 'Account', fieldMappings: [{ identifier: 'FullName', columnName: 'UserId' }] }],
      templateVersion: '207.0.0',
    });
    expect(arm.metadata).toMatchObject({ author: { name: 'Elastic' }, license: 'Elastic License v2' });
  });

  it('is deterministic', () => {
    expect(compile(seedRule()).artifacts).toEqual(result.artifacts);
  });
});

describe('artifact edge cases', () => {
  it('adds the tactics of every technique (Sentinel requires them)', () => {
    const result = compile(seedRule({ tags: ['attack.t1078', 'attack.t1562.001', 'attack.unknown-thing'] }));
    const doc = parse(result.artifacts[0]!.content) as { tactics: string[]; relevantTechniques: string[] };
    expect(doc.tactics).toEqual(['InitialAccess', 'Persistence', 'PrivilegeEscalation', 'DefenseEvasion']);
    expect(doc.relevantTechniques).toEqual(['T1078', 'T1562.001']);
  });

  it('maps critical to High with a warning', () => {
    const result = compile(seedRule({ level: 'critical' }));
    expect(result.diagnostics.map((d) => d.code)).toEqual(['SN007']);
    expect((parse(result.artifacts[0]!.content) as { severity: string }).severity).toBe('High');
  });

  it.each([
    ['1m', '2m', '5m', '5m', 'PT5M', 'PT5M'],
    ['1h', '30m', '1h', '1h', 'PT1H', 'PT1H'],
    ['5m', '3d', '1h', '3d', 'PT1H', 'P3D'],
    ['90s', '20d', '1h', '14d', 'PT1H', 'P14D'],
  ])(
    'fits schedule %s/%s into Sentinel limits with a warning',
    (interval, lookback, freq, period, isoFreq, isoPeriod) => {
      const rule = seedRule();
      const result = compile({ ...rule, deploy: { ...rule.deploy, interval, lookback } });
      expect(result.diagnostics.map((d) => d.code)).toEqual(['SN005']);
      const doc = parse(result.artifacts[0]!.content) as { queryFrequency: string; queryPeriod: string };
      expect([doc.queryFrequency, doc.queryPeriod]).toEqual([freq, period]);
      const arm = JSON.parse(result.artifacts[1]!.content) as { resources: { properties: Record<string, string> }[] };
      expect([arm.resources[0]!.properties['queryFrequency'], arm.resources[0]!.properties['queryPeriod']]).toEqual([
        isoFreq,
        isoPeriod,
      ]);
    },
  );

  it('keeps ARM from evaluating rule text as a template expression', () => {
    const title = "[concat('x', parameters('workspace'))]";
    const result = compile(seedRule({ title }));
    const arm = JSON.parse(result.artifacts[1]!.content) as { resources: { properties: Record<string, string> }[] };
    expect(arm.resources[0]!.properties['displayName']).toBe(`[${title}`);
    // The YAML is not an ARM template: the title stays as written.
    expect((parse(result.artifacts[0]!.content) as { name: string }).name).toBe(title);
  });

  it('round-trips hostile text through both artifacts', () => {
    const description = 'a: "b" \\ c\n- d\n{{e}}\n# f\n\'g\'\u2028h\ttab';
    const result = compile(seedRule({ title: 'key: value # not a comment \'x\' "y"', description }));
    expect(result.status).toBe('ok');
    const doc = parse(result.artifacts[0]!.content) as { name: string; description: string };
    expect(doc).toMatchObject({ name: 'key: value # not a comment \'x\' "y"', description });
    const arm = JSON.parse(result.artifacts[1]!.content) as { resources: { properties: Record<string, string> }[] };
    expect(arm.resources[0]!.properties['description']).toBe(description);
  });

  it('names files after a slug of the file name and derives a stable GUID when the rule has no id', () => {
    const { id: _id, ...rest } = seedRule();
    const rule: Rule = { ...rest, file: 'rules/M365/Mailbox Bypass.yml' };
    const result = compile(rule);
    expect(result.artifacts.map((a) => a.path)).toEqual(['mailbox-bypass.yaml', 'mailbox-bypass.arm.json']);
    const doc = parse(result.artifacts[0]!.content) as { id: string };
    expect(doc.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect((parse(compile(rule).artifacts[0]!.content) as { id: string }).id).toBe(doc.id);
  });

  it('cuts a description longer than 5000 characters, with a warning', () => {
    const result = compile(seedRule({ description: 'x'.repeat(6000) }));
    expect(result.diagnostics.map((d) => d.code)).toEqual(['SN011']);
    expect((parse(result.artifacts[0]!.content) as { description: string }).description).toHaveLength(5000);
  });
});

describe('tables', () => {
  const unmapped = (targets: Record<string, Record<string, unknown>> = {}): Rule => {
    const rule = seedRule({ logsource: { product: 'acme', service: 'widget' } });
    return { ...rule, deploy: { ...rule.deploy, targets } };
  };

  it('refuses a logsource with no table (fallback destination)', () => {
    const result = compile(unmapped());
    expect(result.status).toBe('refused');
    expect(result.diagnostics.map((d) => d.code)).toEqual(['RC401', 'SN010']);
  });

  it('uses the table the rule names for Sentinel', () => {
    const result = compile(unmapped({ sentinel: { table: 'SecurityEvent' } }));
    expect(result.status).toBe('warnings');
    expect(result.compiled!.query.query).toMatch(/^SecurityEvent\n\| where Workload =~ "Exchange"/);
    expect(
      (parse(result.artifacts[0]!.content) as { requiredDataConnectors: unknown[] }).requiredDataConnectors,
    ).toEqual([]);
  });

  it('refuses unknown Sentinel settings', () => {
    const result = compile(unmapped({ sentinel: { table: 'SecurityEvent', tabel: 'x' } }));
    expect(result.diagnostics.map((d) => d.code)).toContain('SN012');
    expect(result.status).toBe('refused');
  });

  it('refuses a query longer than Sentinel accepts', () => {
    const values = (n: number) =>
      b.or(Array.from({ length: n }, (_, i) => b.stringMatch('Operation', literalPattern(`Some-LongCmdletName-${i}`))));
    const fits = compile({ ...seedRule(), detection: values(300) });
    expect(fits.compiled!.query.query.length).toBeLessThan(10_000);
    expect(fits.status).toBe('ok');
    const tooLong = compile({ ...seedRule(), detection: values(400) });
    expect(tooLong.diagnostics.map((d) => d.code)).toEqual(['SN009']);
    expect(tooLong.status).toBe('refused');
  });
});

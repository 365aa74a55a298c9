/**
 * Issue 10 §6, Elastic: `required_fields` typed from the pipeline or the ECS/integration type table
 * (backends/elastic/field-types.yml), `enabled: false` for rules that must start switched off, and the O365
 * `Parameters` list in each target's shape (Elastic: object keyed by name; Splunk: Parameters{}.Name/Value;
 * Sentinel: JSON text), with a diagnostic where a shape cannot be expressed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../../backends/index.js';
import { elasticFieldType } from '../../../backends/elastic/field-types.js';
import { loadTargets } from '../../../src/cli/targets.js';
import { compileRule } from '../../../src/compile.js';
import type { TargetResult } from '../../../src/compile.js';
import { readRuleFile } from '../../../src/frontend.js';
import { runRulec } from '../../helpers/run-rulec.js';

const targets = loadTargets(BACKENDS);

function m365Rule(selection: string, head = 'status: test'): string {
  return [
    'title: Audit bypass enabled',
    'id: 11111111-0000-4000-8000-000000000001',
    head,
    'logsource: { product: m365, service: audit }',
    'detection:',
    '  selection:',
    '    Operation: Set-MailboxAuditBypassAssociation',
    `    ${selection}`,
    '  condition: selection',
    'level: medium',
    '',
  ].join('\n');
}

function compile(text: string, target: string): TargetResult {
  const { rules, diagnostics } = readRuleFile('t.yml', text);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return compileRule(
    rules[0]!,
    targets.find((t) => t.backend.id === target)!,
  );
}

function elasticJson(text: string): Record<string, unknown> {
  const result = compile(text, 'elastic');
  expect(result.status).not.toBe('refused');
  return JSON.parse(result.artifacts[0]!.content) as Record<string, unknown>;
}

describe('field type table', () => {
  it('knows ECS facts and the integrations’ dynamic namespaces, longest prefix first', () => {
    expect(elasticFieldType('process.command_line')).toBe('wildcard');
    expect(elasticFieldType('source.ip')).toBe('ip');
    expect(elasticFieldType('event.code')).toBe('keyword');
    expect(elasticFieldType('auditd.log.a0')).toBe('keyword');
    expect(elasticFieldType('o365.audit.Parameters.AuditBypassEnabled')).toBe('keyword');
    expect(elasticFieldType('aws.cloudtrail.flattened.request_parameters.enable')).toBe('flattened');
    expect(elasticFieldType('auditd.log')).toBeUndefined();
    expect(elasticFieldType('no.such.field')).toBeUndefined();
  });
});

describe('O365 Parameters', () => {
  it('Elastic: one named parameter is a field of the o365 object, typed keyword in required_fields', () => {
    const json = elasticJson(m365Rule("Parameters.AuditBypassEnabled: 'True'"));
    expect(json['query']).toContain('o365.audit.Parameters.AuditBypassEnabled : "True"');
    expect(json['required_fields']).toContainEqual({
      ecs: false,
      name: 'o365.audit.Parameters.AuditBypassEnabled',
      type: 'keyword',
    });
    expect(JSON.stringify(json['required_fields'])).not.toContain('unknown');
  });

  it('Elastic: the list as a whole is refused with EL311', () => {
    const result = compile(m365Rule('Parameters|contains: AuditBypassEnabled'), 'elastic');
    expect(result.status).toBe('refused');
    expect(result.diagnostics.map((d) => d.code)).toEqual(['EL311']);
    expect(result.diagnostics[0]!.message).toContain('o365.audit.Parameters.<Name>');
  });

  it('Splunk: the list reads Parameters{}.Name or Parameters{}.Value; one named parameter warns SP406', () => {
    const whole = compile(m365Rule('Parameters|contains: AuditBypassEnabled'), 'splunk');
    expect(whole.compiled!.query.query).toContain(
      '(Parameters{}.Name="*AuditBypassEnabled*" OR Parameters{}.Value="*AuditBypassEnabled*")',
    );
    expect(whole.diagnostics.map((d) => d.code)).toEqual([]);
    const named = compile(m365Rule("Parameters.AuditBypassEnabled: 'True'"), 'splunk');
    expect(named.compiled!.query.query).toContain('Parameters{}.Value="True"');
    expect(named.diagnostics.map((d) => [d.code, d.severity])).toEqual([['SP406', 'warning']]);
  });

  it('Sentinel: the list is JSON text; one named parameter is refused with SN013', () => {
    const whole = compile(m365Rule('Parameters|contains: AuditBypassEnabled'), 'sentinel');
    expect(whole.compiled!.query.query).toContain('Parameters contains "AuditBypassEnabled"');
    const named = compile(m365Rule("Parameters.AuditBypassEnabled: 'True'"), 'sentinel');
    expect(named.status).toBe('refused');
    expect(named.diagnostics.map((d) => d.code)).toEqual(['SN013']);
  });
});

describe('enabled in the Elastic rule', () => {
  it('is false for an experimental rule and absent (Kibana: enabled) for a test rule', () => {
    expect(elasticJson(m365Rule("Parameters.Identity: 'x'", 'status: experimental'))['enabled']).toBe(false);
    expect(elasticJson(m365Rule("Parameters.Identity: 'x'"))).not.toHaveProperty('enabled');
    expect(elasticJson(m365Rule("Parameters.Identity: 'x'", 'status: experimental\nenabled: true'))).not.toHaveProperty(
      'enabled',
    );
  });
});

describe('rulec compile --artifact (real binary)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rulec-required-fields-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints typed required_fields and refuses the list shape for Elastic with EL311', () => {
    writeFileSync(join(dir, 'named.yml'), m365Rule("Parameters.AuditBypassEnabled: 'True'"));
    writeFileSync(join(dir, 'whole.yml'), m365Rule('Parameters|contains: AuditBypassEnabled'));
    const named = runRulec(['compile', '--target', 'elastic', '--artifact', 'named.yml'], { cwd: dir });
    expect(named.status).toBe(0);
    const json = JSON.parse(named.stdout) as { required_fields: { name: string; type: string }[] };
    expect(json.required_fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'event.action:keyword',
      'event.dataset:keyword',
      'o365.audit.Parameters.AuditBypassEnabled:keyword',
    ]);
    const whole = runRulec(['compile', '--target', 'elastic', '--artifact', 'whole.yml'], { cwd: dir });
    expect(whole.status).toBe(1);
    expect(whole.stderr).toContain('error[EL311]');
  });
});

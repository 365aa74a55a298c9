import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectRuleFiles, readRuleFile } from '../../src/frontend.js';
import { VALID_RULE, wheres } from './helpers.js';

const SEED = 'rules/m365/o365_mailbox_audit_logging_bypass.yml';

describe('readRuleFile on the seed rule', () => {
  const result = readRuleFile(SEED, readFileSync(SEED));
  const rule = result.rules[0]!;

  it('reads it without any diagnostic', () => {
    expect(result.diagnostics).toEqual([]);
    expect(result.rules).toHaveLength(1);
  });

  it('carries the metadata', () => {
    expect(rule).toMatchObject({
      file: SEED,
      documentIndex: 0,
      id: '675239ea-c1bc-4467-a6d3-b9e2cc7f676d',
      title: 'O365 Mailbox Audit Logging Bypass',
      status: 'stable',
      author: 'Elastic',
      authors: ['Elastic'],
      license: 'Elastic License v2',
      references: ['https://twitter.com/misconfig/status/1476144066807140355'],
      falsepositives: ['Legitimate allowlisting of noisy accounts'],
      level: 'medium',
      tags: ['attack.initial-access', 'attack.defense-evasion', 'attack.t1562.001'],
      logsource: { product: 'm365', service: 'audit' },
    });
    expect(rule.description).toMatch(
      /^Detects the occurrence of mailbox audit bypass associations\. .* done by the account\.$/,
    );
    expect(rule.description).not.toContain('\n');
  });

  it('carries the deployment settings', () => {
    expect(rule.deploy).toMatchObject({ interval: '5m', lookback: '30m', maxAlerts: 100, riskScore: 47, version: 207 });
    expect(rule.deploy.setup).toBe(
      'The Office 365 Logs Fleet integration, Filebeat module, or similarly structured data is required to be compatible with this rule.',
    );
    const guide = rule.deploy.investigationGuide ?? '';
    const headings = guide.split('\n').filter((l) => l.startsWith('#'));
    expect(headings).toEqual([
      '## Triage and analysis',
      '### Investigating O365 Mailbox Audit Logging Bypass',
      '### Possible investigation steps',
      '### False positive analysis',
      '### Response and remediation',
    ]);
    expect(guide.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(6 + 5 + 7);
    expect(guide).toContain('the organization’s security policies');
  });

  it('points editors at the published schema', () => {
    const first = readFileSync(SEED, 'utf8').split('\n')[0] ?? '';
    expect(first).toBe('# yaml-language-server: $schema=../../schema/rule.schema.json');
    expect(existsSync(join('rules/m365', '../../schema/rule.schema.json'))).toBe(true);
  });

  it('keeps the document as plain data', () => {
    expect(rule.document['version']).toBe(207);
    expect(rule.document['detection']).toEqual({
      selection: { Workload: 'Exchange', Operation: 'Set-MailboxAuditBypassAssociation', ResultStatus: 'True' },
      condition: 'selection',
    });
  });
});

describe('readRuleFile', () => {
  it('fills in defaults', () => {
    const { rules, diagnostics } = readRuleFile('r.yml', VALID_RULE);
    expect(diagnostics).toEqual([]);
    expect(rules[0]?.deploy).toEqual({
      interval: '5m',
      lookback: '6m',
      maxAlerts: 100,
      riskScore: 73,
      version: 1,
      enabled: true,
      targets: {},
    });
  });

  it('reports every document of a file and builds rules only for the clean ones', () => {
    const text = `${VALID_RULE}---\n${VALID_RULE.replace('level: high', 'level: severe')}---\n${VALID_RULE.replace('title: Test rule', 'title: Third')}`;
    const { rules, diagnostics } = readRuleFile('multi.yml', text);
    expect(wheres(diagnostics)).toEqual(['RC103 16:8']);
    expect(rules.map((r) => [r.documentIndex, r.title])).toEqual([
      [0, 'Test rule'],
      [2, 'Third'],
    ]);
  });

  it('reports schema and detection problems of one document together', () => {
    const text = VALID_RULE.replace('title: Test rule\n', '').replace(
      'condition: selection',
      'condition: selection and missing',
    );
    const { rules, diagnostics } = readRuleFile('r.yml', text);
    expect(rules).toEqual([]);
    expect(diagnostics[0]?.code).toBe('RC101');
    // The detection stage ran as well: its error about the undefined identifier is reported in the same pass.
    expect(diagnostics.length).toBeGreaterThanOrEqual(2);
    expect(diagnostics.slice(1).every((d) => d.span && d.span.start.line === 10)).toBe(true);
  });

  it('does not run the detection stage over a detection the schema rejected', () => {
    const { rules, diagnostics } = readRuleFile('r.yml', VALID_RULE.replace('  condition: selection\n', ''));
    expect(rules).toEqual([]);
    expect(wheres(diagnostics)).toEqual(['RC101 8:1']);
  });

  it('still builds a rule when the file has only warnings', () => {
    const { rules, diagnostics } = readRuleFile('r.yml', `${VALID_RULE}titel: typo\n`);
    expect(wheres(diagnostics)).toEqual(['RC120 12:1']);
    expect(rules).toHaveLength(1);
  });

  it('handles bytes that are not text', () => {
    const { rules, diagnostics } = readRuleFile('bin.yml', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00]));
    expect(rules).toEqual([]);
    expect(diagnostics.map((d) => d.code)).toEqual(['RC003']);
  });
});

describe('collectRuleFiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rulec-collect-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds .yml and .yaml files recursively, sorted, skipping hidden folders', () => {
    mkdirSync(join(dir, 'b', 'deep'), { recursive: true });
    mkdirSync(join(dir, '.git'));
    for (const f of ['b/deep/z.yaml', 'b/a.yml', 'a.YML', 'notes.md', '.git/x.yml'])
      writeFileSync(join(dir, f), 'x: 1\n');
    expect(collectRuleFiles([dir, join(dir, 'b', 'a.yml')])).toEqual([
      join(dir, 'a.YML'),
      join(dir, 'b', 'a.yml'),
      join(dir, 'b', 'deep', 'z.yaml'),
    ]);
  });

  it('returns a named file as is, even a missing one, so reading it reports the problem', () => {
    expect(collectRuleFiles([join(dir, 'missing.yml')])).toEqual([join(dir, 'missing.yml')]);
  });
});

/** The seed: Elastic's "O365 Mailbox Audit Logging Bypass" rule, built by hand, through the real m365 pipeline. */
import { describe, expect, it } from 'vitest';
import { backend } from '../../../backends/elastic/index.js';
import { compileRule } from '../../../src/compile.js';
import { loadPipeline } from '../../../src/pipeline/load.js';
import { seedRule as seedRuleFor } from '../../helpers/seed-rule.js';

const GUIDE = [
  '## Triage and analysis',
  '',
  '### Investigating O365 Mailbox Audit Logging Bypass',
  '',
  'Review the event logs with event.dataset o365.audit and event.action Set-MailboxAuditBypassAssociation.',
].join('\n');
const SETUP =
  'The Office 365 Logs Fleet integration, Filebeat module, or similarly structured data is required to be compatible with this rule.';

const seedRule = seedRuleFor({
  description: 'Detects the occurrence of mailbox audit bypass associations.',
  investigationGuide: GUIDE,
  setup: SETUP,
});

const target = { backend, pipeline: loadPipeline(backend.root, 'elastic') };

describe('elastic seed rule', () => {
  const result = compileRule(seedRule, target);

  it('compiles to the exact KQL query of Elastic rule 675239ea, with no diagnostic', () => {
    expect(result.diagnostics).toEqual([]);
    expect(result.status).toBe('ok');
    expect(result.compiled?.query).toEqual({
      query:
        'event.dataset:o365.audit and event.provider:Exchange and event.action:Set-MailboxAuditBypassAssociation and event.outcome:success',
      language: 'kuery',
      extra: { type: 'query' },
    });
  });

  it('writes one <rule_id>.json artifact that parses back to the rule', () => {
    expect(result.artifacts.map((a) => a.path)).toEqual(['675239ea-c1bc-4467-a6d3-b9e2cc7f676d.json']);
    const content = result.artifacts[0]!.content;
    expect(content.endsWith('}\n')).toBe(true);
    expect(content).not.toContain('\r');
    const json = JSON.parse(content) as Record<string, unknown>;
    expect(json).toMatchObject({
      rule_id: '675239ea-c1bc-4467-a6d3-b9e2cc7f676d',
      name: 'O365 Mailbox Audit Logging Bypass',
      description: 'Detects the occurrence of mailbox audit bypass associations.',
      risk_score: 47,
      severity: 'medium',
      type: 'query',
      language: 'kuery',
      query:
        'event.dataset:o365.audit and event.provider:Exchange and event.action:Set-MailboxAuditBypassAssociation and event.outcome:success',
      index: ['filebeat-*', 'logs-o365*'],
      interval: '5m',
      from: 'now-30m',
      max_signals: 100,
      version: 207,
      author: ['Elastic'],
      license: 'Elastic License v2',
      references: ['https://twitter.com/misconfig/status/1476144066807140355'],
      false_positives: ['Legitimate allowlisting of noisy accounts'],
      timestamp_override: 'event.ingested',
      note: GUIDE,
      setup: SETUP,
      related_integrations: [{ package: 'o365', version: '^2.0.0' }],
    });
    expect(json['tags']).toEqual([
      'Domain: Cloud',
      'Data Source: Microsoft 365',
      'Tactic: Initial Access',
      'Tactic: Defense Evasion',
      'Resources: Investigation Guide',
    ]);
    expect(json['threat']).toEqual([
      {
        framework: 'MITRE ATT&CK',
        tactic: { id: 'TA0005', name: 'Defense Evasion', reference: 'https://attack.mitre.org/tactics/TA0005/' },
        technique: [
          {
            id: 'T1562',
            name: 'Impair Defenses',
            reference: 'https://attack.mitre.org/techniques/T1562/',
            subtechnique: [
              {
                id: 'T1562.001',
                name: 'Disable or Modify Tools',
                reference: 'https://attack.mitre.org/techniques/T1562/001/',
              },
            ],
          },
        ],
      },
    ]);
    expect(json['required_fields']).toEqual(
      ['event.action', 'event.dataset', 'event.outcome', 'event.provider'].map((name) => ({
        ecs: true,
        name,
        type: 'keyword',
      })),
    );
  });

  it('orders keys alphabetically so the file is stable', () => {
    const json = JSON.parse(result.artifacts[0]!.content) as Record<string, unknown>;
    const keys = Object.keys(json);
    expect(keys).toEqual([...keys].sort());
  });

  it('bundles rules into rules.ndjson, one compact rule per line, sorted by rule_id', () => {
    const other = compileRule({ ...seedRule, id: '00000000-0000-4000-8000-00000000000a', title: 'Other' }, target);
    const files = backend.renderBundle!([result.compiled!, other.compiled!]);
    expect(files.map((f) => f.path)).toEqual(['rules.ndjson']);
    const content = files[0]!.content;
    expect(content.endsWith('\n')).toBe(true);
    const lines = content.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map((p) => p['rule_id'])).toEqual([
      '00000000-0000-4000-8000-00000000000a',
      '675239ea-c1bc-4467-a6d3-b9e2cc7f676d',
    ]);
    expect(parsed[1]).toEqual(JSON.parse(result.artifacts[0]!.content));
  });

  it('bundles nothing when there are no rules', () => {
    expect(backend.renderBundle!([])).toEqual([]);
  });
});

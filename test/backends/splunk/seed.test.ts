import { describe, expect, it } from 'vitest';
import { backend } from '../../../backends/splunk/index.js';
import { checkSpl } from '../../../backends/splunk/spl-check.js';
import * as b from '../../../src/ir/build.js';
import { literalPattern } from '../../../src/ir/pattern.js';
import type { Rule } from '../../../src/model/rule.js';
import { SEED_ID, SEED_TITLE, seedRule as seedRuleFor } from '../../helpers/seed-rule.js';
import { codes, compile, readConf, target } from './helpers.js';
import { compileRule } from '../../../src/compile.js';

const SEED_DESCRIPTION =
  'Detects the occurrence of mailbox audit bypass associations. The mailbox audit is responsible for logging\n' +
  'specified mailbox events (like accessing a folder or a message or permanently deleting a message).';

const seedRule = (overrides: Partial<Rule> = {}): Rule =>
  seedRuleFor(
    {
      description: SEED_DESCRIPTION,
      investigationGuide: '## Triage and analysis\n\nReview the account.',
      setup: 'The Splunk Add-on for Microsoft Office 365 is required.',
    },
    overrides,
  );

const SEED_QUERY =
  'sourcetype="o365:management:activity" Workload="Exchange" Operation="Set-MailboxAuditBypassAssociation" ResultStatus="True"';

describe('splunk seed rule', () => {
  const result = compileRule(seedRule(), target);

  it('compiles cleanly to the expected search', () => {
    expect(result.status).toBe('ok');
    expect(result.diagnostics).toEqual([]);
    expect(result.compiled!.query).toEqual({ query: SEED_QUERY, language: 'spl' });
    expect(checkSpl(SEED_QUERY)).toEqual([]);
  });

  it('writes one stanza named after the rule id', () => {
    expect(result.artifacts.map((a) => a.path)).toEqual([`${SEED_ID}.conf`]);
    const content = result.artifacts[0]!.content;
    expect(content.endsWith('\n')).toBe(true);
    expect(content).not.toMatch(/\r|\n\n\n/);
  });

  it('reads back with the rule values', () => {
    const conf = readConf(result.artifacts[0]!.content);
    expect([...conf.keys()]).toEqual([`rulec - ${SEED_TITLE} - Rule`]);
    const s = conf.get(`rulec - ${SEED_TITLE} - Rule`)!;
    expect(s.get('search')).toBe(SEED_QUERY);
    expect(s.get('description')).toBe(SEED_DESCRIPTION);
    expect(s.get('cron_schedule')).toBe('*/5 * * * *');
    expect(s.get('dispatch.earliest_time')).toBe('-30m');
    expect(s.get('dispatch.latest_time')).toBe('now');
    expect(s.get('dispatch.max_count')).toBe('100');
    expect(s.get('enableSched')).toBe('1');
    expect(s.get('disabled')).toBe('1');
    expect(s.get('counttype')).toBe('number of events');
    expect(s.get('relation')).toBe('greater than');
    expect(s.get('quantity')).toBe('0');
    expect(s.get('alert.suppress')).toBe('0');
    expect(s.get('alert.track')).toBe('1');
    expect(s.get('alert.severity')).toBe('4');
    expect(s.get('action.correlationsearch.enabled')).toBe('1');
    expect(s.get('action.correlationsearch.label')).toBe(SEED_TITLE);
    expect(JSON.parse(s.get('action.correlationsearch.annotations')!)).toEqual({ mitre_attack: ['T1562.001'] });
    expect(JSON.parse(s.get('action.correlationsearch.metadata')!)).toEqual({
      detection_id: SEED_ID,
      detection_version: '207',
      author: 'Elastic',
      license: 'Elastic License v2',
      references: ['https://twitter.com/misconfig/status/1476144066807140355'],
    });
    expect(s.get('action.notable.param.severity')).toBe('medium');
    expect(s.get('action.notable.param.rule_title')).toBe(SEED_TITLE);
    expect(s.get('action.risk')).toBe('1');
    expect(JSON.parse(s.get('action.risk.param._risk')!)).toEqual([
      { risk_object_field: 'UserId', risk_object_type: 'user', risk_score: 47 },
    ]);
  });

  it('continues multi-line values with a trailing backslash', () => {
    expect(result.artifacts[0]!.content).toContain('logging \\\nspecified mailbox');
  });

  it('continues a multi-line search (deferred parts) and reads it back', () => {
    const rule = seedRule({
      detection: b.and([
        b.stringMatch('Workload', literalPattern('Exchange')),
        b.regexMatch('Operation', '^Set-Mailbox.*Bypass', { ignoreCase: false, multiline: false, dotAll: false }),
      ]),
    });
    const r = compileRule(rule, target);
    const query = r.compiled!.query.query;
    expect(query).toBe(
      'sourcetype="o365:management:activity" Workload="Exchange"\n| regex Operation="^Set-Mailbox.*Bypass"',
    );
    const conf = readConf(r.artifacts[0]!.content);
    expect(conf.get(`rulec - ${SEED_TITLE} - Rule`)!.get('search')).toBe(query);
  });

  it('enabled through targets.splunk, unknown settings warned', () => {
    const r = compileRule(
      seedRule({ deploy: { ...seedRule().deploy, targets: { splunk: { enabled: true, x: 1 } } } }),
      target,
    );
    expect(readConf(r.artifacts[0]!.content).get(`rulec - ${SEED_TITLE} - Rule`)!.get('disabled')).toBe('0');
    expect(codes(r)).toEqual(['SP405']);
  });
});

describe('splunk stanza names and text', () => {
  it('shortens long titles to 99 characters, tagged with the id', () => {
    const r = compileRule(seedRule({ title: 'A'.repeat(120) }), target);
    const [name] = [...readConf(r.artifacts[0]!.content).keys()];
    expect([...name!].length).toBeLessThanOrEqual(99);
    expect(name).toMatch(/^rulec - A+ \(675239ea\) - Rule$/);
    expect(codes(r)).toContain('SP402');
  });

  it('replaces brackets and control characters in the stanza name', () => {
    const r = compileRule(seedRule({ title: 'a [b]\nc' }), target);
    expect([...readConf(r.artifacts[0]!.content).keys()]).toEqual(['rulec - a (b) c - Rule']);
    expect(codes(r)).toContain('SP403');
  });

  it('drops a line-ending backslash from the description, with a warning', () => {
    const r = compileRule(seedRule({ description: 'path C:\\\nnext\\' }), target);
    expect(r.status).toBe('warnings');
    const s = [...readConf(r.artifacts[0]!.content).values()][0]!;
    expect(s.get('description')).toBe('path C:\nnext');
    expect(codes(r)).toContain('SP404');
  });

  it('names a rule without id after its file', () => {
    const { id: _drop, ...rest } = seedRule();
    const r = compileRule({ ...rest, file: 'rules/m365/Audit Bypass.yml' }, target);
    expect(r.artifacts[0]!.path).toBe('audit-bypass.conf');
  });

  it('without risk object (fallback) there is no risk action', () => {
    const r = compile(b.stringMatch('a', literalPattern('b')), { logsource: { product: 'none' } });
    const s = [...readConf(r.artifacts[0]!.content).values()][0]!;
    expect(s.has('action.risk')).toBe(false);
    expect(s.get('alert.severity')).toBe('4');
  });
});

describe('splunk bundle', () => {
  it('combines stanzas sorted by name', () => {
    const rules = [seedRule({ title: 'Zeta', id: 'z' }), seedRule({ title: 'Alpha', id: 'a' })];
    const compiled = rules.map((r) => compileRule(r, target).compiled!);
    const files = backend.renderBundle!(compiled);
    expect(files.map((f) => f.path)).toEqual(['savedsearches.conf']);
    const conf = readConf(files[0]!.content);
    expect([...conf.keys()]).toEqual(['rulec - Alpha - Rule', 'rulec - Zeta - Rule']);
    expect(conf.get('rulec - Zeta - Rule')!.get('search')).toBe(SEED_QUERY);
    expect(backend.renderBundle!([...compiled].reverse())).toEqual(files);
  });

  it('refuses two rules with the same saved search name', () => {
    const compiled = [seedRule({ id: 'a' }), seedRule({ id: 'b' })].map((r) => compileRule(r, target).compiled!);
    expect(() => backend.renderBundle!(compiled)).toThrow(/share the saved search name/);
  });
});

/** The seed rule, Elastic's "O365 Mailbox Audit Logging Bypass", run as a real module on O365 records. */
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SEED_DETECTION, SEED_ID } from '../../helpers/seed-rule.js';
import { type LoadedRule, load } from './load.js';

/**
 * SYNTHETIC record: no public dataset holds a Set-MailboxAuditBypassAssociation event, so this follows the
 * Management Activity API's Exchange-admin shape (RecordType 1, Parameters as a list of {Name, Value}).
 */
const bypassEvent = {
  CreationTime: '2024-03-14T09:26:53',
  Id: '9c3b0f0e-5f38-4c1e-9f0a-000000000001',
  Operation: 'Set-MailboxAuditBypassAssociation',
  OrganizationId: 'b0a1c2d3-0000-4000-8000-000000000000',
  RecordType: 1,
  ResultStatus: 'True',
  UserKey: 'NT AUTHORITY\\SYSTEM (Microsoft.Exchange.Servicehost)',
  UserType: 3,
  Version: 1,
  Workload: 'Exchange',
  ClientIP: '203.0.113.7',
  ObjectId: 'svc-archiver',
  UserId: 'admin@contoso.onmicrosoft.com',
  ExternalAccess: false,
  OrganizationName: 'contoso.onmicrosoft.com',
  OriginatingServer: 'DM6PR11MB0000 (15.20.7386.000)',
  Parameters: [
    { Name: 'Identity', Value: 'svc-archiver' },
    { Name: 'AuditBypassEnabled', Value: 'True' },
  ],
};

let seed: LoadedRule;
beforeAll(async () => {
  seed = await load(SEED_DETECTION, {
    id: SEED_ID,
    title: 'O365 Mailbox Audit Logging Bypass',
    file: 'rules/o365_mailbox_audit_logging_bypass.yml',
    author: 'Elastic',
    authors: ['Elastic'],
    license: 'Elastic License v2',
    logsource: { product: 'm365', service: 'audit' },
    level: 'medium',
    tags: ['attack.initial-access', 'attack.defense-evasion', 'attack.t1562.001'],
  });
});

describe('seed rule on the js target', () => {
  it('compiles without diagnostics and names the file by rule id', () => {
    expect(seed.result.status).toBe('ok');
    expect(seed.result.diagnostics).toEqual([]);
    expect(seed.result.artifacts.map((a) => a.path)).toEqual([`${SEED_ID}.js`]);
    expect(seed.result.compiled?.query.language).toBe('js');
    expect(seed.result.artifacts[0]!.content).toBe(`${seed.source}\n`);
  });

  it('matches a successful bypass association', () => {
    expect(seed.match(bypassEvent)).toBe(true);
  });

  it('matches case-insensitively', () => {
    expect(seed.match({ ...bypassEvent, Workload: 'EXCHANGE', ResultStatus: 'true' })).toBe(true);
  });

  it('does not match a failed attempt, another cmdlet, another workload or a missing field', () => {
    expect(seed.match({ ...bypassEvent, ResultStatus: 'False' })).toBe(false);
    expect(seed.match({ ...bypassEvent, Operation: 'Set-Mailbox' })).toBe(false);
    expect(seed.match({ ...bypassEvent, Workload: 'SharePoint' })).toBe(false);
    const { ResultStatus: _dropped, ...withoutStatus } = bypassEvent;
    expect(seed.match(withoutStatus)).toBe(false);
    expect(seed.match({ ...bypassEvent, ResultStatus: null })).toBe(false);
    // Exact value, not a substring.
    expect(seed.match({ ...bypassEvent, Operation: 'Set-MailboxAuditBypassAssociationX' })).toBe(false);
  });

  it('exports the rule metadata for attribution', () => {
    expect(seed.rule).toEqual({
      id: SEED_ID,
      title: 'O365 Mailbox Audit Logging Bypass',
      level: 'medium',
      author: 'Elastic',
      authors: ['Elastic'],
      license: 'Elastic License v2',
      references: [],
      tags: ['attack.initial-access', 'attack.defense-evasion', 'attack.t1562.001'],
      logsource: { product: 'm365', service: 'audit' },
    });
  });

  it('imports nothing but the runtime', () => {
    const imports = seed.source.match(/^import .*$/gm);
    expect(imports).toEqual(["import * as rt from './runtime.js';"]);
    expect(seed.source).not.toMatch(/\brequire\(|\beval\(|\bFunction\(/);
  });

  const panther = '../shared/data/events/panther-analysis/microsoft_exchange_external_forwarding.tests.ndjson';
  it.skipIf(!existsSync(panther))('matches none of the real Exchange-admin records (other cmdlets)', () => {
    const rows = readFileSync(panther, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { event: Record<string, unknown> });
    expect(rows.length).toBe(10);
    for (const row of rows) expect(seed.match(row.event)).toBe(false);
    // Panther lower-cases keys; field names are case-sensitive, so even a bypass record in that shape is missed.
    expect(
      seed.match({ workload: 'Exchange', operation: 'Set-MailboxAuditBypassAssociation', resultstatus: 'True' }),
    ).toBe(false);
  });
});

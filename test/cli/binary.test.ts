/** The real binary, end to end: the README's main command prints the seed's Elastic query. */
import { describe, expect, it } from 'vitest';
import { runRulec } from '../helpers/run-rulec.js';

describe('bin/rulec.js', () => {
  it('compiles the seed rule to its Elastic query', () => {
    const run = runRulec(['compile', '--target', 'elastic', 'rules/m365/o365_mailbox_audit_logging_bypass.yml']);
    // The rule's own values on caseExact fields are matched case-sensitively by KQL: named, not an error (EL208).
    expect(run.stderr.match(/^\w+\[\w+\]/gm)).toEqual(['warning[EL208]', 'warning[EL208]']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      'event.dataset:o365.audit and event.provider:Exchange and event.action:Set-MailboxAuditBypassAssociation and event.outcome:success\n',
    );
  });
});

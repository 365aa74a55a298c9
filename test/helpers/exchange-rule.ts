/**
 * A minimal Exchange admin rule (the seed's selection without ResultStatus) shared by the `rulec match` tests that
 * only need some rule to fire on `hit`-shaped records: one text, so a change to it reaches every such test.
 */
export const MAILBOX_BYPASS_RULE = `title: Mailbox audit bypass
id: 675239ea-c1bc-4467-a6d3-b9e2cc7f676d
status: stable
logsource:
    product: m365
    service: audit
detection:
    selection:
        Workload: Exchange
        Operation: Set-MailboxAuditBypassAssociation
    condition: selection
level: medium
`;

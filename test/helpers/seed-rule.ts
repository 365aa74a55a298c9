/**
 * The seed every target is first tested on: Elastic's "O365 Mailbox Audit Logging Bypass" rule, built by hand as IR
 * (three exact tests on the m365 audit logsource). What each target's test varies is given: the description and
 * the deployment texts (investigation guide, setup), then any other field through `overrides`.
 */
import * as b from '../../src/ir/build.js';
import { literalPattern } from '../../src/ir/pattern.js';
import type { Rule } from '../../src/model/rule.js';
import { makeRule } from './make-rule.js';

export const SEED_ID = '675239ea-c1bc-4467-a6d3-b9e2cc7f676d';
export const SEED_TITLE = 'O365 Mailbox Audit Logging Bypass';
export const SEED_FILE = 'rules/m365/o365_mailbox_audit_logging_bypass.yml';

/** Its detection: the three exact tests on the O365 audit record. */
export const SEED_DETECTION = b.and([
  b.stringMatch('Workload', literalPattern('Exchange')),
  b.stringMatch('Operation', literalPattern('Set-MailboxAuditBypassAssociation')),
  b.stringMatch('ResultStatus', literalPattern('True')),
]);

export interface SeedTexts {
  readonly description: string;
  readonly investigationGuide: string;
  readonly setup: string;
}

export function seedRule(texts: SeedTexts, overrides: Partial<Rule> = {}): Rule {
  return makeRule(SEED_DETECTION, {
    file: SEED_FILE,
    id: SEED_ID,
    title: SEED_TITLE,
    description: texts.description,
    author: 'Elastic',
    authors: ['Elastic'],
    license: 'Elastic License v2',
    logsource: { product: 'm365', service: 'audit' },
    level: 'medium',
    tags: ['attack.initial-access', 'attack.defense-evasion', 'attack.t1562.001'],
    falsepositives: ['Legitimate allowlisting of noisy accounts'],
    references: ['https://twitter.com/misconfig/status/1476144066807140355'],
    deploy: {
      interval: '5m',
      lookback: '30m',
      maxAlerts: 100,
      riskScore: 47,
      enabled: true,
      version: 207,
      investigationGuide: texts.investigationGuide,
      setup: texts.setup,
      targets: {},
    },
    ...overrides,
  });
}

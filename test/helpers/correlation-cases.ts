import { readRuleFile } from '../../src/frontend.js';

/**
 * Referenced rules and a correlation over them, shared by the per-target correlation goldens (elastic.test.ts,
 * goldens.test.ts): the same Windows Security rules, grouped by TargetUserName over 30 minutes.
 */
export const RULES = `title: Failed login
name: failed_login
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4625}
  condition: selection
---
title: Explicit credentials
name: explicit_credentials
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4648}
  condition: selection
---
title: Process from a share
name: share_process
logsource: {product: windows, category: process_creation}
detection:
  selection: {Image|startswith: '\\\\\\\\'}
  condition: selection
---
title: Admin logon failure
name: admin_failure
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4625, TargetUserName|contains: adm}
  condition: selection
`;

export function correlation(type: string, rules: string, condition?: string, extra = ''): string {
  return [
    RULES,
    '---',
    `title: Correlated ${type}`,
    'id: 5b1c6a43-3f3e-4c48-9a2e-1d2f0d7c9e10',
    'description: A test correlation',
    'level: high',
    'correlation:',
    `  type: ${type}`,
    `  rules: [${rules}]`,
    '  group-by: [TargetUserName]',
    '  timespan: 30m',
    ...(condition !== undefined ? [`  condition: ${condition}`] : []),
    extra,
  ].join('\n');
}

/**
 * A chain, shaped as the specification's example "Failed Logins Followed by Successful Login": an event_count of
 * failed logins per user and computer, followed (temporal_ordered, per user) by explicit credentials.
 */
export function chain(): string {
  return [
    RULES,
    '---',
    'title: Many failed logins',
    'name: many_failed_logins',
    'correlation:',
    '  type: event_count',
    '  rules: [failed_login]',
    '  group-by: [TargetUserName, Computer]',
    '  timespan: 30m',
    '  condition: {gte: 10}',
    '---',
    'title: Failed logins followed by explicit credentials',
    'id: 0b7f3d52-8c55-4e0c-9f8e-2f3a4d5c6b71',
    'description: A test chain',
    'level: high',
    'correlation:',
    '  type: temporal_ordered',
    '  rules: [many_failed_logins, explicit_credentials]',
    '  group-by: [TargetUserName]',
    '  timespan: 30m',
  ].join('\n');
}

/**
 * A specification example with a stand-in detection rule (Windows failed logons) for every name or id its
 * correlations refer to that the example does not define (the specification shows correlations without their
 * rules), so that it compiles.
 */
export function withStandIns(text: string): string {
  const read = readRuleFile('spec.yml', text);
  const known = new Set(
    read.rules.flatMap((r) => [r.name, r.id]).concat(read.correlations.flatMap((c) => [c.name, c.id])),
  );
  const missing = [...new Set(read.correlations.flatMap((c) => c.rules.map((r) => r.text)))].filter(
    (t) => !known.has(t),
  );
  const stand = missing.map((t) => {
    const key = /^[0-9a-f-]{36}$/.test(t) ? `id: ${t}` : `name: ${t}`;
    return `title: Stand-in ${t}\n${key}\nlogsource: {product: windows, service: security}\ndetection:\n  s: {EventID: 4625}\n  condition: s\n`;
  });
  return [text.trimEnd(), ...stand].join('\n---\n');
}

/** Shared test helpers: compact views of diagnostics for exact assertions. */
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';

/** `RC011 2:1` — the code and where it points, the two things a user relies on. */
export function where(d: Diagnostic): string {
  return d.span ? `${d.code} ${d.span.start.line}:${d.span.start.col}` : `${d.code} -`;
}

export function wheres(ds: readonly Diagnostic[]): string[] {
  return ds.map(where);
}

/** A small valid rule; tests change one thing in it. */
export const VALID_RULE = `title: Test rule
id: 8f1d2c3b-4a5e-4f60-8b7c-9d0e1f2a3b4c
status: test
level: high
logsource:
  product: m365
  service: audit
detection:
  selection:
    Operation: Set-MailboxAuditBypassAssociation
  condition: selection
`;

/** Test-runner style text for rule test results. */
import { printable } from '../diagnostics/printable.js';
import { UNKNOWN_VALUE } from '../match/witness.js';
import type { Rule } from '../model/rule.js';
import type { CaseResult, FieldValue } from './run.js';

const MAX_VALUE = 120;

export function formatRuleHeader(rule: Pick<Rule, 'file' | 'title' | 'id'>): string {
  return printable(`${rule.file}: ${rule.title}${rule.id ? ` (${rule.id})` : ''}`);
}

export function formatCase(result: CaseResult, keywords: boolean): string {
  // Names and files come from the rule: escaped, so a name cannot draw a line of its own (a fake PASS).
  const name = printable(result.name);
  if (result.passed) return `  PASS ${name}`;
  const lines = [`  FAIL ${name}`];
  const where = result.file ? ` in ${printable(result.file)}` : '';
  if (result.error !== undefined) {
    lines.push(`       ${result.code ? `error[${result.code}]: ` : ''}${printable(result.error)}`);
    return lines.join('\n');
  }
  if (result.detail !== undefined) {
    for (const line of result.detail) lines.push(`       ${printable(line)}`);
    return lines.join('\n');
  }
  const expected = result.expectMatch ? 'a match' : 'no match';
  const got =
    result.events === 1
      ? result.matched === 1
        ? 'the event matched'
        : 'the event did not match'
      : `${result.matched} of ${result.events} events${where} matched`;
  lines.push(`       expected ${expected}, ${got}`);
  if (result.fields && result.fields.length > 0) {
    lines.push(`       fields the rule tests (${result.expectMatch ? 'first event' : 'first matching event'}):`);
    const shown = result.fields.map((f) => ({ field: printable(f.field), value: printable(showValue(f)) }));
    const width = shown.reduce((w, f) => Math.max(w, f.field.length), 0);
    for (const f of shown) lines.push(`         ${f.field.padEnd(width)}  ${f.value}`);
  }
  if (keywords) lines.push('       the rule also has keyword searches, which look at every value of the event');
  return lines.join('\n');
}

function showValue(f: FieldValue): string {
  if (f.value === undefined) return '(missing)';
  if (f.value === UNKNOWN_VALUE) return '(inside a list of objects)';
  const text = JSON.stringify(f.value) ?? String(f.value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 3)}...` : text;
}

/** The totals line, alone on its line: `N passed, N failed`. */
export function totalsLine(passed: number, failed: number): string {
  return `${passed} passed, ${failed} failed`;
}

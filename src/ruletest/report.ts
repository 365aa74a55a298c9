/** Test-runner style text for rule test results. */
import { UNKNOWN_VALUE } from '../match/witness.js';
import type { Rule } from '../model/rule.js';
import type { CaseResult, FieldValue } from './run.js';

const MAX_VALUE = 120;

export function formatRuleHeader(rule: Rule): string {
  return `${rule.file}: ${rule.title}${rule.id ? ` (${rule.id})` : ''}`;
}

export function formatCase(result: CaseResult, keywords: boolean): string {
  if (result.passed) return `  PASS ${result.name}`;
  const lines = [`  FAIL ${result.name}`];
  const where = result.file ? ` in ${result.file}` : '';
  if (result.error !== undefined) {
    lines.push(`       ${result.code ? `error[${result.code}]: ` : ''}${result.error}`);
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
    const width = Math.max(...result.fields.map((f) => f.field.length));
    for (const f of result.fields) lines.push(`         ${f.field.padEnd(width)}  ${showValue(f)}`);
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

/**
 * `rulec test [paths…]`: runs every rule's `tests:` through the predicate target and reports like a test runner.
 * Exit 1 when a case fails, a rule with tests cannot be evaluated, or a rule file has errors; rules without tests
 * only get a warning (most imported rules have none).
 */
import { formatDiagnostic } from '../diagnostics/format.js';
import { printable } from '../diagnostics/printable.js';
import { loadRules } from '../match/load-rules.js';
import type { PredicateFactory } from '../match/types.js';
import { ruleTestCases } from '../ruletest/cases.js';
import { testCaseDiagnostic } from '../ruletest/locate.js';
import { formatCase, formatRuleHeader, totalsLine } from '../ruletest/report.js';
import { hasKeywords, runCase } from '../ruletest/run.js';
import type { CliIo } from './io.js';

export interface TestOptions {
  /** Also list passing cases (default: only rules with a failure show their cases). */
  readonly verbose?: boolean;
}

export function runTests(
  paths: readonly string[],
  factory: PredicateFactory,
  io: CliIo,
  options: TestOptions = {},
): number {
  const loaded = loadRules(paths);
  let failedFiles = false;
  for (const d of loaded.diagnostics) {
    io.stderr(`${formatDiagnostic(d, d.file === undefined ? undefined : loaded.sources.get(d.file))}\n`);
    if (d.severity === 'error') failedFiles = true;
  }
  if (loaded.files.length === 0) {
    io.stderr('error: no rule files found (.yml or .yaml)\n');
    return 1;
  }
  let passed = 0;
  let failed = 0;
  let untested = 0;
  for (const rule of loaded.rules) {
    const cases = ruleTestCases(rule);
    if (cases.length === 0) {
      untested++;
      io.stderr(`warning[RC953]: ${printable(`${rule.file}: rule '${rule.title}' has no tests`)}\n`);
      continue;
    }
    let predicate;
    let reason = '';
    try {
      predicate = factory(rule);
      if (!predicate) reason = 'the predicate target cannot evaluate this rule';
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
    }
    if (!predicate) {
      io.stdout(`${formatRuleHeader(rule)}\n  FAIL all ${cases.length} cases: ${printable(reason)}\n`);
      failed += cases.length;
      continue;
    }
    const results = cases.map((c) => runCase(rule, predicate, c));
    results.forEach((r, i) => {
      const testCase = cases[i];
      if (r.code === undefined || r.error === undefined || testCase === undefined) return;
      // A refused event file is an error of the rule file: located on its `file:` key, with the rule's code frame.
      const { diagnostic, text } = testCaseDiagnostic(rule, testCase.index, 'file', r.code, r.error);
      io.stderr(`${formatDiagnostic(diagnostic, text)}\n`);
    });
    const ruleFailed = results.some((r) => !r.passed);
    if (ruleFailed || options.verbose) {
      const keywords = hasKeywords(rule);
      io.stdout(`${formatRuleHeader(rule)}\n${results.map((r) => formatCase(r, keywords)).join('\n')}\n`);
    }
    for (const r of results) {
      if (r.passed) passed++;
      else failed++;
    }
  }
  if (untested > 0) io.stderr(`${untested} of ${loaded.rules.length} rules have no tests\n`);
  io.stdout(`${totalsLine(passed, failed)}\n`);
  return failed > 0 || failedFiles ? 1 : 0;
}

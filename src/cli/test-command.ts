/**
 * `rulec test [paths…]`: runs every rule's `tests:` through the predicate target and reports like a test runner.
 * Exit 1 when a case fails, a rule with tests cannot be evaluated, or a rule file has errors; rules without tests
 * only get a warning (most imported rules have none).
 */
import { formatDiagnostic } from '../diagnostics/format.js';
import { printable } from '../diagnostics/printable.js';
import { readFileSync } from 'node:fs';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { applyFilters } from '../correlation/filters.js';
import { resolveReferences } from '../correlation/resolve.js';
import { loadFilterFolders } from '../build/meta.js';
import { loadRules } from '../match/load-rules.js';
import type { PredicateFactory } from '../match/types.js';
import { ruleTestCases } from '../ruletest/cases.js';
import {
  correlationChain,
  correlationTestCases,
  detectionRulesOf,
  runCorrelationCase,
} from '../ruletest/correlation.js';
import type { Predicate } from '../match/router.js';
import { testCaseDiagnostic } from '../ruletest/locate.js';
import { formatCase, formatRuleHeader, totalsLine } from '../ruletest/report.js';
import type { CaseResult } from '../ruletest/run.js';
import { hasKeywords, runCase } from '../ruletest/run.js';
import type { Rule } from '../model/rule.js';
import type { CliIo } from './io.js';
import type { OutputFormat } from './report.js';
import { noRulesFound, prepare, printDiagnostics, printJson, printSarif } from './report.js';

export interface TestOptions {
  /** Also list passing cases (default: only rules with a failure show their cases). */
  readonly verbose?: boolean;
  /** `text` (default) for people; `json` (every case) or `sarif` (failed cases and diagnostics) on stdout. */
  readonly format?: OutputFormat;
  /** `--filters` folders: filters applied to the rules, from outside the rule paths. */
  readonly filters?: readonly string[];
}

export function runTests(
  paths: readonly string[],
  factory: PredicateFactory,
  io: CliIo,
  options: TestOptions = {},
): number {
  const loaded = loadRules(paths);
  const format = options.format ?? 'text';
  // Text goes to the terminal as it comes; machine formats print one document at the end.
  const text = format === 'text';
  const out = (s: string): void => (text ? io.stdout(s) : undefined);
  // Filters tune the rules they name here as in `rulec match`: a rule's cases run against the rule as deployed.
  const filterFolders = loadFilterFolders(options.filters ?? []);
  for (const [file, text] of filterFolders.sources) loaded.sources.set(file, text);
  const resolution = resolveReferences(loaded.rules, loaded.correlations, [
    ...loaded.filters,
    ...filterFolders.filters,
  ]);
  const diagnostics: Diagnostic[] = [...filterFolders.diagnostics, ...loaded.diagnostics, ...resolution.diagnostics];
  // Failed cases are located on their `tests:` entry, which needs the text of files that had nothing else to show.
  const sources = new Map(loaded.sources);
  const fail = (rule: Tested, index: number, message: string): void => {
    diagnostics.push(caseFailure(rule, index, message));
    if (!text && !sources.has(rule.file)) {
      try {
        sources.set(rule.file, readFileSync(rule.file, 'utf8'));
      } catch {
        // unreadable now: the result stays without a region
      }
    }
  };
  const rulesJson: Record<string, unknown>[] = [];
  const failedFiles = diagnostics.some((d) => d.severity === 'error');
  if (loaded.files.length === 0) diagnostics.push(noRulesFound(paths));
  if (text) printDiagnostics(io, diagnostics, loaded.sources);
  if (loaded.files.length === 0) {
    if (!text) finish(io, format, diagnostics, loaded.sources, {});
    return 1;
  }
  let passed = 0;
  let failed = 0;
  let untested = 0;
  for (const unfiltered of loaded.rules) {
    const rule = applyFilters(unfiltered, resolution.filtersOf.get(unfiltered));
    const cases = ruleTestCases(rule);
    if (cases.length === 0) {
      untested++;
      if (text) io.stderr(`warning[RC953]: ${printable(`${rule.file}: rule '${rule.title}' has no tests`)}\n`);
      else
        diagnostics.push({
          code: 'RC953',
          severity: 'warning',
          message: `rule '${rule.title}' has no tests`,
          file: rule.file,
        });
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
      out(`${formatRuleHeader(rule)}\n  FAIL all ${cases.length} cases: ${printable(reason)}\n`);
      failed += cases.length;
      rulesJson.push({ ...ruleJson(rule), error: reason });
      for (const c of cases) fail(rule, c.index, `test '${c.name}' cannot run: ${reason}`);
      continue;
    }
    const results = cases.map((c) => runCase(rule, predicate, c));
    rulesJson.push({ ...ruleJson(rule), cases: results.map(caseJson) });
    results.forEach((r, i) => {
      const testCase = cases[i];
      if (testCase === undefined || r.passed) return;
      if (r.code !== undefined && r.error !== undefined) {
        // A refused event file is an error of the rule file: located on its `file:` key, with the rule's code frame.
        const located = testCaseDiagnostic(rule, testCase.index, 'file', r.code, r.error);
        if (text) io.stderr(`${formatDiagnostic(located.diagnostic, located.text)}\n`);
        else {
          diagnostics.push(located.diagnostic);
          if (located.text !== undefined) sources.set(rule.file, located.text);
        }
      }
      fail(rule, testCase.index, failureMessage(r));
    });
    const ruleFailed = results.some((r) => !r.passed);
    if (ruleFailed || options.verbose) {
      const keywords = hasKeywords(rule);
      out(`${formatRuleHeader(rule)}\n${results.map((r) => formatCase(r, keywords)).join('\n')}\n`);
    }
    for (const r of results) {
      if (r.passed) passed++;
      else failed++;
    }
  }
  // Correlation rules with `tests:`: events through their detection rules and the correlator (ruletest/correlation.ts).
  for (const resolved of resolution.correlations) {
    const c = resolved.correlation;
    const cases = correlationTestCases(c);
    if (cases.length === 0) continue;
    const chain = correlationChain(resolved, resolution.correlations);
    const predicates = new Map<Rule, Predicate>();
    let reason = '';
    for (const rule of detectionRulesOf(chain)) {
      try {
        const predicate = factory(applyFilters(rule, resolution.filtersOf.get(rule)));
        if (predicate) predicates.set(rule, predicate);
        else reason = `the predicate target cannot evaluate the referenced rule '${rule.title}'`;
      } catch (error) {
        reason = error instanceof Error ? error.message : String(error);
      }
    }
    if (reason !== '') {
      out(`${formatRuleHeader(c)}\n  FAIL all ${cases.length} cases: ${printable(reason)}\n`);
      failed += cases.length;
      rulesJson.push({ ...ruleJson(c), error: reason });
      for (const k of cases) fail(c, k.index, `test '${k.name}' cannot run: ${reason}`);
      continue;
    }
    const results = cases.map((k) => runCorrelationCase(resolved, chain, predicates, k));
    rulesJson.push({ ...ruleJson(c), cases: results.map(caseJson) });
    results.forEach((r, i) => {
      if (!r.passed) fail(c, cases[i]!.index, failureMessage(r));
    });
    if (results.some((r) => !r.passed) || options.verbose)
      out(`${formatRuleHeader(c)}\n${results.map((r) => formatCase(r, false)).join('\n')}\n`);
    for (const r of results) {
      if (r.passed) passed++;
      else failed++;
    }
  }
  if (untested > 0 && text) io.stderr(`${untested} of ${loaded.rules.length} rules have no tests\n`);
  out(`${totalsLine(passed, failed)}\n`);
  if (!text) {
    const summary = { rules: loaded.rules.length, passed, failed, untested };
    finish(io, format, diagnostics, sources, { summary, rules: rulesJson });
  }
  return failed > 0 || failedFiles ? 1 : 0;
}

function finish(
  io: CliIo,
  format: OutputFormat,
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string>,
  data: Record<string, unknown>,
): void {
  const shown = prepare(diagnostics, sources);
  if (format === 'sarif') printSarif(io, shown);
  else printJson(io, data, shown);
}

/** What locating and naming a tested document needs: a detection rule or a correlation rule. */
type Tested = Pick<Rule, 'file' | 'title' | 'id' | 'documentIndex'>;

function ruleJson(rule: Tested): Record<string, unknown> {
  return {
    file: rule.file,
    ...(rule.documentIndex > 0 ? { document: rule.documentIndex } : {}),
    title: rule.title,
    ...(rule.id !== undefined ? { id: rule.id } : {}),
  };
}

function caseJson(r: CaseResult): Record<string, unknown> {
  return {
    name: r.name,
    passed: r.passed,
    expectMatch: r.expectMatch,
    events: r.events,
    matched: r.matched,
    ...(r.file !== undefined ? { file: r.file } : {}),
    ...(r.error !== undefined ? { error: r.error } : {}),
  };
}

function failureMessage(r: CaseResult): string {
  if (r.error !== undefined) return `test '${r.name}' failed: ${r.error}`;
  if (r.detail !== undefined) return `test '${r.name}' failed: ${(r.detail[0] ?? '').replace(/:$/, '')}`;
  const expected = r.expectMatch ? 'a match' : 'no match';
  return `test '${r.name}' failed: expected ${expected}, ${r.matched} of ${r.events} event(s) matched`;
}

/** A failed case as a diagnostic (RC139) on its entry of `tests:`, located when printed. */
function caseFailure(rule: Tested, index: number, message: string): Diagnostic {
  return {
    code: 'RC139',
    severity: 'error',
    message,
    file: rule.file,
    at: { path: ['tests', index], document: rule.documentIndex },
  };
}

/**
 * Chooses the rule language. KQL (`type: query`, `language: kuery`) is preferred, as Elastic writes rules; when a
 * part of the detection cannot be said in KQL with the rule's meaning (a case-insensitive match on a keyword field,
 * `?`, a wildcard with whitespace, a regex…) the whole rule becomes EQL (`type: eql`), which is what Elastic itself
 * does for such rules (detection-rules#1088, #3392). EL101 records the reason.
 *
 * A rule may pin the language with `targets: {elastic: {language: kuery|eql}}`: `kuery` keeps KQL and turns case
 * losses into EL201 warnings (anything else KQL lacks is refused, EL307); `eql` skips KQL.
 */
import type { MappedRule, QueryResult, ReportAt, Reporter } from '../../src/backend/types.js';
import type { IrNode } from '../../src/ir/nodes.js';
import './codes.js';
import { readDestination } from './destination.js';
import { KqlGenerator, NeedsEql } from './dialect.js';
import { EqlGenerator } from './eql-dialect.js';
import { applyIpValues } from './ip-values.js';
import { applySplitFields } from './split-fields.js';
import { extractListExceptions } from './value-lists.js';
import { ruleValue } from '../../src/backend/report-at.js';

function hasKeyword(node: IrNode): boolean {
  if (node.kind === 'keyword') return true;
  if (node.kind === 'and' || node.kind === 'or') return node.children.some(hasKeyword);
  return node.kind === 'not' && hasKeyword(node.child);
}

type LanguageChoice = 'auto' | 'kuery' | 'eql';

/** Holds a KQL attempt's diagnostics until we know the attempt is kept. */
class BufferedReporter implements Reporter {
  private readonly calls: ((r: Reporter) => void)[] = [];
  warn(code: string, message: string, node?: ReportAt): void {
    this.calls.push((r) => r.warn(code, message, node));
  }
  refuse(code: string, message: string, node?: ReportAt): void {
    this.calls.push((r) => r.refuse(code, message, node));
  }
  info(code: string, message: string, node?: ReportAt): void {
    this.calls.push((r) => r.info(code, message, node));
  }
  flushTo(report: Reporter): void {
    for (const call of this.calls) call(report);
  }
}

/**
 * Keys of `targets.elastic` this backend reads; `index` is read by the pipeline (common.yml `ruleOverrides`),
 * which replaces the destination's index patterns with it.
 */
const OVERRIDE_KEYS = new Set(['language', 'index']);

function languageChoice(mapped: MappedRule, report: Reporter): LanguageChoice | undefined {
  for (const key of Object.keys(mapped.rule.deploy.targets['elastic'] ?? {}))
    if (!OVERRIDE_KEYS.has(key))
      report.warn('EL312', `targets.elastic.${key} is not a setting rulec knows (language, index) and was ignored`);
  const value = mapped.rule.deploy.targets['elastic']?.['language'];
  if (value === undefined || value === 'auto') return 'auto';
  if (value === 'kuery' || value === 'eql') return value;
  report.refuse(
    'EL309',
    `targets.elastic.language must be auto, kuery or eql, not ${JSON.stringify(value)}`,
    ruleValue('targets', 'elastic', 'language'),
  );
  return undefined;
}

export function renderElasticQuery(original: MappedRule, report: Reporter): QueryResult {
  const lists = extractListExceptions(applyIpValues(applySplitFields(original, report), report), report);
  const mapped = lists.mapped;
  // Value lists go to the rule's exceptions (./value-lists.ts): the artifact carries them with the query.
  const exceptions = lists.exceptions.length > 0 ? { exceptions: lists.exceptions } : {};
  const result = renderWithLanguage(mapped, report);
  return { ...result, extra: { ...result.extra, ...exceptions } };
}

function renderWithLanguage(mapped: MappedRule, report: Reporter): QueryResult {
  const choice = languageChoice(mapped, report);
  if (choice === undefined) return { query: '', language: 'kuery', extra: { type: 'query' } };
  const destination = readDestination(mapped.destination);
  if (mapped.detection.kind === 'const' && !mapped.detection.value)
    report.warn('EL205', 'the detection is always false: the rule can never match');

  let reason = 'the rule pins targets.elastic.language to eql';
  if (choice !== 'eql') {
    // EQL has no field-less search: a rule with keywords stays in KQL and warns of case losses (EL201) rather
    // than moving to EQL, where its keywords would be refused (EL304).
    const keepKql = choice === 'kuery' || hasKeyword(mapped.detection);
    const attempt = new BufferedReporter();
    const kql = new KqlGenerator(destination, { caseLoss: keepKql ? 'warn' : 'eql' });
    try {
      const query = kql.generate(mapped.detection, mapped, attempt);
      attempt.flushTo(report);
      return { query, language: 'kuery', extra: { type: 'query' } };
    } catch (error) {
      if (!(error instanceof NeedsEql)) throw error;
      if (choice === 'kuery') {
        attempt.flushTo(report);
        report.refuse('EL307', `the rule pins KQL, but ${error.reason} needs EQL`, error.node);
        return { query: '', language: 'kuery', extra: { type: 'query' } };
      }
      reason = error.reason;
      report.info('EL101', `emitted as an EQL rule: KQL cannot express ${reason} faithfully`, error.node);
    }
  }
  const condition = new EqlGenerator(mapped.fieldTypes, reason).generate(mapped.detection, mapped, report);
  return { query: `any where ${condition}`, language: 'eql', extra: { type: 'eql' } };
}

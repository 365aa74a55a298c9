/** Compiles a resolved correlation rule for one target: its referenced rules first, then the target's query. */
import type { CompiledRule, QueryResult, Reporter } from '../backend/types.js';
import type { LoadedTarget } from '../compile.js';
import { compileRule } from '../compile.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import '../diagnostics/correlation-codes.js';
import { exists, TRUE } from '../ir/build.js';
import { fieldsOf } from '../ir/visit.js';
import type { Rule } from '../model/rule.js';
import { applyPipeline } from '../pipeline/apply.js';
import type { ResolvedCorrelation } from './resolve.js';

export interface CorrelationResult {
  readonly target: string;
  readonly resolved: ResolvedCorrelation;
  readonly query?: QueryResult;
  /** The referenced rules as compiled for the target (filters applied), in `rules:` order, when all compiled. */
  readonly referenced?: readonly CompiledRule[];
  readonly diagnostics: readonly Diagnostic[];
}

const SILENT: Reporter = { warn() {}, refuse() {}, info() {} };

/**
 * `tune` gives the referenced rule as deployed (global filters applied, see tune.ts): the correlation counts the
 * events its rules alert on, so a filter that tunes a rule tunes the correlations over it too.
 */
export function compileCorrelation(
  resolved: ResolvedCorrelation,
  target: LoadedTarget,
  tune: (rule: Rule) => Rule = (rule) => rule,
): CorrelationResult {
  const c = resolved.correlation;
  const id = target.backend.id;
  const diagnostics: Diagnostic[] = [];
  let refused = false;
  const add = (code: string, severity: Diagnostic['severity'], message: string): void => {
    if (severity === 'error') refused = true;
    diagnostics.push({ code, severity, message, file: c.file, target: id, ...(c.span ? { span: c.span } : {}) });
  };
  const rules: { compiled: CompiledRule; groupBy: string[]; field?: string }[] = [];
  const report: Reporter = {
    warn: (code, message) => add(code, 'warning', message),
    refuse: (code, message) => add(code, 'error', message),
    info: (code, message) => add(code, 'info', message),
  };
  const done = (query?: QueryResult): CorrelationResult => ({
    target: id,
    resolved,
    ...(query && !refused ? { query, referenced: rules.map((r) => r.compiled) } : {}),
    diagnostics,
  });
  if (!target.backend.renderCorrelation) {
    report.refuse('RC720', `correlation type ${c.type} is not supported for target ${id} yet`);
    return done();
  }
  if (resolved.targets.some((t) => 'kind' in t)) {
    report.refuse('RC720', `correlations of correlations are not supported for target ${id} yet`);
    return done();
  }
  resolved.targets.forEach((t, i) => {
    const rule = tune(t as Rule);
    const result = compileRule(rule, target);
    if (!result.compiled) {
      report.refuse('RC720', `the referenced rule '${c.rules[i]!.text}' is refused by ${id}, so is the correlation`);
      return;
    }
    rules.push({
      compiled: result.compiled,
      groupBy: resolved.groupFields[i]!.map((f) => mapField(rule, f, target)),
      ...(c.fields.length === 1 ? { field: mapField(rule, c.fields[0]!, target) } : {}),
    });
  });
  if (refused) return done();
  try {
    return done(target.backend.renderCorrelation({ correlation: c, rules }, report));
  } catch (error) {
    report.refuse('RC901', `internal error while rendering the ${id} correlation query: ${String(error)}`);
    return done();
  }
}

/**
 * A group-by field's name in the target's data: the pipeline maps it as it would a detection field (a rule
 * testing only that the field exists, compared with the same rule testing nothing).
 */
function mapField(rule: Rule, field: string, target: LoadedTarget): string {
  const base = new Set(fieldsOf(applyPipeline({ ...rule, detection: TRUE }, target.pipeline, SILENT).detection));
  const mapped = fieldsOf(applyPipeline({ ...rule, detection: exists(field) }, target.pipeline, SILENT).detection);
  const added = mapped.filter((f) => !base.has(f));
  return added.length === 1 ? added[0]! : field;
}

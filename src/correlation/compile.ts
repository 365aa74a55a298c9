/** Compiles a resolved correlation rule for one target: its referenced rules first, then the target's query. */
import type { CompiledRule, CorrelationInput, CorrelationStep, QueryResult, Reporter } from '../backend/types.js';
import type { LoadedTarget } from '../compile.js';
import { compileRule } from '../compile.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import '../diagnostics/correlation-codes.js';
import { exists, TRUE } from '../ir/build.js';
import { fieldsOf } from '../ir/visit.js';
import type { Rule } from '../model/rule.js';
import { applyPipeline } from '../pipeline/apply.js';
import { correlationAsCompiled } from './as-compiled.js';
import type { Correlation } from './model.js';
import type { ResolvedCorrelation } from './resolve.js';

export interface CorrelationResult {
  readonly target: string;
  readonly resolved: ResolvedCorrelation;
  readonly query?: QueryResult;
  /**
   * The detection rules the query reads, as compiled for the target (filters applied), when all compiled: the
   * referenced rules in `rules:` order, a referenced correlation (a chain) giving its own, in its order.
   */
  readonly referenced?: readonly CompiledRule[];
  readonly diagnostics: readonly Diagnostic[];
}

const SILENT: Reporter = { warn() {}, refuse() {}, info() {} };

type InputRule = CorrelationInput['rules'][number];

/**
 * `tune` gives the referenced rule as deployed (global filters applied, see tune.ts): the correlation counts the
 * events its rules alert on, so a filter that tunes a rule tunes the correlations over it too. `step` is set when
 * the correlation is compiled as the inner step of a chain (see `CorrelationStep`).
 */
export function compileCorrelation(
  resolved: ResolvedCorrelation,
  target: LoadedTarget,
  tune: (rule: Rule) => Rule = (rule) => rule,
  step?: CorrelationStep,
): CorrelationResult {
  const c = resolved.correlation;
  const id = target.backend.id;
  const diagnostics: Diagnostic[] = [];
  let refused = false;
  const add = (code: string, severity: Diagnostic['severity'], message: string): void => {
    if (severity === 'error') refused = true;
    diagnostics.push({ code, severity, message, file: c.file, target: id, ...(c.span ? { span: c.span } : {}) });
  };
  const rules: (InputRule | undefined)[] = [];
  const leaves: CompiledRule[][] = [];
  const report: Reporter = {
    warn: (code, message) => add(code, 'warning', message),
    refuse: (code, message) => add(code, 'error', message),
    info: (code, message) => add(code, 'info', message),
  };
  const done = (query?: QueryResult): CorrelationResult => ({
    target: id,
    resolved,
    ...(query && !refused ? { query, referenced: leaves.flat() } : {}),
    diagnostics,
  });
  if (!target.backend.renderCorrelation) {
    report.refuse('RC720', `correlation type ${c.type} is not supported for target ${id} yet`);
    return done();
  }
  resolved.targets.forEach((t, i) => {
    if ('kind' in t) return;
    const rule = tune(t);
    const result = compileRule(rule, target);
    if (!result.compiled) {
      report.refuse('RC720', `the referenced rule '${c.rules[i]!.text}' is refused by ${id}, so is the correlation`);
      return;
    }
    rules[i] = {
      compiled: result.compiled,
      groupBy: resolved.groupFields[i]!.map((f) => mapField(rule, f, target)),
      ...(c.fields.length === 1 ? { field: mapField(rule, c.fields[0]!, target) } : {}),
    };
    leaves[i] = [result.compiled];
  });
  if (refused) return done();
  const columns = stepColumns(c, rules);
  resolved.targets.forEach((t, i) => {
    const inner = resolved.inner[i];
    if (!('kind' in t) || inner === undefined) return;
    const name = c.rules[i]!.text;
    // The step outputs, for each of this correlation's group-by entries, the inner group-by entry it names.
    const outputs = resolved.groupFields[i]!.map((field, g) => ({
      entry: inner.correlation.groupBy.indexOf(field),
      column: columns[g]!,
    }));
    const result = compileCorrelation(inner, target, tune, { outputs });
    // The inner correlation's own diagnostics are about this chain's query too: kept where they are located (the
    // inner correlation), said as coming from it.
    for (const d of result.diagnostics) {
      if (d.severity === 'error') refused = true;
      diagnostics.push({ ...d, message: `${d.message} (in the referenced correlation '${name}')` });
    }
    if (!result.query || !result.referenced) {
      report.refuse(
        'RC723',
        `the referenced correlation '${name}' cannot be a step of a chain on ${id}, so neither can this one`,
      );
      return;
    }
    const names = inner.correlation.rules.map((r) => r.text);
    rules[i] = {
      compiled: correlationAsCompiled(inner.correlation, result.referenced, names, result.query),
      groupBy: columns,
    };
    leaves[i] = [...result.referenced];
  });
  if (refused) return done();
  try {
    const input: CorrelationInput = { correlation: c, rules: rules as InputRule[], ...(step ? { step } : {}) };
    return done(target.backend.renderCorrelation(input, report));
  } catch (error) {
    report.refuse('RC901', `internal error while rendering the ${id} correlation query: ${String(error)}`);
    return done();
  }
}

/**
 * The column a chain step outputs for each group-by entry: an alias's own name (what a target names an aliased
 * column), else the field the referenced rules agree on (so their events and the step's rows share a column, as
 * with one rule), else the entry's own name. Entries of the rules only (`rules` holds the compiled detection rules, steps undefined).
 */
function stepColumns(c: Correlation, rules: readonly (InputRule | undefined)[]): string[] {
  return c.groupBy.map((entry, g) => {
    // An alias names what its sources call differently: the rows carry it under its own name, as without a chain.
    if (c.aliases[entry] !== undefined) return entry;
    const names = new Set(rules.flatMap((r) => (r ? [r.groupBy[g]!] : [])));
    return names.size === 1 ? [...names][0]! : entry;
  });
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

/**
 * Sigma 2 meta-rules in builds and `rulec compile`: what correlation rules and global filters change in the set of
 * compiled rules, target-agnostic.
 *
 * - Filters: a rule a filter applies to (resolve.ts: named by it, same logsource) is compiled as tuned (tune.ts),
 *   in every target, before the pipeline.
 * - `generate`: a rule (or correlation) that correlation rules refer to is deployed on its own only when one of
 *   them says `generate: true`; with every one of them leaving it false (the specification's default: "only the
 *   correlation query should be generated") it is withheld: compiled, so the correlations can use it, but no
 *   artifact of its own.
 * - Correlations: one result per target like a rule's, with artifacts from the target's `renderArtifacts`
 *   (as-compiled.ts) and refusals per target.
 *
 * Rules are named by place (`file#document`), not object: results from worker threads hold copies, and a scoped
 * build renames rules (identity.ts).
 */
import type { ArtifactFile, CompiledRule, Reporter } from '../backend/types.js';
import type { LoadedTarget, TargetResult } from '../compile.js';
import type { BuildResult } from './built.js';
import { slimResult } from './built.js';
import { compileRule } from '../compile.js';
import { correlationAsCompiled } from '../correlation/as-compiled.js';
import { compileCorrelation } from '../correlation/compile.js';
import type { Correlation, Filter } from '../correlation/model.js';
import type { Referenced, Resolution, ResolvedCorrelation } from '../correlation/resolve.js';
import { resolveReferences } from '../correlation/resolve.js';
import { tunedRule } from '../correlation/tune.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import '../diagnostics/correlation-codes.js';
import type { Rule } from '../model/rule.js';
import { discoverRuleFiles } from '../source/discover.js';
import { loadRules } from './build.js';

export interface MetaDocuments {
  readonly rules: readonly Rule[];
  readonly correlations: readonly Correlation[];
  readonly filters: readonly Filter[];
}

export interface MetaPlan {
  readonly resolution: Resolution;
  /** Place → the filters that apply to the rule there, in reading order. */
  readonly filtersAt: ReadonlyMap<string, readonly Filter[]>;
  /** Place → the correlations that withhold the rule or correlation there (none of them generates it). */
  readonly withheldBy: ReadonlyMap<string, readonly Correlation[]>;
  /** Reference errors, RC740 (filters that apply to nothing) and RC741 (withheld rules, info). */
  readonly diagnostics: readonly Diagnostic[];
}

export const placeOf = (d: { readonly file: string; readonly documentIndex: number }): string =>
  `${d.file}#${d.documentIndex}`;

const nameOf = (d: Referenced): string => d.name ?? d.id ?? d.title;

/** Links every meta-rule of the documents; `scope` says which documents' own problems to report (default all). */
export function planMeta(docs: MetaDocuments, scope: (file: string) => boolean = () => true): MetaPlan {
  const resolution = resolveReferences(docs.rules, docs.correlations, docs.filters);
  const diagnostics: Diagnostic[] = resolution.diagnostics.filter((d) => d.file === undefined || scope(d.file));
  const filtersAt = new Map<string, readonly Filter[]>();
  const applied = new Set<Filter>();
  for (const [rule, filters] of resolution.filtersOf) {
    filtersAt.set(placeOf(rule), filters);
    for (const f of filters) applied.add(f);
  }
  for (const f of docs.filters) {
    if (applied.has(f) || !scope(f.file)) continue;
    diagnostics.push({
      code: 'RC740',
      severity: 'warning',
      message: `the filter '${f.title}' applies to no rule: ${f.rules.length === 0 ? 'it names none' : 'none of the rules it names is read with it and of its logsource'}`,
      file: f.file,
      ...(f.span ? { span: f.span } : {}),
      notes: ['give the rules it tunes to the same command (a folder reads them all), or remove the filter'],
    });
  }
  // Withheld: referred to by correlations, none of which generates it (the spec's default is not to).
  const referrers = new Map<Referenced, Correlation[]>();
  for (const r of resolution.correlations)
    for (const t of r.targets) referrers.set(t, [...(referrers.get(t) ?? []), r.correlation]);
  const withheldBy = new Map<string, readonly Correlation[]>();
  for (const [t, cs] of referrers) {
    if (cs.some((c) => c.generate)) continue;
    withheldBy.set(placeOf(t), cs);
    if (!scope(t.file)) continue;
    diagnostics.push({
      code: 'RC741',
      severity: 'info',
      message: `'${nameOf(t)}' is not deployed on its own: ${cs.map((c) => `'${c.name ?? c.id ?? c.title}'`).join(', ')} ${cs.length > 1 ? 'do' : 'does'} not generate it (generate: true deploys it too)`,
      file: t.file,
      ...('kind' in t && t.span ? { span: t.span } : { at: { path: ['title'], document: t.documentIndex } }),
    });
  }
  return { resolution, filtersAt, withheldBy, diagnostics };
}

/** The rule as deployed: filters applied. */
export function tune(plan: MetaPlan, rule: Rule): Rule {
  return tunedRule(rule, plan.filtersAt.get(placeOf(rule)));
}

/** Why a withheld rule has no artifact of its own, or undefined when it is deployed. */
export function withheldReason(plan: MetaPlan, d: { file: string; documentIndex: number }): string | undefined {
  const cs = plan.withheldBy.get(placeOf(d));
  if (!cs) return undefined;
  const names = cs.map((c) => `'${c.name ?? c.id ?? c.title}'`).join(', ');
  return `only through the correlation${cs.length > 1 ? 's' : ''} ${names} (generate: false)`;
}

/**
 * The results of detection rules with the plan applied: tuned rules compiled again as tuned (a result from
 * before the plan compiled the rule as written), withheld ones stripped of their artifacts.
 */
export function applyPlan(
  plan: MetaPlan,
  results: readonly TargetResult[],
  targets: readonly LoadedTarget[],
): TargetResult[] {
  return planned(plan, results, targets, (result) => result);
}

/** `applyPlan` over the results a build keeps (built.ts): tuned rules compiled again are reduced likewise. */
export function applyPlanBuilt(
  plan: MetaPlan,
  results: readonly BuildResult[],
  targets: readonly LoadedTarget[],
): BuildResult[] {
  return planned(plan, results, targets, slimResult);
}

function planned<R extends BuildResult>(
  plan: MetaPlan,
  results: readonly R[],
  targets: readonly LoadedTarget[],
  keep: (result: TargetResult, target: LoadedTarget) => R,
): R[] {
  const byId = new Map(targets.map((t) => [t.backend.id, t]));
  return results.map((result) => {
    const filters = plan.filtersAt.get(placeOf(result.rule));
    const target = byId.get(result.target);
    const tuned = filters && target ? keep(compileRule(tunedRule(result.rule, filters), target), target) : result;
    const withheld = withheldReason(plan, result.rule);
    return withheld && tuned.compiled ? { ...tuned, artifacts: [], withheld } : tuned;
  });
}

/** One result per target for each correlation `wanted` (default all), after the rules' results of that target. */
export function correlationResults(
  plan: MetaPlan,
  targets: readonly LoadedTarget[],
  wanted: (c: Correlation) => boolean = () => true,
): TargetResult[] {
  const out: TargetResult[] = [];
  for (const target of targets)
    for (const resolved of plan.resolution.correlations)
      if (wanted(resolved.correlation)) out.push(compileCorrelationResult(plan, resolved, target));
  return out;
}

/** A correlation compiled for one target, with its artifacts, as a `TargetResult` like a rule's. */

/**
 * The filters that tuned the rules a correlation reads, down a chain too: an inner correlation's rules are tuned
 * like the outer's own, so the artifact of the chain names their filters as well (a reviewer sees all the tuning).
 */
function filtersUnder(plan: MetaPlan, resolved: ResolvedCorrelation): Filter[] {
  return resolved.targets.flatMap((t, i) => {
    const inner = resolved.inner[i];
    return inner ? filtersUnder(plan, inner) : (plan.filtersAt.get(placeOf(t)) ?? []);
  });
}
export function compileCorrelationResult(
  plan: MetaPlan,
  resolved: ResolvedCorrelation,
  target: LoadedTarget,
): TargetResult {
  const c = resolved.correlation;
  const id = target.backend.id;
  const result = compileCorrelation(resolved, target, (rule) => tune(plan, rule));
  const diagnostics: Diagnostic[] = [...result.diagnostics];
  const names = c.rules.map((r) => r.text);
  const placeholder = correlationAsCompiled(c, [], names, { query: '', language: '' }).mapped.rule;
  const refused = (): TargetResult => ({
    target: id,
    rule: placeholder,
    status: 'refused',
    artifacts: [],
    diagnostics,
  });
  if (!result.query || !result.referenced) return refused();
  const filters = [...new Set(filtersUnder(plan, resolved))];
  const compiled: CompiledRule = correlationAsCompiled(c, result.referenced, names, result.query, filters);
  let failed = false;
  // Everything a target says about the artifact is about the correlation document: located on `correlation:`.
  const add = (code: string, severity: Diagnostic['severity'], message: string): void => {
    if (severity === 'error') failed = true;
    diagnostics.push({ code, severity, message, file: c.file, target: id, ...(c.span ? { span: c.span } : {}) });
  };
  const report: Reporter = {
    warn: (code, message) => add(code, 'warning', message),
    refuse: (code, message) => add(code, 'error', message),
    info: (code, message) => add(code, 'info', message),
  };
  let artifacts: readonly ArtifactFile[];
  try {
    artifacts = target.backend.renderArtifacts(compiled, report);
  } catch (error) {
    add(
      'RC902',
      'error',
      `cannot render the ${id} artifact: ${error instanceof Error ? error.message : String(error)}`,
    );
    return refused();
  }
  if (failed) return refused();
  const withheld = withheldReason(plan, c);
  const status = diagnostics.some((d) => d.severity === 'warning') ? 'warnings' : 'ok';
  return {
    target: id,
    rule: compiled.mapped.rule,
    status,
    compiled,
    artifacts: withheld ? [] : artifacts,
    diagnostics,
    ...(withheld ? { withheld } : {}),
  };
}

export interface FilterFolders {
  readonly filters: readonly Filter[];
  /** Every rule file found in the folders (part of the build cache key). */
  readonly files: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
  /** Of `diagnostics`, the folders that cannot be read at all (RC030): the command must not go on. */
  readonly pathErrors: readonly Diagnostic[];
  readonly sources: ReadonlyMap<string, string>;
}

/**
 * The filters of `--filters` folders: a team's tuning kept apart from the shared rules it tunes. Only filter
 * documents are taken; a detection or correlation rule there is ignored with RC742, since deploying it because it
 * sits in a tuning folder would surprise.
 */
export function loadFilterFolders(dirs: readonly string[]): FilterFolders {
  if (dirs.length === 0) return { filters: [], files: [], diagnostics: [], pathErrors: [], sources: new Map() };
  const discovery = discoverRuleFiles(dirs);
  const loaded = loadRules(discovery.files);
  const diagnostics: Diagnostic[] = [...discovery.diagnostics, ...loaded.diagnostics];
  for (const d of [...loaded.rules, ...(loaded.correlations ?? [])]) {
    const kind = 'kind' in d ? 'correlation rule' : 'detection rule';
    diagnostics.push({
      code: 'RC742',
      severity: 'warning',
      message: `'${d.title}' is a ${kind} in a --filters folder, which only filters are read from: ignored`,
      file: d.file,
      ...('kind' in d && d.span ? { span: d.span } : { at: { path: ['title'], document: d.documentIndex } }),
      notes: ['give it as a rule path to compile it'],
    });
  }
  const pathErrors = discovery.diagnostics.filter((d) => d.severity === 'error');
  return { filters: loaded.filters ?? [], files: discovery.files, diagnostics, pathErrors, sources: loaded.sources };
}

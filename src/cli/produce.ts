/** Loads rule files and compiles them for the chosen targets, on worker threads when that pays off. */
import type { BuildOutput, LoadedRules } from '../build/build.js';
import { assembleOutput, compileRules, loadRules } from '../build/build.js';
import { applyPlan, correlationResults, planMeta } from '../build/meta.js';
import { loadAndCompileParallel } from '../build/parallel.js';
import type { Filter } from '../correlation/model.js';
import type { LoadedTarget, TargetResult } from '../compile.js';
import type { Pipeline } from '../pipeline/types.js';
import type { Registry } from './targets.js';
import { loadTargets } from './targets.js';

export interface ProduceOptions {
  /** URL of the registry module, needed to run workers; without it everything runs on this thread. */
  readonly registryModule?: string;
  /** Worker threads; default 1 (this thread), or RULEC_JOBS. */
  readonly jobs?: number;
  /** The site's layered pipelines by target id (rulec.config.yml, --pipeline); default the built-in ones. */
  readonly pipelines?: Readonly<Record<string, Pipeline>>;
  /** Changes whenever the site's settings change: part of the build cache key. */
  readonly siteKey?: string;
  /** Filters read from `--filters` folders (meta.ts `loadFilterFolders`), applied with those of the rule paths. */
  readonly extraFilters?: readonly Filter[];
}

export interface Produced {
  readonly targets: readonly LoadedTarget[];
  readonly loaded: LoadedRules;
  readonly output: BuildOutput;
}

/*
 * One thread by default: on this project's 2-core machines, two workers measured slower than one thread for the
 * whole SigmaHQ corpus (results cloned back to the main thread, two JIT warm-ups, GC competing for the second
 * core) and used more memory. RULEC_JOBS=<n> (or `jobs`) still runs n workers.
 */

/** Loaded rules and per-rule results, without the combined files (a scoped build assembles those itself). */
export interface ProducedResults {
  readonly targets: readonly LoadedTarget[];
  readonly loaded: LoadedRules;
  readonly results: TargetResult[];
}

export async function produceResults(
  files: readonly string[],
  targetIds: readonly string[],
  registry: Registry,
  options: ProduceOptions = {},
): Promise<ProducedResults> {
  const targets = loadTargets(registry, targetIds, options.pipelines);
  const fromEnv = Number(process.env.RULEC_JOBS ?? '');
  const jobs = options.jobs ?? (fromEnv > 0 ? fromEnv : 1);
  // Workers load compiled JavaScript; from TypeScript sources (tests, tsx) stay on this thread.
  const canFork = options.registryModule !== undefined && import.meta.url.endsWith('.js');
  if (jobs > 1 && canFork) {
    const { loaded, results } = await loadAndCompileParallel(
      files,
      targets.map((t) => t.backend.id),
      options.registryModule!,
      jobs,
      options.pipelines,
    );
    return { targets, loaded, results };
  }
  const loaded = loadRules(files);
  return { targets, loaded, results: compileRules(loaded.rules, targets) };
}

export async function produce(
  files: readonly string[],
  targetIds: readonly string[],
  registry: Registry,
  options: ProduceOptions = {},
): Promise<Produced> {
  const { targets, loaded, results } = await produceResults(files, targetIds, registry, options);
  // Filters, `generate` and the correlations' own results: over every document read (build/meta.ts).
  const plan = planMeta({
    rules: loaded.rules,
    correlations: loaded.correlations ?? [],
    filters: [...(loaded.filters ?? []), ...(options.extraFilters ?? [])],
  });
  const all = [...applyPlan(plan, results, targets), ...correlationResults(plan, targets)];
  const output = assembleOutput(all, targets);
  return { targets, loaded, output: { ...output, diagnostics: [...plan.diagnostics, ...output.diagnostics] } };
}

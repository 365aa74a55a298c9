/** Loads rule files and compiles them for the chosen targets, on worker threads when that pays off. */
import { readFileSync } from 'node:fs';
import type { BuildOutput, LoadedRules } from '../build/build.js';
import { assembleOutput, compileRules, loadRules } from '../build/build.js';
import { applyPlanBuilt, correlationResults, planMeta } from '../build/meta.js';
import { loadAndCompileParallel } from '../build/parallel.js';
import type { FileResult } from '../build/result-cache.js';
import { ResultCache } from '../build/result-cache.js';
import type { LoadedTarget } from '../compile.js';
import type { BuildResult } from '../build/built.js';
import { slimResult } from '../build/built.js';
import type { Correlation, Filter } from '../correlation/model.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { readRuleFile } from '../frontend.js';
import type { Rule } from '../model/rule.js';
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
  /** Per-file results of earlier builds (build/result-cache.ts): only the files not in it are compiled. */
  readonly resultCache?: ResultCache;
  /**
   * Told, after loading, how many rule files came from the result cache and how many were compiled (tests);
   * `inPlace` when the build was incremental (build/incremental.ts: the others were not even read),
   * `checkedAhead` when it used the check of its output started on another thread (build/output-check.ts).
   */
  readonly onResultCache?: (stats: {
    readonly hits: number;
    readonly misses: number;
    readonly inPlace?: true;
    readonly checkedAhead?: true;
  }) => void;
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
  readonly results: BuildResult[];
}

export async function produceResults(
  files: readonly string[],
  targetIds: readonly string[],
  registry: Registry,
  options: ProduceOptions = {},
): Promise<ProducedResults> {
  const targets = loadTargets(registry, targetIds, options.pipelines);
  if (options.resultCache) return { targets, ...(await producedCached(files, targets, options.resultCache)) };
  return { targets, ...(await loadAndCompile(files, targets, options)) };
}

async function loadAndCompile(
  files: readonly string[],
  targets: readonly LoadedTarget[],
  options: ProduceOptions,
): Promise<{ loaded: LoadedRules; results: BuildResult[] }> {
  const fromEnv = Number(process.env.RULEC_JOBS ?? '');
  const jobs = options.jobs ?? (fromEnv > 0 ? fromEnv : 1);
  // Workers load compiled JavaScript; from TypeScript sources (tests, tsx) stay on this thread.
  const canFork = options.registryModule !== undefined && import.meta.url.endsWith('.js');
  if (jobs > 1 && canFork) {
    return loadAndCompileParallel(
      files,
      targets.map((t) => t.backend.id),
      options.registryModule!,
      jobs,
      options.pipelines,
    );
  }
  const loaded = loadRules(files);
  return { loaded, results: compileRules(loaded.rules, targets) };
}

/**
 * `loadAndCompile` through the per-file result cache: every file is read and hashed; those the cache holds are
 * taken from it, the others loaded and compiled one by one and stored. The result is the one `loadAndCompile`
 * gives for the same files, in the same order: documents in file order, results target by target.
 *
 * Files missing from the cache are compiled on this thread, one file at a time, so that each file's result is
 * exactly what it gave alone (no attribution of a batch's diagnostics back to files). A cold cache with
 * RULEC_JOBS > 1 thus gives up the workers, which measured slower than one thread on 2 cores anyway (see above).
 */
async function producedCached(
  files: readonly string[],
  targets: readonly LoadedTarget[],
  cache: ResultCache,
): Promise<{ loaded: LoadedRules; results: BuildResult[] }> {
  const rules: Rule[] = [];
  const diagnostics: Diagnostic[] = [];
  const badFiles: string[] = [];
  const correlations: Correlation[] = [];
  const filters: Filter[] = [];
  const sources = new Map<string, string>();
  const perFile: FileResult[] = [];
  for (const file of files) {
    let bytes: Buffer | undefined;
    try {
      bytes = readFileSync(file);
    } catch {
      // loadRules reports it (RC903); never cached.
    }
    const key = bytes ? ResultCache.entryKey(file, bytes) : undefined;
    let result = key ? cache.get(key) : undefined;
    if (!result) {
      // From the bytes hashed, so the key is the key of what was compiled (loadRules reports an unreadable file).
      const read = bytes ? readRuleFile(file, bytes) : undefined;
      const loaded = read ? undefined : loadRules([file]);
      result = read
        ? {
            rules: read.rules,
            correlations: read.correlations,
            filters: read.filters,
            diagnostics: read.diagnostics,
            bad: read.diagnostics.some((d) => d.severity === 'error'),
            results: compileRules(read.rules, targets),
          }
        : {
            rules: loaded!.rules,
            correlations: loaded!.correlations ?? [],
            filters: loaded!.filters ?? [],
            diagnostics: loaded!.diagnostics,
            bad: loaded!.badFiles.length > 0,
            results: compileRules(loaded!.rules, targets),
          };
      if (key) cache.set(key, result);
    }
    perFile.push(result);
    rules.push(...result.rules);
    diagnostics.push(...result.diagnostics);
    correlations.push(...result.correlations);
    filters.push(...result.filters);
    if (result.bad) badFiles.push(file);
    if (bytes) sources.set(file, bytes.toString('utf8'));
  }
  const results: BuildResult[] = [];
  for (const target of targets)
    for (const result of perFile) for (const r of result.results) if (r.target === target.backend.id) results.push(r);
  return { loaded: { rules, diagnostics, sources, badFiles, correlations, filters }, results };
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
  const byId = new Map(targets.map((t) => [t.backend.id, t]));
  const all = [
    ...applyPlanBuilt(plan, results, targets),
    ...correlationResults(plan, targets).map((r) => slimResult(r, byId.get(r.target)!)),
  ];
  const output = assembleOutput(all, targets);
  return { targets, loaded, output: { ...output, diagnostics: [...plan.diagnostics, ...output.diagnostics] } };
}

/** Loads rule files and compiles them for the chosen targets, on worker threads when that pays off. */
import { availableParallelism } from 'node:os';
import type { BuildOutput, LoadedRules } from '../build/build.js';
import { assembleOutput, buildTargets, loadRules } from '../build/build.js';
import { loadAndCompileParallel } from '../build/parallel.js';
import type { LoadedTarget } from '../compile.js';
import type { Registry } from './targets.js';
import { loadTargets } from './targets.js';

export interface ProduceOptions {
  /** URL of the registry module, needed to run workers; without it everything runs on this thread. */
  readonly registryModule?: string;
  /** Worker threads; default: the machine's cores when there are enough files to pay for starting them. */
  readonly jobs?: number;
}

export interface Produced {
  readonly targets: readonly LoadedTarget[];
  readonly loaded: LoadedRules;
  readonly output: BuildOutput;
}

/** Below this many files a worker's start-up costs more than it saves. */
const PARALLEL_THRESHOLD = 400;

export async function produce(
  files: readonly string[],
  targetIds: readonly string[],
  registry: Registry,
  options: ProduceOptions = {},
): Promise<Produced> {
  const targets = loadTargets(registry, targetIds);
  const fromEnv = Number(process.env.RULEC_JOBS ?? '');
  const jobs =
    options.jobs ??
    (fromEnv > 0 ? fromEnv : files.length >= PARALLEL_THRESHOLD ? Math.min(4, availableParallelism()) : 1);
  // Workers load compiled JavaScript; from TypeScript sources (tests, tsx) stay on this thread.
  const canFork = options.registryModule !== undefined && import.meta.url.endsWith('.js');
  if (jobs > 1 && canFork) {
    const { loaded, results } = await loadAndCompileParallel(
      files,
      targets.map((t) => t.backend.id),
      options.registryModule!,
      jobs,
    );
    return { targets, loaded, output: assembleOutput(results, targets) };
  }
  const loaded = loadRules(files);
  return { targets, loaded, output: buildTargets(loaded.rules, targets) };
}

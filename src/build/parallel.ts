/**
 * Loads and compiles rule files on several threads of one process (the machine has 2 cores; parsing YAML and
 * rendering are CPU-bound). Files are split into contiguous slices and results concatenated in slice order, so
 * the output is identical to a single-threaded build.
 */
import { Worker } from 'node:worker_threads';
import type { BuildResult } from './built.js';
import type { Correlation, Filter } from '../correlation/model.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Rule } from '../model/rule.js';
import type { Pipeline } from '../pipeline/types.js';
import type { LoadedRules } from './build.js';

export interface ParallelResult {
  readonly loaded: LoadedRules;
  /** Grouped by target in `targetIds` order, rules in file order within each target. */
  readonly results: BuildResult[];
}

interface WorkerReply {
  rules: Rule[];
  diagnostics: Diagnostic[];
  sources: [string, string][];
  badFiles: string[];
  correlations: Correlation[];
  filters: Filter[];
  results: BuildResult[];
}

function runSlice(
  registryModule: string,
  files: readonly string[],
  targetIds: readonly string[],
  pipelines: Readonly<Record<string, Pipeline>> | undefined,
): Promise<WorkerReply> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), {
      workerData: { registryModule, files, targetIds, pipelines },
    });
    worker.once('message', (reply: WorkerReply) => resolve(reply));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`build worker exited with code ${code}`));
    });
  });
}

export async function loadAndCompileParallel(
  files: readonly string[],
  targetIds: readonly string[],
  registryModule: string,
  jobs: number,
  pipelines?: Readonly<Record<string, Pipeline>>,
): Promise<ParallelResult> {
  const size = Math.ceil(files.length / jobs);
  const slices = Array.from({ length: jobs }, (_, i) => files.slice(i * size, (i + 1) * size)).filter((s) => s.length);
  const replies = await Promise.all(slices.map((slice) => runSlice(registryModule, slice, targetIds, pipelines)));
  const results: BuildResult[] = [];
  for (const id of targetIds)
    for (const reply of replies) for (const r of reply.results) if (r.target === id) results.push(r);
  return {
    loaded: {
      rules: replies.flatMap((r) => r.rules),
      diagnostics: replies.flatMap((r) => r.diagnostics),
      sources: new Map(replies.flatMap((r) => r.sources)),
      badFiles: replies.flatMap((r) => r.badFiles),
      correlations: replies.flatMap((r) => r.correlations),
      filters: replies.flatMap((r) => r.filters),
    },
    results,
  };
}

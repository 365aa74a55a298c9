/**
 * A build worker: loads and compiles one contiguous slice of the rule files. The target registry module is
 * passed in by URL, so this module stays target-agnostic.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Backend } from '../backend/types.js';
import { loadTargets } from '../cli/targets.js';
import type { Pipeline } from '../pipeline/types.js';
import { compileRules, loadRules } from './build.js';

interface Job {
  readonly registryModule: string;
  readonly files: readonly string[];
  readonly targetIds: readonly string[];
  /** The site's layered pipelines (plain data, cloned into this thread). */
  readonly pipelines?: Readonly<Record<string, Pipeline>>;
}

const job = workerData as Job;
const { BACKENDS } = (await import(job.registryModule)) as { BACKENDS: readonly Backend[] };
const targets = loadTargets(BACKENDS, job.targetIds, job.pipelines);
const loaded = loadRules(job.files);
const results = compileRules(loaded.rules, targets);
parentPort?.postMessage({
  rules: loaded.rules,
  diagnostics: loaded.diagnostics,
  sources: [...loaded.sources],
  badFiles: loaded.badFiles,
  correlations: loaded.correlations,
  filters: loaded.filters,
  results,
});

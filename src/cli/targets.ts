/** Turns the registry of backends (passed in by the entry point) into loaded targets. */
import type { Backend } from '../backend/types.js';
import type { LoadedTarget } from '../compile.js';
import { loadPipeline } from '../pipeline/load.js';
import type { Pipeline } from '../pipeline/types.js';

export type Registry = readonly Backend[];

export class UnknownTargetError extends Error {}

/**
 * `pipelines`, when given, are the layered pipelines of a site (src/config/site.ts) by target id; a target not in
 * it gets its built-in pipeline.
 */
export function loadTargets(
  registry: Registry,
  ids?: readonly string[],
  pipelines?: Readonly<Record<string, Pipeline>>,
): LoadedTarget[] {
  const wanted = ids && ids.length > 0 ? ids : registry.map((b) => b.id);
  return wanted.map((id) => {
    const backend = registry.find((b) => b.id === id);
    if (!backend)
      throw new UnknownTargetError(`unknown target '${id}' (known: ${registry.map((b) => b.id).join(', ')})`);
    return { backend, pipeline: pipelines?.[id] ?? loadPipeline(backend.root, backend.id) };
  });
}

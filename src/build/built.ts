/**
 * What a build keeps of one rule's result for one target: its diagnostics and files, and of the compiled rule only
 * what the build still reads after rendering it (the coverage table's mapping id and the rule's share of the
 * combined files, a string). The compiled rule itself (mapped IR, query objects) is dropped as soon as the rule's
 * files are rendered, so memory does not hold the whole corpus compiled, and the result cache stores texts.
 */
import type { TargetResult, LoadedTarget } from '../compile.js';
import type { TreeContent } from './tree-manifest.js';

export interface BuiltRule {
  readonly mapped: { readonly logsourceId?: string };
  /** The target's `bundleFragment` of the rule; absent for a target without combined files. */
  readonly fragment?: string;
  /** Why the fragment could not be made: the combined files fail (RC914) if the rule is in them. */
  readonly fragmentError?: string;
}

/**
 * One per-rule file as the build keeps it: its text, or, for a result from the result cache (result-cache.ts), the
 * output folder's file known to hold that text (the cache stores per-rule files by hash, not text).
 */
export interface BuiltArtifact {
  readonly path: string;
  readonly content: TreeContent;
}

/** A `TargetResult` as the build keeps it; a `TargetResult` is one (its compiled rule has a mapping id). */
export interface BuildResult extends Omit<TargetResult, 'compiled' | 'artifacts'> {
  readonly compiled?: BuiltRule;
  readonly artifacts: readonly BuiltArtifact[];
}

/** Reduces a fresh result to what the build keeps (see above). */
export function slimResult(result: TargetResult, target: LoadedTarget): BuildResult {
  const { compiled } = result;
  if (!compiled) return result as BuildResult;
  const logsourceId = compiled.mapped.logsourceId;
  const built: { -readonly [K in keyof BuiltRule]: BuiltRule[K] } = {
    mapped: logsourceId === undefined ? {} : { logsourceId },
  };
  const fragment = target.backend.bundleFragment;
  if (fragment)
    try {
      built.fragment = fragment(compiled);
    } catch (error) {
      built.fragmentError = error instanceof Error ? error.message : String(error);
    }
  return { ...result, compiled: built };
}

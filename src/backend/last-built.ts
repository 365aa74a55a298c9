/**
 * What a target's `renderArtifacts` built from a compiled rule (its artifact objects, a template's view), kept for
 * that rule's `bundleFragment`, which a build asks for right after (compile.ts, then build/built.ts): the fragment
 * prints the same objects, and building them again was a fifth of the corpus build's artifact work (ATT&CK lookups,
 * the ECS field list, schedules). Only the last rule's is kept, and only one built while reporting: a fragment of
 * any other compiled rule builds its own, silently, and keeps nothing.
 */
import type { CompiledRule, Reporter } from './types.js';

/** A reporter that drops everything: the per-rule render reported it already. */
export const SILENT: Reporter = { warn() {}, refuse() {}, info() {} };

export class LastBuilt<V> {
  private last: { readonly compiled: CompiledRule; readonly value: V } | undefined;

  constructor(private readonly build: (compiled: CompiledRule, report: Reporter) => V) {}

  /** Built afresh, reporting to `report`, and kept. */
  reported(compiled: CompiledRule, report: Reporter): V {
    const value = this.build(compiled, report);
    this.last = { compiled, value };
    return value;
  }

  /** What `reported` built for this compiled rule, or the same built now without reporting. */
  silent(compiled: CompiledRule): V {
    return this.last?.compiled === compiled ? this.last.value : this.build(compiled, SILENT);
  }
}

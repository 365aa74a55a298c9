/** The combined-file methods of a `Backend` from its two parts (types.ts: `bundleFragment`, `joinBundle`). */
import type { ArtifactFile, Backend, CompiledRule } from './types.js';

export function bundleParts(parts: {
  readonly fragment: (compiled: CompiledRule) => string;
  readonly join: (fragments: readonly string[]) => readonly ArtifactFile[];
}): Required<Pick<Backend, 'bundleFragment' | 'joinBundle' | 'renderBundle'>> {
  return {
    bundleFragment: parts.fragment,
    joinBundle: parts.join,
    renderBundle: (compiled) => parts.join(compiled.map(parts.fragment)),
  };
}

/** A fragment of a sort key and a text, which `sortedFragments` reads back (the form every target's fragments take). */
export function keyedFragment(key: string, ...texts: readonly string[]): string {
  return JSON.stringify([key, ...texts]);
}

/**
 * The fragments' parts sorted by their key in code-unit order (not locale order: the same on every machine),
 * fragments of one key kept in the order given (a stable sort, as the targets sorted their rules before).
 */
export function sortedFragments(fragments: readonly string[]): string[][] {
  const parts = fragments.map((fragment) => JSON.parse(fragment) as string[]);
  return parts.sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
}

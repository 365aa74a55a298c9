/** The combined-file methods of a `Backend` from its two parts (types.ts: `bundleFragment`, `joinBundle`). */
import type { ArtifactFile, Backend, CompiledRule, SplicedFile } from './types.js';

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

/**
 * `bytes` with `before` replaced by `after`, when `before` occurs in them exactly once: a fragment's piece that the
 * combined file prints verbatim is then found where the rule's entry is. Undefined otherwise (an empty piece, one
 * the file does not hold, one it holds twice), so a caller never guesses.
 */
export function replaceOnce(bytes: Buffer, before: string, after: string): Buffer | undefined {
  if (before === after) return bytes;
  if (before === '') return undefined;
  const needle = Buffer.from(before);
  const at = bytes.indexOf(needle);
  if (at < 0 || bytes.indexOf(needle, at + 1) >= 0) return undefined;
  return Buffer.concat([bytes.subarray(0, at), Buffer.from(after), bytes.subarray(at + needle.length)]);
}

/**
 * The pieces of two keyed fragments of one rule, when the rule keeps its place in the sorted combined files (same
 * key, same number of pieces); undefined otherwise.
 */
export function changedPieces(before: string, after: string): { before: string[]; after: string[] } | undefined {
  if (before === '' || after === '') return undefined;
  const [oldKey, ...oldPieces] = JSON.parse(before) as string[];
  const [newKey, ...newPieces] = JSON.parse(after) as string[];
  if (oldKey !== newKey || oldPieces.length !== newPieces.length) return undefined;
  return { before: oldPieces, after: newPieces };
}

/**
 * `spliceBundle` for a target whose combined file `path` prints every piece of every keyed fragment verbatim.
 * `accept` may refuse a piece the file would not print verbatim.
 */
export function spliceVerbatim(
  path: string,
  accept: (before: string, after: string) => boolean = () => true,
): (read: (path: string) => Buffer | undefined, before: string, after: string) => SplicedFile[] | undefined {
  return (read, before, after) => {
    const pieces = changedPieces(before, after);
    let bytes = read(path);
    if (!pieces || bytes === undefined) return undefined;
    for (let i = 0; i < pieces.before.length && bytes !== undefined; i++) {
      if (!accept(pieces.before[i]!, pieces.after[i]!)) return undefined;
      bytes = replaceOnce(bytes, pieces.before[i]!, pieces.after[i]!);
    }
    return bytes === undefined ? undefined : [{ path, content: bytes }];
  };
}

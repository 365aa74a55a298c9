/** The combined-file methods of a `Backend` from its two parts (types.ts: `bundleFragment`, `bundleFiles`). */
import type { ArtifactFile, Backend, BundleFile, CompiledRule, FragmentList, SplicedFile } from './types.js';

export function bundleParts(parts: {
  readonly fragment: (compiled: CompiledRule) => string;
  readonly files: (fragments: FragmentList) => readonly BundleFile[];
}): Required<Pick<Backend, 'bundleFragment' | 'joinBundle' | 'bundleFiles' | 'renderBundle'>> {
  const join = (fragments: readonly string[]): readonly ArtifactFile[] =>
    parts.files(fragmentList(fragments)).map((file) => ({ path: file.path, content: textOf(file) }));
  return {
    bundleFragment: parts.fragment,
    joinBundle: join,
    bundleFiles: parts.files,
    renderBundle: (compiled) => join(compiled.map(parts.fragment)),
  };
}

/** Fragments held in memory as a `FragmentList`. */
export function fragmentList(fragments: readonly string[]): FragmentList {
  return { length: fragments.length, get: (index) => fragments[index]! };
}

/** A combined file's whole text. */
export function textOf(file: BundleFile): string {
  const parts: string[] = [];
  file.write((text) => parts.push(text));
  return parts.join('');
}

/** A combined file whose text is made at once (small files: a runtime copied verbatim, an index of names). */
export function wholeFile(path: string, content: string): BundleFile {
  return { path, write: (out) => out(content) };
}

/**
 * A fragment of a sort key and texts, which `sortFragments` reads back (the form every target's fragments take): a
 * header `["key",length,…]` (the key as a JSON string, each text's length), then the texts as they are. A JSON
 * array of the texts escaped each text again (a rule's JSON object, query and all), which cost a tenth of the
 * corpus build's artifact work, and parsing it back as much again.
 */
export function keyedFragment(key: string, ...texts: readonly string[]): string {
  let header = `[${JSON.stringify(key)}`;
  for (const text of texts) header += `,${text.length}`;
  return `${header}]${texts.join('')}`;
}

/** The key and the texts of a `keyedFragment`. */
export function fragmentParts(fragment: string): string[] {
  const keyEnd = endOfKey(fragment);
  const headerEnd = fragment.indexOf(']', keyEnd);
  const parts = [JSON.parse(fragment.slice(1, keyEnd)) as string];
  let at = headerEnd + 1;
  for (const length of fragment.slice(keyEnd + 1, headerEnd).split(',')) {
    if (length === '') continue;
    parts.push(fragment.slice(at, (at += Number(length))));
  }
  return parts;
}

/**
 * Keyed fragments in the order of their keys, without holding them: each fragment's parts are read back when asked
 * for (`parts`), so a combined file of megabytes is written one fragment at a time.
 */
export interface SortedFragments {
  /** The keys in code-unit order (not locale order: the same on every machine). */
  readonly keys: readonly string[];
  /** The parts of the i-th fragment in that order. */
  parts(index: number): string[];
}

/**
 * The fragments sorted by key, fragments of one key in the order given (as the targets sorted their rules before);
 * `skip` leaves some out (e.g. empty ones).
 */
export function sortFragments(fragments: FragmentList, skip?: (fragment: string) => boolean): SortedFragments {
  const keys: string[] = [];
  const numbers: number[] = [];
  for (let i = 0; i < fragments.length; i++) {
    const fragment = fragments.get(i);
    if (skip?.(fragment)) continue;
    keys.push(fragmentKey(fragment));
    numbers.push(i);
  }
  const order = keys.map((_, i) => i);
  order.sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : a - b));
  return {
    keys: order.map((i) => keys[i]!),
    parts: (index) => fragmentParts(fragments.get(numbers[order[index]!]!)),
  };
}

/**
 * Where `before` occurs in `bytes` when it occurs there exactly once: a fragment's piece that the combined file
 * prints verbatim is then found where the rule's entry is. Undefined otherwise (an empty piece, one the file does
 * not hold, one it holds twice), so a caller never guesses.
 */
export function onlyPlace(bytes: Buffer, before: string): number | undefined {
  if (before === '') return undefined;
  const needle = Buffer.from(before);
  const at = bytes.indexOf(needle);
  if (at < 0 || bytes.indexOf(needle, at + 1) >= 0) return undefined;
  return at;
}

/**
 * The pieces of two keyed fragments of one rule, when the rule keeps its place in the sorted combined files (same
 * key, same number of pieces); undefined otherwise.
 */
export function changedPieces(before: string, after: string): { before: string[]; after: string[] } | undefined {
  if (before === '' || after === '') return undefined;
  const [oldKey, ...oldPieces] = fragmentParts(before);
  const [newKey, ...newPieces] = fragmentParts(after);
  if (oldKey !== newKey || oldPieces.length !== newPieces.length) return undefined;
  return { before: oldPieces, after: newPieces };
}

/**
 * `spliceBundle` for a target whose combined file `path` prints every piece of every keyed fragment verbatim.
 * `accept` may refuse a piece the file would not print verbatim. Each changed piece is found once in the file as
 * read (so where this rule's entry is); the new file is the bytes between them and the new pieces, never joined
 * (joining 24 MB of combined files cost a build after one edit 25 ms of copies and page faults).
 */
export function spliceVerbatim(
  path: string,
  accept: (before: string, after: string) => boolean = () => true,
): (read: (path: string) => Buffer | undefined, before: string, after: string) => SplicedFile[] | undefined {
  return (read, before, after) => {
    const pieces = changedPieces(before, after);
    const bytes = read(path);
    if (!pieces || bytes === undefined) return undefined;
    const places: { at: number; end: number; piece: string }[] = [];
    for (let i = 0; i < pieces.before.length; i++) {
      const [old, piece] = [pieces.before[i]!, pieces.after[i]!];
      if (!accept(old, piece)) return undefined;
      if (old === piece) continue;
      const at = onlyPlace(bytes, old);
      if (at === undefined) return undefined;
      places.push({ at, end: at + Buffer.byteLength(old), piece });
    }
    places.sort((a, b) => a.at - b.at);
    const content: Buffer[] = [];
    let from = 0;
    for (const { at, end, piece } of places) {
      // Two pieces of one entry overlapping in the file: not printed verbatim one after the other.
      if (at < from) return undefined;
      content.push(bytes.subarray(from, at), Buffer.from(piece));
      from = end;
    }
    content.push(bytes.subarray(from));
    return [{ path, content }];
  };
}

/** The key of a `keyedFragment`, read without the texts after it. */
export function fragmentKey(fragment: string): string {
  return JSON.parse(fragment.slice(1, endOfKey(fragment))) as string;
}

/** Where the JSON string of a keyed fragment's key ends (just after its closing quote). */
function endOfKey(fragment: string): number {
  let end = 2;
  while (fragment[end] !== '"') end += fragment[end] === '\\' ? 2 : 1;
  return end + 1;
}

/**
 * `a.localeCompare(b)`'s order (ICU's root collation) for printable ASCII text, computed without ICU. The first
 * localeCompare of a process loads ICU's collation data: about 2.7 MB of resident memory (pages of the node binary
 * and the collator), at the end of a build, where its peak is (the report sorts the diagnostics of every file
 * shown). Text with any other character is compared by localeCompare itself.
 *
 * In the root collation every printable ASCII character has a primary weight of its own but for the two cases of a
 * letter, which differ only at the tertiary level (lower case first). Two such texts compare as their primary
 * weights, in order, then, when those are all equal, as the case of their first letter that differs.
 */

/** Printable ASCII in the root collation's primary order, lower-case letters standing for both cases. */
const PRIMARY_ORDER = ` _-,;:!?.'"()[]{}@*/\\&#%\`^+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz`;

/** Char code → primary rank (+1; 0: not printable ASCII). */
const RANK = new Uint8Array(128);
for (let i = 0; i < PRIMARY_ORDER.length; i++) {
  const code = PRIMARY_ORDER.charCodeAt(i);
  RANK[code] = i + 1;
  // 'a'..'z': their upper-case letters share the rank.
  if (code >= 0x61 && code <= 0x7a) RANK[code - 0x20] = i + 1;
}

const rank = (code: number): number => (code < 128 ? RANK[code]! : 0);

/** Whether every character of `text` is printable ASCII. */
function plain(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (rank(text.charCodeAt(i)) === 0) return false;
  return true;
}

/** As `a.localeCompare(b)` (its sign), equal strings 0 without any comparison. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  if (!plain(a) || !plain(b)) return a.localeCompare(b);
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const ra = rank(a.charCodeAt(i));
    const rb = rank(b.charCodeAt(i));
    if (ra !== rb) return ra < rb ? -1 : 1;
  }
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  // The same letters but for their case: lower case first, at the first letter that differs.
  for (let i = 0; i < length; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) return ca > cb ? -1 : 1;
  }
  return 0;
}

/**
 * The record of an output folder (output-folder.ts `renderRecord`) after some rule files changed text and nothing
 * else — same files made, same titles — edited as bytes instead of rendered again from the whole record (8 MB for
 * the corpus: parsing and rendering it, or only decoding and encoding it as text, cost 50–100 ms): each entry of a
 * changed file names its new text's hash (a hash is 64 hex digits, so the bytes around stay where they are), the
 * old text leaves the sources unless another file still has it, and the new text joins them in hash order.
 *
 * Undefined when the record does not have the layout `renderRecord` gives (the build then renders it whole).
 */

export interface SourceChange {
  /** The rule file as the record names it (relative to the output folder, `/`-separated). */
  readonly key: string;
  readonly before: string;
  readonly after: string;
  readonly text: string;
}

const SOURCES_START = Buffer.from('\n  "sources": {\n');
const SOURCES_END = Buffer.from('\n  }\n}\n');
const SEPARATOR = Buffer.from(',\n');
/** A source line: four spaces, the quoted hash, `: `, the text as a JSON string. */
const HASH_AT = 5;
const HASH_LENGTH = 64;
const NEWLINE = 0x0a;

export function patchRecord(record: Buffer, changes: readonly SourceChange[]): Buffer | undefined {
  const bytes = Buffer.from(record);
  // The files the record lists: a file no target compiled has no entry, and its text is not kept.
  const listed: SourceChange[] = [];
  for (const change of changes) {
    const { key, before, after } = change;
    if (before.length !== HASH_LENGTH || after.length !== HASH_LENGTH) return undefined;
    const entry = Buffer.from(`\n        ${JSON.stringify(key)}: {"source":"`);
    const old = Buffer.from(before);
    let found = 0;
    for (let at = bytes.indexOf(entry); at >= 0; at = bytes.indexOf(entry, at + 1)) {
      const hash = at + entry.length;
      // Every entry of the file names the old text: all of them change, or the record is not as expected.
      if (!bytes.subarray(hash, hash + HASH_LENGTH).equals(old)) return undefined;
      bytes.write(after, hash, 'latin1');
      found++;
    }
    if (found > 0) listed.push(change);
  }
  // A text is still some file's when an entry still names it (two files of the same text share one source).
  const stillUsed = (hash: string): boolean => bytes.includes(`{"source":"${hash}"`);
  const start = bytes.indexOf(SOURCES_START);
  if (start < 0 || !bytes.subarray(bytes.length - SOURCES_END.length).equals(SOURCES_END)) return undefined;
  const bodyStart = start + SOURCES_START.length;
  const bodyEnd = bytes.length - SOURCES_END.length;
  // The source lines, without their separators.
  const lines: Buffer[] = [];
  for (let at = bodyStart; at < bodyEnd;) {
    const newline = bytes.indexOf(NEWLINE, at);
    const end = newline < 0 || newline > bodyEnd ? bodyEnd : newline;
    lines.push(bytes.subarray(at, end === bodyEnd ? end : end - 1));
    at = end + 1;
  }
  const hashOf = (line: Buffer): string => line.toString('latin1', HASH_AT, HASH_AT + HASH_LENGTH);
  const indexOf = (hash: string): number => {
    let low = 0;
    let high = lines.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (hashOf(lines[mid]!) < hash) low = mid + 1;
      else high = mid;
    }
    return low;
  };
  for (const { before } of listed) {
    if (stillUsed(before)) continue;
    const at = indexOf(before);
    if (at < lines.length && hashOf(lines[at]!) === before) lines.splice(at, 1);
  }
  for (const { after, text } of listed) {
    const at = indexOf(after);
    if (at < lines.length && hashOf(lines[at]!) === after) continue;
    lines.splice(at, 0, Buffer.from(`    "${after}": ${JSON.stringify(text)}`));
  }
  const parts: Buffer[] = [bytes.subarray(0, bodyStart)];
  lines.forEach((line, i) => parts.push(...(i > 0 ? [SEPARATOR, line] : [line])));
  parts.push(SOURCES_END);
  return Buffer.concat(parts);
}

/**
 * The record of an output folder (output-folder.ts `renderRecord`) after some rule files changed text and nothing
 * else — same files made, same titles — edited as bytes instead of rendered again from the whole record (8 MB for
 * the corpus: parsing and rendering it, or only decoding and encoding it as text, cost 50–100 ms): each entry of a
 * changed file names its new text's hash (a hash is 64 hex digits, so the bytes around stay where they are), the
 * old text leaves the sources unless another file still has it, and the new text joins them in hash order.
 *
 * The new record is given as consecutive parts — runs of the record read, and the new hashes and source lines —
 * to be written one after the other: copying the 8 MB twice (a copy to edit, then the joined result) cost 12 ms.
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

export interface PatchedRecord {
  /** The new record's bytes, in order. */
  readonly parts: readonly Buffer[];
  /** Whether they differ from the record read (no change was of a file the record lists: they do not). */
  readonly changed: boolean;
}

const SOURCES_START = Buffer.from('\n  "sources": {\n');
const SOURCES_END = Buffer.from('\n  }\n}\n');
const SEPARATOR = Buffer.from(',\n');
/** A source line: four spaces, the quoted hash, `: `, the text as a JSON string. */
const HASH_AT = 5;
const HASH_LENGTH = 64;
const NEWLINE = 0x0a;

/** A line of the sources: a range of the record read, or a new line. */
type Line = readonly [start: number, end: number] | Buffer;

export function patchRecord(record: Buffer, changes: readonly SourceChange[]): PatchedRecord | undefined {
  const start = record.indexOf(SOURCES_START);
  if (start < 0 || !record.subarray(record.length - SOURCES_END.length).equals(SOURCES_END)) return undefined;
  const bodyStart = start + SOURCES_START.length;
  const bodyEnd = record.length - SOURCES_END.length;
  // The entries, where the hashes are named (the texts after them are JSON strings: no quote or newline unescaped).
  const entries = record.subarray(0, start);
  // The hashes rewritten in the entries (before the sources), by their place.
  const renamed = new Map<number, string>();
  // The files the record lists: a file no target compiled has no entry, and its text is not kept.
  const listed: SourceChange[] = [];
  for (const change of changes) {
    const { key, before, after } = change;
    if (before.length !== HASH_LENGTH || after.length !== HASH_LENGTH) return undefined;
    const entry = Buffer.from(`\n        ${JSON.stringify(key)}: {"source":"`);
    let found = 0;
    for (let at = entries.indexOf(entry); at >= 0; at = entries.indexOf(entry, at + 1)) {
      const hash = at + entry.length;
      // Every entry of the file names the old text: all of them change, or the record is not as expected.
      if (record.toString('latin1', hash, hash + HASH_LENGTH) !== before) return undefined;
      renamed.set(hash, after);
      found++;
    }
    if (found > 0) listed.push(change);
  }
  if (listed.length === 0) return { parts: [record], changed: false };
  // A text is still some file's when an entry still names it (two files of the same text share one source).
  const stillUsed = (hash: string): boolean => {
    if (listed.some((change) => change.after === hash)) return true;
    const named = Buffer.from(`{"source":"${hash}"`);
    for (let at = entries.indexOf(named); at >= 0; at = entries.indexOf(named, at + 1))
      if (!renamed.has(at + named.length - HASH_LENGTH - 1)) return true;
    return false;
  };
  // The source lines, without their separators.
  const lines: Line[] = [];
  for (let at = bodyStart; at < bodyEnd;) {
    const newline = record.indexOf(NEWLINE, at);
    const end = newline < 0 || newline > bodyEnd ? bodyEnd : newline;
    lines.push([at, end === bodyEnd ? end : end - 1]);
    at = end + 1;
  }
  const hashOf = (line: Line): string =>
    Buffer.isBuffer(line)
      ? line.toString('latin1', HASH_AT, HASH_AT + HASH_LENGTH)
      : record.toString('latin1', line[0] + HASH_AT, line[0] + HASH_AT + HASH_LENGTH);
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

  const parts: Buffer[] = [];
  let from = 0;
  // The entries, with their new hashes.
  for (const [at, hash] of [...renamed].sort(([a], [b]) => a - b)) {
    parts.push(record.subarray(from, at), Buffer.from(hash, 'latin1'));
    from = at + HASH_LENGTH;
  }
  parts.push(record.subarray(from, bodyStart));
  // The sources: lines of the record read that still follow one another are one run, separators included.
  let run: [number, number] | undefined;
  const flush = (): void => {
    if (run) parts.push(record.subarray(run[0], run[1]));
    run = undefined;
  };
  lines.forEach((line, i) => {
    const previous = lines[i - 1];
    if (Buffer.isBuffer(line)) {
      flush();
      parts.push(...(i > 0 ? [SEPARATOR, line] : [line]));
    } else if (
      run &&
      previous !== undefined &&
      !Buffer.isBuffer(previous) &&
      previous[1] + SEPARATOR.length === line[0]
    )
      run[1] = line[1];
    else {
      flush();
      if (i > 0) parts.push(SEPARATOR);
      run = [line[0], line[1]];
    }
  });
  flush();
  parts.push(SOURCES_END);
  return { parts, changed: true };
}

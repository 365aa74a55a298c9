/**
 * Streams events from files, folders or stdin: chunks are decompressed (gzip, detected from its magic bytes),
 * decoded and split as they arrive (./json-splitter.ts), so memory stays flat however large the input is. Problems
 * become diagnostics with file:line; reading goes on.
 */
import type { Dirent } from 'node:fs';
import { closeSync, createReadStream, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { JsonSplitter } from './json-splitter.js';
import { readAhead } from './read-ahead.js';
import type { EventRecord } from './types.js';

/** The input name meaning standard input. */
export const STDIN = '-';
/** How stdin is named in sources and messages. */
export const STDIN_NAME = '<stdin>';

export interface ReadEventsOptions {
  /** Called for every problem (unreadable input, malformed JSON). */
  readonly onDiagnostic?: (d: Diagnostic) => void;
  /** Replaces process.stdin for `-` (tests). */
  readonly stdin?: AsyncIterable<Buffer | string>;
  /** Read size in bytes; 1 MiB by default (fewer, larger chunks split faster). */
  readonly chunkSize?: number;
  /** Called after each chunk with the bytes read so far in this input (progress display). */
  readonly onBytes?: (bytesSoFar: number) => void;
  /** Longest JSON value read, in characters (json-splitter.ts `DEFAULT_MAX_VALUE_LENGTH` by default). */
  readonly maxValueLength?: number;
}

/** File names a folder given as an event input is searched for (gzip-compressed or not). */
const EVENT_FILE = /\.(json|ndjson|jsonl)(\.gz)?$/i;

/**
 * The event files of the inputs, in order: a folder stands for the event files in it and its subfolders (sorted by
 * path; symbolic links to folders are not followed, so a loop cannot trap the walk). A folder without any is an
 * error (RC981): a typo in a path must not pass for an empty log.
 */
export function expandInputs(inputs: readonly string[]): { files: string[]; diagnostics: Diagnostic[] } {
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const input of inputs) {
    let folder = false;
    try {
      folder = input !== STDIN && statSync(input).isDirectory();
    } catch {
      // Reported as RC950 when read.
    }
    if (!folder) {
      files.push(input);
      continue;
    }
    const found: string[] = [];
    walk(input, found);
    if (found.length === 0) {
      diagnostics.push({
        code: 'RC981',
        severity: 'error',
        message: 'no event file in this folder (*.json, *.ndjson, *.jsonl, optionally .gz)',
        file: input,
      });
    }
    files.push(...found.sort());
  }
  return { files, diagnostics };
}

function walk(folder: string, out: string[]): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (EVENT_FILE.test(entry.name) && (entry.isFile() || isRegularFile(path))) out.push(path);
  }
}

/**
 * Whether `path` is a regular file, links followed (a folder's file links are read; a regular file is read at
 * positions, ahead of the consumer, while pipes and devices are streamed).
 */
function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Events of one input in batches (one batch per chunk read), for consumers that want a tight synchronous loop:
 * an async generator step per event costs more than a small predicate.
 */
export async function* readEventBatches(input: string, options: ReadEventsOptions = {}): AsyncGenerator<EventRecord[]> {
  const file = input === STDIN ? STDIN_NAME : input;
  let batch: EventRecord[] = [];
  const splitter = new JsonSplitter(
    (event, line, text) => {
      batch.push({ event, source: { file, line }, text });
    },
    (line, message, code) => {
      options.onDiagnostic?.({ code, severity: 'warning', message, file, span: lineSpan(line) });
    },
    options.maxValueLength !== undefined ? { maxValueLength: options.maxValueLength } : {},
  );
  const status = { complete: false };
  for await (const text of readDecoded(input, options, () => splitter.nextLine, status)) {
    splitter.push(text);
    if (batch.length > 0) {
      const full = batch;
      batch = [];
      yield full;
    }
  }
  if (!status.complete) return;
  splitter.end();
  if (batch.length > 0) yield batch;
}

/**
 * The decoded text of one input, chunk by chunk (gunzipped when compressed), with the decoder's tail last.
 * Problems go to `options.onDiagnostic` before the text they concern: invalid UTF-8 (RC958, located with
 * `nextLine`, the line of the next character the consumer will read) and an input that cannot be read (RC950,
 * which ends the text; `status.complete` then stays false and the consumer must not treat the input as ended).
 */
export function readDecoded(
  input: string,
  options: ReadEventsOptions,
  nextLine: () => number,
  status: { complete: boolean },
): AsyncGenerator<string> {
  return readChunks(input, options, nextLine, status) as AsyncGenerator<string>;
}

/**
 * How a consumer takes an input's bytes undecoded (`readChunks`), for as long as it finds them valid UTF-8.
 * `on`: while true, byte chunks are yielded as read; the consumer sets it to false to have the rest decoded, with
 * `pending` (bytes it took but could not use) decoded first. When the input ends while `on`, an empty chunk is
 * yielded: the consumer must then turn `on` off and hand back what it holds, so that the end is decoded as text.
 */
export interface RawBytes {
  on: boolean;
  pending?: Buffer | undefined;
}

/**
 * `readDecoded`, or with `raw` the input's bytes as read until the consumer asks for text (`RawBytes`). Strings
 * (a replaced stdin that gives text) are yielded as they come.
 */
export async function* readChunks(
  input: string,
  options: ReadEventsOptions,
  nextLine: () => number,
  status: { complete: boolean },
  raw?: RawBytes,
): AsyncGenerator<string | Buffer> {
  const file = input === STDIN ? STDIN_NAME : input;
  const decoder = new StringDecoder('utf8');
  const utf8 = new Utf8Check();
  const decode = (chunk: Buffer): string => {
    const text = decoder.write(chunk);
    if (!utf8.reported && utf8.invalid(chunk, text)) {
      // The line of the first replacement character in this chunk (a genuine U+FFFD before it is rare).
      const line = nextLine() + countLines(text, text.indexOf('\uFFFD'));
      options.onDiagnostic?.({
        code: 'RC958',
        severity: 'warning',
        message: 'invalid UTF-8 (replaced by U+FFFD; later invalid bytes of this input are not reported)',
        file,
        span: lineSpan(line),
      });
    }
    return text;
  };
  /** Gives `chunk` to the consumer as bytes, then decodes what it handed back if that made it stop taking them. */
  function* rawChunk(chunk: Buffer): Generator<string | Buffer> {
    yield chunk;
    const rest = raw!.pending;
    raw!.pending = undefined;
    if (rest !== undefined) yield decode(rest);
  }
  let bytes = 0;
  try {
    const size = options.chunkSize ?? 1 << 20;
    const source: AsyncIterable<Buffer | string> =
      input === STDIN
        ? (options.stdin ?? process.stdin)
        : isRegularFile(input)
          ? readAhead(input, size)
          : createReadStream(input, { highWaterMark: size });
    for await (const chunk of gunzipIfCompressed(source, (n) => (bytes += n))) {
      if (typeof chunk === 'string') {
        yield chunk;
      } else if (raw?.on) {
        yield* rawChunk(chunk);
      } else {
        yield decode(chunk);
      }
      options.onBytes?.(bytes);
    }
  } catch (error) {
    // The bytes the consumer holds are decoded first: their invalid UTF-8 is reported before this, as with text.
    if (raw?.on) yield* rawChunk(Buffer.alloc(0));
    const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    options.onDiagnostic?.({ code: 'RC950', severity: 'error', message: `cannot read events (${reason})`, file });
    return;
  }
  if (raw?.on) yield* rawChunk(Buffer.alloc(0));
  const tail = decoder.end();
  if (tail.includes('\uFFFD') && !utf8.reported) {
    options.onDiagnostic?.({
      code: 'RC958',
      severity: 'warning',
      message: 'invalid UTF-8 at the end of the input (replaced by U+FFFD)',
      file,
      span: lineSpan(nextLine()),
    });
  }
  status.complete = true;
  if (tail.length > 0) yield tail;
}

/** Events of one input, one at a time. */
export async function* readEvents(input: string, options: ReadEventsOptions = {}): AsyncGenerator<EventRecord> {
  for await (const batch of readEventBatches(input, options)) yield* batch;
}

/** A span covering the start of a line, so diagnostics print as file:line. */
export function lineSpan(line: number): Diagnostic['span'] & object {
  const position = { offset: -1, line, col: 1 };
  return { start: position, end: position };
}

/**
 * The chunks of `source`, decompressed when they start with gzip's magic bytes (files and stdin alike, whatever
 * the name). Decompression streams through zlib, so a large or hostile archive costs no more memory than a plain
 * input. `counted` receives the size of each chunk as read (compressed), for the progress display.
 */
async function* gunzipIfCompressed(
  source: AsyncIterable<Buffer | string>,
  counted: (bytes: number) => void,
): AsyncGenerator<Buffer | string> {
  const it = source[Symbol.asyncIterator]();
  const next = async (): Promise<IteratorResult<Buffer | string>> => {
    const r = await it.next();
    if (!r.done) counted(typeof r.value === 'string' ? Buffer.byteLength(r.value) : r.value.length);
    return r;
  };
  // The magic is two bytes; a first chunk of one byte (a slow pipe) waits for the next.
  let head: Buffer | string | undefined;
  for (;;) {
    const r = await next();
    if (r.done) {
      if (head !== undefined) yield head;
      return;
    }
    if (typeof r.value === 'string') {
      if (head !== undefined) yield head;
      yield r.value;
      break;
    }
    head = head === undefined ? r.value : Buffer.concat([head as Buffer, r.value]);
    if (head.length >= 2) break;
  }
  const rest = async function* (): AsyncGenerator<Buffer | string> {
    if (head !== undefined) yield head;
    for (;;) {
      const r = await next();
      if (r.done) return;
      yield r.value;
    }
  };
  if (!(Buffer.isBuffer(head) && head[0] === 0x1f && head[1] === 0x8b)) {
    yield* rest();
    return;
  }
  const gunzip = createGunzip();
  const compressed = Readable.from(rest(), { objectMode: false });
  compressed.on('error', (error) => gunzip.destroy(error));
  compressed.pipe(gunzip);
  yield* gunzip as AsyncIterable<Buffer>;
}

/**
 * Tells whether decoding replaced invalid bytes: the decoded text holds more U+FFFD than the bytes encode
 * (EF BF BD). Checked only for chunks whose text holds one, so valid input costs one `indexOf` per chunk.
 */
class Utf8Check {
  reported = false;
  /** The last two bytes of the previous chunk: an encoded U+FFFD can straddle two chunks. */
  private tail: Buffer = Buffer.alloc(0);

  invalid(chunk: Buffer, text: string): boolean {
    const tail = this.tail;
    this.tail = chunk.length >= 2 ? chunk.subarray(chunk.length - 2) : Buffer.concat([tail, chunk]).subarray(-2);
    if (!text.includes('\uFFFD')) return false;
    const bytes = tail.length > 0 ? Buffer.concat([tail, chunk]) : chunk;
    let encoded = 0;
    for (let at = bytes.indexOf(REPLACEMENT); at >= 0; at = bytes.indexOf(REPLACEMENT, at + 3)) encoded++;
    let decoded = 0;
    for (let at = text.indexOf('\uFFFD'); at >= 0; at = text.indexOf('\uFFFD', at + 1)) decoded++;
    if (decoded <= encoded) return false;
    this.reported = true;
    return true;
  }
}

const REPLACEMENT = Buffer.from([0xef, 0xbf, 0xbd]);

function countLines(text: string, end: number): number {
  let n = 0;
  for (let at = text.indexOf('\n'); at >= 0 && at < end; at = text.indexOf('\n', at + 1)) n++;
  return n;
}

/** Whether the start of a file looks like events rather than a rule: gzip, or JSON (an object or array). */
export function looksLikeEvents(path: string): boolean {
  if (/\.(json|ndjson|jsonl|gz)$/i.test(path)) return true;
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(512);
    const n = readSync(fd, head, 0, head.length, 0);
    if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return true;
    const text = head
      .subarray(0, n)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart();
    return text.startsWith('{') || text.startsWith('[');
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

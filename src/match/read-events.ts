/**
 * Streams events from files or stdin: chunks are decoded and split as they arrive (./json-splitter.ts), so memory
 * stays flat however large the input is. Problems become diagnostics with file:line; reading goes on.
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { JsonSplitter } from './json-splitter.js';
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
}

/**
 * Events of one input in batches (one batch per chunk read), for consumers that want a tight synchronous loop:
 * an async generator step per event costs more than a small predicate.
 */
export async function* readEventBatches(input: string, options: ReadEventsOptions = {}): AsyncGenerator<EventRecord[]> {
  const file = input === STDIN ? STDIN_NAME : input;
  let batch: EventRecord[] = [];
  const splitter = new JsonSplitter(
    (event, line) => {
      batch.push({ event, source: { file, line } });
    },
    (line, message) => {
      options.onDiagnostic?.({ code: 'RC951', severity: 'warning', message, file, span: lineSpan(line) });
    },
  );
  const source: AsyncIterable<Buffer | string> =
    input === STDIN
      ? (options.stdin ?? process.stdin)
      : createReadStream(input, { highWaterMark: options.chunkSize ?? 1 << 20 });
  const decoder = new StringDecoder('utf8');
  let bytes = 0;
  try {
    for await (const chunk of source) {
      if (typeof chunk === 'string') {
        bytes += Buffer.byteLength(chunk);
        splitter.push(chunk);
      } else {
        bytes += chunk.length;
        splitter.push(decoder.write(chunk));
      }
      options.onBytes?.(bytes);
      if (batch.length > 0) {
        const full = batch;
        batch = [];
        yield full;
      }
    }
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    options.onDiagnostic?.({ code: 'RC950', severity: 'error', message: `cannot read events (${reason})`, file });
    return;
  }
  splitter.push(decoder.end());
  splitter.end();
  if (batch.length > 0) yield batch;
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

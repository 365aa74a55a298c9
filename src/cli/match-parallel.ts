/**
 * `rulec match --jobs N`: the main thread reads the inputs and cuts them into blocks of whole lines (one per chunk
 * read, up to its last line break); N - 1 worker threads and the main thread itself split, parse and match the
 * blocks; the main thread writes their results in input order. Output and diagnostics are those of one thread,
 * byte for byte:
 *
 * - A block is split from scratch by its worker (`JsonSplitter` `resumeAtLine`), which is exact when the previous
 *   block ended `clean` (between values at a line start, as NDJSON always does). When a block ends inside a
 *   multi-line value (pretty-printed JSON cut by a block boundary), its result and those of the later blocks in
 *   flight are dropped and the main thread reads them in sequence with one splitter, as `--jobs 1` does, until a
 *   block ends clean again; then blocks go to the workers again.
 * - A line longer than `CARRY_LIMIT` is not kept whole on the main thread: it goes to the main thread's splitter,
 *   which skips an over-long value without keeping it.
 * - The main thread matches a block itself, with a fresh splitter as a worker does, when every worker has
 *   `MAIN_AFTER` blocks pending (`ParallelRun.mainMatches`): N threads busy on N cores, not N + 1 (N workers and a
 *   reader). Findings of its blocks whose results are dropped (above) are taken back before they are read again
 *   (`BlockMatcher.rewind`).
 */
import { isUtf8 } from 'node:buffer';
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { serialize } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Block, BlockMatcher, BlockResult, MatcherMark } from '../match/block-matcher.js';
import type { JsonSplitter } from '../match/json-splitter.js';
import type { ReadEventsOptions } from '../match/read-events.js';
import type { RawBytes } from '../match/read-events.js';
import { expandInputs, readChunks, STDIN, STDIN_NAME } from '../match/read-events.js';
import type { Rule } from '../model/rule.js';
import { exactJson } from '../match/serialize.js';
import { slimRules } from '../match/rule-cache.js';
import type { FromWorker, RulesText, ToWorker, WorkerInit } from './match-worker.js';

/** The default of `--jobs` for a large input: one worker per core the process may use. */
export function defaultJobs(): number {
  return availableParallelism();
}

/**
 * Without `--jobs`, inputs that hold less than this are matched on the main thread. Each worker pays before its
 * first block for starting (the target registry), parsing the rules and building its own buckets and predicates:
 * about 1.5 s of CPU each with the SigmaHQ corpus (2,000 events: 8.8-10.3 s of user time with two workers against
 * 5.4-7.3 s on one thread), which two cores win back only over tens of thousands of events (the SigmaHQ corpus:
 * two workers were slower than one thread at 20,000 events and faster at 200,000, see docs/matching.md).
 */
export const PARALLEL_MIN_BYTES = 64 * 1024 * 1024;
/** A gzip-compressed input counts this many times its size (NDJSON logs compress about tenfold). */
const GZIP_RATIO = 10;

/**
 * `--jobs` when not given: one thread for inputs known to be small (`PARALLEL_MIN_BYTES`), else `cores`.
 * Standard input has no known size: its workers start with its second block, as with `--jobs` given.
 */
export function automaticJobs(inputs: readonly string[], cores = defaultJobs()): number {
  if (cores <= 1) return 1;
  let total = 0;
  for (const file of expandInputs(inputs.length > 0 ? inputs : [STDIN]).files) {
    if (file === STDIN) return cores;
    try {
      const size = statSync(file).size;
      total += /\.gz$/i.test(file) ? size * GZIP_RATIO : size;
    } catch {
      // Reported when read.
    }
    if (total >= PARALLEL_MIN_BYTES) return cores;
  }
  return 1;
}

/** Blocks in flight per worker: enough to keep each busy while the main thread is held up, bounded memory. */
const IN_FLIGHT_PER_WORKER = 6;
/**
 * With `mainMatches`, the main thread matches the next block itself once every worker has this many blocks pending
 * (the one it is matching and five more): while the main thread matches one (as long as a worker's), the workers go
 * on with theirs, with some to spare when the main thread is held up (reading, writing, another process on its
 * core: it cannot hand out blocks while it matches one, and on a busy host it was often descheduled for several
 * blocks' time). SigmaHQ corpus, 100,000 events, --jobs 2, load average 8-11, worker idle per pass: with two,
 * 330-610 ms; with three, 9-430 ms, then 692-1,152 ms at load 10 (bench-jobs); with six, 45-660 ms.
 */
const MAIN_AFTER = 6;
/**
 * Results of blocks the main thread matched that may wait, besides the workers' blocks in flight, for an older block
 * of a worker (output is written in input order). With room for three (the workers' share), the main thread
 * stopped to wait for a worker while it could have matched the next block.
 */
const MAIN_AHEAD = 8;
/** A partial line longer than this goes to the main thread's splitter rather than being kept whole. */
const CARRY_LIMIT = 16 * 1024 * 1024;

/** Receives each block's pre-diagnostics (read problems) and result in input order; false stops reading. */
export type BlockSink = (pre: readonly Diagnostic[], result: BlockResult) => Promise<boolean>;

/** What matches blocks away from the main thread (`MatchPool`; tests use a same-thread stand-in). */
export interface BlockPool {
  /** Threads: the blocks kept in flight are a multiple of it. */
  readonly size: number;
  readonly started: boolean;
  start(): void;
  /** The block's result, as a fresh splitter from the block's start gives it (`BlockMatcher.splitter`). */
  run(block: Block): Promise<BlockResult>;
  /** Blocks sent and not answered at the least busy thread (0 before the start). */
  least(): number;
}

/** Worker threads that match blocks; started on first use. */
export class MatchPool implements BlockPool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, (r: BlockResult) => void>();
  /** Blocks sent to each worker and not answered yet. */
  private readonly pending: number[] = [];
  private seq = 0;
  /** Each worker's milliseconds matching blocks (the bench tells its idle time from it). */
  readonly busy: number[] = [];
  private failure: Error | undefined;
  /** The rules' text for the workers, made on first need. */
  private pendingRules: (() => RulesText) | undefined;
  private sentRules = false;

  constructor(
    readonly size: number,
    private readonly init: WorkerInit,
  ) {}

  /** Starts the workers (they load the registry meanwhile); `rules` sends them the rules once they are read. */
  start(): void {
    if (this.workers.length > 0) return;
    this.startWorkers();
    this.sendRules();
  }

  private startWorkers(): void {
    for (let w = 0; w < this.size; w++) {
      const worker = spawn(this.init);
      this.pending.push(0);
      this.busy.push(0);
      worker.on('message', (m: FromWorker) => {
        this.pending[w]!--;
        this.busy[w]! += m.busy;
        const resolve = this.waiting.get(m.seq);
        this.waiting.delete(m.seq);
        resolve?.(m.result);
      });
      worker.on('error', (error) => {
        this.failure ??= error;
        for (const resolve of this.waiting.values()) resolve(undefined as unknown as BlockResult);
        this.waiting.clear();
      });
      this.workers.push(worker);
    }
  }

  /**
   * The rules to match: serialised once (not at all when no block needs the workers), copied to each worker
   * when it starts, or now if they run. `json`: their text as `serializeRules` makes it, when already at hand
   * (the rule cache keeps it), which may come before the rules themselves (then `rules` is not called again).
   */
  rules(rules: readonly Rule[] | undefined, json?: string): void {
    // A pool of no worker (--jobs 1) keeps no copy of the rules' text.
    if (this.pendingRules || this.size === 0) return;
    this.pendingRules = json !== undefined ? () => ({ json }) : () => serializeRules(rules!);
    if (this.workers.length > 0) this.sendRules();
  }

  private sendRules(): void {
    if (this.sentRules || !this.pendingRules) return;
    this.sentRules = true;
    const text = this.pendingRules();
    for (const worker of this.workers) worker.postMessage({ type: 'rules', rules: text } satisfies ToWorker);
  }

  run(block: Block): Promise<BlockResult> {
    if (this.failure) return Promise.reject(this.failure);
    const seq = this.seq++;
    // To the worker with the fewest blocks pending, not in turn: blocks differ in cost (a block of process
    // creations reaches many more rules), and a worker given its turn while behind held the in-order output back
    // while the other ran out of blocks.
    let w = 0;
    for (let i = 1; i < this.pending.length; i++) if (this.pending[i]! < this.pending[w]!) w = i;
    this.pending[w]!++;
    const worker = this.workers[w]!;
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, (r) => (r === undefined ? reject(this.failure) : resolve(r)));
      worker.postMessage({ type: 'block', seq, block } satisfies ToWorker);
    });
  }

  least(): number {
    let n = this.pending[0] ?? 0;
    for (const p of this.pending) if (p < n) n = p;
    return n;
  }

  get started(): boolean {
    return this.workers.length > 0;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
    this.pending.length = 0;
    this.busy.length = 0;
  }
}

/**
 * The rules as text for the workers, without each rule's YAML document (only the front end reads it): JSON when it
 * holds them exactly (serialize.ts `exactJson`), otherwise v8's format.
 */
function serializeRules(rules: readonly Rule[]): RulesText {
  const slim = slimRules(rules);
  const json = exactJson(slim);
  return json !== undefined ? { json } : { v8: serialize(slim) };
}

/** A worker from the compiled module, or from the TypeScript source through tsx (a checkout without lib/). */
function spawn(init: WorkerInit): Worker {
  const compiled = import.meta.url.endsWith('.js');
  const module = new URL(compiled ? './match-worker.js' : './match-worker.ts', import.meta.url);
  if (compiled) return new Worker(module, { workerData: init });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(module.href)}); })`;
  return new Worker(boot, { eval: true, workerData: init });
}

/**
 * Where the main thread's time went during `matchParallel` (milliseconds, blocks), and its workers' (`MatchPool.stats`):
 * for the bench (scripts/bench-jobs.ts), to tell idle time from busy time. Filled only when given.
 */
export interface ParallelStats {
  /** Matching blocks itself. */
  mainMatch: number;
  mainBlocks: number;
  /** Waiting for a worker's result (the oldest block in flight). */
  waitResult: number;
  /** Waiting for the next chunk of input. */
  waitRead: number;
  /** In `emit` (writing). */
  emit: number;
  workerBlocks: number;
}

export function emptyStats(): ParallelStats {
  return { mainMatch: 0, mainBlocks: 0, waitResult: 0, waitRead: 0, emit: 0, workerBlocks: 0 };
}

export interface ParallelRun {
  readonly pool: BlockPool;
  /** Matches blocks on the main thread when they must be read in sequence (same rules, same setup). */
  readonly main: BlockMatcher;
  /** Reading options of an input (stdin replacement, size limit, progress). */
  readonly read: (input: string) => ReadEventsOptions;
  /** Called with each input before it is read (progress). */
  readonly emit: BlockSink;
  /**
   * The main thread matches blocks too, as one of the pool's threads (`MAIN_AFTER`): `rulec match --jobs N` runs
   * N - 1 workers. With a pool of no worker, it matches every block.
   */
  readonly mainMatches?: boolean;
  readonly stats?: ParallelStats;
}

class OutputClosed extends Error {}

/** Matches every input through the pool; resolves when done or when `emit` returned false. */
export async function matchParallel(inputs: readonly string[], run: ParallelRun): Promise<void> {
  try {
    for (const input of inputs) {
      await matchInput(input, run);
    }
  } catch (error) {
    if (!(error instanceof OutputClosed)) throw error;
  }
}

interface InFlight {
  readonly block: Block;
  readonly pre: readonly Diagnostic[];
  readonly result: Promise<BlockResult>;
  /** For a block the main thread matched: its matcher's findings before (taken back if the result is dropped). */
  readonly mark?: MatcherMark;
}

async function matchInput(input: string, run: ParallelRun): Promise<void> {
  const file = input === STDIN ? STDIN_NAME : input;
  const { pool, main } = run;
  // Without a worker (--jobs 1) nothing is waited for: each block is emitted as soon as matched.
  const limit = pool.size === 0 ? 0 : pool.size * IN_FLIGHT_PER_WORKER + (run.mainMatches ? MAIN_AHEAD : 0);
  const queue: InFlight[] = [];
  const buffers = new SharedBlocks(limit + 2);
  /** The main thread's splitter while it reads blocks in sequence (undefined: the next block starts clean). */
  let splitter: JsonSplitter | undefined;
  let pre: Diagnostic[] = [];
  let nextLine = 1;
  let first = true;
  /** How far reading is (bytes as stored, compressed or not), for the blocks left (`mainTakes`). */
  const progress = { size: input === STDIN ? undefined : sizeOf(input), read: 0, blocks: 0 };
  let carry: string[] = [];
  let carryLength = 0;

  const stats = run.stats;
  const emit = async (diagnostics: readonly Diagnostic[], result: BlockResult): Promise<void> => {
    const t = stats ? performance.now() : 0;
    const more = await run.emit(diagnostics, result);
    if (stats) stats.emit += performance.now() - t;
    if (!more) throw new OutputClosed();
  };
  const runMain = (block: Block, splitter: JsonSplitter): BlockResult => {
    const t = stats ? performance.now() : 0;
    const result = main.run(block, splitter);
    if (stats) {
      stats.mainMatch += performance.now() - t;
      stats.mainBlocks++;
    }
    return result;
  };
  const onMain = async (block: Block, diagnostics: readonly Diagnostic[]): Promise<void> => {
    splitter ??= main.splitter(block);
    const result = runMain(block, splitter);
    if (result.clean || block.end) splitter = undefined;
    await emit(diagnostics, result);
  };
  const drainOne = async (): Promise<void> => {
    const head = queue.shift()!;
    const t = stats ? performance.now() : 0;
    const result = await head.result;
    if (stats && head.mark === undefined) stats.waitResult += performance.now() - t;
    if (result.clean || head.block.end) {
      buffers.give(head.block.bytes);
      await emit(head.pre, result);
      return;
    }
    // The block ends inside a value: the blocks after it were split from a wrong state. Read this one and
    // the rest in flight in sequence on this thread (their workers' results are dropped).
    const again = [head, ...queue.splice(0)];
    const mark = again.find((item) => item.mark !== undefined)?.mark;
    if (mark) main.rewind(mark);
    for (const item of again) {
      await onMain(item.block, item.pre);
      // Reused once its worker is done with it too.
      const free = (): void => buffers.give(item.block.bytes);
      item.result.then(free, free);
    }
  };
  /** `head`: the block's start from earlier chunks, without a line break (see `Block.head`). */
  const dispatch = async (text: string, end: boolean, head?: string, bytes?: Buffer): Promise<void> => {
    const block: Block = {
      file,
      text,
      ...(head !== undefined ? { head } : {}),
      ...(bytes !== undefined ? { bytes } : {}),
      firstLine: nextLine,
      first,
      end,
    };
    nextLine += bytes !== undefined ? countNewlines(bytes) : countNewlines(text);
    first = false;
    const diagnostics = pre;
    pre = [];
    // In sequence on this thread: while a multi-line value is open, and for an input that fits in its first
    // block (workers would cost more to start than they save).
    if (splitter !== undefined || (block.first && end && !pool.started)) {
      while (queue.length > 0) await drainOne();
      await onMain(block, diagnostics);
      buffers.give(block.bytes);
      return;
    }
    progress.blocks++;
    if (run.mainMatches && (pool.size === 0 || mainTakes(pool.least(), blocksLeft(progress)))) {
      const mark = main.mark();
      const result = Promise.resolve(runMain(block, main.splitter(block)));
      queue.push({ block, pre: diagnostics, result, mark });
    } else {
      pool.start();
      queue.push({ block, pre: diagnostics, result: pool.run(block) });
      if (stats) stats.workerBlocks++;
    }
    while (queue.length > limit) await drainOne();
  };

  const status = { complete: false };
  const given = run.read(input);
  const options: ReadEventsOptions = {
    ...given,
    // Read problems are printed just before the block they precede, as one thread prints them.
    onDiagnostic: (d) => pre.push(d),
    onBytes: (bytes) => {
      progress.read = bytes;
      given.onBytes?.(bytes);
    },
  };
  // Bytes are sent as read, cut at their last line break, while they are valid UTF-8 (then whole lines decode
  // alone): decoding and sending strings was most of the main thread's time (profile of --jobs 2 over 200,000
  // events: 240 ms decoding, 220 ms in postMessage) while the workers waited. Invalid UTF-8 or an over-long line
  // hands the rest of the input to the text path below, which reports and carries them as one thread does.
  const raw: RawBytes = { on: true };
  /** The partial line after the last block sent as bytes (no line break). */
  let rawCarry: Buffer[] = [];
  let rawLength = 0;
  const toText = (rest: Buffer[]): void => {
    raw.on = false;
    raw.pending = Buffer.concat(rest);
    rawCarry = [];
    rawLength = 0;
  };
  // The carried partial line holds no line break: `nextLine` is the line of the next character read.
  const chunks = readChunks(input, options, () => nextLine, status, raw);
  for await (const chunk of stats ? timed(chunks, stats) : chunks) {
    if (typeof chunk !== 'string') {
      const cut = chunk.lastIndexOf(LF);
      if (chunk.length === 0) {
        toText(rawCarry);
      } else if (cut < 0) {
        rawCarry.push(chunk);
        rawLength += chunk.length;
        if (rawLength > CARRY_LIMIT) toText(rawCarry);
      } else {
        // Shared memory: the worker reads the block where it is written, and this thread can still read it if the
        // block must be matched here in sequence.
        const bytes = buffers.take(rawLength + cut + 1);
        let at = 0;
        for (const part of rawCarry) at = fillFrom(bytes, at, part);
        fillFrom(bytes, at, chunk.subarray(0, cut + 1));
        if (!isUtf8(bytes)) {
          buffers.give(bytes);
          toText([...rawCarry, chunk]);
          continue;
        }
        rawCarry = cut + 1 < chunk.length ? [chunk.subarray(cut + 1)] : [];
        rawLength = chunk.length - cut - 1;
        await dispatch('', false, undefined, bytes);
      }
      continue;
    }
    if (raw.on) {
      // Text from a replaced stdin (tests): the rest is read as text.
      raw.on = false;
      if (rawLength > 0) carry.push(Buffer.concat(rawCarry).toString('utf8'));
      rawCarry = [];
      rawLength = 0;
    }
    const text = chunk;
    const cut = text.lastIndexOf('\n');
    if (cut < 0) {
      carry.push(text);
      carryLength += text.length;
      if (carryLength > CARRY_LIMIT) {
        // A very long line: the main splitter keeps it within --max-event-size (or skips it).
        while (queue.length > 0) await drainOne();
        const joined = carry.join('');
        carry = [];
        carryLength = 0;
        splitter ??= main.splitter({ file, text: '', firstLine: nextLine, first, end: false });
        await dispatch(joined, false);
      }
      continue;
    }
    // The carried start of the first line goes apart from the chunk's text: `carry + text` would be a cons string
    // (nearly every NDJSON block carries a line), which indexOf walks at every line break and postMessage
    // flattens: 21 % of the main thread's time with two warm workers counting lines, 24 % sending.
    const head = carry.length > 0 ? carry.join('') : undefined;
    carry = cut + 1 < text.length ? [text.slice(cut + 1)] : [];
    carryLength = carry.length > 0 ? carry[0]!.length : 0;
    await dispatch(text.slice(0, cut + 1), false, head);
  }
  if (status.complete) {
    await dispatch(carry.join(''), true);
  }
  while (queue.length > 0) await drainOne();
  if (pre.length > 0) {
    // An input that could not be read to its end (RC950): its problem comes after what was read.
    await run.emit(pre, emptyResult());
  }
}

const LF = 0x0a;

/** `source`, its waits added to `stats.waitRead`. */
async function* timed<T>(source: AsyncIterator<T>, stats: ParallelStats): AsyncGenerator<T> {
  for (;;) {
    const t = performance.now();
    const next = await source.next();
    stats.waitRead += performance.now() - t;
    if (next.done) return;
    yield next.value;
  }
}

/**
 * Whether the main thread matches the next block itself, its workers holding `least` blocks at the least: when they
 * have `MAIN_AFTER`, or, towards the end of the input (`left` blocks, this one included), when they hold half of
 * what is left. Blocks sent to a worker stay there: given more than their share of the last blocks, the workers
 * would still be matching while the main thread waits for them (and the other way round).
 */
export function mainTakes(least: number, left: number): boolean {
  return least >= Math.min(MAIN_AFTER, Math.ceil(left / 2));
}

/**
 * Blocks left, this one included, estimated from the share of the input read: `read` counts the bytes of the
 * blocks before this one (the reader reports a chunk's bytes once the next one is asked for).
 */
function blocksLeft(progress: { size: number | undefined; read: number; blocks: number }): number {
  const { size, read, blocks } = progress;
  if (size === undefined || read === 0) return Infinity;
  return Math.max(1, Math.ceil(((blocks - 1) * (size - read)) / read));
}

function sizeOf(file: string): number | undefined {
  try {
    const stat = statSync(file);
    return stat.isFile() ? stat.size : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Copies `part` into the shared `target` at `at`; returns the offset after it. `fill` with a buffer of the range's
 * length is one native copy: `copy` and `set` into shared memory take V8's element-wise path, ten times slower
 * (0.8 against 0.08 ms per MiB on this machine).
 */
function fillFrom(target: Buffer, at: number, part: Buffer): number {
  if (part.length > 0) target.fill(part, at, at + part.length);
  return at + part.length;
}

/** Room for a block of one chunk read (1 MiB) and the partial line carried into it. */
const BLOCK_ROOM = (1 << 20) + (1 << 16);

/**
 * Shared memory for blocks of bytes, used again once a block is done (its result emitted and its worker finished):
 * a fresh SharedArrayBuffer per block was zeroed and faulted in page by page as it was filled, 90 ms of the main
 * thread's 180 ms per pass of --jobs 2 over 100,000 events (profile: `_copyActual`), while the workers wanted the
 * cores.
 */
class SharedBlocks {
  private readonly free: SharedArrayBuffer[] = [];

  constructor(private readonly keep: number) {}

  /** `size` bytes of shared memory (contents undefined). */
  take(size: number): Buffer {
    const i = this.free.findIndex((b) => b.byteLength >= size);
    const memory = i >= 0 ? this.free.splice(i, 1)[0]! : new SharedArrayBuffer(Math.max(size, BLOCK_ROOM));
    return Buffer.from(memory, 0, size);
  }

  /** Hands back a block's bytes (nothing for a block of text). */
  give(bytes: Uint8Array | undefined): void {
    if (bytes?.buffer instanceof SharedArrayBuffer && this.free.length < this.keep) this.free.push(bytes.buffer);
  }
}

function countNewlines(text: string | Buffer): number {
  let n = 0;
  if (typeof text !== 'string') {
    for (let at = text.indexOf(LF); at >= 0; at = text.indexOf(LF, at + 1)) n++;
    return n;
  }
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) n++;
  return n;
}

function emptyResult(): BlockResult {
  return {
    output: '',
    lines: 0,
    hits: [],
    events: 0,
    diagnostics: [],
    clean: true,
    routed: 0,
    evaluated: 0,
    skipped: [],
    errors: [],
  };
}

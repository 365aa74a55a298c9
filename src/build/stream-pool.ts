/**
 * The second core of a streaming build (stream.ts): one worker thread (stream-worker.ts) compiles chunks of the
 * rule files while the main thread compiles others. The worker writes its rules' files into the staging folder
 * itself and sends back only what the main thread keeps of each rule (summary, diagnostics, paths, bundle
 * fragments), so nothing large is cloned between the threads; the main thread files each chunk's results in file
 * order. The earlier parallel build (parallel.ts) cloned every rule and result back and measured slower than one
 * thread.
 *
 * Chunks are handed out one or two ahead, so the worker is never idle for long and the main thread, which takes
 * the next chunk itself whenever the worker has enough, never waits for it but at the end. A worker that fails to
 * start or dies leaves its chunks to the main thread; a write that fails there fails the build as on the main
 * thread.
 */
import { Worker } from 'node:worker_threads';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { WriteError } from './atomic.js';
import type { State } from './staged-tree.js';
import type { LightRule, SlimResult } from './stream-file.js';

/** What the worker is given at its start. */
export interface StreamWorkerJob {
  readonly registryModule: string;
  readonly targetIds: readonly string[];
  /** The site's layered pipelines (plain data, cloned into the thread). */
  readonly pipelines?: unknown;
  readonly knownTargets: readonly string[];
  /** The output folder, whether files are written (not under `--check`), and its files as listed (path, size). */
  readonly out: string;
  readonly write: boolean;
  readonly current: readonly (readonly [string, number])[];
}

export type PoolRequest =
  { readonly kind: 'chunk'; readonly chunk: number; readonly files: readonly string[] } | { readonly kind: 'finish' };

/** One chunk of files as the worker compiled it, everything in file order. */
export interface ChunkReply {
  readonly chunk: number;
  readonly loadDiagnostics: Diagnostic[];
  readonly unknownTargets: Diagnostic[];
  readonly badFiles: string[];
  readonly hashes: [string, string][];
  /** Files holding correlation rules or filters: the main thread reads those documents again. */
  readonly metaFiles: string[];
  readonly rules: LightRule[];
  /** By target index, the results in rule order. */
  readonly results: SlimResult[][];
  /** Files the worker put: target index, the result's index in `results[target]`, path in the target, its state. */
  readonly staged: [number, number, string, State][];
}

type WorkerMessage =
  | { readonly kind: 'ready' | 'done' }
  | { readonly kind: 'chunk'; readonly reply: ChunkReply }
  | { readonly kind: 'failed'; readonly message: string; readonly fsError?: NodeJS.ErrnoException };

/** Chunks the worker holds at once: the one it compiles and the next, so it never waits for the main thread. */
const AHEAD = 2;

export class StreamPool {
  private readonly worker: Worker;
  /** Chunks given and not answered, by number. */
  private readonly given = new Map<number, readonly string[]>();
  private failure: Error | undefined;
  private dead = false;
  private wake: (() => void) | undefined;
  private finished = false;

  constructor(
    job: StreamWorkerJob,
    private readonly onReply: (reply: ChunkReply) => void,
  ) {
    this.worker = new Worker(new URL('./stream-worker.js', import.meta.url), { workerData: job });
    this.worker.on('message', (message: WorkerMessage) => {
      if (message.kind === 'chunk') {
        this.given.delete(message.reply.chunk);
        this.onReply(message.reply);
      } else if (message.kind === 'failed') {
        this.failure ??= message.fsError
          ? new WriteError(job.out, message.fsError)
          : new Error(`build worker: ${message.message}`);
        this.dead = true;
      } else if (message.kind === 'done') this.finished = true;
      this.wake?.();
    });
    this.worker.on('error', () => {
      this.dead = true;
      this.wake?.();
    });
    this.worker.on('exit', () => {
      this.dead = true;
      this.wake?.();
    });
  }

  /** Whether the worker can take another chunk now. */
  wants(): boolean {
    return !this.dead && this.given.size < AHEAD;
  }

  give(chunk: number, files: readonly string[]): void {
    this.given.set(chunk, files);
    this.worker.postMessage({ kind: 'chunk', chunk, files } satisfies PoolRequest);
  }

  /**
   * Waits for the worker's chunks and every write it started, then stops it. Returns the chunks it did not answer
   * (it died), for the main thread to compile; throws the error of a write that failed on it.
   */
  async finish(): Promise<Map<number, readonly string[]>> {
    try {
      while (!this.dead && this.given.size > 0) await new Promise<void>((r) => (this.wake = r));
      if (!this.dead) {
        this.worker.postMessage({ kind: 'finish' } satisfies PoolRequest);
        while (!this.dead && !this.finished) await new Promise<void>((r) => (this.wake = r));
      }
      if (this.failure) throw this.failure;
      return this.given;
    } finally {
      this.wake = undefined;
      await this.worker.terminate();
    }
  }

  /** Stops the worker at once (a build that failed on the main thread), after its writes in flight. */
  async stop(): Promise<void> {
    if (this.dead) return;
    this.worker.postMessage({ kind: 'finish' } satisfies PoolRequest);
    while (!this.dead && !this.finished) await new Promise<void>((r) => (this.wake = r));
    await this.worker.terminate();
  }
}

/**
 * The bundle fragments (built.ts) of one target, kept in a temporary file instead of memory while a streaming
 * build (stream.ts) goes through the rules: the corpus's fragments are about 27 MB of text, and are read back
 * only when the target's combined files are written.
 *
 * Fragments are copied into chunks of a few hundred kilobytes, each written at once (a write per fragment was a
 * round trip to the kernel, and to the thread pool, per fragment) on the thread pool through the build's write
 * queue (write-queue.ts), which is drained before any is read back. A chunk written is used again: a new chunk per
 * write outlived the young generation, and the corpus's 27 MB of them waited for a full collection.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { WriteQueue } from './write-queue.js';
import { writeBytes } from './write-queue.js';

/**
 * Bytes gathered before they are written: 64 KB, under glibc's mmap threshold, so that the chunks in flight come
 * from the process's heap (256 KB chunks were 1.8 MB of memory outside V8's heap, each mapped on its own, with
 * four targets' chunks in flight at once).
 */
const CHUNK = 2 ** 16;

export class FragmentFile {
  private readonly fd: number;
  /** Bytes written or being written. */
  private end = 0;
  /** The fragments not written yet, from its start. */
  private chunk: Buffer | undefined;
  private used = 0;
  /** Chunks whose write has completed. */
  private readonly free: Buffer[] = [];
  /**
   * Where each fragment ends in the file (the next one starts there): one number a fragment, where a pair array
   * each cost 0.9 MB of the heap over the corpus's 12,564 results.
   */
  private readonly ends: number[] = [];
  /**
   * One buffer the fragments are read into, grown to the longest: a Buffer per fragment is memory outside the heap
   * that waits for a collection, and glibc kept the 7 MB they reached through the elastic bundle in the process.
   */
  private scratch = Buffer.alloc(0);

  constructor(
    path: string,
    private readonly queue: WriteQueue,
  ) {
    this.fd = openSync(path, 'w+');
  }

  /** Stores a fragment; returns its number. */
  add(text: string): number {
    const length = Buffer.byteLength(text);
    if (this.chunk && this.used + length > this.chunk.length) this.flush();
    // A fragment larger than a chunk (a few in the corpus) is written in a chunk of its own.
    this.chunk ??= length > CHUNK ? Buffer.allocUnsafe(length) : (this.free.pop() ?? Buffer.allocUnsafe(CHUNK));
    this.chunk.write(text, this.used);
    this.used += length;
    this.ends.push(this.end + this.used);
    return this.ends.length - 1;
  }

  /** Starts the write of the fragments gathered; they can be read back once the queue is drained. */
  flush(): void {
    const chunk = this.chunk;
    if (!chunk || this.used === 0) return;
    const offset = this.end;
    const length = this.used;
    this.end += length;
    this.chunk = undefined;
    this.used = 0;
    this.queue.run(length, (done) =>
      writeBytes(this.fd, chunk.subarray(0, length), offset, (error) => {
        if (chunk.length === CHUNK) this.free.push(chunk);
        done(error);
      }),
    );
  }

  get(index: number): string {
    if (this.used > 0 || this.queue.inFlight > 0)
      throw new Error('FragmentFile: flush, then drain the write queue, before reading back');
    const offset = index === 0 ? 0 : this.ends[index - 1]!;
    const length = this.ends[index]! - offset;
    if (this.scratch.length < length) this.scratch = Buffer.allocUnsafe(Math.max(length, 2 * this.scratch.length));
    readSync(this.fd, this.scratch, 0, length, offset);
    return this.scratch.toString('utf8', 0, length);
  }

  close(): void {
    closeSync(this.fd);
  }
}

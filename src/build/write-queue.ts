/**
 * Writes a streaming build (stream.ts) hands to libuv's thread pool, so that the files are created and written on
 * another core while the main thread compiles the next rule: written in line, the corpus's 15,000 files were the
 * main thread's largest cost after compiling (creating a file is the kernel's slowest step here). A write's content is held until it completes, so the bytes in flight are
 * bounded by the caller, which waits in `drain` between rules. The first failure is thrown by `drain` once nothing
 * is in flight any more, so that a failed build leaves no write behind to land after its cleanup.
 */
import { close, open, write } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';

type Done = (error: NodeJS.ErrnoException | null) => void;

export class WriteQueue {
  private bytes = 0;
  private count = 0;
  private failure: { readonly error: Error } | undefined;
  private wake: (() => void) | undefined;

  /** The writes started and not yet completed. */
  get inFlight(): number {
    return this.count;
  }

  /**
   * Starts a write of `size` bytes: `start` begins it and calls `done` when it has completed; `fail` makes the
   * error `drain` throws of a failed one.
   */
  run(
    size: number,
    start: (done: Done) => void,
    fail: (error: NodeJS.ErrnoException) => Error = (error) => error,
  ): void {
    this.bytes += size;
    this.count++;
    start((error) => {
      this.bytes -= size;
      this.count--;
      if (error && !this.failure) this.failure = { error: fail(error) };
      this.wake?.();
    });
  }

  /**
   * Lets the completed writes finish (their callbacks start the next step of a write) and waits while more than
   * `limit` bytes are in flight; `drain(0)` waits for every write. Throws the first failed write's error, after
   * waiting for all the others.
   */
  async drain(limit: number): Promise<void> {
    await nextTurn();
    // `limit` 0 waits on the count, not the bytes: an empty file's write is in flight with no bytes.
    while (this.count > 0 && (limit === 0 || this.bytes > limit || this.failure))
      await new Promise<void>((r) => (this.wake = r));
    this.wake = undefined;
    if (this.failure) throw this.failure.error;
  }

  /** Waits for every write in flight, failed or not, throwing nothing (the cleanup of a build that failed). */
  async settle(): Promise<void> {
    while (this.count > 0) await new Promise<void>((r) => (this.wake = r));
    this.wake = undefined;
  }
}

/** Writes `bytes` at `position` of `fd` (`null`: where the file is), again for the rest after a short write. */
export function writeBytes(fd: number, bytes: Uint8Array, position: number | null, done: Done): void {
  write(fd, bytes, 0, bytes.length, position, (error, written) => {
    if (error || written === bytes.length) done(error);
    else writeBytes(fd, bytes.subarray(written), position === null ? null : position + written, done);
  });
}

/**
 * Creates (or truncates) the file `path` holding `content`, on the thread pool. A text is handed to Node as it is:
 * Node encodes it into memory of its own, freed when the write completes, where a Buffer made here would be left
 * to the garbage collector.
 */
export function writeFileSoon(path: string, content: string | Uint8Array, done: Done): void {
  open(path, 'w', (error, fd) => {
    if (error) return done(error);
    const closing: Done = (error) => close(fd, (closeError) => done(error ?? closeError));
    if (typeof content !== 'string') return writeBytes(fd, content, null, closing);
    write(fd, content, null, 'utf8', (error, written) => {
      if (error) return closing(error);
      if (written === Buffer.byteLength(content)) closing(null);
      else writeBytes(fd, Buffer.from(content).subarray(written), null, closing);
    });
  });
}

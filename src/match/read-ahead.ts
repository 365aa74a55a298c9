/**
 * A regular file's bytes in chunks, with the next few reads already in flight on libuv's thread pool while the
 * consumer works on the current chunk. A read stream reads one chunk ahead, and only once the consumer has taken
 * the previous one: the thread matching a chunk then found the next one not read yet and slept in the event loop
 * until it was, 3-13 ms a chunk on a loaded host (bench-jobs, 100,000 events: 0.3-1.2 s of --jobs 1's 2-5 s pass
 * waiting for reads, 0.4-1.5 s of --jobs 2's main thread), time the thread then had to wait again to be scheduled.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';

/** Reads in flight ahead of the consumer: a few MiB, bounded memory. */
export const READS_AHEAD = 4;

/**
 * The bytes of the regular file at `path`, `size` at a time (the last chunk shorter, none empty), `ahead` reads
 * in flight. Stops at the first chunk shorter than `size` (the end of the file as it was then, as a read stream
 * stops at its first empty read). Errors (opening, reading) are thrown where the chunk would have been.
 */
export async function* readAhead(path: string, size: number, ahead = READS_AHEAD): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r');
  const reads: Promise<Buffer>[] = [];
  let position = 0;
  const next = (): void => {
    const read = fill(handle, Buffer.allocUnsafe(size), position);
    // Awaited in turn below; a read failing before its turn must not count as unhandled meanwhile.
    read.catch(() => undefined);
    reads.push(read);
    position += size;
  };
  try {
    for (let i = 0; i < ahead; i++) next();
    for (;;) {
      const chunk = await reads.shift()!;
      if (chunk.length === 0) return;
      if (chunk.length < size) {
        yield chunk;
        return;
      }
      next();
      yield chunk;
    }
  } finally {
    // The handle is closed once no read uses it.
    await Promise.allSettled(reads);
    await handle.close();
  }
}

/** `buffer` filled from `position` on, or up to the end of the file (a read may return less than asked). */
async function fill(handle: FileHandle, buffer: Buffer, position: number): Promise<Buffer> {
  let n = 0;
  while (n < buffer.length) {
    const { bytesRead } = await handle.read(buffer, n, buffer.length - n, position + n);
    if (bytesRead === 0) break;
    n += bytesRead;
  }
  return n < buffer.length ? buffer.subarray(0, n) : buffer;
}

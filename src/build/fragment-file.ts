/**
 * The bundle fragments (built.ts) of one target, kept in a temporary file instead of memory while a streaming
 * build (stream.ts) goes through the rules: the corpus's fragments are about 27 MB of text, and are read back
 * only when the target's combined files are written.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

export class FragmentFile {
  private readonly fd: number;
  private end = 0;
  private readonly spans: [offset: number, length: number][] = [];
  /**
   * One buffer the fragments are read into, grown to the longest: a Buffer per fragment is memory outside the heap
   * that waits for a collection, and glibc kept the 7 MB they reached through the elastic bundle in the process.
   */
  private scratch = Buffer.alloc(0);

  constructor(path: string) {
    this.fd = openSync(path, 'w+');
  }

  /** Stores a fragment; returns its number. */
  add(text: string): number {
    // Written as text: Node encodes it into memory freed at once, no Buffer left for the collector.
    const length = writeSync(this.fd, text, this.end, 'utf8');
    this.spans.push([this.end, length]);
    this.end += length;
    return this.spans.length - 1;
  }

  get(index: number): string {
    const [offset, length] = this.spans[index]!;
    if (this.scratch.length < length) this.scratch = Buffer.allocUnsafe(Math.max(length, 2 * this.scratch.length));
    readSync(this.fd, this.scratch, 0, length, offset);
    return this.scratch.toString('utf8', 0, length);
  }

  close(): void {
    closeSync(this.fd);
  }
}

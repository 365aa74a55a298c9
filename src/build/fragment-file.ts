/**
 * The bundle fragments (built.ts) of one target, kept in a temporary file instead of memory while a streaming
 * build (stream.ts) goes through the rules: the corpus's fragments are about 27 MB of text, and are read back
 * only when the target's combined files are written.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

export class FragmentFile {
  private readonly fd: number;
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

  constructor(path: string) {
    this.fd = openSync(path, 'w+');
  }

  /** Stores a fragment; returns its number. */
  add(text: string): number {
    // Written as text: Node encodes it into memory freed at once, no Buffer left for the collector.
    const start = this.ends.length === 0 ? 0 : this.ends[this.ends.length - 1]!;
    this.ends.push(start + writeSync(this.fd, text, start, 'utf8'));
    return this.ends.length - 1;
  }

  get(index: number): string {
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

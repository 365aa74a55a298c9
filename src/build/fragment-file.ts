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

  constructor(path: string) {
    this.fd = openSync(path, 'w+');
  }

  /** Stores a fragment; returns its number. */
  add(text: string): number {
    const bytes = Buffer.from(text);
    writeSync(this.fd, bytes, 0, bytes.length, this.end);
    this.spans.push([this.end, bytes.length]);
    this.end += bytes.length;
    return this.spans.length - 1;
  }

  get(index: number): string {
    const [offset, length] = this.spans[index]!;
    const bytes = Buffer.allocUnsafe(length);
    readSync(this.fd, bytes, 0, length, offset);
    return bytes.toString('utf8');
  }

  close(): void {
    closeSync(this.fd);
  }
}

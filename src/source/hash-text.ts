/**
 * Hashing a long text without one large transient allocation. Node encodes a string handed to `Hash.update` into
 * a buffer of three bytes per UTF-16 unit, malloc'd and freed at once: for a text of over ~43,000 characters that
 * buffer is over glibc's 128 KB mmap threshold, and freeing it raises the threshold (and the trim threshold, to
 * twice as much) for the rest of the process. The key of the pipelines (a JSON text of a million characters) raised
 * them to 3 and 6 MB, after which every thread's malloc arena kept up to 6 MB of freed memory: the arenas of V8's
 * compiler threads held about 12 MB of a build's peak RSS. Slices of a few thousand characters stay far below it.
 */
import type { Hash } from 'node:crypto';

/** Characters encoded per `update` (at most 3 bytes each: 96 KB, under the 128 KB threshold). */
const SLICE = 2 ** 15;

/** `hash.update(text)`, the same bytes hashed, in slices. */
export function updateText(hash: Hash, text: string): Hash {
  if (text.length <= SLICE) return hash.update(text);
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + SLICE, text.length);
    // A surrogate pair stays in one slice: split, each half would be encoded as U+FFFD.
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    hash.update(text.slice(start, end));
    start = end;
  }
  return hash;
}

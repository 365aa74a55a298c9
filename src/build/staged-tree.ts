/**
 * The next tree of an output folder, file by file, as a streaming build makes it (stream.ts): each file is compared
 * with the folder's file as it is when it is made and, when it differs, written into the staging folder at once;
 * nothing is held in memory beyond the paths. Committing applies the staged files with atomic.ts's promise (a new
 * folder appears whole; an existing one is updated through a journal), so the final folder is never half-written.
 * A `--check` run compares only and writes nothing.
 */
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TreeDiff } from './atomic.js';
import { applyStagedUpdate, moveStagedTree, WriteError } from './atomic.js';
import { stagingDir } from './lock.js';

/** Every file below `dir` by POSIX relative path, with its size, read no further (empty when `dir` is missing). */
function listTree(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  if (!existsSync(dir)) return out;
  const walk = (d: string, prefix: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      // lstat: a link inside the output is not followed (checkOutputFolder refuses folders holding one).
      const stat = lstatSync(full);
      if (stat.isDirectory()) walk(full, `${prefix}${name}/`);
      else if (stat.isFile()) out.set(`${prefix}${name}`, stat.size);
    }
  };
  walk(dir, '');
  return out;
}

type State = 'added' | 'changed' | 'same';

export class StagedTree {
  /** The folder's files as they are: path → size. */
  readonly current: ReadonlyMap<string, number>;
  private readonly states = new Map<string, State>();
  private readonly staging: string;
  private readonly made = new Set<string>();

  /** `write` false: `--check`, nothing is staged. */
  constructor(
    readonly dir: string,
    private readonly write: boolean,
  ) {
    this.current = listTree(dir);
    this.staging = stagingDir(dir);
    if (write) rmSync(this.staging, { recursive: true, force: true });
  }

  private stagedPath(path: string): string {
    const full = join(this.staging, 'new', ...path.split('/'));
    const parent = dirname(full);
    if (!this.made.has(parent)) {
      mkdirSync(parent, { recursive: true });
      this.made.add(parent);
    }
    return full;
  }

  /** The file at `path` in the next tree holds `content`. */
  put(path: string, content: string): void {
    this.unput(path);
    const size = this.current.get(path);
    if (size === undefined) {
      // New: written as text (Node encodes it while writing, no Buffer made here).
      this.states.set(path, 'added');
      if (this.write) this.writing(() => writeFileSync(this.stagedPath(path), content));
      return;
    }
    const bytes = Buffer.from(content);
    const same = size === bytes.length && readFileSync(join(this.dir, ...path.split('/'))).equals(bytes);
    this.states.set(path, same ? 'same' : 'changed');
    if (!same && this.write) this.writing(() => writeFileSync(this.stagedPath(path), bytes));
  }

  /** A write into the staging folder that fails is the build's `WriteError` (the folder is left as it was). */
  private writing<T>(write: () => T): T {
    try {
      return write();
    } catch (error) {
      throw new WriteError(this.dir, error as NodeJS.ErrnoException);
    }
  }

  /**
   * The file at `path` in the next tree is the text `produce` writes part by part (a combined file of megabytes):
   * staged as it comes, compared with the folder's file on the way.
   */
  putStream(path: string, produce: (write: (text: string) => void) => void): void {
    this.unput(path);
    const size = this.current.get(path);
    const old = size === undefined ? undefined : openSync(join(this.dir, ...path.split('/')), 'r');
    const fd = this.write ? this.writing(() => openSync(this.stagedPath(path), 'w')) : undefined;
    let offset = 0;
    let same = old !== undefined;
    // Two buffers reused for every part (its bytes, the folder's bytes there): a Buffer per part is memory outside
    // the heap that waits for a collection, and glibc kept the megabytes they reached in the process.
    const scratch = { bytes: Buffer.alloc(0), old: Buffer.alloc(0) };
    try {
      produce((text) => {
        if (text === '') return;
        if (!same) {
          // Written as text: Node encodes it into memory freed at once.
          if (fd !== undefined) offset += this.writing(() => writeSync(fd, text));
          else offset += Buffer.byteLength(text);
          return;
        }
        const length = Buffer.byteLength(text);
        if (scratch.bytes.length < length)
          scratch.bytes = Buffer.allocUnsafe(Math.max(length, 2 * scratch.bytes.length));
        scratch.bytes.write(text, 0, length);
        const bytes = scratch.bytes.subarray(0, length);
        if (fd !== undefined) this.writing(() => writeSync(fd, bytes));
        if (scratch.old.length < length) scratch.old = Buffer.allocUnsafe(scratch.bytes.length);
        const read = readSync(old!, scratch.old, 0, length, offset);
        same = read === length && scratch.old.subarray(0, read).equals(bytes);
        offset += length;
      });
    } finally {
      if (fd !== undefined) closeSync(fd);
      if (old !== undefined) closeSync(old);
    }
    const state: State = size === undefined ? 'added' : same && offset === size ? 'same' : 'changed';
    this.states.set(path, state);
    if (state === 'same' && this.write) unlinkSync(this.stagedPath(path));
  }

  /** The folder's file at `path` stays as it is in the next tree. */
  keep(path: string): void {
    if (this.current.has(path)) this.states.set(path, 'same');
  }

  /** Takes back a file put before: the next tree has no file at `path` (unless put again). */
  unput(path: string): void {
    const state = this.states.get(path);
    if (state === undefined) return;
    this.states.delete(path);
    if (state !== 'same' && this.write) rmSync(this.stagedPath(path), { force: true });
  }

  has(path: string): boolean {
    return this.states.has(path);
  }

  /** The paths of the next tree. */
  paths(): IterableIterator<string> {
    return this.states.keys();
  }

  /** What the next tree changes: the folder's files not put or kept are removed. */
  diff(): TreeDiff {
    const added: string[] = [];
    const changed: string[] = [];
    for (const [path, state] of this.states)
      if (state === 'added') added.push(path);
      else if (state === 'changed') changed.push(path);
    const removed = [...this.current.keys()].filter((path) => !this.states.has(path));
    return { added: added.sort(), changed: changed.sort(), removed: removed.sort() };
  }

  /** Makes the folder the next tree (atomic.ts); throws a `WriteError` with the folder as it was. */
  commit(): void {
    const diff = this.diff();
    if (!existsSync(this.dir)) moveStagedTree(this.dir, this.staging);
    else applyStagedUpdate(this.dir, this.staging, { write: [...diff.added, ...diff.changed], remove: diff.removed });
  }

  /** Drops whatever was staged (a build with errors writes nothing). */
  discard(): void {
    if (this.write) rmSync(this.staging, { recursive: true, force: true });
  }
}

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
import { WriteQueue, writeFileSoon } from './write-queue.js';

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

export type State = 'added' | 'changed' | 'same';

/** Bytes of a combined file (`putStream`) gathered before they are written. */
const STREAM_CHUNK = 2 ** 16;

export class StagedTree {
  /** The folder's files as they are: path → size. */
  readonly current: ReadonlyMap<string, number>;
  private readonly states = new Map<string, State>();
  private readonly staging: string;
  private readonly made = new Set<string>();
  /** The writes of `putSoon` (and of the build's fragment file) in flight; drained before any other change. */
  readonly queue = new WriteQueue();

  /**
   * `write` false: `--check`, nothing is staged. `listed`: the folder's files as another thread's tree over the same
   * staging folder listed them (a build worker, stream-worker.ts): not listed again, and the staging folder is
   * that tree's, not emptied.
   */
  constructor(
    readonly dir: string,
    private readonly write: boolean,
    listed?: ReadonlyMap<string, number>,
  ) {
    this.current = listed ?? listTree(dir);
    this.staging = stagingDir(dir);
    if (write && !listed) rmSync(this.staging, { recursive: true, force: true });
  }

  /** Whether files are staged (not `--check`). */
  get writes(): boolean {
    return this.write;
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
    this.idle();
    this.unput(path);
    this.putNew(path, content, false);
  }

  /**
   * As `put`, the file (unless put before) written on the thread pool (write-queue.ts) while the caller goes on:
   * the caller drains `queue` to bound the bytes in flight, and drains it whole before changing the tree otherwise.
   */
  putSoon(path: string, content: string): void {
    if (this.states.has(path)) this.put(path, content);
    else this.putNew(path, content, true);
  }

  /** `put` of a path not in the next tree yet: no write of it can be in flight. */
  private putNew(path: string, content: string, soon: boolean): void {
    const size = this.current.get(path);
    if (size === undefined) {
      // New: written as text (Node encodes it while writing, no Buffer made here).
      this.states.set(path, 'added');
      if (this.write) this.stage(path, content, soon);
      return;
    }
    const bytes = Buffer.from(content);
    const same = size === bytes.length && readFileSync(join(this.dir, ...path.split('/'))).equals(bytes);
    this.states.set(path, same ? 'same' : 'changed');
    if (!same && this.write) this.stage(path, bytes, soon);
  }

  private stage(path: string, content: string | Buffer, soon: boolean): void {
    const full = this.writing(() => this.stagedPath(path));
    if (!soon) this.writing(() => writeFileSync(full, content));
    else
      this.queue.run(
        content.length,
        (done) => writeFileSoon(full, content, done),
        (error) => new WriteError(this.dir, error),
      );
  }

  /** A change to the tree while writes are in flight could race them: a bug of the caller. */
  private idle(): void {
    if (this.queue.inFlight > 0) throw new Error('StagedTree: the write queue must be drained first');
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
    this.idle();
    this.unput(path);
    const size = this.current.get(path);
    const old = size === undefined ? undefined : openSync(join(this.dir, ...path.split('/')), 'r');
    const fd = this.write ? this.writing(() => openSync(this.stagedPath(path), 'w')) : undefined;
    let offset = 0;
    let same = old !== undefined;
    const scratch = { buffer: Buffer.alloc(0) };
    /** Writes (and compares) `bytes`, the next part of the file. */
    const next = (bytes: Buffer): void => {
      if (fd !== undefined) this.writing(() => writeSync(fd, bytes));
      if (same) {
        if (scratch.buffer.length < bytes.length) scratch.buffer = Buffer.alloc(bytes.length);
        const read = readSync(old!, scratch.buffer, 0, bytes.length, offset);
        same = read === bytes.length && scratch.buffer.subarray(0, read).equals(bytes);
      }
      offset += bytes.length;
    };
    // The parts (often a line, or a comma) are gathered into a chunk: a system call per part cost more than the
    // parts' text.
    const chunk = Buffer.allocUnsafe(STREAM_CHUNK);
    let used = 0;
    const flush = (): void => {
      if (used > 0) next(chunk.subarray(0, used));
      used = 0;
    };
    try {
      produce((text) => {
        if (text === '') return;
        const length = Buffer.byteLength(text);
        if (used + length > STREAM_CHUNK) flush();
        if (length > STREAM_CHUNK) next(Buffer.from(text));
        else used += chunk.write(text, used);
      });
      flush();
    } finally {
      if (fd !== undefined) closeSync(fd);
      if (old !== undefined) closeSync(old);
    }
    const state: State = size === undefined ? 'added' : same && offset === size ? 'same' : 'changed';
    this.states.set(path, state);
    if (state === 'same' && this.write) unlinkSync(this.stagedPath(path));
  }

  /** What the next tree does with the file put at `path` (undefined: not put). */
  stateOf(path: string): State | undefined {
    return this.states.get(path);
  }

  /** The file at `path` was put by a worker's tree over this one's staging folder (stream-worker.ts), as `state`. */
  adopt(path: string, state: State): void {
    this.idle();
    this.states.set(path, state);
  }

  /**
   * Takes back a file put here and by a worker's tree both: which write landed last is unknown, so the staged file
   * is removed whatever the state says (the caller puts the path again if it is in the next tree).
   */
  forget(path: string): void {
    this.idle();
    this.states.delete(path);
    if (this.write) rmSync(this.stagedPath(path), { force: true });
  }

  /** The folder's file at `path` stays as it is in the next tree. */
  keep(path: string): void {
    if (this.current.has(path)) this.states.set(path, 'same');
  }

  /** Takes back a file put before: the next tree has no file at `path` (unless put again). */
  unput(path: string): void {
    this.idle();
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
    this.idle();
    const diff = this.diff();
    if (!existsSync(this.dir)) moveStagedTree(this.dir, this.staging);
    else applyStagedUpdate(this.dir, this.staging, { write: [...diff.added, ...diff.changed], remove: diff.removed });
  }

  /** Drops whatever was staged (a build with errors writes nothing). */
  discard(): void {
    if (this.write) rmSync(this.staging, { recursive: true, force: true });
  }
}

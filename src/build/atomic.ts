/**
 * Atomic replacement of a generated folder: the new tree is written beside the old one and swapped in with
 * renames, so an interrupted build leaves either the previous tree or the new one, never a mixture.
 */
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { stagingDir } from './lock.js';
import type { TreeContent } from './tree-manifest.js';
import { sameContent } from './tree-manifest.js';

/** Every file below `dir` as a map of POSIX relative path → content (empty when `dir` does not exist). */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      // lstat: a link inside the output is not followed (checkOutputFolder refuses folders holding one).
      const stat = lstatSync(full);
      if (stat.isDirectory()) walk(full);
      else if (stat.isFile()) out.set(relative(dir, full).split(sep).join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

export interface TreeDiff {
  readonly added: string[];
  readonly changed: string[];
  readonly removed: string[];
}

/** Differences between two trees; files may be texts or known by hash (tree-manifest.ts), compared without reading. */
export function diffTrees(current: ReadonlyMap<string, TreeContent>, next: ReadonlyMap<string, TreeContent>): TreeDiff {
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  for (const [path, content] of next) {
    const old = current.get(path);
    if (old === undefined) added.push(path);
    else if (old !== content && !sameContent(old, content)) changed.push(path);
  }
  for (const path of current.keys()) if (!next.has(path)) removed.push(path);
  return { added: added.sort(), changed: changed.sort(), removed: removed.sort() };
}

export function isEmptyDiff(diff: TreeDiff): boolean {
  return diff.added.length + diff.changed.length + diff.removed.length === 0;
}

/** A previous swap that was cut off between its two renames left only the backup: put it back. */
export function recoverInterruptedSwap(dir: string): void {
  const backup = `${dir}.previous`;
  if (!existsSync(dir) && existsSync(backup)) renameSync(backup, dir);
  else if (existsSync(backup)) rmSync(backup, { recursive: true, force: true });
}

/** The file operations of a replacement; tests pass failing ones to check the cleanup. */
export interface TreeWriter {
  mkdir(path: string): void;
  writeFile(path: string, content: string | Uint8Array): void;
  rename(from: string, to: string): void;
  /** A hard link (updateTree's backups of the files it replaces); the file system's when absent. */
  link?(existing: string, path: string): void;
  /** Deletes a file (updateTree's removals); the file system's when absent. */
  unlink?(path: string): void;
}

const FS_WRITER: Required<TreeWriter> = {
  mkdir: (path) => void mkdirSync(path, { recursive: true }),
  writeFile: (path, content) => writeFileSync(path, content),
  rename: (from, to) => renameSync(from, to),
  link: (existing, path) => linkSync(existing, path),
  unlink: (path) => unlinkSync(path),
};

/** A replacement that failed; the staging folder is gone and the previous tree is in place. */
export class WriteError extends Error {
  constructor(
    readonly dir: string,
    readonly fsError: NodeJS.ErrnoException,
  ) {
    super(`cannot write ${dir}: ${describeFsError(fsError)}`);
  }
}

/** `ENOSPC (no space left on device) writing /x/y`: the code first, as people search for it. */
export function describeFsError(error: NodeJS.ErrnoException): string {
  const reason = /^[A-Z]+: ([^,]+)/.exec(error.message)?.[1];
  const what = error.syscall
    ? `${error.syscall === 'open' ? 'writing' : error.syscall} ${error.path ?? ''}`.trim()
    : '';
  return [error.code ?? 'error', reason ? `(${reason})` : '', what].filter(Boolean).join(' ');
}

/**
 * Replaces `dir` with exactly the given files. On any failure (disk full, read-only file system, a file where a
 * folder must be) the staging folder is removed, the previous tree is left in place, and a `WriteError` is thrown.
 */
export function replaceTree(dir: string, files: ReadonlyMap<string, string>, writer: TreeWriter = FS_WRITER): void {
  recoverInterruptedSwap(dir);
  const staging = stagingDir(dir);
  const backup = `${dir}.previous`;
  rmSync(staging, { recursive: true, force: true });
  try {
    writer.mkdir(staging);
    for (const [path, content] of files) {
      const full = join(staging, ...path.split('/'));
      writer.mkdir(dirname(full));
      writer.writeFile(full, content);
    }
    if (existsSync(dir)) writer.rename(dir, backup);
    writer.rename(staging, dir);
  } catch (error) {
    try {
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(dir) && existsSync(backup)) renameSync(backup, dir);
    } catch {
      // Left for the next build, which removes staging folders of dead builds and restores the backup.
    }
    throw new WriteError(dir, error as NodeJS.ErrnoException);
  }
  rmSync(backup, { recursive: true, force: true });
}

/** What a build changes in an existing output folder: files to write (new or changed) and files to delete. */
export interface TreeChanges {
  /** Path → new content: text, or bytes (an incremental build's files spliced as bytes, build/incremental.ts). */
  readonly write: ReadonlyMap<string, string | Uint8Array>;
  readonly remove: readonly string[];
}

/** The folder beside `dir` holding a complete, committed update until it is applied (see `updateTree`). */
export function updateDir(dir: string): string {
  return `${dir}.update`;
}

const JOURNAL = 'journal.json';
const full = (root: string, path: string): string => join(root, ...path.split('/'));

/**
 * Applies `changes` to the existing folder `dir`, touching only the files that change: a build after one rule
 * changed rewrites that rule's files and the combined files, and every other file keeps its inode and mtime (a
 * whole-tree swap rewrote all 15,000 files of the corpus output and then deleted the previous 15,000: seconds).
 *
 * The same promise as `replaceTree`, kept by a journal instead of a folder swap:
 *   1. the new contents are written into a staging folder, with hard links to the files they replace or delete
 *      (backups, costing no copy) and a journal listing the changes; any failure here removes the staging
 *      folder and `dir` was never touched;
 *   2. the staging folder is renamed to `<dir>.update`: from this rename on the update is committed;
 *   3. each new file is renamed over its old one (atomic per file) and each removed file deleted; a failure here
 *      (a file where a folder must be, a read-only file) puts the backups back and removes the added files, so
 *      `dir` is again the previous tree, and a `WriteError` is thrown;
 *   4. `<dir>.update` is deleted.
 * A build killed during step 3 leaves `<dir>.update`: the next build (under the lock) first completes it
 * (`recoverInterruptedUpdate`), so the folder it reads is the new tree. Until then a reader may see part of the
 * update, as a reader of `replaceTree` could see no folder at all between its two renames.
 */
export function updateTree(dir: string, changes: TreeChanges, writer: TreeWriter = FS_WRITER): void {
  recoverInterruptedSwap(dir);
  recoverInterruptedUpdate(dir);
  const staging = stagingDir(dir);
  rmSync(staging, { recursive: true, force: true });
  try {
    writer.mkdir(staging);
    for (const [path, content] of changes.write) {
      const target = full(join(staging, 'new'), path);
      writer.mkdir(dirname(target));
      writer.writeFile(target, content);
    }
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw new WriteError(dir, error as NodeJS.ErrnoException);
  }
  applyStagedUpdate(dir, staging, { write: [...changes.write.keys()], remove: changes.remove }, writer);
}

/**
 * Steps 1 (backups and journal) to 4 of `updateTree`, the new contents being already in `<staging>/new` (a
 * streaming build writes them there as it makes them, staged-tree.ts). Throws a `WriteError` as `updateTree` does.
 */
export function applyStagedUpdate(...args: Parameters<typeof commitStagedUpdate>): void {
  rmSync(commitStagedUpdate(...args), { recursive: true, force: true });
}

/**
 * Steps 1 to 3 of `updateTree`: `dir` is the new tree on return, and the applied `<dir>.update` (the journal, the
 * backups, the emptied folders) is left for the caller to delete, step 4, before it releases the lock.
 */
export function commitStagedUpdate(
  dir: string,
  staging: string,
  changes: { readonly write: readonly string[]; readonly remove: readonly string[] },
  writer: TreeWriter = FS_WRITER,
): string {
  const link = writer.link ?? FS_WRITER.link;
  const unlink = writer.unlink ?? FS_WRITER.unlink;
  const update = updateDir(dir);
  const touched = [...changes.write, ...changes.remove];
  try {
    writer.mkdir(staging);
    for (const path of touched) {
      if (!existsSync(full(dir, path))) continue;
      const backup = full(join(staging, 'old'), path);
      writer.mkdir(dirname(backup));
      link(full(dir, path), backup);
    }
    writer.writeFile(join(staging, JOURNAL), JSON.stringify({ write: changes.write, remove: changes.remove }));
    writer.rename(staging, update);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw new WriteError(dir, error as NodeJS.ErrnoException);
  }
  try {
    for (const path of changes.write) {
      writer.mkdir(dirname(full(dir, path)));
      writer.rename(full(join(update, 'new'), path), full(dir, path));
    }
    for (const path of changes.remove) {
      if (existsSync(full(dir, path))) unlink(full(dir, path));
      removeEmptyParents(dir, path);
    }
  } catch (error) {
    try {
      rollBack(dir, update, changes.write, changes.remove);
    } catch {
      // Left for the next build, which completes the committed update (recoverInterruptedUpdate).
      throw new WriteError(dir, error as NodeJS.ErrnoException);
    }
    throw new WriteError(dir, error as NodeJS.ErrnoException);
  }
  return update;
}

/** A new folder `dir` from the complete tree staged in `<staging>/new` (one rename); `staging` is removed. */
export function moveStagedTree(dir: string, staging: string): void {
  recoverInterruptedSwap(dir);
  try {
    mkdirSync(join(staging, 'new'), { recursive: true });
    renameSync(join(staging, 'new'), dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw new WriteError(dir, error as NodeJS.ErrnoException);
  }
  rmSync(staging, { recursive: true, force: true });
}

/** Undoes a partly applied update from its backups: `dir` is the previous tree again, `<dir>.update` gone. */
function rollBack(dir: string, update: string, write: readonly string[], remove: readonly string[]): void {
  for (const path of [...write, ...remove]) {
    const backup = full(join(update, 'old'), path);
    if (existsSync(backup)) {
      mkdirSync(dirname(full(dir, path)), { recursive: true });
      renameSync(backup, full(dir, path));
    } else if (existsSync(full(dir, path))) {
      unlinkSync(full(dir, path));
      removeEmptyParents(dir, path);
    }
  }
  rmSync(update, { recursive: true, force: true });
}

/** Folders emptied by a removal go too, as they would from a tree written afresh. */
function removeEmptyParents(dir: string, path: string): void {
  const parts = path.split('/');
  for (let i = parts.length - 1; i > 0; i--) {
    try {
      rmdirSync(full(dir, parts.slice(0, i).join('/')));
    } catch {
      return;
    }
  }
}

/** A committed update whose build was killed while applying it: applied now, so `dir` is the new tree. */
export function recoverInterruptedUpdate(dir: string): void {
  const update = updateDir(dir);
  if (!existsSync(update)) return;
  let journal: { write: string[]; remove: string[] } | undefined;
  try {
    journal = JSON.parse(readFileSync(join(update, JOURNAL), 'utf8')) as { write: string[]; remove: string[] };
  } catch {
    journal = undefined;
  }
  if (journal && existsSync(dir)) {
    for (const path of journal.write) {
      const staged = full(join(update, 'new'), path);
      if (!existsSync(staged)) continue;
      mkdirSync(dirname(full(dir, path)), { recursive: true });
      renameSync(staged, full(dir, path));
    }
    for (const path of journal.remove) {
      if (existsSync(full(dir, path))) unlinkSync(full(dir, path));
      removeEmptyParents(dir, path);
    }
  }
  rmSync(update, { recursive: true, force: true });
}

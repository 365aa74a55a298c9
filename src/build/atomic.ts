/**
 * Atomic replacement of a generated folder: the new tree is written beside the old one and swapped in with
 * renames, so an interrupted build leaves either the previous tree or the new one, never a mixture.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { stagingDir } from './lock.js';

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

export function diffTrees(current: ReadonlyMap<string, string>, next: ReadonlyMap<string, string>): TreeDiff {
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  for (const [path, content] of next) {
    const old = current.get(path);
    if (old === undefined) added.push(path);
    else if (old !== content) changed.push(path);
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
  writeFile(path: string, content: string): void;
  rename(from: string, to: string): void;
}

const FS_WRITER: TreeWriter = {
  mkdir: (path) => void mkdirSync(path, { recursive: true }),
  writeFile: (path, content) => writeFileSync(path, content),
  rename: (from, to) => renameSync(from, to),
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

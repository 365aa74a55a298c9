/**
 * Atomic replacement of a generated folder: the new tree is written beside the old one and swapped in with
 * renames, so an interrupted build leaves either the previous tree or the new one, never a mixture.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** Every file below `dir` as a map of POSIX relative path → content (empty when `dir` does not exist). */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.set(relative(dir, full).split(sep).join('/'), readFileSync(full, 'utf8'));
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

/** Replaces `dir` with exactly the given files. */
export function replaceTree(dir: string, files: ReadonlyMap<string, string>): void {
  recoverInterruptedSwap(dir);
  const staging = `${dir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  for (const [path, content] of files) {
    const full = join(staging, ...path.split('/'));
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  mkdirSync(staging, { recursive: true });
  const backup = `${dir}.previous`;
  if (existsSync(dir)) renameSync(dir, backup);
  renameSync(staging, dir);
  rmSync(backup, { recursive: true, force: true });
}

/**
 * One build at a time per output folder. Two builds swapping the same folder at once crashed or left a tree
 * matching neither's inputs; the lock file `<out>.lock` (beside the folder, created exclusively, holding the
 * builder's pid) makes the second build wait a bounded time and then refuse. A lock whose pid is dead was left by
 * a killed build and is taken over; staging folders of dead builds are removed the same way.
 */
import { mkdirSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface Lock {
  release(): void;
}

export class LockBusyError extends Error {
  constructor(
    readonly lockFile: string,
    readonly holder: number | undefined,
  ) {
    super(`lock ${lockFile} is held by pid ${holder ?? '?'}`);
  }
}

/** Whether a process with this pid exists (EPERM: it exists but is someone else's). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(lockFile: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockFile, 'utf8').trim(), 10);
    return Number.isNaN(pid) ? undefined : pid;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/**
 * Takes `<out>.lock`, waiting up to `waitMs` for another live build to finish. Throws `LockBusyError` when the
 * wait runs out, and the file system's error when the lock cannot be created at all (read-only parent, …).
 */
export async function acquireLock(out: string, waitMs: number): Promise<Lock> {
  const lockFile = `${out}.lock`;
  mkdirSync(dirname(out), { recursive: true });
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return {
        release: () => {
          // Only our own lock: a build that outwaited us and took a stale-looking lock must keep it.
          if (holderOf(lockFile) === process.pid) rmSync(lockFile, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = holderOf(lockFile);
    if (holder !== undefined && !isAlive(holder)) {
      // Left by a killed build. Removing it races with another build doing the same; the `wx` open decides.
      try {
        unlinkSync(lockFile);
      } catch {
        // Someone else took it over first.
      }
      continue;
    }
    // An unreadable or empty lock is a build between creating and writing it: wait like for any other.
    if (Date.now() >= deadline) throw new LockBusyError(lockFile, holder);
    await sleep(Math.min(100, Math.max(10, deadline - Date.now())));
  }
}

/** The staging folder of this process for `out` (see atomic.ts). */
export function stagingDir(out: string, pid = process.pid): string {
  return `${out}.staging-${pid}`;
}

/** Removes staging folders beside `out` left by builds that were killed (their pid is dead). */
export function removeDeadStaging(out: string): string[] {
  const parent = dirname(out);
  const prefix = `${basename(out)}.staging-`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
    removed.push(join(parent, name));
  }
  return removed.sort();
}

/**
 * The in-place build's check that the output folder and the rule files are as its state says (incremental.ts):
 * every output file's size, mtime and inode, every output folder's mtime, and every rule file's size and mtime —
 * 15,458 + 3,141 stat calls for the corpus, 50–100 ms.
 *
 * The CLI starts it on another thread as soon as it knows the output folder (`checkAhead`), so it runs while the
 * main thread loads the compiler and the targets; the build uses its answer only for the very state it checked
 * (the state's `nonce`: every build that writes the output drops or rewrites the state first), and checks on its
 * own thread otherwise.
 */
import type { lstatSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { join, sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import { cacheDir } from './cache.js';

/** The file system calls the check makes (passed in: on another thread it runs as a copy of its source text). */
export interface CheckCalls {
  readonly lstatSync: typeof lstatSync;
  readonly statSync: typeof statSync;
}

/** What the check reads of the state. */
export interface CheckInput {
  readonly out: string;
  /** The platform's path separator (paths in the state are `/`-separated). */
  readonly sep: string;
  /** Every file of the output folder, and its [size, mtime, inode] at 3 × its index in `stamps`. */
  readonly paths: readonly string[];
  readonly stamps: readonly number[];
  /** Folders of the output, relative ('' for itself) → mtime. */
  readonly folders: Readonly<Record<string, number>>;
  /** The rule files: path, size, mtime first. */
  readonly files: readonly (readonly [string, number, number, ...unknown[]])[];
}

export interface CheckResult {
  /** Why the output folder is not as the state says; absent when it is (then `rules` is complete). */
  readonly notAsLeft?: string;
  /** The rule files whose size or mtime is not the state's: [index, size, mtime], or [index] for one gone. */
  readonly rules: readonly (readonly [number, number, number] | readonly [number])[];
}

/** The answer of a check made on another thread, for the state of this `nonce`. */
export interface AheadCheck extends CheckResult {
  readonly nonce: string;
}

/**
 * The check. Self-contained (no names from outside its body but its parameters): `checkAhead` runs its source text
 * on another thread.
 */
export function checkOutput(fs: CheckCalls, input: CheckInput): CheckResult {
  const { out, paths, stamps } = input;
  // Paths joined by hand: path.join normalising 15,458 paths cost more than their lstat calls.
  const native = (path: string): string => (input.sep === '/' ? path : path.split('/').join(input.sep));
  for (let i = 0; i < paths.length; i++) {
    const stat = fs.lstatSync(`${out}${input.sep}${native(paths[i]!)}`, { throwIfNoEntry: false });
    if (
      !stat?.isFile() ||
      stat.size !== stamps[3 * i] ||
      stat.mtimeMs !== stamps[3 * i + 1] ||
      stat.ino !== stamps[3 * i + 2]
    )
      return { notAsLeft: `'${paths[i]}' is not as written`, rules: [] };
  }
  for (const [folder, mtimeMs] of Object.entries(input.folders)) {
    const stat = fs.statSync(folder === '' ? out : `${out}${input.sep}${native(folder)}`, { throwIfNoEntry: false });
    if (stat?.mtimeMs !== mtimeMs)
      return { notAsLeft: `a file was added to or removed from '${folder || '.'}'`, rules: [] };
  }
  const rules: ([number, number, number] | [number])[] = [];
  input.files.forEach(([path, size, mtimeMs], i) => {
    const stat = fs.statSync(path, { throwIfNoEntry: false });
    if (!stat) rules.push([i]);
    else if (stat.size !== size || stat.mtimeMs !== mtimeMs) rules.push([i, stat.size, stat.mtimeMs]);
  });
  return { rules };
}

/**
 * Whether a second thread would have a core of its own: on a busy machine (the load average above all cores but
 * half of one) it would only take time from the main thread (measured on the shared 2-core host at a load of 7:
 * the in-place build's wall time 844 -> 924 ms with the check ahead, for 55 ms more CPU).
 */
export function coreIdle(): boolean {
  return loadavg()[0]! < availableParallelism() - 0.5;
}

/** The in-place build's state of the output folder `out` (incremental.ts), in the cache folder. */
export function stateFile(out: string): string {
  return join(cacheDir(), `incr-${createHash('sha256').update(out).digest('hex').slice(0, 16)}.json`);
}

/** Beside the state: the in-place builds' changes to it since it was written whole (`StatePatch`). */
export const patchFile = (out: string): string => stateFile(out).replace(/\.json$/, '.patch.json');

/** What an in-place build changes in the state (incremental.ts), by the index of each entry. */
export interface PatchedState {
  readonly nonce: string;
  readonly files: readonly (readonly unknown[])[];
  readonly stamps: readonly number[];
  readonly folders: Readonly<Record<string, number>>;
  readonly segments: readonly (readonly [string, string])[];
  readonly walk?: unknown;
}

/**
 * The changes of the in-place builds since the state was written whole: writing them (a few entries) instead of
 * the whole state (1.7 MB of JSON for the corpus) saved 8 ms of each build, 25 ms on a busy host.
 */
export interface StatePatch {
  /** The `nonce` of the state it applies to; it is its own `nonce` once applied. */
  readonly base: string;
  readonly nonce: string;
  /** Rule file index → its entry. */
  readonly files: readonly (readonly [number, readonly unknown[]])[];
  /** Output path index, and its size, mtime and inode. */
  readonly stamps: readonly (readonly [number, number, number, number])[];
  readonly folders: Readonly<Record<string, number>>;
  readonly segments: readonly (readonly [string, string])[];
  readonly walk?: unknown;
}

/** The state with the patch applied. Self-contained, as `checkOutput` (the other thread applies it too). */
export function applyPatch<S extends PatchedState>(state: S, patch: StatePatch): S {
  const files = state.files.slice();
  for (const [i, entry] of patch.files) files[i] = entry;
  const stamps = state.stamps.slice();
  for (const [i, size, mtimeMs, ino] of patch.stamps) {
    stamps[3 * i] = size;
    stamps[3 * i + 1] = mtimeMs;
    stamps[3 * i + 2] = ino;
  }
  const walk = patch.walk === undefined ? {} : { walk: patch.walk };
  return { ...state, nonce: patch.nonce, files, stamps, folders: patch.folders, segments: patch.segments, ...walk };
}

/**
 * `checkOutput` of the state kept for `out`, on another thread: the CLI starts it as soon as it knows the output
 * folder and passes it to the build. Undefined when there is no state or the thread fails (the build then checks
 * on its own).
 */
export function checkAhead(out: string): Promise<AheadCheck | undefined> {
  const code = [
    // The helper tsx's transform calls to keep function names, when rulec runs from its sources.
    'const __name = (f) => f;',
    "const { parentPort, workerData } = require('node:worker_threads');",
    "const fs = require('node:fs');",
    'let reply;',
    'try {',
    "  const whole = JSON.parse(fs.readFileSync(workerData.stateFile, 'utf8'));",
    '  let patch;',
    '  try {',
    "    patch = JSON.parse(fs.readFileSync(workerData.patchFile, 'utf8'));",
    '  } catch {',
    '    patch = undefined;',
    '  }',
    "  if (patch && patch.base !== whole.nonce) throw new Error('not this state');",
    `  const state = patch ? (${applyPatch.toString()})(whole, patch) : whole;`,
    `  const check = ${checkOutput.toString()};`,
    '  const input = { ...state, out: workerData.out, sep: workerData.sep };',
    "  if (typeof state.nonce === 'string') reply = { nonce: state.nonce, ...check(fs, input) };",
    '} catch {',
    '  reply = undefined;',
    '}',
    'parentPort.postMessage(reply);',
  ].join('\n');
  return new Promise((resolve) => {
    try {
      const worker = new Worker(code, {
        eval: true,
        workerData: { stateFile: stateFile(out), patchFile: patchFile(out), out, sep },
      });
      worker.once('message', (reply: AheadCheck | undefined) => resolve(reply));
      worker.once('error', () => resolve(undefined));
      worker.once('exit', () => resolve(undefined));
    } catch {
      resolve(undefined);
    }
  });
}

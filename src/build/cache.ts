/**
 * Makes `rulec build` over an unchanged tree close to free: when the rule files, rulec's own code and data, the
 * options and the output folder are all byte-identical to the last successful build, the previous result stands
 * and nothing is compiled. Any difference means a full build (whose output is identical by construction).
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { packageRoot } from '../backend/root.js';

export interface CachedBuild {
  readonly inputKey: string;
  readonly outputKey: string;
  /** What the build printed on stderr, replayed on a cached run. */
  readonly report: string;
  readonly exitCode: number;
}

/** The files below `dir` in the order the key hashes them (names sorted, folders entered where they sort). */
function listFiles(dir: string, into: string[]): string[] {
  if (!existsSync(dir)) return into;
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory() || (entry.isSymbolicLink() && statSync(full).isDirectory())) listFiles(full, into);
    else into.push(full);
  }
  return into;
}

let codeKey: string | undefined;

/**
 * Hash of rulec itself: its code (built or source), target data and templates, schema and tables. Reading and
 * hashing its 600 files (5 MB) cost 30 ms of every build and match, more than an incremental build's own work:
 * the key is kept in the cache folder with the stamp (path, size, mtime) of every file it hashed, and hashed again
 * only when a stamp changed.
 */
export function rulecKey(): string {
  if (codeKey) return codeKey;
  const root = packageRoot();
  const files = [...['lib', 'src', 'backends', 'schema', 'data'].flatMap((dir) => listFiles(join(root, dir), []))];
  const manifest = join(root, 'package.json');
  const stamp = createHash('sha1');
  for (const file of [...files, manifest]) {
    const { size, mtimeMs } = statSync(file);
    stamp.update(`${file}\0${size}\0${mtimeMs}\0`);
  }
  const stamps = stamp.digest('hex');
  const memo = join(cacheDir(), `build-code-${createHash('sha256').update(root).digest('hex').slice(0, 16)}.json`);
  try {
    const kept = JSON.parse(readFileSync(memo, 'utf8')) as { stamps?: string; key?: string };
    if (kept.stamps === stamps && typeof kept.key === 'string') {
      touchCacheFile(memo);
      return (codeKey = kept.key);
    }
  } catch {
    // None yet, or unreadable: hashed below.
  }
  const hash = createHash('sha256');
  for (const file of files) hash.update(file).update('\0').update(readFileSync(file)).update('\0');
  hash.update(readFileSync(manifest));
  codeKey = hash.digest('hex');
  writeCacheFile(memo, [Buffer.from(JSON.stringify({ stamps, key: codeKey }))]);
  return codeKey;
}

/**
 * The key of a build's inputs, `options` holding its scope (paths, targets, output); undefined when a rule file
 * cannot be read, which only means no caching (the build itself reports the file).
 */
export function inputKey(files: readonly string[], options: unknown): string | undefined {
  const hash = createHash('sha256').update(rulecKey()).update(JSON.stringify(options));
  try {
    for (const file of files) hash.update(file).update('\0').update(readFileSync(file)).update('\0');
  } catch {
    return undefined;
  }
  return hash.digest('hex');
}

/**
 * Where rulec keeps its caches: the package's node_modules/.cache, the convention of build tools, unless
 * RULEC_CACHE_DIR names another folder (CI caches, read-only installs; the tests point it at a temporary folder so
 * that their many small output folders leave nothing behind).
 */
export function cacheDir(): string {
  return process.env.RULEC_CACHE_DIR || join(packageRoot(), 'node_modules', '.cache', 'rulec');
}

/** A cache file nobody has used for this long belongs to an output folder that is gone or no longer built. */
export const STALE_AFTER_MS = 30 * 24 * 3600 * 1000;

/**
 * Writes a cache file whole: to a temporary file beside it, part by part (one concatenated copy of a large entry,
 * 51 MB for the corpus's result pack, would add to the peak), then renamed, so a reader never sees half of it.
 * Returns false when it could not be written: a cache that cannot be written only costs speed next time.
 */
export function writeCacheFile(file: string, parts: readonly Uint8Array[]): boolean {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    const fd = openSync(temporary, 'w');
    try {
      for (const part of parts) for (let done = 0; done < part.length;) done += writeSync(fd, part, done);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
    return true;
  } catch {
    rmSync(temporary, { force: true });
    return false;
  }
}

/** The names of the build's cache files: whole-build entries, result packs, tree manifests, incremental states. */
export const BUILD_CACHE_FILES = /^(build-|results-|tree-|incr-)/;

/**
 * Deletes the cache files whose names match `pattern` (the build's by default) not used for STALE_AFTER_MS: every
 * output folder gets its own files, keyed by its path, so without this a folder built once (a temporary one, a
 * renamed checkout) would keep its cache, up to 100 MB for the SigmaHQ corpus, for ever. A file in use is kept
 * fresh by `touchCacheFile` on each read. Run when a cache is written; failures only leave files behind.
 */
export function pruneStaleCacheFiles(pattern: RegExp = BUILD_CACHE_FILES, now = Date.now()): void {
  const dir = cacheDir();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!pattern.test(name)) continue;
    const file = join(dir, name);
    try {
      if (now - statSync(file).mtimeMs > STALE_AFTER_MS) rmSync(file, { force: true });
    } catch {
      // Gone already, or not ours to delete: nothing to do.
    }
  }
}

/** Marks a cache file as used now, so that pruning keeps it. */
export function touchCacheFile(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // A read-only cache still works; it may only be pruned sooner.
  }
}

function cacheFile(out: string): string {
  return join(cacheDir(), `build-${createHash('sha256').update(out).digest('hex').slice(0, 16)}.json`);
}

export function readCache(out: string): CachedBuild | undefined {
  try {
    const entry = JSON.parse(readFileSync(cacheFile(out), 'utf8')) as CachedBuild;
    touchCacheFile(cacheFile(out));
    return entry;
  } catch {
    return undefined;
  }
}

export function writeCache(out: string, entry: CachedBuild): void {
  try {
    const file = cacheFile(out);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, JSON.stringify(entry));
    pruneStaleCacheFiles();
  } catch {
    // A cache that cannot be written only costs speed next time.
  }
}

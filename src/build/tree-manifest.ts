/**
 * What rulec last wrote into an output folder, so that a build need not read the whole folder back: for every
 * file, its size, mtime and inode when rulec left it, and the sha1 of its content. A file whose stat still matches
 * is known by its hash (`KnownFile`) and is never read; any other file (edited by hand, touched, new) is read as
 * before. Reading the 15,458 files of the corpus output back cost about a second of every build.
 *
 * Kept in the cache folder (cache.ts), one per output folder, as JSON; one that is unreadable or of another format
 * is ignored and the folder is read whole. `--check` never uses it: it reads the folder it checks.
 */
import { createHash } from 'node:crypto';
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
import { join, relative, sep } from 'node:path';
import { cacheDir, touchCacheFile } from './cache.js';

/** A file of the output folder left as rulec wrote it: its content is known by hash, not read. */
export class KnownFile {
  constructor(
    readonly hash: string,
    readonly size: number,
    readonly mtimeMs: number,
    readonly ino: number,
  ) {}
}

/** A file's content as the build sees it: text (read, or made now) or a file known unchanged on disk. */
export type TreeContent = string | KnownFile;

/**
 * The sha1 of a text. A build hashes each big text it writes (the combined files, the record: about 26 MB for the
 * corpus) up to three times, comparing it with the folder, in the manifest and in the tree hash: the last big
 * texts hashed are remembered (a Map hashes a string key once and keeps that hash on the string).
 */
export function contentHash(text: string): string {
  if (text.length < BIG_TEXT) return createHash('sha1').update(text).digest('hex');
  let hash = recentHashes.get(text);
  if (hash === undefined) {
    hash = createHash('sha1').update(text).digest('hex');
    recentHashes.set(text, hash);
    if (recentHashes.size > 16) recentHashes.delete(recentHashes.keys().next().value!);
  }
  return hash;
}
const BIG_TEXT = 1 << 16;
const recentHashes = new Map<string, string>();

const hashOf = (content: TreeContent): string => (typeof content === 'string' ? contentHash(content) : content.hash);

/** Whether two contents are the same bytes, reading nothing and hashing only texts of the known file's size. */
export function sameContent(a: TreeContent, b: TreeContent): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  if (typeof a !== 'string' && typeof b !== 'string') return a.hash === b.hash;
  const text = (typeof a === 'string' ? a : b) as string;
  const known = (typeof a === 'string' ? b : a) as KnownFile;
  return Buffer.byteLength(text) === known.size && contentHash(text) === known.hash;
}

/** Hash of a whole tree, whatever form its files are in (the whole-build cache's output key). */
export function treeHash(tree: ReadonlyMap<string, TreeContent>): string {
  const hash = createHash('sha256');
  for (const path of [...tree.keys()].sort())
    hash
      .update(path)
      .update('\0')
      .update(hashOf(tree.get(path)!))
      .update('\0');
  return hash.digest('hex');
}

const FORMAT = 1;
/** A file as rulec left it: its stamp and the sha1 of its content. */
export type ManifestEntry = [size: number, mtimeMs: number, ino: number, hash: string];
type Entry = ManifestEntry;

function manifestFile(out: string): string {
  return join(cacheDir(), `tree-${createHash('sha256').update(out).digest('hex').slice(0, 16)}.json`);
}

function readManifest(out: string): Map<string, Entry> | undefined {
  try {
    const data = JSON.parse(readFileSync(manifestFile(out), 'utf8')) as { format?: number; files?: unknown };
    if (data.format !== FORMAT || data.files === null || typeof data.files !== 'object') return undefined;
    touchCacheFile(manifestFile(out));
    return new Map(Object.entries(data.files as Record<string, Entry>));
  } catch {
    return undefined;
  }
}

/**
 * Every file below `dir` as POSIX relative path → content, like `readTree`, except that files the manifest knows
 * unchanged (same size, mtime and inode) are `KnownFile`s, not read. The files named in `alwaysRead` are read.
 */
export function readKnownTree(dir: string, alwaysRead: ReadonlySet<string>): Map<string, TreeContent> {
  const out = new Map<string, TreeContent>();
  if (!existsSync(dir)) return out;
  const manifest = readManifest(dir);
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      const stat = lstatSync(full);
      if (stat.isDirectory()) walk(full);
      else if (stat.isFile()) {
        const path = relative(dir, full).split(sep).join('/');
        const entry = alwaysRead.has(path) ? undefined : manifest?.get(path);
        const known =
          Array.isArray(entry) && entry[0] === stat.size && entry[1] === stat.mtimeMs && entry[2] === stat.ino;
        out.set(path, known ? new KnownFile(entry[3], entry[0], entry[1], entry[2]) : readFileSync(full, 'utf8'));
      }
    }
  };
  walk(dir);
  return out;
}

/**
 * Records the folder as this build left it: `tree` is its content (files not written keep their known stamp; the
 * others are stat'ed now). Errors only cost speed next time (then undefined is returned, else what was recorded).
 */
export function writeManifest(dir: string, tree: ReadonlyMap<string, TreeContent>): Record<string, Entry> | undefined {
  const file = manifestFile(dir);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    const files: Record<string, Entry> = {};
    for (const [path, content] of tree) {
      if (typeof content !== 'string') {
        files[path] = [content.size, content.mtimeMs, content.ino, content.hash];
        continue;
      }
      const stat = lstatSync(join(dir, ...path.split('/')));
      files[path] = [stat.size, stat.mtimeMs, stat.ino, contentHash(content)];
    }
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(temporary, JSON.stringify({ format: FORMAT, files }));
    renameSync(temporary, file);
    return files;
  } catch {
    rmSync(temporary, { force: true });
    rmSync(file, { force: true });
    return undefined;
  }
}

/** Forgets what was written (before a write that may fail half-way, so a stale manifest is never trusted). */
export function dropManifest(dir: string): void {
  rmSync(manifestFile(dir), { force: true });
}

/**
 * The per-file result cache of `rulec build`: what reading one rule file and compiling its documents for every
 * built target gave, kept across runs so that a build after one rule changed compiles that rule only.
 *
 * What is cached is exactly the part of a build that depends on one file alone: `readRuleFile` of the file's bytes
 * and `compileRule` of each of its documents for each target. Everything that links files together — ids and
 * titles unique across the output, correlation rules and filters (meta.ts), the combined files, the record — is
 * recomputed on every build from these per-file results (scoped.ts), so an edited filter or correlation rule
 * re-tunes the rules it applies to without any invalidation logic here.
 *
 * An entry's key is the file's path as given (it is in every diagnostic and result) and its bytes; the pack as a
 * whole carries a global key of everything else a per-file result depends on: rulec's own code, templates and
 * data (`rulecKey`), the targets and their pipelines, and the site settings. A pack whose global key differs, or
 * that is unreadable, truncated or altered (its checksum), is ignored, never trusted: the build compiles afresh.
 *
 * Stored with `v8.serialize` (the structured clone the build workers already use for the same objects: shared
 * references, such as a rule inside its results, are stored once) under node_modules/.cache/rulec, beside
 * cache.ts's whole-build cache, one pack per output folder, written whole to a temporary file and renamed.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { BuildResult, BuiltArtifact } from './built.js';
import type { TreeContent } from './tree-manifest.js';
import { KnownFile, contentHash, sameContent } from './tree-manifest.js';
import type { Correlation, Filter } from '../correlation/model.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Rule } from '../model/rule.js';
import { cacheDir, rulecKey, touchCacheFile, writeCacheFile } from './cache.js';

/** What one rule file gave: its documents as read, and their results for every built target in target order. */
export interface FileResult {
  readonly rules: readonly Rule[];
  readonly correlations: readonly Correlation[];
  readonly filters: readonly Filter[];
  readonly diagnostics: readonly Diagnostic[];
  readonly bad: boolean;
  readonly results: readonly BuildResult[];
}

/**
 * A `FileResult` as a pack keeps it: each per-rule file that the build left in the output folder as the file's
 * result made it, by path, size and sha1 only (the pack of the corpus was 94 MB, mostly these texts). A hit takes
 * the folder's file; a file missing or not of that hash (edited, deleted) makes the entry a miss, so the rule is
 * compiled again. A file the folder does not hold as made (a rule a filter tunes, one withheld) keeps its text.
 */
type StoredArtifact =
  | { readonly path: string; readonly size: number; readonly hash: string }
  | { readonly path: string; readonly text: string };
interface StoredResult extends Omit<BuildResult, 'artifacts'> {
  readonly artifacts: readonly StoredArtifact[];
}
interface StoredFile extends Omit<FileResult, 'results'> {
  readonly results: readonly StoredResult[];
}

/**
 * Bumped whenever the layout of a pack or of `FileResult` changes (2: results keep bundle fragments, built.ts;
 * 3: per-rule files by hash).
 */
const FORMAT = 3;
const MAGIC = Buffer.from('rulec-results\0');

interface Pack {
  readonly format: number;
  readonly globalKey: string;
  /** In a delta pack: the checksum of the base pack it extends (a delta of another base is ignored). */
  readonly base?: string;
  readonly entries: Map<string, StoredFile>;
}

export class ResultCache {
  private readonly previous: ReadonlyMap<string, StoredFile>;
  /** This run's entries: hits as stored, misses as compiled (stored against the folder by `save`). */
  private readonly next = new Map<string, StoredFile | { readonly fresh: FileResult }>();
  /** The base pack read: its checksum (which a delta names) and its keys. */
  private readonly base: { readonly sum: string; readonly keys: ReadonlySet<string> } | undefined;
  /** Files whose result came from the previous run, and files compiled now (tests and the report read these). */
  hits = 0;
  misses = 0;

  /** `tree`: the output folder as it is (tree-manifest.ts), where a hit's per-rule files are found. */
  constructor(
    private readonly file: string,
    private readonly globalKey: string,
    private readonly tree: ReadonlyMap<string, TreeContent>,
  ) {
    const base = readPack(file, globalKey);
    const delta = base ? readPack(deltaFile(file), globalKey, base.sum) : undefined;
    this.base = base && { sum: base.sum, keys: new Set(base.entries.keys()) };
    this.previous = delta ? new Map([...base!.entries, ...delta.entries]) : (base?.entries ?? new Map());
  }

  /** The key of one file's result: its path as given and its bytes. */
  static entryKey(path: string, bytes: Uint8Array): string {
    return createHash('sha256').update(path).update('\0').update(bytes).digest('hex');
  }

  /** The file's previous result, if every per-rule file it made is still in the output folder as made. */
  get(key: string): FileResult | undefined {
    const found = this.previous.get(key);
    const result = found && this.resolve(found);
    if (result) {
      this.hits++;
      this.next.set(key, found!);
    }
    return result;
  }

  set(key: string, result: FileResult): void {
    this.misses++;
    this.next.set(key, { fresh: result });
  }

  private resolve(stored: StoredFile): FileResult | undefined {
    const results: BuildResult[] = [];
    for (const result of stored.results) {
      const artifacts = [];
      for (const artifact of result.artifacts) {
        if ('text' in artifact) {
          artifacts.push({ path: artifact.path, content: artifact.text });
          continue;
        }
        const { path, size, hash } = artifact;
        const content = this.tree.get(`${result.target}/${path}`);
        if (content === undefined || !sameContent(content, new KnownFile(hash, size, 0, 0))) return undefined;
        artifacts.push({ path, content });
      }
      results.push({ ...result, artifacts });
    }
    return { ...stored, results };
  }

  /**
   * Keeps this run's entries. The base pack holds the whole corpus (about 100 MB for SigmaHQ's): rewriting it
   * after one rule changed cost more than compiling the rule, so the results compiled since the base go to a small
   * delta pack that names the base it extends, and the base is rewritten (with only this run's entries: those of
   * files gone or changed are dropped) once the delta outgrows an eighth of it. `tree`: the output folder as the
   * build left it, against which the per-rule files of the results compiled now are stored.
   */
  save(tree: ReadonlyMap<string, TreeContent>): void {
    if (this.misses === 0) return;
    const base = this.base;
    const entries = new Map(
      [...this.next].map(([key, entry]) => [key, 'fresh' in entry ? store(entry.fresh, tree) : entry] as const),
    );
    this.next.clear();
    // This run's entries the base lacks: the misses, and the hits that came from the previous delta.
    const fresh = new Map([...entries].filter(([key]) => !base?.keys.has(key)));
    if (base && fresh.size <= Math.max(64, base.keys.size / 8)) {
      writePack(deltaFile(this.file), { format: FORMAT, globalKey: this.globalKey, base: base.sum, entries: fresh });
      return;
    }
    rmSync(deltaFile(this.file), { force: true });
    writePack(this.file, { format: FORMAT, globalKey: this.globalKey, entries });
  }
}

/** A fresh result as a pack keeps it, given the output folder the build left (`tree`). */
function store(result: FileResult, tree: ReadonlyMap<string, TreeContent>): StoredFile {
  const artifact = (target: string, { path, content }: BuiltArtifact): StoredArtifact => {
    const left = tree.get(`${target}/${path}`);
    if (typeof content !== 'string') return { path, size: content.size, hash: content.hash };
    if (left === undefined || !sameContent(left, content)) return { path, text: content };
    return { path, size: Buffer.byteLength(content), hash: contentHash(content) };
  };
  return {
    ...result,
    results: result.results.map((r) => ({ ...r, artifacts: r.artifacts.map((a) => artifact(r.target, a)) })),
  };
}

function deltaFile(file: string): string {
  return file.replace(/\.bin$/, '.delta.bin');
}

/**
 * The global key: rulec itself plus the inputs every file's result depends on (target ids in order, their
 * pipelines as loaded, the site settings' key).
 */
export function resultCacheKey(targets: readonly string[], pipelines: unknown, siteKey: string | undefined): string {
  return createHash('sha256')
    .update(rulecKey())
    .update('\0')
    .update(JSON.stringify({ format: FORMAT, targets, pipelines: pipelines ?? null, site: siteKey ?? null }))
    .digest('hex');
}

/** The pack of the build into `out` (absolute). */
export function resultCacheFile(out: string): string {
  return join(cacheDir(), `results-${createHash('sha256').update(out).digest('hex').slice(0, 16)}.bin`);
}

export function openResultCache(
  out: string,
  targets: readonly string[],
  pipelines: unknown,
  siteKey: string | undefined,
  tree: ReadonlyMap<string, TreeContent>,
): ResultCache {
  return new ResultCache(resultCacheFile(out), resultCacheKey(targets, pipelines, siteKey), tree);
}

/**
 * Layout: MAGIC, 20-byte sha1 of the payload, payload (`v8.serialize` of a Pack). The checksum is there to catch a
 * damaged file, not an adversary (the cache folder is the user's own); sha1 hashes the 100 MB pack of the corpus
 * in a fifth of sha256's time on this machine.
 */
const SUM = 20;

function readPack(
  file: string,
  globalKey: string,
  base?: string,
): { readonly sum: string; readonly entries: Map<string, StoredFile> } | undefined {
  try {
    const bytes = readFileSync(file);
    const start = MAGIC.length + SUM;
    if (bytes.length < start || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
    const payload = bytes.subarray(start);
    const sum = createHash('sha1').update(payload).digest();
    if (!sum.equals(bytes.subarray(MAGIC.length, start))) return undefined;
    const pack = deserialize(payload) as Partial<Pack>;
    if (pack.format !== FORMAT || pack.globalKey !== globalKey || !(pack.entries instanceof Map)) return undefined;
    if (pack.base !== base) return undefined;
    touchCacheFile(file);
    return { sum: sum.toString('hex'), entries: pack.entries };
  } catch {
    return undefined;
  }
}

function writePack(file: string, pack: Pack): void {
  let payload: Buffer;
  try {
    payload = serialize(pack);
  } catch {
    // A pack that cannot be serialised only costs speed next time.
    return;
  }
  writeCacheFile(file, [MAGIC, createHash('sha1').update(payload).digest(), payload]);
}

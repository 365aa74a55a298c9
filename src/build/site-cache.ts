/**
 * The built-in site (no configuration file, no `--pipeline`) of a cached build, kept in the cache folder: resolving
 * it reads, checks and layers some 60 pipeline and profile files of the four targets (22–33 ms of every in-place
 * build, more than its own compile of one rule), where reading its 1 MB of JSON back takes about 5 ms.
 *
 * Nothing but rulec's own files goes into the built-in site, so rulec's key (cache.ts `rulecKey`, which hashes its
 * pipelines and profiles with the rest of it: a build computes it anyway) and the targets' ids key it. A site with
 * diagnostics, or whose data JSON would not give back exactly, is never kept: it is resolved every time.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Site } from '../config/site.js';
import type { Pipeline } from '../pipeline/types.js';
import { cacheDir, rulecKey, touchCacheFile, writeCacheFile } from './cache.js';

/** Bumped whenever what is kept changes. */
const FORMAT = 1;

interface Kept {
  readonly format: number;
  readonly key: string;
  readonly site: string;
  readonly pipelines: Record<string, Pipeline>;
}

/**
 * The built-in site of `ids`: as kept in the cache folder, else `resolve()` (undefined when it had errors, which it
 * reported), kept for the next build.
 */
export function builtinSite(ids: readonly string[], resolve: () => Site | undefined): Site | undefined {
  const key = createHash('sha256')
    .update(JSON.stringify([FORMAT, rulecKey(), ids]))
    .digest('hex');
  const file = join(cacheDir(), `build-site-${key.slice(0, 16)}.json`);
  const kept = readKept(file, key, ids);
  if (kept) {
    touchCacheFile(file);
    return { pipelines: kept.pipelines, key: kept.site, diagnostics: [], sources: new Map() };
  }
  const site = resolve();
  if (site && site.diagnostics.length === 0 && site.config === undefined && exactAsJson(site.pipelines)) {
    const entry: Kept = { format: FORMAT, key, site: site.key, pipelines: { ...site.pipelines } };
    writeCacheFile(file, [Buffer.from(JSON.stringify(entry))]);
  }
  return site;
}

function readKept(file: string, key: string, ids: readonly string[]): Kept | undefined {
  let kept: Kept;
  try {
    kept = JSON.parse(readFileSync(file, 'utf8')) as Kept;
  } catch {
    return undefined;
  }
  if (kept?.format !== FORMAT || kept.key !== key || typeof kept.site !== 'string') return undefined;
  const pipelines = kept.pipelines;
  if (typeof pipelines !== 'object' || pipelines === null || !ids.every((id) => typeof pipelines[id] === 'object'))
    return undefined;
  // Frozen as resolveSite and loadPipeline leave them.
  for (const id of ids) {
    const pipeline = pipelines[id]!;
    Object.freeze(pipeline.fields);
    Object.freeze(pipeline.logsources);
    Object.freeze(pipeline);
  }
  return kept;
}

/**
 * Whether JSON gives `value` back exactly: plain objects and arrays of strings, booleans, null and finite numbers
 * (not -0), with no undefined member and no `__proto__` key.
 */
export function exactAsJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!(i in value) || !exactAsJson(value[i])) return false;
    return true;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const key of Object.keys(value))
    if (key === '__proto__' || !exactAsJson((value as Record<string, unknown>)[key])) return false;
  // Symbol keys and non-enumerable members would be dropped.
  return (
    Object.getOwnPropertySymbols(value).length === 0 &&
    Object.getOwnPropertyNames(value).length === Object.keys(value).length
  );
}

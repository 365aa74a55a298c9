/**
 * Makes `rulec build` over an unchanged tree close to free: when the rule files, rulec's own code and data, the
 * options and the output folder are all byte-identical to the last successful build, the previous result stands
 * and nothing is compiled. Any difference means a full build (whose output is identical by construction).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../backend/root.js';

export interface CachedBuild {
  readonly inputKey: string;
  readonly outputKey: string;
  /** What the build printed on stderr, replayed on a cached run. */
  readonly report: string;
  readonly exitCode: number;
}

function hashFiles(hash: ReturnType<typeof createHash>, dir: string): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) hashFiles(hash, full);
    else hash.update(full).update('\0').update(readFileSync(full)).update('\0');
  }
}

let codeKey: string | undefined;

/** Hash of rulec itself: its code (built or source), target data and templates, schema and tables. */
export function rulecKey(): string {
  if (codeKey) return codeKey;
  const hash = createHash('sha256');
  const root = packageRoot();
  for (const dir of ['lib', 'src', 'backends', 'schema', 'data']) hashFiles(hash, join(root, dir));
  hash.update(readFileSync(join(root, 'package.json')));
  return (codeKey = hash.digest('hex'));
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

/** Where rulec keeps its caches: the package's node_modules/.cache, the convention of build tools. */
export function cacheDir(): string {
  return join(packageRoot(), 'node_modules', '.cache', 'rulec');
}

function cacheFile(out: string): string {
  return join(cacheDir(), `build-${createHash('sha256').update(out).digest('hex').slice(0, 16)}.json`);
}

export function readCache(out: string): CachedBuild | undefined {
  try {
    return JSON.parse(readFileSync(cacheFile(out), 'utf8')) as CachedBuild;
  } catch {
    return undefined;
  }
}

export function writeCache(out: string, entry: CachedBuild): void {
  try {
    const file = cacheFile(out);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, JSON.stringify(entry));
  } catch {
    // A cache that cannot be written only costs speed next time.
  }
}

/**
 * Runs the CLI's one-script bundle (lib/bundle/cli.cjs, made by scripts/bundle-lib.mjs) with V8's code cache: a
 * short `rulec` spends much of its time compiling rulec's own functions (an in-place build after one rule changed
 * compiled some 100 ms of them), and V8 can keep that compiled code for the next run. Node 20 keeps none for ES
 * modules, so the bundle is a plain script run through `node:vm`, and its cached code sits in the cache folder.
 *
 * The cache file holds the hash of what it was made from (the bundle's text, Node's version, the architecture) and
 * the hash of V8's data before that data: a bundle rebuilt, or another Node, finds a hash that differs and compiles
 * afresh, and so does a damaged file (V8 checks the data's header, not all of its bytes, in a release build). A
 * rejected, missing or unreadable cache only costs the compile; one that cannot be written, the compile next time.
 *
 * V8 keeps the functions compiled by the time the cache is made, so each command has its own cache: a `compile`
 * run first would otherwise leave a cache without the build's functions, kept until the bundle changes.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';

/** The bundle's exports, and `save` to run once the command is done: it then keeps the code compiled by then. */
export interface CachedBundle {
  readonly exports: Record<string, unknown>;
  save(): void;
}

/** The length of each of the two hashes that head a cache file (sha1, hex). */
const HASH_LENGTH = 40;

const sha1 = (data: string | Buffer): string => createHash('sha1').update(data).digest('hex');

/**
 * Runs `file`, a CommonJS script whose `import.meta.url`s were written as `__rulecBundleUrl` relative URLs, with the
 * code cached in `cacheFolder` (one file per bundle path and command, replaced when the bundle changes).
 */
export function runCachedBundle(file: string, cacheFolder: string, command: string | undefined): CachedBundle {
  const source = readFileSync(file, 'utf8');
  const key = sha1(`${process.version}\0${process.arch}\0${source}`);
  const name = command !== undefined && /^[a-z][a-z-]{0,30}$/.test(command) ? command : 'other';
  const cacheFile = join(cacheFolder, `code-${sha1(file).slice(0, 16)}-${name}.bin`);
  const cachedData = readCache(cacheFile, key);
  // The wrapper opens on the script's first line, so line numbers in stack traces stay the bundle's.
  const script = new Script(
    `(function (exports, require, module, __filename, __dirname, __rulecBundleUrl) {${source}\n})`,
    { filename: file, ...(cachedData ? { cachedData } : {}) },
  );
  const module = { exports: {} as Record<string, unknown> };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run(module.exports, createRequire(file), module, file, dirname(file), pathToFileURL(file).href);
  return {
    exports: module.exports,
    save: () => {
      if (cachedData && !script.cachedDataRejected) return;
      writeCache(cacheFile, key, script.createCachedData());
    },
  };
}

function readCache(cacheFile: string, key: string): Buffer | undefined {
  let data: Buffer;
  try {
    data = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const cached = data.subarray(2 * HASH_LENGTH);
  if (cached.length === 0 || data.toString('latin1', 0, HASH_LENGTH) !== key) return undefined;
  return data.toString('latin1', HASH_LENGTH, 2 * HASH_LENGTH) === sha1(cached) ? cached : undefined;
}

/** Written beside and renamed, so another rulec never reads half a cache. */
function writeCache(cacheFile: string, key: string, data: Buffer): void {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(cacheFile), { recursive: true });
    writeFileSync(temporary, Buffer.concat([Buffer.from(key + sha1(data), 'latin1'), data]));
    renameSync(temporary, cacheFile);
  } catch {
    rmSync(temporary, { force: true });
  }
}

#!/usr/bin/env node
// Entry point: wires the target registry (descriptors; each backend loads when a command needs it) into the
// target-agnostic CLI; worker threads load every backend through backends/index. Runs the compiled lib/ (built by
// `npm install` through the prepare script), through its bundle lib/bundle/ when that is at least as new as lib/
// (fewer modules to load: see scripts/bundle-lib.mjs), as the one script lib/bundle/cli.cjs with V8's code cache
// kept in rulec's cache folder (src/cli/code-cache.ts); falls back to the TypeScript sources through tsx in a
// checkout where lib/ has not been built.
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../lib/src/cli/main.js', import.meta.url);
const bundled = new URL('../lib/bundle/main.js', import.meta.url);
const script = new URL('../lib/bundle/cli.cjs', import.meta.url);
let base = '../lib/';
let ext = '.js';
let main = 'src/cli/main';
let io = 'src/cli/io';
let targets = 'backends/targets';
if (!existsSync(compiled) || process.env.RULEC_FROM_SOURCE === '1') {
  const { register } = await import('tsx/esm/api');
  register();
  base = '../';
  ext = '.ts';
} else if (statSync(bundled, { throwIfNoEntry: false })?.mtimeMs >= statSync(compiled).mtimeMs) {
  // A tsc run after the last bundling leaves the bundle older than lib/: it is stale then, and ignored.
  [main, io, targets] = ['bundle/main', 'bundle/io', 'bundle/targets'];
}
const registryModule = new URL(`${base}backends/index${ext}`, import.meta.url).href;
// A whole build without the cache compiles most of rulec anyway: the cached code would save 40 ms of its 9 s and
// add 13 MB to its peak memory (the code of every function it once compiled, deserialized up front).
const short = !process.argv.includes('--no-cache');
if (
  short &&
  main === 'bundle/main' &&
  statSync(script, { throwIfNoEntry: false })?.mtimeMs >= statSync(compiled).mtimeMs
) {
  // The cache folder as build/cache.ts `cacheDir` names it.
  const cacheFolder =
    process.env.RULEC_CACHE_DIR || fileURLToPath(new URL('../node_modules/.cache/rulec', import.meta.url));
  const { runCachedBundle } = await import(new URL('../lib/src/cli/code-cache.js', import.meta.url).href);
  const bundle = runCachedBundle(fileURLToPath(script), cacheFolder, process.argv[2]);
  const { runCli, processIo, TARGETS } = bundle.exports;
  process.exitCode = await runCli(process.argv.slice(2), TARGETS, processIo, { registryModule });
  bundle.save();
} else {
  const { runCli } = await import(new URL(`${base}${main}${ext}`, import.meta.url).href);
  const { processIo } = await import(new URL(`${base}${io}${ext}`, import.meta.url).href);
  const { TARGETS } = await import(new URL(`${base}${targets}${ext}`, import.meta.url).href);
  process.exitCode = await runCli(process.argv.slice(2), TARGETS, processIo, { registryModule });
}

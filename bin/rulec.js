#!/usr/bin/env node
// Entry point: wires the target registry (descriptors; each backend loads when a command needs it) into the
// target-agnostic CLI; worker threads load every backend through backends/index. Runs the compiled lib/ (built by
// `npm install` through the prepare script), through its bundle lib/bundle/ when that is at least as new as lib/
// (fewer modules to load: see scripts/bundle-lib.mjs); falls back to the TypeScript sources through tsx in a
// checkout where lib/ has not been built.
import { existsSync, statSync } from 'node:fs';

const compiled = new URL('../lib/src/cli/main.js', import.meta.url);
const bundled = new URL('../lib/bundle/main.js', import.meta.url);
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
const { runCli } = await import(new URL(`${base}${main}${ext}`, import.meta.url).href);
const { processIo } = await import(new URL(`${base}${io}${ext}`, import.meta.url).href);
const registryModule = new URL(`${base}backends/index${ext}`, import.meta.url).href;
const { TARGETS } = await import(new URL(`${base}${targets}${ext}`, import.meta.url).href);
process.exitCode = await runCli(process.argv.slice(2), TARGETS, processIo, { registryModule });

#!/usr/bin/env node
// Entry point: wires the target registry (descriptors; each backend loads when a command needs it) into the
// target-agnostic CLI; worker threads load every backend through backends/index. Runs the compiled lib/ (built by
// `npm install` through the prepare script); falls back to the TypeScript sources through tsx in a checkout
// where lib/ has not been built.
import { existsSync } from 'node:fs';

const compiled = new URL('../lib/src/cli/main.js', import.meta.url);
let base = '../lib/';
let ext = '.js';
if (!existsSync(compiled) || process.env.RULEC_FROM_SOURCE === '1') {
  const { register } = await import('tsx/esm/api');
  register();
  base = '../';
  ext = '.ts';
}
const { runCli } = await import(new URL(`${base}src/cli/main${ext}`, import.meta.url).href);
const { processIo } = await import(new URL(`${base}src/cli/io${ext}`, import.meta.url).href);
const registryModule = new URL(`${base}backends/index${ext}`, import.meta.url).href;
const { TARGETS } = await import(new URL(`${base}backends/targets${ext}`, import.meta.url).href);
process.exitCode = await runCli(process.argv.slice(2), TARGETS, processIo, { registryModule });

/**
 * The script bundle's code cache (src/cli/code-cache.ts): kept after a run, used by the next, and never trusted
 * when it was made from another script or is damaged.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCachedBundle } from '../../src/cli/code-cache.js';

const script = (value: number): string =>
  `exports.value = function () { return ${value}; };\nexports.url = __rulecBundleUrl;\n`;

function setUp(value: number): { file: string; cache: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rulec-code-cache-'));
  const file = join(dir, 'cli.cjs');
  writeFileSync(file, script(value));
  return { file, cache: join(dir, 'cache') };
}

function cacheFiles(cache: string): string[] {
  return readdirSync(cache).map((name) => join(cache, name));
}

describe('runCachedBundle', () => {
  it('runs the script and keeps its code per command', () => {
    const { file, cache } = setUp(1);
    const first = runCachedBundle(file, cache, 'build');
    expect((first.exports.value as () => number)()).toBe(1);
    expect(first.exports.url).toMatch(/^file:.*cli\.cjs$/);
    first.save();
    const [kept] = cacheFiles(cache);
    expect(kept).toMatch(/-build\.bin$/);
    const stamp = statSync(kept!).mtimeMs;
    const bytes = readFileSync(kept!);
    // The next run takes the cache as it is: nothing written again.
    const second = runCachedBundle(file, cache, 'build');
    expect((second.exports.value as () => number)()).toBe(1);
    second.save();
    expect(statSync(kept!).mtimeMs).toBe(stamp);
    expect(readFileSync(kept!).equals(bytes)).toBe(true);
    // Another command has its own cache.
    runCachedBundle(file, cache, 'compile').save();
    expect(cacheFiles(cache)).toHaveLength(2);
  });

  it('compiles afresh a script that changed, and replaces its cache', () => {
    const { file, cache } = setUp(1);
    runCachedBundle(file, cache, 'build').save();
    const [kept] = cacheFiles(cache);
    const before = readFileSync(kept!);
    // Same length, other code: a cache keyed by length alone would run the old function.
    writeFileSync(file, script(2));
    const changed = runCachedBundle(file, cache, 'build');
    expect((changed.exports.value as () => number)()).toBe(2);
    changed.save();
    expect(readFileSync(kept!).equals(before)).toBe(false);
  });

  it('runs with a damaged cache, and replaces it', () => {
    const { file, cache } = setUp(3);
    runCachedBundle(file, cache, 'build').save();
    const [kept] = cacheFiles(cache);
    const good = readFileSync(kept!);
    const damaged = Buffer.concat([good.subarray(0, 80), Buffer.alloc(good.length - 80, 7)]);
    writeFileSync(kept!, damaged);
    const run = runCachedBundle(file, cache, 'build');
    expect((run.exports.value as () => number)()).toBe(3);
    run.save();
    expect(readFileSync(kept!).equals(damaged)).toBe(false);
  });
});

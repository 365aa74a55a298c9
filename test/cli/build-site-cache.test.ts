/**
 * The built-in site kept in the cache folder for cached builds (src/build/site-cache.ts): it is keyed by rulec's own
 * key (which hashes its pipeline and profile files) and the targets, gives back exactly what resolving gives, and
 * keeps nothing JSON would not give back exactly, nor a site with diagnostics.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import type * as CacheModule from '../../src/build/cache.js';
import { builtinSite, exactAsJson } from '../../src/build/site-cache.js';
import type { Site } from '../../src/config/site.js';
import { openConfig, resolveSite } from '../../src/config/site.js';

const codeKey = vi.hoisted(() => ({ value: 'rulec 1' }));
vi.mock('../../src/build/cache.js', async (importOriginal) => {
  const actual = await importOriginal<typeof CacheModule>();
  return { ...actual, rulecKey: () => codeKey.value };
});

let cache: string;
const saved = process.env.RULEC_CACHE_DIR;
beforeEach(() => {
  cache = mkdtempSync(join(tmpdir(), 'rulec-site-cache-'));
  process.env.RULEC_CACHE_DIR = cache;
  codeKey.value = 'rulec 1';
});
afterEach(() => {
  process.env.RULEC_CACHE_DIR = saved;
  rmSync(cache, { recursive: true, force: true });
});

const IDS = ['elastic', 'splunk'];
const resolved = (ids: readonly string[] = IDS): Site =>
  resolveSite(BACKENDS, ids, { cwd: cache }, openConfig(BACKENDS, { cwd: cache }));

describe('the built-in site kept for cached builds', () => {
  it('is resolved once, then read back equal, with the same key, until rulec or the targets change', () => {
    let calls = 0;
    const resolve =
      (ids: readonly string[] = IDS) =>
      () => (calls++, resolved(ids));
    const first = builtinSite(IDS, resolve())!;
    expect(calls).toBe(1);
    const again = builtinSite(IDS, resolve())!;
    expect(calls).toBe(1);
    expect(again.key).toBe(first.key);
    expect(again.pipelines).toEqual(first.pipelines);
    expect(JSON.stringify(again.pipelines)).toBe(JSON.stringify(first.pipelines));
    expect(Object.isFrozen(again.pipelines['elastic'])).toBe(true);
    // Another rulec (its pipeline files are part of its key), other targets: resolved again.
    codeKey.value = 'rulec 2';
    builtinSite(IDS, resolve());
    expect(calls).toBe(2);
    builtinSite(['elastic'], resolve(['elastic']));
    expect(calls).toBe(3);
    builtinSite(['elastic'], resolve(['elastic']));
    expect(calls).toBe(3);
  });

  it('keeps no site with diagnostics, none that failed, and none JSON would not give back exactly', () => {
    const site = resolved();
    const warned: Site = { ...site, diagnostics: [{ code: 'RC600', severity: 'warning', message: 'w' }] };
    expect(builtinSite(IDS, () => warned)).toBe(warned);
    expect(builtinSite(IDS, () => undefined)).toBeUndefined();
    const odd: Site = {
      ...site,
      pipelines: { ...site.pipelines, elastic: { ...site.pipelines['elastic']!, x: undefined } as never },
    };
    expect(builtinSite(IDS, () => odd)).toBe(odd);
    expect(readdirSync(cache)).toEqual([]);
  });

  it('tells data JSON gives back exactly from data it does not', () => {
    expect(exactAsJson({ a: [1, 'b', null, true, { c: 2.5 }] })).toBe(true);
    for (const value of [{ a: undefined }, [1, , 2], -0, Number.NaN, new Map(), new Date(0), /x/, () => 1, 1n])
      expect(exactAsJson(value)).toBe(false);
    expect(exactAsJson(JSON.parse('{"__proto__": 1}'))).toBe(false);
    expect(exactAsJson(Object.defineProperty({}, 'hidden', { value: 1, enumerable: false }))).toBe(false);
  });
});

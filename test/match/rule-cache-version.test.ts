/**
 * The rule cache of `rulec match` is keyed by rulec itself (build/cache.ts `rulecKey`: its code, data and version):
 * an entry written by another rulec is not used, and is replaced by one of this rulec's key.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Cache from '../../src/build/cache.js';
import { loadRules } from '../../src/match/load-rules.js';
import { loadRulesCached } from '../../src/match/rule-cache.js';

/** The rulec version key the cache sees (the real one hashes this checkout's files, which a test cannot change). */
const version = vi.hoisted(() => ({ key: 'rulec 1' }));
vi.mock('../../src/build/cache.js', async (importOriginal) => ({
  ...(await importOriginal<typeof Cache>()),
  rulecKey: () => version.key,
}));

let dir: string;
let previous: string | undefined;

beforeEach(() => {
  previous = process.env.RULEC_CACHE_DIR;
  dir = mkdtempSync(join(tmpdir(), 'rulec-rule-cache-version-'));
  process.env.RULEC_CACHE_DIR = join(dir, 'cache');
  mkdirSync(join(dir, 'rules'));
  writeFileSync(
    join(dir, 'rules', 'a.yml'),
    'title: Rule a\nlogsource: {product: windows, category: process_creation}\n' +
      "detection: {selection: {Image|endswith: '\\a.exe'}, condition: selection}\n",
  );
  version.key = 'rulec 1';
});
afterEach(() => {
  process.env.RULEC_CACHE_DIR = previous;
  rmSync(dir, { recursive: true, force: true });
});

const entry = (): Buffer => {
  const names = readdirSync(join(dir, 'cache')).filter((n) => n.startsWith('rules-'));
  expect(names.length).toBe(1);
  return readFileSync(join(dir, 'cache', names[0]!));
};

describe('the rule cache and the rulec version', () => {
  it('reads the rules afresh under another rulec version key and rewrites the entry with it', () => {
    const rules = [join(dir, 'rules')];
    const fresh = loadRules(rules);
    expect(loadRulesCached(rules).cached).toBe(false);
    expect(loadRulesCached(rules).cached).toBe(true);
    const written = entry();

    version.key = 'rulec 2';
    const other = loadRulesCached(rules);
    expect(other.cached).toBe(false);
    expect(JSON.stringify(other.rules)).toBe(JSON.stringify(fresh.rules));
    const rewritten = entry();
    expect(rewritten.equals(written)).toBe(false);
    // The header (magic, format, key) changed; the rules it holds did not.
    expect(rewritten.subarray(rewritten.indexOf(0x0a))).toEqual(written.subarray(written.indexOf(0x0a)));
    expect(loadRulesCached(rules).cached).toBe(true);

    // The first version's entry is gone: going back reads afresh too.
    version.key = 'rulec 1';
    expect(loadRulesCached(rules).cached).toBe(false);
    expect(entry().equals(written)).toBe(true);
  });
});

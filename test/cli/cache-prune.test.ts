import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheDir, pruneStaleCacheFiles, readCache, STALE_AFTER_MS, writeCache } from '../../src/build/cache.js';
import { runRulec } from '../helpers/run-rulec.js';

const day = 24 * 3600 * 1000;
let dir: string;
let previous: string | undefined;

beforeEach(() => {
  previous = process.env.RULEC_CACHE_DIR;
  dir = mkdtempSync(join(tmpdir(), 'rulec-prune-'));
  process.env.RULEC_CACHE_DIR = dir;
});
afterEach(() => {
  process.env.RULEC_CACHE_DIR = previous;
  rmSync(dir, { recursive: true, force: true });
});

function aged(name: string, ageMs: number): string {
  const file = join(dir, name);
  writeFileSync(file, 'x');
  const when = new Date(Date.now() - ageMs);
  utimesSync(file, when, when);
  return file;
}

describe('the cache folder', () => {
  it('is RULEC_CACHE_DIR when set', () => {
    expect(cacheDir()).toBe(dir);
  });

  it('loses the cache files nobody used for 30 days, and only those', () => {
    aged('results-0000000000000001.bin', STALE_AFTER_MS + day);
    aged('tree-0000000000000001.json', STALE_AFTER_MS + day);
    aged('build-0000000000000001.json', STALE_AFTER_MS + day);
    aged('results-0000000000000002.bin', STALE_AFTER_MS - day);
    aged('notes.txt', STALE_AFTER_MS + day);
    pruneStaleCacheFiles();
    expect(readdirSync(dir).sort()).toEqual(['notes.txt', 'results-0000000000000002.bin']);
  });

  it('keeps a file that is read: reading marks it used', () => {
    const out = resolve(dir, 'out');
    writeCache(out, { inputKey: 'k', outputKey: 'o', report: '', exitCode: 0 });
    const file = readdirSync(dir).find((n) => n.startsWith('build-'))!;
    const when = new Date(Date.now() - STALE_AFTER_MS - day);
    utimesSync(join(dir, file), when, when);
    expect(readCache(out)?.inputKey).toBe('k');
    pruneStaleCacheFiles();
    expect(existsSync(join(dir, file))).toBe(true);
  });

  it('is where `rulec build` writes its caches, pruning stale files as it goes', () => {
    const stale = aged('results-00000000000000ff.bin', STALE_AFTER_MS + day);
    const rules = join(dir, 'rules');
    mkdirSync(rules);
    writeFileSync(
      join(rules, 'r.yml'),
      [
        'title: Prune test',
        'id: 6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b',
        'status: test',
        'logsource: { product: windows, category: process_creation }',
        'detection:',
        '  sel: { Image|endswith: \\\\calc.exe }',
        '  condition: sel',
        'level: low',
        '',
      ].join('\n'),
    );
    const out = join(dir, 'dist');
    const result = runRulec(['build', rules, '--out', out, '--target', 'splunk']);
    expect(result.stderr).not.toMatch(/error\[/);
    expect(result.status).toBe(0);
    const names = readdirSync(dir);
    expect(names.some((n) => n.startsWith('results-'))).toBe(true);
    expect(names.some((n) => n.startsWith('build-'))).toBe(true);
    expect(existsSync(stale)).toBe(false);
  });
});

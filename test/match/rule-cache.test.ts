/**
 * The compiled-rule-set cache of `rulec match` (src/match/rule-cache.ts): a second load of the same files gives
 * what reading them afresh gives (rules, meta-rules, diagnostics in order, code-frame texts), and any change to a
 * file, to the set of files or to the entry itself reads the rules afresh.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STALE_AFTER_MS } from '../../src/build/cache.js';
import { loadRules } from '../../src/match/load-rules.js';
import { loadRulesCached, slimRules } from '../../src/match/rule-cache.js';
import { runRulec } from '../helpers/run-rulec.js';

let dir: string;
let rules: string;
let previous: string | undefined;

const rule = (title: string, image: string): string =>
  // Text past ASCII (the entry escapes it) and past the BMP.
  `title: ${title}\nname: ${title.replace(/ /g, '_')}\ndescription: Détecte ✓ 😀\nlogsource: {product: windows, category: process_creation}\n` +
  `detection: {selection: {Image|endswith: '${image}'}, condition: selection}\n`;

beforeEach(() => {
  previous = process.env.RULEC_CACHE_DIR;
  dir = mkdtempSync(join(tmpdir(), 'rulec-rule-cache-'));
  process.env.RULEC_CACHE_DIR = join(dir, 'cache');
  rules = join(dir, 'rules');
  mkdirSync(rules);
  writeFileSync(join(rules, 'a.yml'), rule('Rule a', '\\a.exe'));
  writeFileSync(join(rules, 'b.yml'), rule('Rule b', '\\b.exe'));
  // An invalid rule beside a valid one (code frame) and a correlation rule: both keep the file's text.
  writeFileSync(
    join(rules, 'f.yml'),
    `${rule('Rule f', '\\f.exe')}---\n${rule('Rule g', '\\g.exe')}status: nonsense\n`,
  );
  writeFileSync(
    join(rules, 'c.yml'),
    `title: Many a\ncorrelation: {type: event_count, rules: [Rule_a], group-by: [Computer], timespan: 1h, condition: {gte: 3}}\n`,
  );
  // Not a rule: a broken file, reported on every load.
  writeFileSync(join(rules, 'd.yml'), 'title: [unclosed\n');
});
afterEach(() => {
  process.env.RULEC_CACHE_DIR = previous;
  rmSync(dir, { recursive: true, force: true });
});

const entries = () => readdirSync(join(dir, 'cache')).filter((n) => n.startsWith('rules-'));

describe('the rule cache of rulec match', () => {
  it('gives back what reading the files gives, from the second load on', () => {
    const fresh = loadRules([rules]);
    const first = loadRulesCached([rules]);
    const second = loadRulesCached([rules]);
    expect(first.cached).toBe(false);
    expect(second.cached).toBe(true);
    const { cached: _, slimJson: _json, ...again } = second;
    expect(again).toEqual(fresh);
    // Key order too (the documents are stored apart), and the workers' text is theirs.
    expect(JSON.stringify(second.rules)).toBe(JSON.stringify(fresh.rules));
    expect(JSON.parse(second.slimJson!)).toEqual(JSON.parse(first.slimJson!));
    expect(JSON.parse(first.slimJson!)).toEqual(slimRules(fresh.rules));
    expect(fresh.correlations.length).toBe(1);
    expect(second.rules[0]!.description).toBe('Détecte ✓ 😀');
    expect(fresh.diagnostics.length).toBeGreaterThan(0);
    expect([...second.sources.keys()].sort()).toEqual([...fresh.sources.keys()].sort());
    expect(entries().length).toBe(1);
  });

  it('reads afresh when a file changes, appears or goes', () => {
    loadRulesCached([rules]);
    writeFileSync(join(rules, 'a.yml'), rule('Rule a', '\\changed.exe'));
    const changed = loadRulesCached([rules]);
    expect(changed.cached).toBe(false);
    expect(JSON.stringify(changed.rules)).toContain('changed.exe');
    expect(loadRulesCached([rules]).cached).toBe(true);
    writeFileSync(join(rules, 'e.yml'), rule('Rule e', '\\e.exe'));
    expect(loadRulesCached([rules]).rules.map((r) => r.title)).toContain('Rule e');
    rmSync(join(rules, 'e.yml'));
    const gone = loadRulesCached([rules]);
    expect(gone.cached).toBe(false);
    expect(gone.rules.map((r) => r.title)).not.toContain('Rule e');
    // One entry per set of paths, replaced.
    expect(entries().length).toBe(1);
  });

  it('ignores a damaged entry and writes nothing with the cache off', () => {
    loadRulesCached([rules]);
    const file = join(dir, 'cache', entries()[0]!);
    writeFileSync(file, 'rulec-rules garbage\n{');
    expect(loadRulesCached([rules]).cached).toBe(false);
    expect(loadRulesCached([rules]).cached).toBe(true);
    rmSync(join(dir, 'cache'), { recursive: true });
    const off = loadRulesCached([rules], false);
    expect(off.cached).toBe(false);
    expect(loadRulesCached([rules], false).cached).toBe(false);
    expect(existsSync(join(dir, 'cache'))).toBe(false);
  });

  it('is not written while a file cannot be read', () => {
    const missing = join(rules, 'missing.yml');
    const loaded = loadRulesCached([rules, missing]);
    expect(loaded.diagnostics.some((d) => d.file === missing)).toBe(true);
    expect(loadRulesCached([rules, missing]).cached).toBe(false);
  });

  it('prunes its stale entries when it writes one, and only its own', () => {
    mkdirSync(join(dir, 'cache'));
    const old = new Date(Date.now() - STALE_AFTER_MS - 24 * 3600 * 1000);
    for (const name of ['rules-00000000000000ff.bin', 'results-00000000000000ff.bin']) {
      writeFileSync(join(dir, 'cache', name), 'x');
      utimesSync(join(dir, 'cache', name), old, old);
    }
    loadRulesCached([rules]);
    expect(existsSync(join(dir, 'cache', 'rules-00000000000000ff.bin'))).toBe(false);
    expect(existsSync(join(dir, 'cache', 'results-00000000000000ff.bin'))).toBe(true);
    expect(entries().length).toBe(1);
  });

  it('leaves what rulec match prints unchanged, and --no-cache neither reads nor writes it', () => {
    const events = join(dir, 'events.ndjson');
    const event = (image: string) =>
      JSON.stringify({ Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, Image: image, Computer: 'pc' });
    writeFileSync(events, `${[event('C:\\a.exe'), event('C:\\b.exe'), event('C:\\a.exe')].join('\n')}\n`);
    const env = { RULEC_CACHE_DIR: join(dir, 'cache') };
    const run = (...extra: string[]) => runRulec(['match', ...extra, '--rules', rules, events], { env });
    const stable = (stderr: string) => stderr.replace(/ in [\d.]+ s \(\d+ events\/s\)/, '');
    const off = run('--no-cache');
    expect(existsSync(join(dir, 'cache'))).toBe(false);
    expect(off.stdout).toContain('b.exe');
    expect(off.stderr).toMatch(/RC103.*\n --> .*f\.yml/);
    const first = run();
    expect(entries().length).toBe(1);
    const second = run();
    for (const r of [first, second]) {
      expect(r.status).toBe(off.status);
      expect(r.stdout).toBe(off.stdout);
      expect(stable(r.stderr)).toBe(stable(off.stderr));
    }
  }, 60_000);
});

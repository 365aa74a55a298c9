/**
 * Scoped builds through the real binary (issue 10 §1, §3): paths and --targets limit what is built and what is
 * removed; combined files keep every rule of the output; a build that finds nothing, or is given a path that does
 * not exist, writes nothing and prints no stack.
 */
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { id, snapshot, writeRule } from '../helpers/build-fixtures.js';
import { runRulec } from '../helpers/run-rulec.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rulec-build-scope-'));
  // Two folders of rules: a/ holds two, b/ one.
  writeRule(dir, 'rules/a/one.yml', { id: id(1), title: 'Rule one' });
  writeRule(dir, 'rules/a/two.yml', { id: id(2), title: 'Rule two' });
  writeRule(dir, 'rules/b/three.yml', { id: id(3), title: 'Rule three' });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const build = (...args: string[]) => runRulec(['build', '--no-cache', ...args], { cwd: dir });
const files = (tree: Map<string, string>, target: string): string[] =>
  [...tree.keys()].filter((p) => p.startsWith(`${target}/`)).sort();
const noStack = (stderr: string): void => {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toContain('ENOENT');
};

describe('rulec build: scope', () => {
  it('a build of one folder keeps the other folders’ files, and combined files still hold every rule', () => {
    expect(build('rules', '--out', 'dist').status).toBe(0);
    const full = snapshot(join(dir, 'dist'));
    // Rebuilding a/ after editing one of its rules touches only that rule's files and the combined files.
    writeRule(dir, 'rules/a/one.yml', { id: id(1), title: 'Rule one, renamed' });
    const run = build('rules/a', '--out', 'dist');
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/0 added, \d+ changed, 0 removed/);
    const after = snapshot(join(dir, 'dist'));
    expect([...after.keys()]).toEqual([...full.keys()]);
    for (const target of ['elastic', 'sentinel', 'splunk', 'js'])
      for (const path of files(full, target).filter((p) => p.includes(id(3)) || p.includes(id(2))))
        expect(after.get(path), path).toBe(full.get(path));
    const ndjson = after.get('elastic/rules.ndjson')!.trim().split('\n');
    expect(ndjson.map((l) => (JSON.parse(l) as { rule_id: string }).rule_id)).toEqual([id(1), id(2), id(3)]);
    expect(after.get('splunk/savedsearches.conf')).toContain('[rulec - Rule three - Rule]');
    expect(after.get('splunk/savedsearches.conf')).toContain('[rulec - Rule one, renamed - Rule]');
    expect(after.get('js/index.js')).toContain(`./${id(3)}.js`);
    // And it is exactly what a full build makes.
    expect(build('rules', '--out', 'dist', '--check').status).toBe(0);
  });

  it('--targets limits what is removed: other targets keep their files', () => {
    expect(build('rules', '--out', 'dist').status).toBe(0);
    const full = snapshot(join(dir, 'dist'));
    unlinkSync(join(dir, 'rules/b/three.yml'));
    const run = build('rules', '-t', 'elastic', '--out', 'dist');
    expect(run.status).toBe(0);
    const after = snapshot(join(dir, 'dist'));
    expect(files(after, 'elastic').some((p) => p.includes(id(3)))).toBe(false);
    expect(after.get('elastic/rules.ndjson')).not.toContain(id(3));
    for (const target of ['sentinel', 'splunk', 'js'])
      for (const path of files(full, target)) expect(after.get(path), path).toBe(full.get(path));
  });

  it('a rule file gone from a built folder loses its files; a rule outside the scope keeps them as built', () => {
    expect(build('rules', '--out', 'dist').status).toBe(0);
    const full = snapshot(join(dir, 'dist'));
    unlinkSync(join(dir, 'rules/a/two.yml'));
    // Edited but not rebuilt: its files and its line in the combined files stay as they were built.
    writeRule(dir, 'rules/b/three.yml', { id: id(3), title: 'Rule three, edited' });
    const run = build('rules/a', '--out', 'dist');
    expect(run.status).toBe(0);
    const after = snapshot(join(dir, 'dist'));
    expect([...after.keys()].filter((p) => p.includes(id(2)))).toEqual([]);
    for (const path of [...full.keys()].filter((p) => p.includes(id(3)))) expect(after.get(path)).toBe(full.get(path));
    expect(after.get('splunk/savedsearches.conf')).toContain('[rulec - Rule three - Rule]');
    expect(after.get('splunk/savedsearches.conf')).not.toContain('edited');
    expect(after.get('js/index.js')).not.toContain(id(2));
    // --check is scoped the same way: a/ is up to date even though b/ changed on disk.
    expect(build('rules/a', '--out', 'dist', '--check').status).toBe(0);
    const whole = build('rules', '--out', 'dist', '--check');
    expect(whole.status).toBe(1);
    expect(whole.stdout).toContain(`differs  elastic/${id(3)}.json`);
  });

  it('a folder without rules refuses (RC031) and writes nothing', () => {
    expect(build('rules', '--out', 'dist').status).toBe(0);
    const before = snapshot(join(dir, 'dist'));
    mkdirSync(join(dir, 'empty'));
    writeFileSync(join(dir, 'empty', 'notes.txt'), 'not a rule\n');
    const run = build('empty', '--out', 'dist');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('error[RC031]');
    noStack(run.stderr);
    expect(snapshot(join(dir, 'dist'))).toEqual(before);
  });

  it('a path that does not exist is RC030 before anything is written, with the cache on, and no stack', () => {
    expect(build('rules', '--out', 'dist').status).toBe(0);
    const before = snapshot(join(dir, 'dist'));
    for (const missing of ['rule/', 'rules/nope.yml']) {
      const run = runRulec(['build', missing, '--out', 'dist'], { cwd: dir });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`error[RC030]: no such file or folder: '${missing}'`);
      expect(run.stderr).toContain(`--> ${missing}`);
      noStack(run.stderr);
      expect(snapshot(join(dir, 'dist'))).toEqual(before);
    }
  });

  it('the cache is keyed on the scope: the same rule files given as a folder are a different build', () => {
    const cached = (...args: string[]) => runRulec(['build', ...args], { cwd: dir });
    expect(cached('rules', '--out', 'dist').status).toBe(0);
    unlinkSync(join(dir, 'rules/a/two.yml'));
    // Given as files, a/ is not a built folder: the deleted rule's files stay.
    expect(cached('rules/a/one.yml', 'rules/b/three.yml', '--out', 'dist').status).toBe(0);
    expect(snapshot(join(dir, 'dist')).has(`elastic/${id(2)}.json`)).toBe(true);
    // The same two files found through their folders: a/ is built now, so they go; not a replay of the last run.
    const run = cached('rules/a', 'rules/b', '--out', 'dist');
    expect(run.status).toBe(0);
    expect(run.stderr).not.toContain('(cached)');
    expect(snapshot(join(dir, 'dist')).has(`elastic/${id(2)}.json`)).toBe(false);
  });

  it('a folder from before the record keeps files no rule makes, with RC916, streamed or cached', () => {
    const cached = (...args: string[]) => runRulec(['build', ...args], { cwd: dir });
    for (const run of [build, cached]) {
      expect(build('rules', '--out', 'dist').status).toBe(0);
      // A folder an older rulec wrote has no record: a file no rule makes may be any rule's, so it is kept.
      unlinkSync(join(dir, 'dist', '.rulec-output'));
      writeFileSync(join(dir, 'dist', 'elastic', 'hand-made.json'), '{}\n');
      const result = run('rules', '--out', 'dist');
      expect(result.status).toBe(0);
      expect(result.stderr).toContain(
        "warning[RC916]: 1 file(s) in elastic/ predate the folder's record and were kept (e.g. hand-made.json)",
      );
      expect(snapshot(join(dir, 'dist')).get('elastic/hand-made.json')).toBe('{}\n');
      rmSync(join(dir, 'dist'), { recursive: true });
    }
  });

  it('compile on a missing file is the same located RC030', () => {
    const run = runRulec(['compile', '-t', 'elastic', 'rules/nope.yml'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("error[RC030]: no such file or folder: 'rules/nope.yml'");
    expect(run.stderr).not.toContain('RC903');
    noStack(run.stderr);
  });
});

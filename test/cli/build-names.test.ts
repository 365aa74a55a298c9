/**
 * What must be unique in an output (issue 10 §3, issue 11 §6), through the real binary: rule ids, the names
 * deployed from titles, and generated file names; and a build with errors writes nothing unless asked to.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { caseCollisions } from '../../src/build/identity.js';
import { id, snapshot, writeRule } from '../helpers/build-fixtures.js';
import { REPO_ROOT, runRulec } from '../helpers/run-rulec.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rulec-build-names-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const count = (text: string, needle: string): number => text.split(needle).length - 1;

describe('duplicate ids', () => {
  it('validate, compile and build each report one located RC906 naming both files; build writes nothing', () => {
    writeRule(dir, 'rules/a.yml', { id: id(1), title: 'First' });
    writeRule(dir, 'rules/b.yml', { id: id(1), title: 'Second' });
    const runs = {
      validate: runRulec(['validate', 'rules'], { cwd: dir }),
      compile: runRulec(['compile', '-t', 'splunk', 'rules'], { cwd: dir }),
      build: runRulec(['build', 'rules', '--out', 'dist'], { cwd: dir }),
    };
    for (const [command, run] of Object.entries(runs)) {
      expect(run.status, command).toBe(1);
      expect(count(run.stderr, 'error[RC906]'), command).toBe(1);
      expect(run.stderr, command).toContain(`error[RC906]: id '${id(1)}' is also the id of the rule in rules/a.yml`);
      expect(run.stderr, command).toContain('--> rules/b.yml:3:5');
      expect(run.stderr, command).not.toContain('RC905');
    }
    expect(existsSync(join(dir, 'dist'))).toBe(false);
    expect(runs.build.stderr).toContain('error[RC913]: nothing written');
  });

  it('ids differing only in letter case are the same id', () => {
    writeRule(dir, 'rules/a.yml', { id: 'ABCDEF01-0000-4000-8000-000000000001', title: 'First' });
    writeRule(dir, 'rules/b.yml', { id: 'abcdef01-0000-4000-8000-000000000001', title: 'Second' });
    const run = runRulec(['build', 'rules', '--out', 'dist'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('differs only in letter case');
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });
});

describe('duplicate titles and reserved file names', () => {
  it('a shared title is a warning naming both files, and every target gets distinct names', () => {
    writeRule(dir, 'rules/a.yml', { id: id(1), title: 'Same title' });
    writeRule(dir, 'rules/b.yml', { id: id(2), title: 'Same title' });
    // Rules whose file names are a target's own files.
    writeRule(dir, 'rules/runtime.yml', { id: null, title: 'Named runtime' });
    writeRule(dir, 'rules/savedsearches.yml', { id: null, title: 'Named savedsearches' });
    const run = runRulec(['build', 'rules', '--out', 'dist'], { cwd: dir });
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain(
      "warning[RC907]: title 'Same title' is also the title of the rule in rules/a.yml: deployed as 'Same title (",
    );
    expect(run.stderr).toContain('--> rules/b.yml:2:8');
    expect(run.stderr).toMatch(/4 rule\(s\), 0 with errors/);
    const out = snapshot(join(dir, 'dist'));
    const conf = out.get('splunk/savedsearches.conf')!;
    expect(conf).toContain('[rulec - Same title - Rule]');
    expect(conf).toContain(`[rulec - Same title (${id(2)}) - Rule]`);
    expect(conf).toContain('[rulec - Named savedsearches - Rule]');
    expect(conf).toContain('[rulec - Named runtime - Rule]');
    const names = [id(1), id(2)].map((n) => (JSON.parse(out.get(`elastic/${n}.json`)!) as { name: string }).name);
    expect(new Set(names).size).toBe(2);
    const display = [id(1), id(2)].map((n) => /^name: (.*)$/m.exec(out.get(`sentinel/${n}.yaml`)!)?.[1]);
    expect(new Set(display).size).toBe(2);
    // The target's own files are intact; the rules' files step aside.
    const runtime = readFileSync(join(REPO_ROOT, 'backends/js/runtime/runtime.js'), 'utf8');
    expect(out.get('js/runtime.js')!.trim()).toBe(runtime.trim());
    expect(out.has('js/rule-runtime.js')).toBe(true);
    expect(out.has('splunk/rule-savedsearches.conf')).toBe(true);
    expect(out.get('js/index.js')).toContain('./rule-runtime.js');
  });
});

describe('errors write nothing unless asked', () => {
  it('a tree with a bad file writes nothing and keeps the previous output; --allow-errors writes the rest', () => {
    writeRule(dir, 'rules/good.yml', { id: id(1), title: 'Good' });
    expect(runRulec(['build', 'rules', '--out', 'dist'], { cwd: dir }).status).toBe(0);
    const before = snapshot(join(dir, 'dist'));
    writeRule(dir, 'rules/good.yml', { id: id(1), title: 'Good, edited' });
    writeFileSync(join(dir, 'rules/bad.yml'), 'title: [unclosed\n');
    const run = runRulec(['build', 'rules', '--out', 'dist'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('error[RC913]: nothing written');
    expect(run.stderr).toMatch(/2 file\(s\), 1 rule\(s\), 1 with errors/);
    expect(snapshot(join(dir, 'dist'))).toEqual(before);
    const allowed = runRulec(['build', 'rules', '--out', 'dist', '--allow-errors'], { cwd: dir });
    expect(allowed.status).toBe(1);
    expect(snapshot(join(dir, 'dist')).get(`elastic/${id(1)}.json`)).toContain('Good, edited');
  });

  it('a target refusal counts in the summary and blocks writing unless --allow-refusals', () => {
    // No Sentinel table for this logsource: Sentinel refuses, the other targets compile.
    writeRule(dir, 'rules/odd.yml', { id: id(1), title: 'Odd' });
    const file = join(dir, 'rules/odd.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('service: audit', 'service: nosuchservice'));
    const run = runRulec(['build', 'rules', '--out', 'dist', '--quiet'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/1 file\(s\), 1 rule\(s\), 1 with errors/);
    expect(existsSync(join(dir, 'dist'))).toBe(false);
    const allowed = runRulec(['build', 'rules', '--out', 'dist', '--quiet', '--allow-refusals'], { cwd: dir });
    expect(allowed.status).toBe(0);
    expect(existsSync(join(dir, 'dist', 'elastic', `${id(1)}.json`))).toBe(true);
    expect(existsSync(join(dir, 'dist', 'sentinel'))).toBe(false);
  });
});

describe('caseCollisions', () => {
  it('finds paths that differ only in letter case and names the rules behind them', () => {
    const found = caseCollisions(
      ['elastic/Abc.json', 'elastic/abc.json', 'elastic/x.json'],
      new Map([
        ['elastic/Abc.json', 'rules/one.yml'],
        ['elastic/abc.json', 'rules/two.yml'],
      ]),
      'elastic',
    );
    expect(found).toHaveLength(1);
    expect(found[0]!.code).toBe('RC908');
    expect(found[0]!.message).toContain('rules/one.yml');
    expect(found[0]!.message).toContain('rules/two.yml');
  });
});

/**
 * `rulec build --out` only replaces a folder rulec made (issue 11 §5), through the real binary: a repository, the
 * working folder or a user's folder is refused before anything is written, system folders are never walked, and
 * an output from before the record file (today's committed dist-rules) is still accepted.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkOutputFolder } from '../../src/build/output-folder.js';
import { SEED_FILE, snapshot, writeRule } from '../helpers/build-fixtures.js';
import { REPO_ROOT, runRulec } from '../helpers/run-rulec.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rulec-build-out-'));
  writeRule(dir, 'rules/seed.yml');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const build = (...args: string[]) => runRulec(['build', '--no-cache', 'rules', ...args], { cwd: dir });

describe('rulec build --out', () => {
  it('refuses a repository, the working folder and a user folder, and writes nothing', () => {
    const repo = join(dir, 'repo');
    mkdirSync(join(repo, '.git'), { recursive: true });
    writeFileSync(join(repo, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(repo, 'main.c'), 'int main(void) { return 0; }\n');
    const user = join(dir, 'mine');
    mkdirSync(user);
    writeFileSync(join(user, 'README.md'), '# my notes\n');
    const before = snapshot(dir);
    for (const out of ['repo', '.', 'mine']) {
      const run = build('--out', out);
      expect(run.status, out).toBe(1);
      expect(run.stderr, out).toContain('error[RC909]');
      expect(run.stderr, out).toContain('not created by rulec');
      expect(run.stderr, out).not.toMatch(/^\s+at /m);
    }
    expect(snapshot(dir)).toEqual(before);
    expect(build('--out', 'rules/seed.yml').stderr).toContain('it is not a folder');
  });

  it('refuses file system roots and kernel folders without walking them', () => {
    for (const out of ['/', '/proc/x', '/sys', '/dev/shm/out']) {
      const run = runRulec(['build', '--no-cache', 'rules', '--out', out], { cwd: dir, timeoutMs: 30_000 });
      expect(run.status, out).toBe(1);
      expect(run.stderr, out).toContain('error[RC910]');
    }
    // The check itself reads nothing below them.
    expect(checkOutputFolder('/', ['elastic'])[0]!.code).toBe('RC910');
  });

  it('accepts a dist-rules from before the record file, and an empty or missing folder', () => {
    const legacy = join(dir, 'dist-rules');
    cpSync(join(REPO_ROOT, 'dist-rules'), legacy, { recursive: true });
    rmSync(join(legacy, '.rulec-output'), { force: true });
    cpSync(SEED_FILE, join(dir, 'rules', 'seed.yml'));
    const run = build('--out', 'dist-rules');
    expect(run.stderr).not.toContain('RC909');
    expect(run.status).toBe(0);
    expect(existsSync(join(legacy, '.rulec-output'))).toBe(true);
    mkdirSync(join(dir, 'empty'));
    expect(build('--out', 'empty').status).toBe(0);
    expect(build('--out', 'new/nested/out').status).toBe(0);
    // Once made by rulec, a README beside the target folders is kept.
    writeFileSync(join(dir, 'empty', 'README.md'), 'deployed by CI\n');
    expect(build('--out', 'empty', '--targets', 'elastic').status).toBe(0);
    expect(existsSync(join(dir, 'empty', 'README.md'))).toBe(true);
  });

  it('refuses a record-less folder holding anything a target would not write', () => {
    const ids = ['elastic', 'sentinel', 'splunk', 'js'];
    const legacy = join(dir, 'old');
    mkdirSync(join(legacy, 'elastic'), { recursive: true });
    writeFileSync(join(legacy, 'elastic', 'x.json'), '{}\n');
    expect(checkOutputFolder(legacy, ids)).toEqual([]);
    mkdirSync(join(legacy, 'elastic', 'nested'));
    expect(checkOutputFolder(legacy, ids)[0]!.message).toContain("'elastic/nested'");
    rmSync(join(legacy, 'elastic', 'nested'), { recursive: true });
    mkdirSync(join(legacy, 'src'));
    expect(checkOutputFolder(legacy, ids)[0]!.message).toContain("'src/'");
    // With the record: stray top-level files are fine, a repository inside is not.
    rmSync(join(legacy, 'src'), { recursive: true });
    writeFileSync(join(legacy, '.rulec-output'), '{}');
    writeFileSync(join(legacy, '.DS_Store'), '');
    expect(checkOutputFolder(legacy, ids)).toEqual([]);
    mkdirSync(join(legacy, 'elastic', '.git'));
    expect(checkOutputFolder(legacy, ids)[0]!.message).toContain("'elastic/.git'");
  });

  it('does not read its own output back as rules when it lies under the given paths', () => {
    expect(runRulec(['build', '--no-cache', '.', '--out', 'dist'], { cwd: dir }).status).toBe(0);
    const again = runRulec(['build', '--no-cache', '.', '--out', 'dist'], { cwd: dir });
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/^1 file\(s\), 1 rule\(s\), 0 with errors$/m);
  });
});

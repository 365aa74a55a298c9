/**
 * Walking a rules folder someone else wrote (issue 11 §2, §13): symlinks leaving the folder are not followed and
 * nothing of their target is printed; loops, dangling links and special files are warnings and never a hang; test
 * event folders (`<rule>.events/`) are not rules; CR-only files get a clear error.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverRuleFiles } from '../../src/source/discover.js';
import { runRulec } from '../helpers/run-rulec.js';

const SEED = readFileSync('rules/m365/o365_mailbox_audit_logging_bypass.yml', 'utf8');
const SECRET = 'root:TOPSECRET-51c2:19000:0:99999:7:::';
// A logsource every target knows, so the only warnings are the walk's (no RC122 "unknown logsource").
const RULE =
  'title: r\nlogsource: { category: process_creation, product: windows }\ndetection:\n  sel: { Image: b }\n  condition: sel\n';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rulec-discover-'));
  mkdirSync(join(dir, 'rules', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'shadow'), `${SECRET}\n`);
  writeFileSync(join(dir, 'rules', 'sub', 'r.yml'), RULE);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('rule discovery in a hostile folder', () => {
  it('does not follow a symlink to a file outside the folder, and prints nothing of it', () => {
    symlinkSync(join(dir, 'shadow'), join(dir, 'rules', 'a.yml'));
    mkdirSync(join(dir, 'outside'));
    writeFileSync(join(dir, 'outside', 'x.yml'), `${SECRET}\n`);
    symlinkSync(join(dir, 'outside'), join(dir, 'rules', 'linked-folder'));
    for (const command of [
      ['validate', 'rules'],
      ['compile', '--target', 'elastic', 'rules'],
      ['test', 'rules'],
    ]) {
      const run = runRulec(command, { cwd: dir });
      expect(run.stdout + run.stderr, command.join(' ')).not.toContain('TOPSECRET');
      expect(run.stderr).toContain("warning[RC032]: symlink 'rules/a.yml' leads outside 'rules'; it is not followed");
      expect(run.stderr).toContain("warning[RC032]: symlink 'rules/linked-folder' leads outside 'rules'");
    }
    const validate = runRulec(['validate', 'rules'], { cwd: dir });
    expect(validate.status).toBe(0);
    expect(validate.stdout).toBe('1 file, 1 rule valid: 0 errors, 2 warnings\n');
  });

  it('warns about a FIFO named like a rule, a loop and a dangling link, and ends', () => {
    execFileSync('mkfifo', [join(dir, 'rules', 'pipe.yml')]);
    symlinkSync('..', join(dir, 'rules', 'sub', 'up'));
    symlinkSync('self.yml', join(dir, 'rules', 'self.yml'));
    symlinkSync(join(dir, 'missing.yml'), join(dir, 'rules', 'dangling.yml'));
    // Without the fix the FIFO blocks the read forever: the timeout makes that a failure.
    const run = runRulec(['validate', 'rules'], { cwd: dir, timeoutMs: 30_000 });
    expect(run.signal).toBeNull();
    expect(run.status).toBe(0);
    expect([...run.stderr.matchAll(/^warning\[(RC\d+)\]/gm)].map((m) => m[1])).toEqual([
      'RC033',
      'RC035',
      'RC034',
      'RC034',
    ]);
    expect(run.stdout).toBe('1 file, 1 rule valid: 0 errors, 4 warnings\n');
  });

  it('follows a symlink that stays inside the folder, and counts a file reached twice once', () => {
    symlinkSync('sub/r.yml', join(dir, 'rules', 'alias.yml'));
    symlinkSync('sub', join(dir, 'rules', 'also-sub'));
    const found = discoverRuleFiles([join(dir, 'rules')]);
    expect(found.diagnostics).toEqual([]);
    expect(found.files).toEqual([join(dir, 'rules', 'alias.yml')]);
  });

  it('reads a symlink named on the command line wherever it points (the user chose it)', () => {
    writeFileSync(join(dir, 'elsewhere.yml'), RULE);
    symlinkSync(join(dir, 'elsewhere.yml'), join(dir, 'named.yml'));
    expect(discoverRuleFiles([join(dir, 'named.yml')])).toEqual({ files: [join(dir, 'named.yml')], diagnostics: [] });
  });

  it('does not take the YAML events of a <rule>.events/ folder for rules', () => {
    mkdirSync(join(dir, 'rules', 'sub', 'r.events'));
    writeFileSync(join(dir, 'rules', 'sub', 'r.events', 'hit.yml'), 'Image: b\n');
    writeFileSync(join(dir, 'rules', 'sub', 'r.yml'), `${RULE}tests:\n  - file: r.events/hit.yml\n    match: true\n`);
    const run = runRulec(['test', 'rules', '--verbose'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('rules/sub/r.yml: r\n  PASS tests[0]\n1 passed, 0 failed\n');
    expect(run.status).toBe(0);
  });
});

describe('line breaks', () => {
  it('refuses a CR-only rule file with a clear error instead of "no YAML document"', () => {
    writeFileSync(join(dir, 'rules', 'sub', 'r.yml'), SEED.replace(/\n/g, '\r'));
    const run = runRulec(['validate', 'rules'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('error[RC037]: file uses carriage returns (CR) alone as line breaks');
    expect(run.stderr).not.toContain('RC002');
  });

  it('points at a stray CR inside an LF file', () => {
    writeFileSync(join(dir, 'rules', 'sub', 'r.yml'), RULE.replace('title: r', 'title: r\rx'));
    const run = runRulec(['validate', 'rules'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('error[RC037]: carriage return (CR) without a line feed');
    expect(run.stderr).toContain('--> rules/sub/r.yml:1:9');
  });

  it('still reads CRLF files', () => {
    writeFileSync(join(dir, 'rules', 'sub', 'r.yml'), SEED.replace(/\n/g, '\r\n'));
    const run = runRulec(['validate', 'rules'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});

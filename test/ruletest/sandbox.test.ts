/**
 * `tests: - file:` names a file a hostile rule chooses. rulec must read only regular files inside the rule's folder,
 * bounded in size, and never print anything of a file it refused (issue 11 §1).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readTestFile } from '../../src/ruletest/sandbox.js';
import { runRulec } from '../helpers/run-rulec.js';

const SECRET = 'TOPSECRET-7f3a';

function rule(tests: readonly { name: string; file: string; match: boolean }[]): string {
  return [
    'title: sandbox',
    'logsource: { product: p }',
    'detection:',
    '  sel: { a: b }',
    '  condition: sel',
    'tests:',
    ...tests.flatMap((t) => [`  - name: ${t.name}`, `    file: ${JSON.stringify(t.file)}`, `    match: ${t.match}`]),
    '',
  ].join('\n');
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rulec-sandbox-'));
  mkdirSync(join(dir, 'rules', 'sub', 'events'), { recursive: true });
  writeFileSync(join(dir, 'secret.json'), `{"a":"b","s":"${SECRET}"}\n`);
  writeFileSync(join(dir, 'secret.txt'), `root:${SECRET}:19000:0:99999:7:::\n`);
  writeFileSync(join(dir, 'rules', 'sub', 'events', 'hit.json'), '{"a":"b"}\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function errorCodes(stderr: string): string[] {
  return [...stderr.matchAll(/^error\[(RC\d+)\]/gm)].map((m) => m[1]!);
}

describe('rulec test: event files a rule may read', () => {
  it('refuses files outside the rule folder, through .. or a symlink, and prints nothing of them', () => {
    symlinkSync(join(dir, 'secret.json'), join(dir, 'rules', 'sub', 'link.json'));
    symlinkSync(dir, join(dir, 'rules', 'sub', 'up'));
    writeFileSync(
      join(dir, 'rules', 'sub', 'r.yml'),
      rule([
        { name: 'dot-dot', file: '../../secret.json', match: true },
        { name: 'dot-dot text', file: '../../secret.txt', match: true },
        { name: 'absolute', file: join(dir, 'secret.json'), match: true },
        { name: 'symlinked file', file: 'link.json', match: true },
        { name: 'through a symlinked folder', file: 'up/secret.json', match: true },
        { name: 'environ', file: '/proc/self/environ', match: true },
        { name: 'inside', file: 'events/hit.json', match: true },
      ]),
    );
    const run = runRulec(['test', 'rules'], { cwd: dir, env: { RULEC_TEST_SECRET: SECRET } });
    expect(run.status).toBe(1);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
    expect(run.stdout + run.stderr).not.toContain('root:');
    expect(errorCodes(run.stderr)).toEqual(['RC970', 'RC970', 'RC970', 'RC970', 'RC970', 'RC970']);
    // Located on the `file:` value of the case, with the rule's own code frame.
    expect(run.stderr).toContain('--> rules/sub/r.yml:8:11');
    expect(run.stdout).toContain('FAIL dot-dot\n       error[RC970]: test file "../../secret.json" resolves outside');
    expect(run.stdout).toMatch(/1 passed, 6 failed\n$/);
  });

  it('refuses a FIFO, /dev/zero and /dev/stdin without blocking or growing', () => {
    execFileSync('mkfifo', [join(dir, 'rules', 'sub', 'pipe.json')]);
    symlinkSync('/dev/zero', join(dir, 'rules', 'sub', 'zero.json'));
    writeFileSync(
      join(dir, 'rules', 'sub', 'r.yml'),
      rule([
        { name: 'fifo', file: 'pipe.json', match: true },
        { name: 'zero via symlink', file: 'zero.json', match: true },
        { name: 'zero', file: '/dev/zero', match: true },
        { name: 'stdin', file: '/dev/stdin', match: true },
        { name: 'folder', file: 'events', match: true },
      ]),
    );
    // Without the fix the FIFO blocks forever; the timeout turns that into a failure instead of a hung suite.
    const run = runRulec(['test', 'rules'], { cwd: dir, timeoutMs: 30_000 });
    expect(run.signal).toBeNull();
    expect(run.status).toBe(1);
    expect(errorCodes(run.stderr)).toEqual(['RC971', 'RC970', 'RC970', 'RC970', 'RC971']);
    expect(run.stdout).toContain('test file "pipe.json" is a FIFO (named pipe), not a regular file');
  });

  it('reports a missing file with its own code', () => {
    writeFileSync(join(dir, 'rules', 'sub', 'r.yml'), rule([{ name: 'missing', file: 'nope.json', match: true }]));
    const run = runRulec(['test', 'rules'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(errorCodes(run.stderr)).toEqual(['RC973']);
  });

  it('reads a file inside the folder through a symlink that stays inside', () => {
    symlinkSync(join(dir, 'rules', 'sub', 'events', 'hit.json'), join(dir, 'rules', 'sub', 'alias.json'));
    writeFileSync(join(dir, 'rules', 'sub', 'r.yml'), rule([{ name: 'alias', file: 'alias.json', match: true }]));
    const run = runRulec(['test', 'rules', '--verbose'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('PASS alias');
    expect(run.status).toBe(0);
  });

  it('shows at most a short excerpt of a malformed file inside the folder, even with a 1 MB line', () => {
    writeFileSync(join(dir, 'rules', 'sub', 'events', 'bad.json'), `{"a": ${'x'.repeat(1024 * 1024)}\n`.repeat(5));
    writeFileSync(join(dir, 'rules', 'sub', 'events', 'bad.yml'), `a: [${'y'.repeat(1024 * 1024)}\n`);
    writeFileSync(
      join(dir, 'rules', 'sub', 'r.yml'),
      rule([
        { name: 'bad json', file: 'events/bad.json', match: true },
        { name: 'bad yaml', file: 'events/bad.yml', match: true },
      ]),
    );
    const run = runRulec(['test', 'rules'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('FAIL bad json');
    expect(run.stdout).toContain('FAIL bad yaml');
    expect(run.stdout.length + run.stderr.length).toBeLessThan(4000);
  });
});

describe('readTestFile', () => {
  it('stops reading at the limit even when the file reports size 0 (/proc)', () => {
    // /proc/self/environ sits "inside" a rule placed in /proc/self, reports size 0, and holds more than 8 bytes.
    expect(() => readTestFile('/proc/self/rule.yml', 'environ', 8)).toThrow(
      expect.objectContaining({ code: 'RC972' }) as unknown as Error,
    );
  });

  it('refuses a regular file over the limit before reading it', () => {
    writeFileSync(join(dir, 'rules', 'big.json'), '{"a":"b"}\n'.repeat(10));
    expect(() => readTestFile(join(dir, 'rules', 'r.yml'), 'big.json', 50)).toThrow(/larger than the 50-byte limit/);
  });

  it('returns the text of an allowed file', () => {
    expect(readTestFile(join(dir, 'rules', 'sub', 'r.yml'), 'events/hit.json').text).toBe('{"a":"b"}\n');
  });
});

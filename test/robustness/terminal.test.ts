/**
 * Terminal control sequences from a rule never reach the terminal raw (issue 11 §3): a test name cannot erase its
 * FAIL line and draw a fake PASS, OSC 52 cannot set the clipboard, a newline cannot start a line of its own.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/diagnostics/format.js';
import { printable } from '../../src/diagnostics/printable.js';
import { runRulec } from '../helpers/run-rulec.js';

/** Every raw control character a terminal acts on (tab and the output's own newlines aside). */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const OSC52 = '\\e]52;c;SGVsbG8=\\a';
const FAKE_PASS = '\\e[2K\\r  PASS all good';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rulec-terminal-'));
  mkdirSync(join(dir, 'rules'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const noFakeLines = (text: string): void => {
  expect(text).not.toMatch(RAW_CONTROL);
  expect(text.split('\n').filter((line) => /^\s*PASS/.test(line))).toEqual([]);
};

describe('control characters from rules are escaped on the terminal', () => {
  it('rulec test: a test name or title cannot turn a FAIL into a fake PASS line', () => {
    writeFileSync(
      join(dir, 'rules', 'r.yml'),
      [
        `title: "t${FAKE_PASS}"`,
        'logsource: { product: p }',
        'detection:',
        '  sel: { "a\\e[31m": b }',
        '  condition: sel',
        'tests:',
        `  - name: "erase${FAKE_PASS}"`,
        '    event: { x: y }',
        '    match: true',
        `  - name: "newline\\n  PASS all good ${OSC52}\\u202e"`,
        '    event: { x: y }',
        '    match: true',
        '',
      ].join('\n'),
    );
    const run = runRulec(['test', 'rules'], { cwd: dir });
    expect(run.status).toBe(1);
    noFakeLines(run.stdout);
    noFakeLines(run.stderr);
    expect(run.stdout).toContain('  FAIL erase\\x1b[2K\\r  PASS all good\n');
    expect(run.stdout).toContain('  FAIL newline\\n  PASS all good \\x1b]52;c;SGVsbG8=\\x07\\u202e\n');
    expect(run.stdout).toContain('rules/r.yml: t\\x1b[2K\\r  PASS all good\n');
    expect(run.stdout).toContain('a\\x1b[31m  (missing)');
    expect(run.stdout).toMatch(/0 passed, 2 failed\n$/);
  });

  it('rulec validate: messages, labels and code frames escape OSC 52 in a field name', () => {
    writeFileSync(
      join(dir, 'rules', 'r.yml'),
      // Raw ESC and BEL in the file (YAML accepts them in a quoted key): the code frame shows that line.
      `title: t\nlogsource: { product: p }\ndetection:\n  sel: { "a\u001b]52;c;SGVsbG8=\u0007|contians": b }\n  condition: sel\n`,
    );
    const run = runRulec(['validate', 'rules'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('RC201');
    noFakeLines(run.stderr);
    expect(run.stderr).toContain('4 |   sel: { "a\\x1b]52;c;SGVsbG8=\\x07|contians": b }\n');
    // The carets still sit under `contians`, after the escaped characters.
    expect(run.stderr).toContain(`  |${' '.repeat(35)}^^^^^^^^ did you mean 'contains'?`);
  });

  it('rulec match: the per-rule summary escapes the title', () => {
    writeFileSync(
      join(dir, 'rules', 'r.yml'),
      `title: "m${OSC52}"\nlogsource: { product: p }\ndetection:\n  sel: { a: b }\n  condition: sel\n`,
    );
    const run = runRulec(['match', '--rules', 'rules'], { cwd: dir, input: '{"a":"b"}\n' });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('m\\x1b]52;c;SGVsbG8=\\x07');
    expect(run.stderr).not.toMatch(RAW_CONTROL);
    // The match itself is JSON on stdout, where JSON.stringify already writes ESC as \u001b.
    expect(run.stdout).not.toMatch(RAW_CONTROL);
  });
});

describe('printable', () => {
  it('escapes C0 (not tab), DEL, C1, line separators and bidi controls, and nothing else', () => {
    expect(printable('a\tb\nc\rd\u001b[0m\u007f\u009b\u2028\u202e\u2067é€😀\\x')).toBe(
      'a\tb\\nc\\rd\\x1b[0m\\x7f\\x9b\\u2028\\u202e\\u2067é€😀\\x',
    );
  });

  it('keeps the carets of a code frame under the escaped text', () => {
    const text = 'key: "\u001b[2K" x';
    const col = text.indexOf('x') + 1;
    const frame = formatDiagnostic(
      {
        code: 'RC999',
        severity: 'error',
        message: 'm\u001b',
        file: 'f\u001b.yml',
        span: { start: { offset: col - 1, line: 1, col }, end: { offset: col, line: 1, col: col + 1 } },
        label: 'l\u0007',
      },
      text,
    );
    expect(frame).toBe(
      [
        'error[RC999]: m\\x1b',
        ' --> f\\x1b.yml:1:13',
        '  |',
        '1 | key: "\\x1b[2K" x',
        '  |                ^ l\\x07',
      ].join('\n'),
    );
  });
});

/**
 * Target diagnostics point at the rule's source (file:line:col and a frame on the key that caused them), one per
 * cause; code frames of long lines show a window. Headline cases through the real binary.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { formatDiagnostic, frameWindow } from '../../src/diagnostics/format.js';
import { foldRepeats, locateDiagnostics } from '../../src/source/locate-diagnostics.js';
import { runRulec } from '../helpers/run-rulec.js';

const dir = mkdtempSync(join(tmpdir(), 'rulec-diag-located-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rule(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const PROCESS_RULE = `title: Current directory
id: 0e4b0a58-6a5c-4f0e-9d0a-000000000001
status: test
level: low
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|endswith: '\\whoami.exe'
    CurrentDirectory|contains: '\\Temp\\'
  condition: selection
targets:
  sentinel:
    tabel: DeviceProcessEvents
`;

const KEYWORDS_RULE = `title: Spaced keywords
id: 0e4b0a58-6a5c-4f0e-9d0a-000000000002
status: test
level: low
logsource:
  category: process_creation
  product: windows
detection:
  keywords:
    - 'chown root*chmod 4777 '
    - 'cp /bin/sh *chmod 777 '
    - 'rm -rf *wget http'
  selection:
    CommandLine|re: 'a[0-9]+b'
  condition: keywords and selection
`;

describe('target diagnostics are located', () => {
  it('puts a refused field (RC402) and an unknown override key (SN012) on their keys, with a frame', () => {
    const file = rule('process.yml', PROCESS_RULE);
    // The pipeline refuses first; the override key is checked when the query is rendered, so it has its own rule.
    const override = rule('override.yml', PROCESS_RULE.replace(/\n {4}CurrentDirectory.*\n/, '\n'));
    const first = runRulec(['compile', '-t', 'sentinel', file]);
    const run = {
      status: first.status,
      stderr: first.stderr + runRulec(['compile', '-t', 'sentinel', override]).stderr,
    };
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`error[RC402]: field 'CurrentDirectory' has no counterpart in sentinel`);
    expect(run.stderr).toContain(` --> ${file}:11:5\n`);
    expect(run.stderr).toContain(`11 |     CurrentDirectory|contains: '\\Temp\\'\n   |     ^^^^^^^^^^^^^^^^\n`);
    expect(run.stderr).toContain(`error[SN012]: unknown key 'targets.sentinel.tabel'`);
    expect(run.stderr).toContain(` --> ${override}:14:5\n`);
    expect(run.stderr).toContain('14 |     tabel: DeviceProcessEvents\n   |     ^^^^^');
    // Nothing stays as a bare `--> file` without a position.
    expect(run.stderr).not.toMatch(/--> [^\n]*\.yml\n/);
  });

  it('reports one EL304 for three keywords beside a regex (EQL has no free text), with the count and the other lines', () => {
    const file = rule('keywords.yml', KEYWORDS_RULE);
    const run = runRulec(['compile', '-t', 'elastic', file]);
    expect(run.status).toBe(1);
    expect(run.stderr.match(/error\[EL304\]/g)).toHaveLength(1);
    expect(run.stderr).toContain(` --> ${file}:10:7\n`);
    expect(run.stderr).toContain('= note: reported 3 times for this rule (also lines 11, 12)');
  });

  it('the SigmaHQ rule that printed 39 identical EL304 now compiles: keywords are a free-text search', () => {
    const corpus = '/work/shared/data/sigma/rules/linux/builtin/lnx_apt_equationgroup_lnx.yml';
    let exists = true;
    try {
      readFileSync(corpus);
    } catch {
      exists = false;
    }
    if (!exists) return void console.warn(`skipped: ${corpus} is not present`);
    const run = runRulec(['compile', '-t', 'elastic', corpus]);
    expect(run.stderr).not.toContain('error[');
    expect(run.status).toBe(0);
    // Its warnings are folded as the refusals were: one EL207 for the keywords whose spaces widen the search.
    expect(run.stderr.match(/warning\[EL207\]/g) ?? []).toHaveLength(1);
  });
});

describe('build diagnostics are located', () => {
  it('puts RC906 (two rules, one id) on the id of the rule', () => {
    const twin = PROCESS_RULE.replace(/\n {4}CurrentDirectory.*\n/, '\n').replace(/targets:[\s\S]*$/, '');
    const first = rule('twin-a.yml', twin);
    const second = rule('twin-b.yml', twin.replace('title: Current directory', 'title: Other'));
    const run = runRulec(['build', '-t', 'js', '-o', join(dir, 'out'), first, second]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('error[RC906]');
    expect(run.stderr).toMatch(/error\[RC906\][^\n]*\n --> [^\n]*twin-b\.yml:2:5\n/);
  });
});

describe('locateDiagnostics and foldRepeats', () => {
  const text = 'title: x\nlogsource:\n  product: windows\ndetection:\n  sel:\n    - a\n    - b\n';
  const sources = new Map([['r.yml', text]]);
  const at = (path: (string | number)[], part?: 'key'): Diagnostic => ({
    code: 'XX001',
    severity: 'warning',
    message: 'm',
    file: 'r.yml',
    at: { path, ...(part ? { part } : {}) },
  });

  it('turns a document path into a span, key or value', () => {
    const [key, value] = locateDiagnostics([at(['logsource'], 'key'), at(['detection', 'sel', 1])], sources);
    expect(key!.span?.start).toMatchObject({ line: 2, col: 1 });
    expect(value!.span?.start).toMatchObject({ line: 7, col: 7 });
    expect(key!.at).toBeUndefined();
  });

  it('keeps a diagnostic whose file text is unknown as it was', () => {
    const d = { ...at(['logsource']), file: 'other.yml' };
    expect(locateDiagnostics([d], sources)[0]).toBe(d);
  });

  it('folds only identical diagnostics of one target', () => {
    const ds = locateDiagnostics(
      [at(['detection', 'sel', 0]), at(['detection', 'sel', 1]), { ...at(['detection', 'sel', 1]), target: 't' }],
      sources,
    );
    const folded = foldRepeats(ds);
    expect(folded).toHaveLength(2);
    expect(folded.find((d) => d.target === undefined)).toMatchObject({ count: 2 });
  });
});

describe('code frames of long lines', () => {
  const long = `    CommandLine: '${'A'.repeat(500)}BAD${'B'.repeat(500)}'`;
  const start = long.indexOf('BAD') + 1;
  const d: Diagnostic = {
    code: 'RC999',
    severity: 'error',
    message: 'bad value',
    file: 'r.yml',
    span: {
      start: { offset: 20 + start, line: 2, col: start },
      end: { offset: 23 + start, line: 2, col: start + 3 },
    },
  };

  it('shows a window around the caret with ellipses, never the whole line', () => {
    const text = formatDiagnostic(d, `title: x\n${long}\n`);
    const lines = text.split('\n');
    for (const line of lines) expect(line.length).toBeLessThan(200);
    const source = lines.find((l) => l.startsWith('2 |'))!;
    const carets = lines[lines.indexOf(source) + 1]!;
    expect(source).toMatch(/^2 \| …A+BADB+…$/);
    // The carets sit under BAD in the window.
    expect(source.slice(carets.indexOf('^'), carets.lastIndexOf('^') + 1)).toBe('BAD');
  });

  it('leaves short lines whole', () => {
    expect(frameWindow('abc', 2, 3)).toEqual({ text: 'abc', startCol: 2, endCol: 3 });
  });

  it('keeps the start of a long line when the caret is near it', () => {
    const w = frameWindow('x'.repeat(1000), 1, 2);
    expect(w.text.startsWith('x')).toBe(true);
    expect(w.text.endsWith('…')).toBe(true);
    expect(w.startCol).toBe(1);
  });

  it('through validate on a file with a 1,000-character line', () => {
    const file = rule('long.yml', `title: Long\nstatus: '${'s'.repeat(1200)}'\n`);
    const run = runRulec(['validate', file]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`error[RC103]`);
    expect(run.stderr).toMatch(/\n2 \| status: 's+…\n/);
    for (const line of run.stderr.split('\n')) expect(line.length).toBeLessThan(300);
  });
});

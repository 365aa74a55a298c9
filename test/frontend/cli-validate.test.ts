import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runValidate } from '../../src/cli/validate.js';
import { VALID_RULE } from './helpers.js';

function capture() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s) } };
}

describe('runValidate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rulec-validate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const good = join(dir, 'good.yml');
  const bad = join(dir, 'bad.yml');
  writeFileSync(good, VALID_RULE);
  writeFileSync(bad, VALID_RULE.replace('level: high', 'level: hihg'));

  it('returns 0 and prints a summary when every rule is valid', async () => {
    const { out, io } = capture();
    expect(await runValidate([good], { format: 'text' }, io)).toBe(0);
    expect(out.stdout).toBe('1 file, 1 rule valid: 0 errors, 0 warnings\n');
    expect(out.stderr).toBe('');
  });

  it('returns 1 and prints framed diagnostics on errors', async () => {
    const { out, io } = capture();
    expect(await runValidate([dir], { format: 'text' }, io)).toBe(1);
    expect(out.stderr).toBe(
      [
        `error[RC103]: "hihg" is not a valid 'level'`,
        ` --> ${bad}:4:8`,
        '  |',
        '4 | level: hihg',
        "  |        ^^^^ did you mean 'high'?",
        '  = note: expected one of: informational, low, medium, high, critical',
        '',
        '',
      ].join('\n'),
    );
    expect(out.stdout).toBe('2 files, 1 rule valid: 1 error, 0 warnings\n');
  });

  it('prints one JSON document in json format', async () => {
    const { out, io } = capture();
    expect(await runValidate([bad, join(dir, 'missing.yml')], { format: 'json' }, io)).toBe(1);
    const parsed = JSON.parse(out.stdout) as { summary: unknown; diagnostics: { code: string; line?: number }[] };
    expect(parsed.summary).toEqual({ files: 1, rules: 0, errors: 2, warnings: 0 });
    expect(parsed.diagnostics.map((d) => [d.code, d.line])).toEqual([
      ['RC103', 4],
      ['RC030', undefined],
    ]);
    expect(out.stderr).toBe('');
  });

  it('fails when no rule file is found', async () => {
    const { out, io } = capture();
    const empty = mkdtempSync(join(tmpdir(), 'rulec-empty-'));
    try {
      expect(await runValidate([empty], { format: 'text' }, io)).toBe(1);
      expect(out.stderr).toContain('no rule files found');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

/**
 * The fast loading path (js-yaml, positions on demand) must read every file exactly as the careful path (the
 * `yaml` package with positions) does: same rules, same diagnostics with the same locations.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectRuleFiles, readRuleFile } from '../../src/frontend.js';
import { fastLoad, mayReadFast } from '../../src/source/fast-load.js';

const CORPUS = ['../shared/data/sigma/rules', '../shared/data/sigma/rules-compliance'].filter((d) => existsSync(d));
const LOCAL = ['rules', 'test/golden'];

function compare(files: readonly string[]): { fast: number; diagnostics: number } {
  let diagnostics = 0;
  for (const file of files) {
    const content = readFileSync(file);
    const fast = readRuleFile(file, content);
    const careful = readRuleFile(file, content, { fast: false });
    expect(fast.rules, file).toEqual(careful.rules);
    expect(fast.diagnostics, file).toEqual(careful.diagnostics);
    diagnostics += fast.diagnostics.length;
  }
  return { fast: files.length, diagnostics };
}

describe('fast and careful loading agree', () => {
  it('on the repository rules and golden cases', () => {
    compare(collectRuleFiles(LOCAL));
  });

  it('on files with problems: diagnostics keep their exact locations', () => {
    const cases = [
      'title: x\nlogsource: {product: p}\ndetection:\n  sel:\n    a|contians: b\n  condition: sel\n',
      'title: x\nlogsource: {product: p}\ndetection:\n  sel: {a: b}\n  condition: sel and missing\nlevel: severe\n',
      'title: x\ntitel: y\nlogsource: {product: p}\ndetection: {sel: {a: b}, condition: sel}\n',
      'title: x\nlogsource: {product: p}\ndetection: {sel: {a: b}, condition: sel}\n---\ntitle: y\n',
    ];
    for (const [i, text] of cases.entries()) {
      const fast = readRuleFile(`case${i}.yml`, text);
      const careful = readRuleFile(`case${i}.yml`, text, { fast: false });
      expect(fast).toEqual(careful);
      expect(fast.diagnostics.length).toBeGreaterThan(0);
    }
  });

  it('leaves numbers spelled another way to the careful path, not words that start like them', () => {
    const head = 'title: x\nlogsource: {product: p}\ndetection:\n  condition: sel\n  sel:\n    a:\n';
    for (const value of ['0b101', '-0b1', '0x1F', '+0o17', '[0x1F]', '1_000'])
      expect(fastLoad('r.yml', `${head}      - ${value}\n`), value).toBeUndefined();
    for (const value of ['0bcfabcb-40cd-4a94-b00c-0b8794f956b5', "'config 0x2100'", 'dde85b37-40cd-0b8794f956b5'])
      expect(fastLoad('r.yml', `${head}      - ${value}\n`), value).toBeDefined();
  });

  it('reads indicators and number forms inside text the fast way, leaves those that may start a value careful', () => {
    const head = 'title: x\nlogsource: {product: p}\ndetection:\n  condition: sel\n  sel:\n    a:\n';
    const inText = [
      "'* /deny *S-1'",
      '"a \\" *b" # &c',
      'InfDefaultInstall.exe .inf x',
      'x # 0x8000 *.com',
      "'it''s *'",
    ];
    for (const value of inText) {
      const text = `${head}      - ${value}\n`;
      expect(mayReadFast(text), value).toBe(true);
      expect(fastLoad('r.yml', text), value).toBeDefined();
      expect(readRuleFile('r.yml', text), value).toEqual(readRuleFile('r.yml', text, { fast: false }));
    }
    expect(mayReadFast(`${head}      - x\n    # *.microsoft.com\n    b: # 0x8000\n      - y\n`)).toBe(true);
    for (const value of ['*alias', '&a x', '!tag x', '.inf', '[*a]', "'a' *b", "'a'  &b # c", 'k: *a'])
      expect(mayReadFast(`${head}      - ${value}\n`), value).toBe(false);
    // A line that looks like text but sits in a flow collection spanning lines: only files the light scanner
    // reads as block structure are let through.
    expect(mayReadFast("k: [\n  'x *y'\n  ]\n")).toBe(false);
    expect(mayReadFast("k:\n  - 'x *y'\n")).toBe(true);
    // Complex keys, merge keys, directives, tabs and CR always go the careful way; a `?` inside text does not.
    for (const text of ['? a\n: b\n', 'a: 1\n  ?\n', 'a:\n  <<: *b\n', '%YAML 1.2\n---\na: b\n', 'a:\tb\n', 'a: b\r\n'])
      expect(mayReadFast(text), text).toBe(false);
    for (const text of ['a: b?\n', "a: '? x'\n", 'a: 50%\n', 'a: x << y\n', 'a: 0b1x\n', 'a: x1_2\n'])
      expect(mayReadFast(text), text).toBe(true);
  });

  it.skipIf(CORPUS.length === 0)('on the whole SigmaHQ corpus (skipped without ../shared)', () => {
    const { fast, diagnostics } = compare(collectRuleFiles(CORPUS));
    console.log(`fast path equals careful path on ${fast} files (${diagnostics} diagnostics)`);
    expect(fast).toBeGreaterThan(3000);
  });
});

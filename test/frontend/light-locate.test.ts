/**
 * The light locator (src/source/light-locate.ts) answers either exactly what the careful locator (the `yaml`
 * package's positions) answers, or nothing: checked on every map key and every value of every rule file, and it
 * must answer for nearly all tags of the corpus (what the RC140 warnings point at), or it saves nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectRuleFiles } from '../../src/frontend.js';
import { mayReadFast } from '../../src/source/fast-load.js';
import { lightLocator } from '../../src/source/light-locate.js';
import { parseSource } from '../../src/source/load.js';
import type { DocPath } from '../../src/source/locator.js';

const CORPUS = ['../shared/data/sigma/rules', '../shared/data/sigma/rules-compliance'].filter((d) => existsSync(d));
const LOCAL = ['rules', 'test/golden'];

function paths(value: unknown, path: DocPath, out: DocPath[]): DocPath[] {
  out.push(path);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...path, i], out));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) paths(v, [...path, k], out);
  return out;
}

interface Tally {
  files: number;
  light: number;
  asked: number;
  answered: number;
  tags: number;
  tagsAnswered: number;
}

function compare(text: string, file: string, tally: Tally): void {
  tally.files++;
  const light = mayReadFast(text) ? lightLocator(text) : undefined;
  if (!light) return;
  tally.light++;
  const careful = parseSource(file, text);
  const document = careful.documents[0]!;
  expect(careful.documents.length, file).toBe(1);
  for (const path of paths(document.data, [], [])) {
    for (const part of ['value', 'key'] as const) {
      tally.asked++;
      const span = light.span(path, part);
      if (path[0] === 'tags' && path.length === 2 && part === 'value') {
        tally.tags++;
        if (span) tally.tagsAnswered++;
      }
      if (span === undefined) continue;
      tally.answered++;
      expect(span, `${file} ${JSON.stringify(path)} ${part}`).toEqual(document.locator.span(path, part));
    }
    const scalar = light.scalar(path);
    if (scalar) expect(scalar, `${file} ${JSON.stringify(path)}`).toEqual(document.locator.scalar(path));
  }
  expect(light.spanAt(0, text.length)).toEqual(document.locator.spanAt(0, text.length));
}

const fresh = (): Tally => ({ files: 0, light: 0, asked: 0, answered: 0, tags: 0, tagsAnswered: 0 });

describe('the light locator answers as the careful one or not at all', () => {
  it('on the repository rules and golden cases', () => {
    const tally = fresh();
    for (const file of collectRuleFiles(LOCAL)) compare(readFileSync(file, 'utf8'), file, tally);
    expect(tally.answered).toBeGreaterThan(0);
  });

  it('on block structures it reads and on those it leaves to the careful way', () => {
    const cases = [
      "title: x\ntags:\n- attack.t1\n- \"attack.t2\"  # c\n- 'it''s'\nlevel: high\n",
      'title: x\ntags:\n    - attack.t1\n    -   attack.t2\nempty:\nafter: 1\n',
      'a:\n  - b: c\n    d: e\n  - - f\n    - g\n  -\n    h: i\n',
      'text: |\n  a: b\n  - c\nnext: plain # comment\nmulti: one\n  two\n',
      'flow: [a, b]\nmap: {a: b}\nq: "a\\"b" \nx: y',
      'a:\n  b: "unterminated\n    line"\n',
      '---\na: b\n',
      'a: b\n---\nc: d\n',
      "k:\n  '|all':\n    - x\n  \"q k\": 'v'\n  last: 1\n",
      "k:\n  'it''s': 1\n",
      'k:\n  "a\\"b": 1\n',
      "a:\n  b: c # x\nd:\n  - 'e' # y\n",
    ];
    for (const [i, text] of cases.entries()) compare(text, `case${i}.yml`, fresh());
    // Reads what it can...
    expect(lightLocator(cases[0]!)?.span(['tags', 1])?.start).toEqual({ offset: 29, line: 4, col: 3 });
    expect(lightLocator(cases[2]!)?.span(['a', 0, 'd'])).toBeDefined();
    expect(lightLocator(cases[3]!)?.span(['next'])).toBeDefined();
    // Collections too, when nothing after their last line could belong to them.
    expect(lightLocator(cases[0]!)?.span(['tags'])).toBeDefined();
    expect(lightLocator(cases[1]!)?.span(['tags'])).toBeDefined();
    // ...and leaves the rest: block, multi-line and flow values, several documents, quotes spanning lines.
    expect(lightLocator(cases[3]!)?.span(['text'])).toBeUndefined();
    expect(lightLocator(cases[3]!)?.span(['multi'])).toBeUndefined();
    expect(lightLocator(cases[4]!)?.span(['flow', 0])).toBeUndefined();
    expect(lightLocator(cases[5]!)).toBeUndefined();
    expect(lightLocator(cases[6]!)).toBeUndefined();
    expect(lightLocator(cases[7]!)).toBeUndefined();
    // Quoted keys without escapes (SigmaHQ's `'|all':`) are read; with escapes the file goes the careful way.
    expect(lightLocator(cases[8]!)?.span(['k', '|all', 0])?.start).toEqual({ offset: 19, line: 3, col: 7 });
    expect(lightLocator(cases[8]!)?.span(['k', 'q k'], 'key')).toBeDefined();
    expect(lightLocator(cases[9]!)).toBeUndefined();
    expect(lightLocator(cases[10]!)).toBeUndefined();
    // A comment on a collection's last line is part of its range.
    expect(lightLocator(cases[11]!)?.span(['a'])).toBeDefined();
    expect(lightLocator(cases[11]!)?.span(['d'])).toBeDefined();
  });

  it.skipIf(CORPUS.length === 0)('on the whole SigmaHQ corpus (skipped without ../shared)', () => {
    const tally = fresh();
    for (const file of collectRuleFiles(CORPUS)) compare(readFileSync(file, 'utf8'), file, tally);
    console.log(`light locator: ${JSON.stringify(tally)}`);
    expect(tally.light / tally.files).toBeGreaterThan(0.9);
    expect(tally.tagsAnswered / tally.tags).toBeGreaterThan(0.95);
  });
});

/**
 * The tag locator (src/source/tag-locate.ts) answers either what the careful locator (the `yaml` package's
 * positions) answers for `tags[i]`, or nothing: checked on every tag of every rule file, and it must answer for
 * nearly all tags of the corpus, or RC140's warnings cost a scan of the whole file again.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectRuleFiles } from '../../src/frontend.js';
import { parseSource } from '../../src/source/load.js';
import { tagItemSpan } from '../../src/source/tag-locate.js';

const CORPUS = ['../shared/data/sigma/rules', '../shared/data/sigma/rules-compliance'].filter((d) => existsSync(d));
const LOCAL = ['rules', 'test/golden'];

function compare(text: string, file: string): { tags: number; answered: number } {
  const careful = parseSource(file, text);
  const data = careful.documents[0]?.data as { tags?: unknown } | undefined;
  let tags = 0;
  let answered = 0;
  if (!careful.documents[0] || !Array.isArray(data?.tags)) return { tags, answered };
  for (let i = 0; i < data.tags.length; i++) {
    tags++;
    const span = tagItemSpan(text, data.tags, ['tags', i]);
    if (span === undefined) continue;
    answered++;
    expect(careful.documents.length, file).toBe(1);
    expect(span, `${file} tags[${i}]`).toEqual(careful.documents[0].locator.span(['tags', i]));
  }
  return { tags, answered };
}

describe('the tag locator answers as the careful one or not at all', () => {
  it('on hand-made lists it reads and on those it leaves to the other locators', () => {
    const read = [
      "title: x\ntags:\n    - attack.t1\n    - \"attack.t2\"  # c\n\n    # between\n    - 'it''s'\nlevel: high\n",
      '# comment\ntags: # why\n- attack.t1\n- attack.t2 # c\nlevel: high\n',
      'title: x\ntags:\n  - a\n  - b',
    ];
    for (const [i, text] of read.entries()) {
      const { tags, answered } = compare(text, `read${i}.yml`);
      expect(answered, text).toBe(tags);
      expect(answered, text).toBeGreaterThan(0);
    }
    const left = [
      'title: x\ntags: [a, b]\n',
      '  title: x\n  tags:\n    - a\n',
      'title: x\ntags:\n  - a\n    b\n',
      'title: x\ntags:\n  - a: b\n',
      'title: x\ntags:\n  - a\n   - b\n',
      'title: x\ntags:\n  - "a\\u0041"\n',
      '---\ntitle: x\ntags:\n  - a\n',
      "title: x\n'tags':\n  - a\n",
      'title: x\ntags:\n  - - a\n',
    ];
    for (const text of left) {
      const data = parseSource('left.yml', text).documents[0]?.data as { tags?: unknown } | undefined;
      expect(tagItemSpan(text, data?.tags, ['tags', 0]), text).toBeUndefined();
    }
    // The item must spell the value loaded at its index.
    expect(tagItemSpan('tags:\n  - a\n', ['b'], ['tags', 0])).toBeUndefined();
    expect(tagItemSpan('tags:\n  - a\n', ['a'], ['tags', 0])?.start).toEqual({ offset: 10, line: 2, col: 5 });
  });

  it('on the repository rules and golden cases', () => {
    for (const file of collectRuleFiles(LOCAL)) compare(readFileSync(file, 'utf8'), file);
  });

  it.skipIf(CORPUS.length === 0)('on the whole SigmaHQ corpus (skipped without ../shared)', () => {
    let tags = 0;
    let answered = 0;
    for (const file of collectRuleFiles(CORPUS)) {
      const tally = compare(readFileSync(file, 'utf8'), file);
      tags += tally.tags;
      answered += tally.answered;
    }
    console.log(`tag locator: ${answered} of ${tags} tags`);
    expect(answered / tags).toBeGreaterThan(0.95);
  });
});

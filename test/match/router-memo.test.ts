import { describe, expect, it } from 'vitest';
import * as b from '../../src/ir/build.js';
import { ANY_CHARS, literalPart, literalPattern, pattern } from '../../src/ir/pattern.js';
import { prepareRules, RuleRouter } from '../../src/match/router.js';
import { makeRule } from '../helpers/make-rule.js';
import { factory } from './factory.js';

const WORDS = ['cmd', 'Power', 'shell', '.EXE', 'temp\\', 'Ünï', 'x64', 'run', 'dll,', 'ab'];

describe('index lists remembered per value (router.ts nameLists)', () => {
  it('give the matches of running every rule, values repeated, past the memo size, short and long', () => {
    const rules = WORDS.flatMap((word, i) => [
      // Gram, basename and exact keys, numeric text among them.
      makeRule(b.stringMatch('Image', pattern([ANY_CHARS, literalPart(word), ANY_CHARS]))),
      makeRule(b.and([b.stringMatch('Image', pattern([ANY_CHARS, literalPart(word)])), b.numberMatch('N', i % 3)])),
      makeRule(b.stringMatch('Image', pattern([ANY_CHARS, literalPart(`\\${word}_${i}`)]))),
      makeRule(b.stringMatch('Port', literalPattern(String(i * 7)))),
      makeRule(b.stringMatch('Port', literalPattern(`0${i * 11}`))),
    ]);
    const prepared = prepareRules(rules, factory).rules;
    const indexed = new RuleRouter(prepared, { routing: false });
    const every = new RuleRouter(prepared, { routing: false, indexing: false });
    let matches = 0;
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let e = 0; e < 6000; e++) {
      // 2,500 distinct values (more than the memo keeps), each seen several times; some longer than it keeps.
      const id = next(2500);
      const parts = [WORDS[id % WORDS.length]!, String(id), WORDS[(id >> 3) % WORDS.length]!];
      let image = id % 7 === 0 ? parts.join('x'.repeat(100)) : parts.join('_');
      if (id % 5 === 0) image = image.toUpperCase();
      if (id % 11 === 0) image = `C:\\x\\${image}`;
      const event = { Image: image, N: e % 3, Port: [String(id % 80), `0${id % 80}`, `${id % 80}.0`][e % 3] };
      const expected = every.match(event);
      matches += expected.length;
      expect(indexed.match(event)).toEqual(expected);
    }
    expect(matches).toBeGreaterThan(1000);
  });

  it.each([
    ['Image', (image: string) => ({ Image: image })],
    ['Data.Image', (image: string) => ({ Data: { Image: image } })],
    ['Data.Image', (image: string) => ({ 'Data.Image': image })],
  ])('give every index of %s its lists when it has exact, basename and gram indexes (nameLists)', (field, make) => {
    // One field, three kinds of index: the per-name memo must hold the lists of all of them, not of the first.
    const rules = WORDS.flatMap((word) => [
      makeRule(b.stringMatch(field, literalPattern(`${word}.exe`))),
      makeRule(b.stringMatch(field, pattern([ANY_CHARS, literalPart(`\\${word}.exe`)]))),
      makeRule(b.stringMatch(field, pattern([ANY_CHARS, literalPart(`${word}zz`), ANY_CHARS]))),
    ]);
    const prepared = prepareRules(rules, factory).rules;
    const indexed = new RuleRouter(prepared, { routing: false });
    const every = new RuleRouter(prepared, { routing: false, indexing: false });
    const kinds = new Set([...indexed.witnessSummary().fields.keys()]);
    expect(kinds).toEqual(new Set([field, `basename:${field}`, `gram:${field}`]));
    const matched = new Set<number>();
    for (let round = 0; round < 3; round++) {
      for (const [i, word] of WORDS.entries()) {
        const other = WORDS[(i + 3) % WORDS.length]!;
        for (const image of [
          `${word}.exe`,
          `C:\\${word}.exe`,
          `C:\\${word}zz\\${other}.exe`,
          `${other}zz${word}.exe`,
        ]) {
          const expected = every.match(make(image));
          for (const m of expected) matched.add(m);
          expect(indexed.match(make(image))).toEqual(expected);
        }
      }
    }
    expect(matched.size).toBe(rules.length);
  });

  it('walk the event keys (for…in) to the same matches as every rule, inherited enumerable fields included', () => {
    const rules = WORDS.flatMap((word) => [
      makeRule(b.stringMatch('Image', pattern([ANY_CHARS, literalPart(`\\${word}.exe`)]))),
      makeRule(b.stringMatch('User', literalPattern(word))),
    ]);
    const prepared = prepareRules(rules, factory).rules;
    const indexed = new RuleRouter(prepared, { routing: false });
    const every = new RuleRouter(prepared, { routing: false, indexing: false });
    let matches = 0;
    for (const [i, word] of WORDS.entries()) {
      const other = WORDS[(i + 1) % WORDS.length]!;
      const own = { Image: `C:\\${word}.exe`, User: other };
      const inherited = Object.assign(Object.create({ User: word }) as Record<string, unknown>, {
        Image: `C:\\${other}.exe`,
      });
      for (const event of [own, inherited, { ...own, Image: undefined }, { User: null, Image: [own.Image] }]) {
        const expected = every.match(event);
        matches += expected.length;
        expect(indexed.match(event)).toEqual(expected);
      }
    }
    expect(matches).toBeGreaterThan(2 * WORDS.length);
  });

  it('look up exact keys of long values only when they can be one (stringLists, the longest key)', () => {
    // Keys up to 240 units (past the memo's 160), one with U+0130 (lower-cased to two units), numeric ones.
    const long = (word: string, n: number): string => `${word}-`.repeat(n);
    const texts = [...WORDS.map((word, i) => long(word, 20 + i * 4)), 'İx', '7', '0042'];
    const rules = texts.map((text) => makeRule(b.stringMatch('CommandLine', literalPattern(text))));
    const prepared = prepareRules(rules, factory).rules;
    const indexed = new RuleRouter(prepared, { routing: false });
    const every = new RuleRouter(prepared, { routing: false, indexing: false });
    const values = [
      ...texts.flatMap((text) => [text, text.toUpperCase(), `${text}x`, text.slice(1)]),
      `0000${'0'.repeat(300)}7`,
      `${'0'.repeat(200)}42.0`,
      `42${'0'.repeat(200)}`,
    ];
    let matches = 0;
    for (const value of values) {
      const expected = every.match({ CommandLine: value });
      matches += expected.length;
      expect(indexed.match({ CommandLine: value })).toEqual(expected);
    }
    expect(matches).toBeGreaterThanOrEqual(2 * WORDS.length + 4);
  });
});

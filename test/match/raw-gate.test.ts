import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as b from '../../src/ir/build.js';
import type { IrNode } from '../../src/ir/nodes.js';
import { ANY_CHARS, literalPart, literalPattern, ONE_CHAR, pattern } from '../../src/ir/pattern.js';
import { makeNormalizer, makeRouteView, normalizerTexts } from '../../src/match/formats.js';
import { coverKeys, hasUnicodeEscape, rawGate, requiredNeedles } from '../../src/match/raw-gate.js';
import { prepareRules, RuleRouter } from '../../src/match/router.js';
import { makeRule } from '../helpers/make-rule.js';
import { factory } from './factory.js';

const texts = normalizerTexts('auto');
const kw = (text: string, cased = false): IrNode => b.keyword(literalPattern(text), cased);

describe('requiredNeedles', () => {
  it('takes the longest plain run of each keyword, lower-cased; an OR needs every branch, an AND one child', () => {
    expect(requiredNeedles(b.or([kw('Sekurlsa::'), kw('\\mimilib.dll')]), texts)).toEqual([
      'sekurlsa::',
      'mimilib.dll',
    ]);
    expect(requiredNeedles(b.and([kw('a/b"cdef'), b.not(kw('xyz'))]), texts)).toEqual(['cdef']);
    expect(requiredNeedles(b.or([kw('abcd'), b.stringMatch('A', literalPattern('abcd'))]), texts)).toBeUndefined();
    expect(requiredNeedles(b.keyword(pattern([literalPart('ab'), ONE_CHAR, literalPart('c')])), texts)).toBeUndefined();
    expect(requiredNeedles(b.keyword(pattern([literalPart('abc'), ANY_CHARS, literalPart('é')])), texts)).toEqual([
      'abc',
    ]);
  });

  it('gives no needle the normaliser may have written (an alias value translation) or one spanning a separator', () => {
    // Security 4688 events get IntegrityLevel "System" from a SID, text the record does not hold.
    expect(requiredNeedles(kw('SYSTEM'), texts)).toBeUndefined();
    expect(requiredNeedles(kw('ystem'), texts)).toBeUndefined();
    expect(requiredNeedles(kw('ystem'), normalizerTexts('raw'))).toEqual(['ystem']);
    expect(requiredNeedles(kw('a-b'), { values: [], separators: ['-'] })).toBeUndefined();
    expect(rawGate(kw('abc'), { values: [], separators: [''] })).toBeUndefined();
  });
});

describe('coverKeys', () => {
  it('covers every needle with a substring of it', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z:. ]{3,12}$/), { minLength: 1, maxLength: 12 }), (needles) => {
        const keys = coverKeys(needles);
        for (const n of needles) expect(keys.some((k) => n.includes(k))).toBe(true);
        for (const k of keys) expect(needles.some((n) => n.includes(k))).toBe(true);
      }),
    );
  });
});

describe('hasUnicodeEscape', () => {
  it('finds \\uXXXX escapes, not escaped backslashes before a u', () => {
    expect(hasUnicodeEscape('{"a":"\\u0041"}')).toBe(true);
    expect(hasUnicodeEscape('{"a":"C:\\\\users"}')).toBe(false);
    expect(hasUnicodeEscape('{"a":"C:\\\\\\u0041"}')).toBe(true);
    expect(hasUnicodeEscape('{"a":"x"}')).toBe(false);
  });
});

// Characters that stress the gate: cases, the two non-ASCII letters whose lower case holds ASCII, JSON escapes.
const CHARS = ['a', 'B', 'k', 'K', 'i', 'I', '\u212a', '\u0130', ':', '.', ' ', '\\', '"', '/', '\n', 'é', '1'];
const textArb = (max: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...CHARS), { minLength: 0, maxLength: max }).map((cs) => cs.join(''));

/** JSON text with every `every`th character of a string written as a `\uXXXX` escape, as some writers do. */
function escapedJson(value: unknown, every: number): string {
  let n = 0;
  const text = (s: string): string =>
    `"${[...s].map((c) => (++n % every === 0 && c.length === 1 ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : JSON.stringify(c).slice(1, -1))).join('')}"`;
  const write = (v: unknown): string => {
    if (typeof v === 'string') return text(v);
    if (typeof v !== 'object' || v === null) return JSON.stringify(v);
    if (Array.isArray(v)) return `[${v.map(write).join(',')}]`;
    return `{${Object.entries(v)
      .map(([k, x]) => `${text(k)}:${write(x)}`)
      .join(',')}}`;
  };
  return write(value);
}

describe('raw-text gates in the router', () => {
  const normalize = makeNormalizer('auto');
  const view = makeRouteView('auto');

  it('never drop a match: keyword rules match the same with and without the JSON text', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.array(textArb(6), { minLength: 1, maxLength: 3 }), fc.boolean()), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.array(fc.tuple(textArb(4), textArb(4), fc.nat(3)), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 40 }),
        (ruleSpecs, values, every) => {
          const rules = ruleSpecs.map(([words, cased]) =>
            makeRule(b.or(words.map((w) => kw(w, cased))), { logsource: { product: 'windows' } }),
          );
          // Values built from the keywords, in other cases, so that matches happen.
          const words = ruleSpecs.flatMap(([w]) => w);
          const data: Record<string, unknown> = {};
          values.forEach(([pre, post, pick], i) => {
            const word = words[pick % words.length]!;
            const cased = i % 2 === 0 ? word.toUpperCase() : word.toLowerCase();
            data[`F${i}`] = pre + (i % 3 === 2 ? word : cased) + post;
          });
          const record = { Event: { System: { Channel: 'Security', EventID: 4688 }, EventData: data } };
          const prepared = prepareRules(rules, factory).rules;
          const plain = new RuleRouter(prepared);
          const gated = new RuleRouter(prepared, { rawText: texts });
          const expected = plain.matchRecord(structuredClone(record), normalize, view);
          for (const text of [
            JSON.stringify(record),
            every > 0 ? escapedJson(record, every) : JSON.stringify(record),
          ]) {
            const parsed = JSON.parse(text) as Record<string, unknown>;
            expect(gated.matchRecord(parsed, normalize, view, text)).toEqual(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('skips a keyword rule whose needles the text lacks, and evaluates it otherwise', () => {
    const rule = makeRule(b.or([kw('sekurlsa::'), kw('gentilkiwi.com')]), { logsource: { product: 'windows' } });
    const router = new RuleRouter(prepareRules([rule], factory).rules, { rawText: texts });
    const record = (value: string): Record<string, unknown> => ({
      Event: { System: { Channel: 'Security', EventID: 4624 }, EventData: { CommandLine: value } },
    });
    const run = (value: string, text = JSON.stringify(record(value))): readonly number[] =>
      router.matchRecord(JSON.parse(text) as Record<string, unknown>, normalize, view, text);
    expect(run('nothing here')).toEqual([]);
    expect(router.evaluated).toBe(0);
    expect(run('x SEKURLSA::logonpasswords')).toEqual([0]);
    expect(run('gentil\u212aiwi.com')).toEqual([0]);
    expect(
      run(
        'gentilkiwi.com',
        '{"Event":{"System":{"Channel":"Security","EventID":4624},"EventData":{"CommandLine":"gentil\\u006biwi.com"}}}',
      ),
    ).toEqual([0]);
    expect(router.evaluated).toBe(3);
  });

  it('finds needles written with the non-ASCII letters whose lower case is ASCII (U+212A, U+0130)', () => {
    const rules = [kw('kkk'), kw('iii')].map((k) => makeRule(k, { logsource: { product: 'windows' } }));
    const router = new RuleRouter(prepareRules(rules, factory).rules, { rawText: texts });
    const run = (value: string): readonly number[] => {
      const text = JSON.stringify({ Event: { System: { Channel: 'Security', EventID: 1 }, EventData: { A: value } } });
      return router.matchRecord(JSON.parse(text) as Record<string, unknown>, normalize, view, text);
    };
    expect(run('K\u212ak')).toEqual([0]);
    expect(run('Ii\u0130')).toEqual([1]);
    expect(run('kk iI')).toEqual([]);
  });
});

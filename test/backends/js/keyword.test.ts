/**
 * The runtime's keyword search: a literal keyword set answers exactly as testing every string of the event one by
 * one, with or without the per-event memo, and lower-casing the joined text equals lower-casing each string.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keywordSet } from '../../../backends/js/runtime/runtime.js';

type Kind = 'exact' | 'prefix' | 'suffix' | 'contains';
const KINDS: readonly Kind[] = ['exact', 'prefix', 'suffix', 'contains'];

// Small alphabets so needles often occur; NUL (the join separator), the Greek capital sigma (context-dependent
// lower case), an apostrophe and a combining mark (case-ignorable), a lone surrogate, an emoji.
const unit = fc.constantFrom('a', 'B', 'Σ', "'", '\u0301', '\u0000', ':', '\ud800', '😀', 'İ', 'K');
const str = fc.array(unit, { maxLength: 6 }).map((units) => units.join(''));
const leaf = fc.oneof(str, fc.integer(), fc.constant(null), fc.boolean());
const event = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value'), { maxLength: 3 }), tie('object')),
  object: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), tie('value'), { maxKeys: 4 }),
})).object;

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) strings(item, out);
  else if (typeof value === 'object' && value !== null) for (const item of Object.values(value)) strings(item, out);
  return out;
}

function naive(event: unknown, needles: readonly string[], kind: Kind, fold: boolean): boolean {
  return strings(event).some((raw) => {
    const s = fold ? raw.toLowerCase() : raw;
    return needles.some((n) =>
      kind === 'exact'
        ? s === n
        : kind === 'prefix'
          ? s.startsWith(n)
          : kind === 'suffix'
            ? s.endsWith(n)
            : s.includes(n),
    );
  });
}

describe('keywordSet', () => {
  it('agrees with testing each string of the event, with and without a memo', () => {
    fc.assert(
      fc.property(
        event,
        fc.array(str, { minLength: 1, maxLength: 5 }),
        fc.constantFrom(...KINDS),
        fc.boolean(),
        (ev, raw, kind, fold) => {
          const needles = fold ? raw.map((n) => n.toLowerCase()) : raw;
          const search = keywordSet(needles, kind, fold);
          const expected = naive(ev, needles, kind, fold);
          expect(search(ev)).toBe(expected);
          const memo = {};
          expect(search(ev, memo)).toBe(expected);
          // A second rule on the same event reuses the memo's text.
          expect(search(ev, memo)).toBe(expected);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('is false on events without strings, even for the empty needle', () => {
    expect(keywordSet([''], 'contains', true)({ a: 1, b: [true, null] }, {})).toBe(false);
    expect(keywordSet([''], 'contains', true)({ a: '' }, {})).toBe(true);
  });

  it('lower-cases a NUL-joined text exactly as each string alone (final sigma included)', () => {
    fc.assert(
      fc.property(
        fc.array(
          str.filter((s) => !s.includes('\u0000')),
          { maxLength: 5 },
        ),
        (parts) => {
          expect(parts.join('\u0000').toLowerCase()).toBe(parts.map((p) => p.toLowerCase()).join('\u0000'));
        },
      ),
      { numRuns: 3000 },
    );
    expect('AΣ\u0000B'.toLowerCase()).toBe('aς\u0000b');
  });
});

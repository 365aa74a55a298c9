import { describe, expect, it } from 'vitest';
import { compareText } from '../../src/diagnostics/compare-text.js';
import { prng } from '../helpers/prng.js';

const sign = (n: number): number => Math.sign(n);

/** Random text over `alphabet`, short enough that equal prefixes and case-only differences are common. */
function texts(seed: number, alphabet: string, count: number): string[] {
  const random = prng(seed);
  return Array.from({ length: count }, () => {
    const length = Math.floor(random() * 6);
    let text = '';
    for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
    return text;
  });
}

const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');

describe('compareText', () => {
  it('orders every pair of printable ASCII characters as localeCompare does', () => {
    for (const a of PRINTABLE)
      for (const b of PRINTABLE) expect(sign(compareText(a, b)), `${a} ${b}`).toBe(sign(a.localeCompare(b)));
  });

  it('orders random printable ASCII texts as localeCompare does', () => {
    const all = texts(15, PRINTABLE, 400);
    for (const a of all)
      for (const b of all) expect(sign(compareText(a, b)), `${a} | ${b}`).toBe(sign(a.localeCompare(b)));
  });

  it('orders texts that differ in case, punctuation and length as localeCompare does', () => {
    const all = texts(7, 'aAbB_-./0', 400);
    for (const a of all)
      for (const b of all) expect(sign(compareText(a, b)), `${a} | ${b}`).toBe(sign(a.localeCompare(b)));
  });

  it('leaves other text to localeCompare', () => {
    for (const [a, b] of [
      ['é', 'f'],
      ['e\u0301', 'é'],
      ['a\tb', 'a b'],
      ['Ä', 'b'],
    ])
      expect(sign(compareText(a!, b!))).toBe(sign(a!.localeCompare(b!)));
  });
});

/** The runtime's glob matcher agrees with the equivalent anchored regex on random patterns and texts. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { glob, type GlobToken } from '../../../backends/js/runtime/runtime.js';

const token = fc.oneof(fc.constantFrom<GlobToken>(0, 1), fc.stringMatching(/^[ab😀]{1,3}$/u));
const text = fc.stringMatching(/^[ab😀\n]{0,12}$/u);

function reference(tokens: readonly GlobToken[]): RegExp {
  const body = tokens
    .map((t) => (t === 0 ? '[^]*' : t === 1 ? '.' : t.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'su');
}

describe('glob', () => {
  it('matches exactly what an anchored regex with `*` = [^]* and `?` = one code point matches', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 6 }), text, (tokens, s) => {
        expect(glob(tokens)(s)).toBe(reference(tokens).test(s));
      }),
      { numRuns: 2000 },
    );
  });
});

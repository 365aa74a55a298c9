/** Sigma regex (search semantics, JS/PCRE subset) → Lucene regex (whole-value match), checked by meaning. */
import { describe, expect, it } from 'vitest';
import { patternToLucene, sigmaRegexToLucene } from '../../../backends/elastic/lucene-regex.js';
import { ANY_CHARS, literalPart, ONE_CHAR, pattern } from '../../../src/ir/pattern.js';

const flags = { ignoreCase: false, multiline: false, dotAll: false };

/**
 * Lucene's syntax for the constructs we emit is a subset of JS regex syntax once its extra reserved characters
 * are escaped, so a JS whole-string match tells whether the translation keeps the Sigma meaning.
 */
function luceneMatches(lucene: string, value: string): boolean {
  return new RegExp(`^(?:${lucene})$`, 's').test(value);
}

describe('sigmaRegexToLucene', () => {
  const cases: [string, typeof flags, string[], string[]][] = [
    ['foo', flags, ['foo', 'xfooy', 'a\nfoo'], ['fo', 'FOO']],
    ['^foo', flags, ['foo', 'foobar'], ['xfoo']],
    ['foo$', flags, ['foo', 'xfoo'], ['foox', 'foo\n']],
    ['^foo$', flags, ['foo'], ['xfoo', 'foox']],
    ['a.c', flags, ['abc', 'xa-cx'], ['a\nc']],
    ['a.c', { ...flags, dotAll: true }, ['abc', 'a\nc'], ['ac']],
    ['^foo', { ...flags, multiline: true }, ['foo', 'x\nfoo'], ['xfoo']],
    ['foo$', { ...flags, multiline: true }, ['foo', 'foo\nx'], ['foox']],
    ['(a|b)$', flags, ['xa', 'ab', 'b'], ['ac', 'c']],
    ['a|b', flags, ['xa', 'ab', 'b'], ['c']],
    ['(?:ab)+c', flags, ['ababc'], ['c']],
    ['\\s+\\S', flags, [' x', 'a\tb'], ['x']],
    ['[^\\d]x', flags, ['ax'], ['1x', 'x']],
    ['[a-c-]z', flags, ['bz', '-z'], ['dz']],
    ['x{2,}', flags, ['xx', 'axxx'], ['x']],
    ['{foo}', flags, ['{foo}'], ['foo']],
    ['a+?b', flags, ['aab'], ['b']],
    ['(?:ab)+(?<n>c)', flags, ['ababc'], ['c']],
    ['\\x41\\u0042', flags, ['AB'], ['ab']],
    ['<script>#1@x&y~', flags, ['<script>#1@x&y~'], ['script']],
  ];
  it.each(cases)('%j (%o)', (source, f, matching, nonMatching) => {
    const result = sigmaRegexToLucene(source, f);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    for (const value of matching) expect(luceneMatches(result.source, value), `${result.source} ~ ${value}`).toBe(true);
    for (const value of nonMatching)
      expect(luceneMatches(result.source, value), `${result.source} !~ ${value}`).toBe(false);
  });

  it('escapes Lucene-only operators that are literal in Sigma', () => {
    expect(sigmaRegexToLucene('^a#b@c&d<e>f~g"h$', flags)).toEqual({
      ok: true,
      source: 'a\\#b\\@c\\&d\\<e\\>f\\~g\\"h',
    });
  });

  it.each([
    ['a(?=b)', 'lookaround'],
    ['a(?<!b)', 'lookaround'],
    ['\\bx', 'assertion'],
    ['(a)\\1', 'backreference'],
    ['a(?i)b', 'inline flag'],
    ['a^b', 'anchor'],
    ['a$b', 'anchor'],
    ['^a|b', 'top-level alternation'],
    ['a*+', 'possessive'],
    ['(ab)*+', 'possessive'],
    ['[[:alpha:]]', 'POSIX'],
    ['[\\D]', 'negated shorthand'],
    ['abc\\', 'trailing backslash'],
    ['[abc', 'unterminated'],
  ])('rejects %j (%s)', (source, reason) => {
    const result = sigmaRegexToLucene(source, flags);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });
});

describe('patternToLucene', () => {
  it('escapes literal text and maps wildcards', () => {
    const p = pattern([ANY_CHARS, literalPart('a*b.c?'), ONE_CHAR, literalPart('#')]);
    expect(patternToLucene(p)).toBe('.*a\\*b\\.c\\?.\\#');
    expect(luceneMatches(patternToLucene(p), 'xxa*b.c?Z#')).toBe(true);
    expect(luceneMatches(patternToLucene(p), 'xxaXb.c?Z#')).toBe(false);
  });
});

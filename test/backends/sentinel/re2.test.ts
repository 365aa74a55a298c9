import { describe, expect, it } from 'vitest';
import { re2Literal, toRe2 } from '../../../backends/sentinel/re2.js';

describe('toRe2', () => {
  it.each([
    ['\\d+\\s"x"/y', '\\d+\\s"x"/y'],
    ['(a|b)+', '(?:a|b)+'],
    ['(?:a)(?i:b)', '(?:a)(?i:b)'],
    ['(?<name>a)(?P<other>b)', '(?:a)(?:b)'],
    ['[(]\\(', '[(]\\('],
    ['[]a(]', '[]a(]'],
    ['[^]a]', '[^]a]'],
    ['a+?b*?', 'a+?b*?'],
    ['\\\\(x)', '\\\\(?:x)'],
  ])('translates %j', (source, expected) => {
    expect(toRe2(source)).toEqual({ source: expected, problems: [] });
  });

  it.each([
    ['(a)\\1', 'backreference \\1'],
    ['(?<n>a)\\k<n>', 'named backreference \\k'],
    ['a(?=b)', 'look-around'],
    ['a(?!b)', 'look-around'],
    ['(?<=a)b', 'look-around'],
    ['(?<!a)b', 'look-around'],
    ['(?>a)', 'atomic group'],
    ['a*+', 'possessive quantifier'],
    ['a{2}+', 'possessive quantifier'],
    ['a\\Z', 'anchor \\Z'],
    ['(?R)', 'branch reset or recursion'],
  ])('reports %j', (source, problem) => {
    expect(toRe2(source).problems).toContain(problem);
  });

  it('does not mistake escaped or class characters for constructs', () => {
    expect(toRe2('[\\1]\\(?=x\\)').problems).toEqual([]);
    expect(toRe2('\\++').problems).toEqual([]);
  });
});

describe('re2Literal', () => {
  it('escapes syntax and writes hard characters as \\x{…}', () => {
    expect(re2Literal('a.b*c')).toBe('a\\.b\\*c');
    expect(re2Literal('a\nb\u0000\u2028')).toBe('a\\x{A}b\\x{0}\\x{2028}');
  });
});

import { describe, expect, it } from 'vitest';
import type { PatternPart } from '../../src/ir/pattern.js';
import { ANY_CHARS, literalPart, ONE_CHAR, patternShape } from '../../src/ir/pattern.js';

const lit = literalPart;

describe('patternShape', () => {
  const cases: [string, readonly PatternPart[], unknown][] = [
    ['empty', [], { kind: 'exact', text: '' }],
    ['literal', [lit('a')], { kind: 'exact', text: 'a' }],
    ['prefix', [lit('a'), ANY_CHARS], { kind: 'prefix', text: 'a' }],
    ['suffix', [ANY_CHARS, lit('a')], { kind: 'suffix', text: 'a' }],
    ['contains', [ANY_CHARS, lit('a'), ANY_CHARS], { kind: 'contains', text: 'a' }],
    ['only stars', [ANY_CHARS], { kind: 'any' }],
    ['stars not merged', [ANY_CHARS, ANY_CHARS], { kind: 'any' }],
    ['one char', [lit('a'), ONE_CHAR], { kind: 'complex' }],
    ['lone one char', [ONE_CHAR], { kind: 'complex' }],
    ['two literals', [lit('a'), ANY_CHARS, lit('b')], { kind: 'complex' }],
    ['inner star', [ANY_CHARS, lit('a'), ANY_CHARS, lit('b'), ANY_CHARS], { kind: 'complex' }],
    ['one char after a star', [ANY_CHARS, lit('a'), ONE_CHAR], { kind: 'complex' }],
  ];
  it.each(cases)('%s', (_name, parts, expected) => {
    expect(patternShape({ parts })).toEqual(expected);
  });
});

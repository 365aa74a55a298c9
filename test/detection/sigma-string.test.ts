import { describe, expect, it } from 'vitest';
import { parseSigmaString } from '../../src/detection/sigma-string.js';
import type { Pattern } from '../../src/ir/pattern.js';

/** Literal text with `<*>`/`<?>` for wildcard parts, as in docs/reference/sigma.md §3. */
function tokens(p: Pattern): string {
  return p.parts.map((x) => (x.kind === 'literal' ? x.text : x.kind === 'anyChars' ? '<*>' : '<?>')).join('');
}

// The spec table (docs/reference/sigma.md §3), values as they are after YAML parsing.
const TABLE: [string, string][] = [
  ['a\\b', 'a\\b'],
  ['a\\\\b', 'a\\b'],
  ['a\\*', 'a*'],
  ['a\\\\*', 'a\\<*>'],
  ['a\\\\\\*', 'a\\*'],
  ['a\\\\\\\\', 'a\\\\'],
  ['a?b', 'a<?>b'],
  ['a\\?', 'a?'],
  ['C:\\Windows\\*', 'C:\\Windows*'],
  ['C:\\Windows\\\\*', 'C:\\Windows\\<*>'],
  ['end\\', 'end\\'],
  ['\\\\server\\*', '\\server*'],
];

describe('parseSigmaString (spec escape table)', () => {
  it.each(TABLE)('%s → %s', (input, expected) => {
    expect(tokens(parseSigmaString(input))).toBe(expected);
  });

  it('keeps an escaped * as part of a literal, never as a wildcard part', () => {
    expect(parseSigmaString('a\\*').parts).toEqual([{ kind: 'literal', text: 'a*' }]);
    expect(parseSigmaString('C:\\Windows\\\\*').parts).toEqual([
      { kind: 'literal', text: 'C:\\Windows\\' },
      { kind: 'anyChars' },
    ]);
  });

  it('parses the empty string as an exact empty pattern and collapses **', () => {
    expect(parseSigmaString('').parts).toEqual([]);
    expect(tokens(parseSigmaString('a**b'))).toBe('a<*>b');
  });

  it('handles characters outside the BMP and a ? next to a *', () => {
    expect(tokens(parseSigmaString('😀?*x'))).toBe('😀<?><*>x');
  });
});

/**
 * Property tests: whatever a value holds, it stays inside its literal, the query passes the SPL checker, and the
 * emitted test means the value (checked by undoing the string layer and running the PCRE as a JS regex).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { destinationCondition } from '../../../backends/splunk/query.js';
import * as b from '../../../src/ir/build.js';
import { literalPattern } from '../../../src/ir/pattern.js';
import { body } from './helpers.js';

/** Reverses the SPL string layer: `\\` → `\`, `\"` → `"` (doc §1 "Escapes in quotes"). */
function unquote(text: string): string {
  return text.replace(/\\([\\"])/g, '$1');
}

/** A PCRE from the where line as a JS regex: inline flags to JS flags, `\x{N}` to `\u{N}`. */
function toJsRegex(pcre: string): RegExp {
  const m = /^\(\?([ims]+)\)/.exec(pcre);
  const source = (m ? pcre.slice(m[0].length) : pcre).replace(/\\x\{([0-9a-f]+)\}/g, '\\u{$1}');
  return new RegExp(source, `u${m ? m[1] : ''}`);
}

const hostileChar = fc.constantFrom(
  '\\',
  '"',
  '*',
  '?',
  '`',
  '\n',
  '\r',
  '\u0000',
  '\u2028',
  '|',
  "'",
  '[',
  ']',
  ' ',
  'OR',
  'x',
  'ß',
);
const hostileString = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.array(hostileChar).map((a) => a.join('')),
);

describe('splunk escaping properties', () => {
  it('a literal value matches exactly itself', () => {
    fc.assert(
      fc.property(hostileString, (value) => {
        const query = body(b.stringMatch('f', literalPattern(value)));
        expect(query).not.toMatch(/[`\r\u0000\u2028\u2029]/);
        const lines = query.split('\n');
        const where = lines.find((l) => l.startsWith('| where '));
        if (where === undefined) {
          expect(lines).toHaveLength(1);
          const m = /^f="((?:[^"\\]|\\.)*)"$/.exec(query);
          expect(m, query).not.toBeNull();
          expect(unquote(m![1]!)).toBe(value);
        } else {
          const m = /^\| where match\(f, "((?:[^"\\]|\\.)*)"\)$/.exec(where);
          expect(m, where).not.toBeNull();
          const re = toJsRegex(unquote(m![1]!));
          expect(re.test(value)).toBe(true);
          expect(re.test(`${value}x`)).toBe(false);
          expect(re.test(`x${value}`)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a keyword never escapes its quotes', () => {
    fc.assert(
      fc.property(hostileString, (value) => {
        const query = body(b.keyword(literalPattern(value)));
        expect(query).not.toMatch(/[`\r\u0000\u2028\u2029]/);
      }),
      { numRuns: 200 },
    );
  });
});

describe('splunk destination', () => {
  it('turns index/source/sourcetype into tests, * as a wildcard, lists as OR', () => {
    const node = destinationCondition({ sourcetype: 'o365:*', index: ['a', 'b'], other: 'ignored' });
    expect(node.kind).toBe('and');
    expect(JSON.stringify(node)).toContain('"anyChars"');
    expect(() => destinationCondition({ index: 5 })).toThrow(/destination index/);
  });
});

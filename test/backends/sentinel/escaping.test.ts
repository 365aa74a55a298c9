import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as b from '../../../src/ir/build.js';
import { ANY_CHARS, literalPart, literalPattern, ONE_CHAR, pattern } from '../../../src/ir/pattern.js';
import { identifier, regexLiteral, stringLiteral } from '../../../backends/sentinel/kusto-literals.js';
import { kusto, render } from './helpers.js';

/** Decodes the escapes rulec emits (`\\ \" \n \r \t \uXXXX`), which are a subset of JSON's. */
const decodeString = (literal: string): string => JSON.parse(literal) as string;
/** Decodes a verbatim `@"…"` literal. */
const decodeVerbatim = (literal: string): string => {
  expect(literal.startsWith('@"') && literal.endsWith('"')).toBe(true);
  return literal.slice(2, -1).replace(/""/g, '"');
};
const decodeRegex = (literal: string): string =>
  literal.startsWith('@') ? decodeVerbatim(literal) : decodeString(literal);

const HOSTILE = [
  'say "hi"',
  'C:\\Windows\\System32\\',
  'ends with a backslash \\',
  '\\',
  '\\\\"',
  '"',
  "it's",
  'line1\nline2',
  'cr\rlf\r\n',
  'tab\there',
  'nul\u0000byte',
  'bell\u0007 esc\u001b del\u007f c1\u0085',
  'line sep\u2028para sep\u2029',
  'bidi \u202e override \u200b zwsp \ufeff bom',
  'lone \ud800 surrogate',
  'emoji 😀 and accents é',
  '" or 1 == 1 or Name == "',
  '") | take 10 //',
  '@"verbatim"',
  '```triple```',
  'and',
  'not(',
  '| where true',
  '$left',
  '{{handlebars}}',
  '[bracket]',
  '*?*',
];

describe('string literals', () => {
  it.each(HOSTILE)('round-trips %j', (value) => {
    const literal = stringLiteral(value);
    expect(decodeString(literal)).toBe(value);
    // Nothing raw that could end the literal or the line.
    expect(literal.slice(1, -1)).not.toMatch(/(?<!\\)"|[\n\r\u0000\u2028\u2029]/);
  });

  it.each(HOSTILE)('hostile value %j stays inside its literal (language service: zero errors)', (value) => {
    for (const node of [
      b.stringMatch('Name', literalPattern(value)),
      b.stringMatch('Name', pattern([ANY_CHARS, literalPart(value), ANY_CHARS]), true),
      b.stringMatch('Name', pattern([literalPart(value), ONE_CHAR, literalPart(value)])),
      b.or([b.stringMatch('Name', literalPattern(value)), b.stringMatch('Name', literalPattern(`${value}2`))]),
      b.keyword(pattern([ANY_CHARS, literalPart(value), ANY_CHARS])),
      b.regexMatch('Name', value.replace(/[\\()[\]{}.*+?^$|]/g, '\\$&'), {
        ignoreCase: true,
        multiline: false,
        dotAll: false,
      }),
    ]) {
      const out = render(node);
      expect(out.refusals).toEqual([]);
      expect(kusto().errors(out.query)).toEqual([]);
      // The query is exactly two lines: no value broke out onto a line of its own.
      expect(out.query.split('\n')).toHaveLength(2);
    }
  });

  it('escapes exactly the documented characters', () => {
    expect(stringLiteral('a\\b"c\nd\re\tf')).toBe('"a\\\\b\\"c\\nd\\re\\tf"');
    expect(stringLiteral('\u0000\u2028\u202e')).toBe('"\\u0000\\u2028\\u202E"');
    expect(stringLiteral("it's é 😀")).toBe(`"it's é 😀"`);
  });

  it('keeps any string inside its literal (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 24 }), (value) => {
        const literal = stringLiteral(value);
        expect(decodeString(literal)).toBe(value);
        expect(kusto().errors(`TestEvents\n| where Name =~ ${literal}`)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});

describe('regex literals', () => {
  it('uses the verbatim form with doubled quotes', () => {
    expect(regexLiteral('\\d+"x"')).toBe('@"\\d+""x"""');
    expect(decodeVerbatim(regexLiteral('a\\"b'))).toBe('a\\"b');
  });

  it('falls back to the escaped form for line breaks and control characters', () => {
    expect(regexLiteral('a\nb\\d')).toBe('"a\\nb\\\\d"');
    expect(regexLiteral('a\u0000b')).toBe('"a\\u0000b"');
  });

  it('keeps any regex source inside its literal (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 24 }), (source) => {
        const literal = regexLiteral(source);
        expect(decodeRegex(literal)).toBe(source);
        expect(kusto().errors(`TestEvents\n| where Name matches regex ${literal}`)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});

describe('identifiers', () => {
  it('leaves plain names bare and brackets the rest', () => {
    expect(identifier('OfficeWorkload')).toBe('OfficeWorkload');
    expect(identifier('_x1')).toBe('_x1');
    expect(identifier('Count')).toBe('Count');
    expect(identifier('1st')).toBe("['1st']");
    expect(identifier('a.b')).toBe("['a.b']");
    expect(identifier('where')).toBe("['where']");
    expect(identifier("o'k\\")).toBe("['o\\'k\\\\']");
    expect(identifier('new\nline')).toBe("['new\\nline']");
  });

  it('binds any column name (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 16 }), (name) => {
        const checker = kusto();
        const query = `TestEvents\n| extend ${identifier(name)} = "v"\n| where ${identifier(name)} =~ "v"`;
        expect(checker.errors(query)).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});

/** EQL lowering: case-insensitive matching, wildcards that cannot be escaped, regexes, fields and literals. */
import { describe, expect, it } from 'vitest';
import { eqlField, eqlString } from '../../../backends/elastic/eql-escape.js';
import * as b from '../../../src/ir/build.js';
import type { PatternPart } from '../../../src/ir/pattern.js';
import { ANY_CHARS, literalPart, literalPattern, ONE_CHAR, pattern } from '../../../src/ir/pattern.js';
import { render } from './helpers.js';

const p = (...parts: (string | PatternPart)[]) =>
  pattern(parts.map((x) => (typeof x === 'string' ? literalPart(x) : x)));
const eql = (node: ReturnType<typeof b.and>, fieldTypes: Record<string, string> = { f: 'keyword', g: 'keyword' }) => {
  const r = render(node, { fieldTypes, language: 'eql' });
  expect(r.language).toBe('eql');
  expect(r.extra).toEqual({ type: 'eql' });
  expect(r.query.startsWith('any where ')).toBe(true);
  return r.query.slice('any where '.length);
};
const flags = (over: Partial<{ ignoreCase: boolean; multiline: boolean; dotAll: boolean }> = {}) => ({
  ignoreCase: false,
  multiline: false,
  dotAll: false,
  ...over,
});

/** The EQL parser's reading of a double-quoted string (AbstractBuilder.unquoteString). */
function readEqlString(text: string): string {
  expect(text.startsWith('"') && text.endsWith('"')).toBe(true);
  const body = text.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '"') throw new Error('unescaped quote: the value broke out of its literal');
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = body[++i]!;
    if (n === 'u') {
      const end = body.indexOf('}', i);
      out += String.fromCodePoint(parseInt(body.slice(i + 2, end), 16));
      i = end;
    } else out += ({ t: '\t', n: '\n', r: '\r', '"': '"', '\\': '\\' } as Record<string, string>)[n] ?? `\\${n}`;
  }
  return out;
}

describe('EQL strings and fields', () => {
  it.each([
    ['plain', '"plain"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['C:\\dir\\', '"C:\\\\dir\\\\"'],
    ['a\nb\r\tc', '"a\\nb\\r\\tc"'],
    ['nul\u0000', '"nul\\u{00}"'],
    ['sep\u2028', '"sep\\u{2028}"'],
    ['rlm\u200f', '"rlm\\u{200f}"'],
    ['and or not', '"and or not"'],
    ['emoji 😀', '"emoji 😀"'],
  ])('%j → %s and reads back', (value, expected) => {
    expect(eqlString(value)).toBe(expected);
    expect(readEqlString(expected)).toBe(value);
  });

  it('escapes field names that are not identifiers or are keywords', () => {
    expect(eqlField('event.action', false)).toBe('event.action');
    expect(eqlField('@timestamp', false)).toBe('@timestamp');
    expect(eqlField('event.action', true)).toBe('?event.action');
    expect(eqlField('my-field', false)).toBe('`my-field`');
    expect(eqlField('o365.audit.1x', false)).toBe('o365.audit.`1x`');
    expect(eqlField('a.and', false)).toBe('a.`and`');
    expect(eqlField('we`ird', false)).toBe('`we``ird`');
    expect(eqlField('.lead', false)).toBe('`.lead`');
  });
});

describe('EQL string matches', () => {
  it.each([
    [b.stringMatch('f', literalPattern('Exchange')), 'f : "Exchange"'],
    [b.stringMatch('f', literalPattern('Exchange'), true), 'f == "Exchange"'],
    [b.stringMatch('f', literalPattern('lit*star?')), 'f in~ ("lit*star?")'],
    [b.stringMatch('f', literalPattern('')), 'f : ""'],
    [b.stringMatch('f', p(ANY_CHARS)), 'f != null'],
    [b.stringMatch('f', p(ANY_CHARS, '\\cmd.exe')), 'f : "*\\\\cmd.exe"'],
    [b.stringMatch('f', p('a', ONE_CHAR, 'c')), 'f : "a?c"'],
    [b.stringMatch('f', p('Cmd', ANY_CHARS), true), 'f like "Cmd*"'],
    [b.stringMatch('f', p('a*b', ANY_CHARS)), 'f regex~ "a\\\\*b.*"'],
    [b.stringMatch('f', p('a?b', ONE_CHAR), true), 'f regex "a\\\\?b."'],
    [
      b.stringMatch('f', p(ANY_CHARS, 'x#y@z&<>~"', ANY_CHARS, '*')),
      'f regex~ ".*x\\\\#y\\\\@z\\\\&\\\\<\\\\>\\\\~\\\\\\".*\\\\*"',
    ],
    [b.stringMatch('f', p(ANY_CHARS, 'a\u0001b')), 'f regex~ ".*a\\u{01}b"'],
    [b.stringMatch('f', p(ANY_CHARS, 'two words', ANY_CHARS)), 'f : "*two words*"'],
  ])('%# → %s', (node, expected) => {
    expect(eql(node)).toBe(expected);
  });

  it('compares ip fields exactly and refuses wildcards on them', () => {
    expect(eql(b.stringMatch('ip', literalPattern('::1')), { ip: 'ip' })).toBe('ip == "::1"');
    expect(render(b.stringMatch('ip', p('10.', ANY_CHARS)), { fieldTypes: { ip: 'ip' } }).codes).toEqual(['EL305']);
    expect(
      render(b.stringMatch('ip', p('10.', ANY_CHARS)), { fieldTypes: { ip: 'ip' }, language: 'eql' }).codes,
    ).toEqual(['EL305']);
  });

  it('marks fields the pipeline does not type as optional', () => {
    expect(eql(b.stringMatch('x', literalPattern('v')), {})).toBe('?x : "v"');
  });
});

describe('EQL other kinds', () => {
  it('renders numbers by field type, booleans, null, exists, ranges and CIDR', () => {
    expect(eql(b.numberMatch('n', 4688), { n: 'long' })).toBe('n == 4688');
    expect(eql(b.numberMatch('f', 4688))).toBe('f == "4688"');
    expect(eql(b.boolMatch('f', false))).toBe('f == false');
    expect(eql(b.nullMatch('f'))).toBe('f == null');
    expect(eql(b.exists('f'))).toBe('f != null');
    expect(eql(b.not(b.exists('f')))).toBe('not f != null');
    expect(eql(b.compare('n', 'gte', 10), { n: 'long' })).toBe('n >= 10');
    expect(eql(b.cidrMatch('ip', '10.0.0.0', 8, 4), { ip: 'ip' })).toBe('cidrMatch(ip, "10.0.0.0/8")');
    expect(eql(b.cidrMatch('ip', '192.168.0.0', 16, 4), { ip: 'keyword' })).toBe('ip like "192.168.*"');
  });

  it('writes value lists with : (any case), in (cased exact) or like (cased wildcards)', () => {
    const list = (cased: boolean, ...values: ReturnType<typeof p>[]) =>
      b.or(values.map((v) => b.stringMatch('f', v, cased)));
    expect(eql(list(false, p('a'), p('b', ANY_CHARS)))).toBe('f : ("a", "b*")');
    expect(eql(list(true, p('A'), p('B')))).toBe('f in ("A", "B")');
    expect(eql(list(true, p('A'), p('B', ANY_CHARS)))).toBe('f like ("A", "B*")');
    expect(eql(b.not(list(false, p('a'), p('b'))))).toBe('not f : ("a", "b")');
    // A literal star cannot sit in a `:` list: the OR is written out.
    expect(eql(list(false, p('a*b'), p('c')))).toBe('f in~ ("a*b") or f : "c"');
    expect(eql(b.and([list(false, p('a*b'), p('c')), b.exists('g')]))).toBe('(f in~ ("a*b") or f : "c") and g != null');
    expect(eql(b.or([b.numberMatch('n', 1), b.numberMatch('n', 2)]), { n: 'long' })).toBe('n == 1 or n == 2');
  });

  it('parenthesises nested groups', () => {
    const a = b.stringMatch('f', literalPattern('a'));
    const c = b.stringMatch('g', literalPattern('c'));
    expect(eql(b.or([b.and([a, c]), b.not(b.or([a, c]))]))).toBe('(f : "a" and g : "c") or not (f : "a" or g : "c")');
    expect(eql(b.TRUE)).toBe('true');
  });
});

describe('EQL regexes', () => {
  it.each([
    ['foo', flags(), 'f regex ".*foo.*"'],
    ['^foo$', flags({ ignoreCase: true }), 'f regex~ "foo"'],
    ['^a|b', flags(), undefined],
    ['a|b', flags(), 'f regex ".*(a|b).*"'],
    ['^(a|b)$', flags(), 'f regex "(a|b)"'],
    ['\\d{3}-\\w+', flags(), 'f regex ".*[0-9]{3}-[A-Za-z0-9_]+.*"'],
    ['a.c', flags(), 'f regex ".*a[^\\n\\r\\u{2028}\\u{2029}]c.*"'],
    ['127\\.0\\.0\\.1:[1-9]\\d{3}', flags(), 'f regex ".*127\\\\.0\\\\.0\\\\.1:[1-9][0-9]{3}.*"'],
    ['foo/bar"baz', flags(), 'f regex ".*foo/bar\\\\\\"baz.*"'],
    ['a(?=b)', flags(), undefined],
    ['\\bword\\b', flags(), undefined],
    ['(a)\\1', flags(), undefined],
  ])('%s', (source, f, expected) => {
    const r = render(b.regexMatch('f', source, f), { fieldTypes: { f: 'keyword' } });
    if (expected === undefined) {
      expect(r.codes).toEqual(['EL101', 'EL303']);
    } else {
      expect(r.codes).toEqual(['EL101']);
      expect(r.query).toBe(`any where ${expected}`);
    }
  });
});

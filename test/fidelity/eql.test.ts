import { describe, expect, it } from 'vitest';
import { QueryParseError } from './evaluators/common.js';
import { evaluate, luceneToRegExp, parse } from './evaluators/eql.js';

const run = (query: string, event: Record<string, unknown>): boolean => evaluate(parse(query), event);

describe('EQL reader', () => {
  it('needs `any where` and reads and/or/not with and binding tighter', () => {
    expect(() => parse('process where a == "x"')).toThrow(/any/);
    const q = 'any where a == "1" or b == "1" and c == "1"';
    expect(run(q, { a: '1' })).toBe(true);
    expect(run(q, { b: '1' })).toBe(false);
    expect(run('any where not a == "1"', {})).toBe(true);
  });

  it(': is case-insensitive with * and ? wildcards', () => {
    expect(run('any where f : "cmd.EXE"', { f: 'CMD.exe' })).toBe(true);
    expect(run('any where f : "*.exe"', { f: 'C:\\x\\CMD.EXE' })).toBe(true);
    expect(run('any where f : "a?c"', { f: 'abc' })).toBe(true);
    expect(run('any where f : "a?c"', { f: 'abbc' })).toBe(false);
    expect(run('any where f : ("x", "y*")', { f: 'Yes' })).toBe(true);
  });

  it('== is case-sensitive and has no wildcards', () => {
    expect(run('any where f == "Cmd"', { f: 'cmd' })).toBe(false);
    expect(run('any where f == "a*"', { f: 'abc' })).toBe(false);
    expect(run('any where f == "a*"', { f: 'a*' })).toBe(true);
    expect(run('any where f != "a"', { f: 'b' })).toBe(true);
    expect(run('any where f != "a"', {})).toBe(true);
  });

  it('like / like~ / in / in~ / not in', () => {
    expect(run('any where f like "A*"', { f: 'abc' })).toBe(false);
    expect(run('any where f like~ "A*"', { f: 'abc' })).toBe(true);
    expect(run('any where f in ("A", "b")', { f: 'a' })).toBe(false);
    expect(run('any where f in~ ("A", "b")', { f: 'a' })).toBe(true);
    expect(run('any where f not in ("a", "b")', { f: 'c' })).toBe(true);
    expect(run('any where n in (1, 2)', { n: 2 })).toBe(true);
  });

  it('regex is Lucene syntax anchored to the whole value; regex~ folds case', () => {
    expect(run('any where f regex "ab.*"', { f: 'xabc' })).toBe(false);
    expect(run('any where f regex ".*ab.*"', { f: 'xabc' })).toBe(true);
    expect(run('any where f regex "AB"', { f: 'ab' })).toBe(false);
    expect(run('any where f regex~ "AB"', { f: 'ab' })).toBe(true);
    // `^` and `$` are ordinary characters in Lucene regex.
    expect(run('any where f regex "^a"', { f: '^a' })).toBe(true);
    // `.` matches a newline in Lucene.
    expect(run('any where f regex "a.b"', { f: 'a\nb' })).toBe(true);
  });

  it('translates Lucene regex constructs and rejects the flag-dependent operators', () => {
    expect(luceneToRegExp('a"*+"b', false).test('a*+b')).toBe(true);
    expect(luceneToRegExp('[a-c]{2,3}\\d', false).test('abc7')).toBe(true);
    expect(luceneToRegExp('[^a]', false).test('a')).toBe(false);
    expect(luceneToRegExp('x\\.y', false).test('xzy')).toBe(false);
    expect(() => luceneToRegExp('a@', false)).toThrow(QueryParseError);
    expect(() => luceneToRegExp('a&b', false)).toThrow(/optional operator/);
    expect(() => luceneToRegExp('~a', false)).toThrow(/optional operator/);
    expect(luceneToRegExp('a\\@\\#\\<', false).test('a@#<')).toBe(true);
  });

  it('string functions are case-sensitive, their ~ forms not', () => {
    expect(run('any where startsWith(f, "Ab")', { f: 'abc' })).toBe(false);
    expect(run('any where startsWith~(f, "Ab")', { f: 'abc' })).toBe(true);
    expect(run('any where endsWith~(f, "C")', { f: 'abc' })).toBe(true);
    expect(run('any where stringContains(f, "b")', { f: 'abc' })).toBe(true);
    expect(run('any where stringContains(f, "B")', { f: 'abc' })).toBe(false);
  });

  it('cidrMatch tests IPv4 and IPv6 ranges', () => {
    expect(run('any where cidrMatch(ip, "10.0.0.0/8", "192.168.0.0/16")', { ip: '192.168.1.1' })).toBe(true);
    expect(run('any where cidrMatch(ip, "10.0.0.0/8")', { ip: '11.0.0.1' })).toBe(false);
    expect(run('any where cidrMatch(ip, "fe80::/10")', { ip: 'fe80::1' })).toBe(true);
    expect(() => parse('any where cidrMatch(ip, "nope")')).toThrow(/CIDR/);
  });

  it('null comparisons test presence', () => {
    expect(run('any where f != null', { f: '' })).toBe(true);
    expect(run('any where f != null', { f: null })).toBe(false);
    expect(run('any where f == null', {})).toBe(true);
  });

  it('compares numbers', () => {
    expect(run('any where n > 5', { n: 6 })).toBe(true);
    expect(run('any where n <= 5', { n: '5' })).toBe(true);
    expect(run('any where n > 5', {})).toBe(false);
    expect(run('any where n == 5', { n: 5 })).toBe(true);
  });

  it('decodes string escapes and rejects unknown ones', () => {
    expect(run('any where f == "a\\"b\\\\c\\n\\t\\r"', { f: 'a"b\\c\n\t\r' })).toBe(true);
    expect(run('any where f == "\\u{41}\\u{1F600}"', { f: 'A😀' })).toBe(true);
    expect(() => parse('any where f == "C:\\Windows"')).toThrow(/illegal escape/);
    expect(() => parse("any where f == 'x'")).toThrow(/single-quoted/);
  });

  it('reads raw strings literally', () => {
    expect(run('any where f == """C:\\Windows\\"x"""', { f: 'C:\\Windows\\"x' })).toBe(true);
    expect(() => parse('any where f == """a""""')).toThrow(/three consecutive/);
  });

  it('accepts backtick-quoted field names', () => {
    expect(run('any where `my field` == "x"', { 'my field': 'x' })).toBe(true);
    expect(run('any where `a``b` == "x"', { 'a`b': 'x' })).toBe(true);
  });

  it('matches any element of an array', () => {
    expect(run('any where f : "b"', { f: ['a', 'B'] })).toBe(true);
  });

  it('reports positions for errors', () => {
    try {
      parse('any where f == ');
      expect.unreachable();
    } catch (error) {
      expect((error as QueryParseError).position).toBe(15);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { QueryParseError } from './evaluators/common.js';
import { evaluate, parse, type SplParseOptions } from './evaluators/spl.js';

const run = (query: string, event: Record<string, unknown>, options: SplParseOptions = {}): boolean =>
  evaluate(parse(query, options), event);

describe('SPL search reader', () => {
  it('reads the seed search with implicit AND, case-insensitive values', () => {
    const q = 'Workload="Exchange" Operation="Set-MailboxAuditBypassAssociation" ResultStatus="True"';
    const event = { Workload: 'exchange', Operation: 'set-mailboxauditbypassassociation', ResultStatus: 'true' };
    expect(run(q, event)).toBe(true);
    expect(run(q, { ...event, ResultStatus: 'False' })).toBe(false);
    // Field names are case-sensitive.
    expect(run('workload="Exchange"', { Workload: 'Exchange' })).toBe(false);
  });

  it('follows the documented precedence: NOT, then OR, then AND', () => {
    // docs: host="www1" AND status=200 OR action="addtocart" = host="www1" AND (status=200 OR action="addtocart")
    const q = 'host="www1" AND status=200 OR action="addtocart"';
    expect(run(q, { action: 'addtocart' })).toBe(false);
    expect(run(q, { host: 'www1', action: 'addtocart' })).toBe(true);
    // The other reading, for comparison.
    expect(run(q, { action: 'addtocart' }, { precedence: 'and-first' })).toBe(true);
    expect(run('NOT a="1" OR b="1"', { a: '1' })).toBe(false);
    expect(run('a="1" b="2" OR c="3"', { a: '1', c: '3' })).toBe(true);
    expect(run('a="1" b="2" OR c="3"', { c: '3' })).toBe(false);
  });

  it('gives the same result under both precedences when every group is parenthesised', () => {
    const queries = [
      '(a="1" b="2") OR c="3"',
      'a="1" (b="2" OR c="3")',
      'NOT (a="1" OR b="2") c="3"',
      '((a="1" OR b="2") AND (c="3" OR NOT a="2"))',
    ];
    const events = [{}, { a: '1' }, { a: '1', b: '2' }, { c: '3' }, { a: '2', c: '3' }, { b: '2', c: '3' }];
    for (const q of queries)
      for (const e of events)
        expect(run(q, e, { precedence: 'docs' }), `${q} on ${JSON.stringify(e)}`).toBe(
          run(q, e, { precedence: 'and-first' }),
        );
  });

  it('treats * as a wildcard also inside quotes, and \\* as an error', () => {
    expect(run('f="*.exe"', { f: 'C:\\CMD.EXE' })).toBe(true);
    expect(run('f=*.exe', { f: 'a.exe' })).toBe(true);
    expect(run('f="a*b"', { f: 'a*b' })).toBe(true);
    expect(run('f="a*b"', { f: 'axyzb' })).toBe(true);
    expect(() => parse('f="a\\*b"')).toThrow(/\\\*/);
  });

  it('decodes \\" and \\\\ in quotes and keeps other sequences', () => {
    expect(run('f="a\\"b"', { f: 'a"b' })).toBe(true);
    expect(run('f="C:\\\\Windows\\\\x"', { f: 'C:\\Windows\\x' })).toBe(true);
    expect(run('f="C:\\Windows"', { f: 'C:\\Windows' })).toBe(true);
    expect(run('f="trail\\\\"', { f: 'trail\\' })).toBe(true);
    expect(run('f="a\\sb"', { f: 'a\\sb' })).toBe(true);
  });

  it('field=* is presence; NOT field=* is absence; != needs the field', () => {
    expect(run('f=*', { f: 'x' })).toBe(true);
    expect(run('f=*', {})).toBe(false);
    expect(run('NOT f=*', {})).toBe(true);
    expect(run('f!="x"', {})).toBe(false);
    expect(run('NOT f="x"', {})).toBe(true);
    expect(run('f!="x"', { f: 'y' })).toBe(true);
  });

  it('IN lists with wildcards', () => {
    expect(run('f IN ("a", "b*")', { f: 'Bee' })).toBe(true);
    expect(run('f IN ("a", "b*")', { f: 'c' })).toBe(false);
    expect(run('NOT f IN ("a")', { f: 'c' })).toBe(true);
  });

  it('comparisons and CIDR values', () => {
    expect(run('n>5', { n: 6 })).toBe(true);
    expect(run('n>5', { n: '10' })).toBe(true);
    expect(run('n<=5', { n: 6 })).toBe(false);
    expect(run('NOT n<5', { n: '' })).toBe(true);
    expect(run('ip="10.0.0.0/8"', { ip: '10.1.1.1' })).toBe(true);
    expect(run('ip="10.0.0.0/8"', { ip: '11.1.1.1' })).toBe(false);
    expect(run('ip="2001:db8::/32"', { ip: '2001:db8::1' })).toBe(true);
  });

  it('quoted field names and multivalue fields', () => {
    expect(run('"field name"="v"', { 'field name': 'V' })).toBe(true);
    expect(run('f="b"', { f: ['a', 'b'] })).toBe(true);
  });

  it('bare terms match anywhere in _raw, or in any field value', () => {
    expect(run('"foo bar"', { _raw: 'xx FOO BAR yy' })).toBe(true);
    expect(run('"foo bar"', { a: 'x', b: 'a foo bar' })).toBe(true);
    expect(run('"foo bar"', { a: 'foo' })).toBe(false);
  });

  it('needs uppercase operators: lowercase and/or are terms', () => {
    expect(run('a="1" or b="1"', { a: '1', b: '1', c: 'or' })).toBe(true);
    expect(run('a="1" or b="1"', { a: '1', b: '1' })).toBe(false);
  });

  it('rejects macros, subsearches and malformed input with positions', () => {
    expect(() => parse('`macro` f="x"')).toThrow(/macros/);
    expect(() => parse('[search x] f="x"')).toThrow(/subsearch/);
    try {
      parse('a="1" (b="2"');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(QueryParseError);
      expect((error as QueryParseError).position).toBe(12);
    }
  });
});

describe('SPL pipes', () => {
  it('where: match with (?i), case-sensitive comparisons, lower()', () => {
    expect(run('* | where match(f, "(?i)^a\\\\*b$")', { f: 'A*B' })).toBe(true);
    expect(run('* | where match(f, "^a\\\\*b$")', { f: 'axb' })).toBe(false);
    expect(run('* | where f="Abc"', { f: 'abc' })).toBe(false);
    expect(run('* | where lower(f)="abc"', { f: 'ABC' })).toBe(true);
    expect(run('* | where \'my field\'=="x"', { 'my field': 'x' })).toBe(true);
  });

  it('where: like, cidrmatch, isnull, isnotnull, AND before OR', () => {
    expect(run('* | where like(f, "ab%")', { f: 'abc' })).toBe(true);
    expect(run('* | where like(f, "a_c")', { f: 'abc' })).toBe(true);
    expect(run('* | where like(f, "a_c")', { f: 'abbc' })).toBe(false);
    expect(run('* | where cidrmatch("10.0.0.0/8", ip)', { ip: '10.1.1.1' })).toBe(true);
    expect(run('* | where isnull(f)', {})).toBe(true);
    expect(run('* | where isnotnull(f)', { f: 'x' })).toBe(true);
    expect(run('* | where a="1" OR b="1" AND c="1"', { a: '1' })).toBe(true);
    expect(run('* | where a="1" OR b="1" AND c="1"', { b: '1' })).toBe(false);
  });

  it('where: a missing field is null and NOT null does not pass', () => {
    expect(run('* | where NOT f="x"', {})).toBe(false);
    expect(run('* | where NOT f="x" OR isnull(f)', {})).toBe(true);
  });

  it('regex keeps matching (=) or non-matching (!=) events, unanchored', () => {
    expect(run('* | regex f="b.d"', { f: 'abcde' })).toBe(true);
    expect(run('* | regex f="^b"', { f: 'abc' })).toBe(false);
    expect(run('* | regex f!="^b"', { f: 'abc' })).toBe(true);
    expect(run('* | regex f!="x"', {})).toBe(true);
    expect(run('f="a*" | regex f="^a\\\\*"', { f: 'a*b' })).toBe(true);
    expect(run('f="a*" | regex f="^a\\\\*"', { f: 'ab' })).toBe(false);
  });

  it('search after a pipe ANDs with the base search', () => {
    expect(run('a="1" | search b="2"', { a: '1', b: '2' })).toBe(true);
    expect(run('a="1" | search b="2"', { a: '1' })).toBe(false);
  });

  it('rejects commands outside the subset', () => {
    expect(() => parse('a="1" | stats count')).toThrow(/subset/);
    expect(() => parse('* | where len(f) > 1')).toThrow(/len/);
  });
});

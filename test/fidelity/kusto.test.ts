import { describe, expect, it } from 'vitest';
import { QueryParseError } from './evaluators/common.js';
import { evaluate, parse, type KustoType } from './evaluators/kusto.js';
import { kustoErrors } from './kusto-syntax.js';

const run = (query: string, event: Record<string, unknown>, columns?: Record<string, KustoType>): boolean =>
  evaluate(parse(query), event, columns ? { columns } : {});

const SEED =
  'OfficeActivity | where OfficeWorkload =~ "Exchange" and Operation =~ "Set-MailboxAuditBypassAssociation" and ResultStatus =~ "True"';

describe('Kusto reader', () => {
  it('reads the seed query and folds case for =~', () => {
    const q = parse(SEED);
    expect(q.table).toBe('OfficeActivity');
    const event = { OfficeWorkload: 'exchange', Operation: 'set-mailboxauditbypassassociation', ResultStatus: 'TRUE' };
    expect(evaluate(q, event)).toBe(true);
    expect(evaluate(q, { ...event, ResultStatus: 'False' })).toBe(false);
  });

  it('ANDs several where stages', () => {
    expect(run('T | where a == "1" | where b == "2"', { a: '1', b: '2' })).toBe(true);
    expect(run('T | where a == "1" | where b == "2"', { a: '1', b: '3' })).toBe(false);
  });

  it('== and != are case-sensitive, =~ and !~ not', () => {
    expect(run('T | where a == "X"', { a: 'x' })).toBe(false);
    expect(run('T | where a != "X"', { a: 'x' })).toBe(true);
    expect(run('T | where a !~ "X"', { a: 'x' })).toBe(false);
  });

  it('and binds tighter than or; not() is a function; !(…) is an error', () => {
    const q = 'T | where a == "1" or b == "1" and c == "1"';
    expect(run(q, { a: '1' })).toBe(true);
    expect(run(q, { b: '1' })).toBe(false);
    expect(run('T | where not(a == "1")', { a: '2' })).toBe(true);
    expect(() => parse('T | where !(a == "1")')).toThrow(/not\(/);
  });

  it('in / in~ / !in / !in~', () => {
    expect(run('T | where a in ("X", "y")', { a: 'x' })).toBe(false);
    expect(run('T | where a in~ ("X", "y")', { a: 'x' })).toBe(true);
    expect(run('T | where a !in ("X", "y")', { a: 'x' })).toBe(true);
    expect(run('T | where a !in~ ("X", "y")', { a: 'x' })).toBe(false);
    expect(run('T | where n in (1, 2)', { n: 2 })).toBe(true);
  });

  it('substring operators and their _cs and ! forms', () => {
    const e = { a: 'C:\\Windows\\System32\\CMD.exe' };
    expect(run('T | where a contains "system32"', e)).toBe(true);
    expect(run('T | where a contains_cs "system32"', e)).toBe(false);
    expect(run('T | where a !contains "system32"', e)).toBe(false);
    expect(run('T | where a startswith "c:\\\\windows"', e)).toBe(true);
    expect(run('T | where a startswith_cs "c:"', e)).toBe(false);
    expect(run('T | where a endswith @"\\cmd.EXE"', e)).toBe(true);
    expect(run('T | where a !endswith "cmd.exe"', e)).toBe(false);
  });

  it('has matches whole terms only', () => {
    expect(run('T | where a has "Bypass"', { a: 'MailboxAuditBypassAssociation' })).toBe(false);
    expect(run('T | where a has "bypass"', { a: 'Set Mailbox-Bypass.x' })).toBe(true);
    expect(run('T | where a has_cs "bypass"', { a: 'Set Mailbox-Bypass.x' })).toBe(false);
    expect(run('T | where a has "foo.bar"', { a: 'x foo.bar y' })).toBe(true);
    expect(run('T | where a has "foo.bar"', { a: 'xfoo.bar' })).toBe(false);
  });

  it('matches regex is case-sensitive unless (?i), unanchored', () => {
    expect(run('T | where a matches regex "b.d"', { a: 'abcde' })).toBe(true);
    expect(run('T | where a matches regex "B.D"', { a: 'abcde' })).toBe(false);
    expect(run('T | where a matches regex "(?i)B.D"', { a: 'abcde' })).toBe(true);
    expect(run('T | where a matches regex "(?s)a.b"', { a: 'a\nb' })).toBe(true);
    expect(run('T | where a matches regex "a.b"', { a: 'a\nb' })).toBe(false);
    expect(() => parse('T | where a matches regex "(?=x)"')).toThrow(/look-around/);
    expect(run('T | where a matches regex @"^a\\x{A}b$"', { a: 'a\nb' })).toBe(true);
  });

  it('isempty / isnotempty / isnull / isnotnull follow Kusto typing', () => {
    expect(run('T | where isempty(a)', {})).toBe(true);
    expect(run('T | where isempty(a)', { a: '' })).toBe(true);
    expect(run('T | where isnotempty(a)', { a: 'x' })).toBe(true);
    // Strings are never null in Kusto: a missing string column reads as "".
    expect(run('T | where isnull(a)', {}, { a: 'string' })).toBe(false);
    expect(run('T | where isnull(n)', {}, { n: 'long' })).toBe(true);
    expect(run('T | where isnotnull(n)', { n: 3 }, { n: 'long' })).toBe(true);
  });

  it('null comparisons are null, and not(null) does not pass (three-valued)', () => {
    const cols = { n: 'long' as const };
    expect(run('T | where n > 5', {}, cols)).toBe(false);
    expect(run('T | where not(n > 5)', {}, cols)).toBe(false);
    expect(run('T | where not(n > 5) or true', {}, cols)).toBe(true);
    expect(run('T | where n > 5', { n: 6 }, cols)).toBe(true);
    // null == value is false (not null), so != passes; two nulls compare as null.
    expect(run('T | where n != 5', {}, cols)).toBe(true);
    expect(run('T | where not(tolong(a) == 5)', {})).toBe(true);
    expect(run('T | where not(toreal(a) < 5)', {})).toBe(false);
    // A missing string column is "": not(a == "x") passes.
    expect(run('T | where not(a == "x")', {})).toBe(true);
  });

  it('reads dynamic arrays through tostring() (no any-element semantics)', () => {
    expect(run('T | where a =~ "x"', { a: ['x'] })).toBe(false);
    expect(run('T | where a contains "x"', { a: ['x'] })).toBe(true);
  });

  it('IP range functions', () => {
    expect(run('T | where ipv4_is_in_range(ip, "10.0.0.0/8")', { ip: '10.2.3.4' })).toBe(true);
    expect(run('T | where ipv4_is_in_any_range(ip, "1.0.0.0/8", "10.0.0.0/8")', { ip: '10.2.3.4' })).toBe(true);
    expect(run('T | where ipv4_is_in_any_range(ip, dynamic(["1.0.0.0/8"]))', { ip: '10.2.3.4' })).toBe(false);
    // A port makes the address invalid: null, so not(…) does not pass either.
    expect(run('T | where not(ipv4_is_in_range(ip, "10.0.0.0/8"))', { ip: '10.2.3.4:443' })).toBe(false);
    expect(run('T | where ipv6_is_in_any_range(ip, "2001:db8::/32")', { ip: '2001:db8::5' })).toBe(true);
    expect(run('T | where ipv6_is_in_range(ip, "10.0.0.0/8")', { ip: '10.1.1.1' })).toBe(true);
  });

  it('string literals: C# escapes, verbatim, concatenation; other escapes are errors', () => {
    expect(run('T | where a == "a\\"b\\\\c\\t\\x41\\u0042"', { a: 'a"b\\c\tAB' })).toBe(true);
    expect(run("T | where a == 'it\\'s'", { a: "it's" })).toBe(true);
    expect(run('T | where a == @"C:\\Windows\\""x"""', { a: 'C:\\Windows\\"x"' })).toBe(true);
    expect(run('T | where a == \'a\' "b"', { a: 'ab' })).toBe(true);
    expect(() => parse('T | where a == "C:\\Windows"')).toThrow(QueryParseError);
    expect(() => parse('T | where a == "\\d"')).toThrow(/invalid escape/);
    expect(() => parse('T | where a == @"a\\"b"')).toThrow(QueryParseError);
  });

  it('column names bare or bracketed', () => {
    expect(run('T | where [\'my col\'] == "x"', { 'my col': 'x' })).toBe(true);
    expect(run('T | where ["a.b"] == "x"', { 'a.b': 'x' })).toBe(true);
  });
});

describe('Kusto language service helper', () => {
  const schema = { TimeGenerated: 'datetime', Operation: 'string', OfficeWorkload: 'string', ResultStatus: 'string' };

  it('accepts the seed query and reports an unknown column with its position', () => {
    expect(kustoErrors(SEED, 'OfficeActivity', schema)).toEqual([]);
    const errors = kustoErrors(SEED.replace('ResultStatus', 'ResultStatuz'), 'OfficeActivity', schema);
    expect(errors.map((e) => e.code)).toEqual(['KS142']);
    expect(errors[0]!.line).toBe(1);
    expect(errors[0]!.start).toBe(SEED.indexOf('ResultStatus'));
  });

  it('reports unbalanced parentheses and !(…)', () => {
    expect(
      kustoErrors('OfficeActivity | where (Operation == "x"', 'OfficeActivity', schema).map((e) => e.code),
    ).toContain('KS005');
    expect(kustoErrors('OfficeActivity | where !(Operation == "x")', 'OfficeActivity', schema).length).toBeGreaterThan(
      0,
    );
  });

  it('agrees with this reader on which string escapes are valid', () => {
    const literals = [
      '"\\\\"',
      '"\\""',
      "'\\''",
      '"\\t\\n\\r\\0"',
      '"\\a\\b\\f\\v"',
      '"\\x41"',
      '"\\u0041"',
      '"\\U00000041"',
      '"C:\\Windows"',
      '"\\d"',
      '"\\/"',
      '"\\*"',
      '@"a\\b"',
      '@"a""b"',
      '@"a\\"b"',
      "@'a''b'",
      '"a" \'b\'',
    ];
    for (const literal of literals) {
      const query = `OfficeActivity | where Operation == ${literal}`;
      const real = kustoErrors(query, 'OfficeActivity', schema).length === 0;
      let ours = true;
      try {
        parse(query);
      } catch {
        ours = false;
      }
      expect({ literal, ours }).toEqual({ literal, ours: real });
    }
  });
});

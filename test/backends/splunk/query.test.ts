import { describe, expect, it } from 'vitest';
import * as b from '../../../src/ir/build.js';
import { ANY_CHARS, literalPart, literalPattern, ONE_CHAR, pattern } from '../../../src/ir/pattern.js';
import { body, codes, compile, M365, PREFIX, spl } from './helpers.js';

const lit = literalPattern;
const s = (field: string, value: string, cased = false) => b.stringMatch(field, lit(value), cased);
const flags = { ignoreCase: false, multiline: false, dotAll: false };

describe('splunk leaves', () => {
  it('quotes every string value', () => {
    expect(body(s('Workload', 'Exchange'))).toBe('Workload="Exchange"');
  });

  it('writes numbers bare and negative numbers quoted', () => {
    expect(body(b.numberMatch('EventID', 4688))).toBe('EventID=4688');
    expect(body(b.numberMatch('Delta', -2.5))).toBe('Delta="-2.5"');
  });

  it('refuses numbers without a plain decimal form', () => {
    const result = compile(b.numberMatch('n', 1e21), M365);
    expect(result.status).toBe('refused');
    expect(codes(result)).toContain('SP303');
  });

  it('writes booleans as quoted text', () => {
    expect(body(b.boolMatch('Enabled', true))).toBe('Enabled="true"');
  });

  it('writes null as NOT field=* and exists as field=*, never !=', () => {
    expect(body(b.nullMatch('UserId'))).toBe('NOT UserId=*');
    expect(body(b.exists('UserId'))).toBe('UserId=*');
    expect(body(b.not(b.exists('UserId')))).toBe('NOT UserId=*');
    expect(body(b.not(b.nullMatch('UserId')))).toBe('UserId=*');
  });

  it('keeps CIDR native, IPv4 and IPv6', () => {
    expect(body(b.cidrMatch('ip', '10.0.0.0', 8, 4))).toBe('ip="10.0.0.0/8"');
    expect(body(b.cidrMatch('ip', '2001:db8::', 32, 6))).toBe('ip="2001:db8::/32"');
  });

  it('maps ClientIP to src_ip on M365 audit (Exchange ClientIP carries a port)', () => {
    expect(body(b.cidrMatch('ClientIP', '10.0.0.0', 8, 4))).toBe('src_ip="10.0.0.0/8"');
  });

  it('writes comparisons', () => {
    expect(body(b.compare('count', 'gt', 5))).toBe('count>5');
    expect(body(b.compare('count', 'lte', 0.5))).toBe('count<=0.5');
    expect(body(b.and([b.compare('a', 'lt', 1), b.compare('a', 'gte', -1)]))).toBe('a<1 a>=-1');
  });

  it('writes keywords as quoted terms and warns about raw-text matching', () => {
    const result = compile(b.or([b.keyword(lit('foo bar')), b.keyword(lit('x"y'))]), M365);
    expect(result.compiled!.query.query).toBe(`${PREFIX} ("foo bar" OR "x\\"y")`);
    expect(codes(result)).toContain('SP201');
    expect(body(b.keyword(lit('OR')))).toBe('"OR"');
  });

  it('puts the rule after the destination and uses no prefix for the fallback', () => {
    const result = compile(s('a', 'b'), { logsource: { product: 'nothing' } });
    expect(result.compiled!.query.query).toBe('a="b"');
    expect(codes(result)).toContain('RC401');
    expect(spl(b.TRUE, { logsource: { product: 'nothing' } })).toBe('*');
    expect(spl(b.TRUE)).toBe(PREFIX);
  });
});

describe('splunk wildcards', () => {
  const cases: [string, ReturnType<typeof pattern>, string][] = [
    ['leading', pattern([ANY_CHARS, literalPart('\\net.exe')]), 'Image="*\\\\net.exe"'],
    ['trailing', pattern([literalPart('bar'), ANY_CHARS]), 'Image="bar*"'],
    ['both', pattern([ANY_CHARS, literalPart('foo'), ANY_CHARS]), 'Image="*foo*"'],
    ['middle', pattern([literalPart('a'), ANY_CHARS, literalPart('b')]), 'Image="a*b"'],
    ['only', pattern([ANY_CHARS]), 'Image=*'],
    ['backslash before wildcard', pattern([literalPart('C:\\'), ANY_CHARS]), 'Image="C:\\\\*"'],
  ];
  for (const [name, p, expected] of cases)
    it(`keeps a Sigma * (${name})`, () => {
      expect(body(b.stringMatch('Image', p))).toBe(expected);
    });

  it('widens ? to * and checks the exact pattern in | where', () => {
    const result = compile(b.stringMatch('f', pattern([literalPart('a'), ONE_CHAR, literalPart('c')])), M365);
    expect(result.compiled!.query.query).toBe(`${PREFIX} f="a*c"\n| where match(f, "(?is)^a.c$")`);
    expect(codes(result)).toContain('SP101');
  });

  it('? at the start and the end', () => {
    expect(body(b.stringMatch('f', pattern([ONE_CHAR, literalPart('x')])))).toBe(
      'f="*x"\n| where match(f, "(?is)^.x$")',
    );
    expect(body(b.stringMatch('f', pattern([literalPart('x'), ONE_CHAR])))).toBe(
      'f="x*"\n| where match(f, "(?is)^x.$")',
    );
    expect(body(b.stringMatch('f', pattern([ONE_CHAR])))).toBe('f=*\n| where match(f, "(?is)^.$")');
  });

  it('a literal * cannot be escaped in search: wildcard prefilter plus exact regex', () => {
    expect(body(s('f', 'a*b'))).toBe('f="a*b"\n| where match(f, "(?i)^a\\\\*b$")');
    expect(body(s('f', '*'))).toBe('f=*\n| where match(f, "(?i)^\\\\*$")');
  });

  it('IN lists take wildcards', () => {
    const node = b.or([
      s('fieldA', 'valueA'),
      s('fieldA', 'valueB'),
      b.stringMatch('fieldA', pattern([literalPart('valueC'), ANY_CHARS])),
    ]);
    expect(body(node)).toBe('fieldA IN ("valueA", "valueB", "valueC*")');
    expect(body(b.not(node))).toBe('NOT fieldA IN ("valueA", "valueB", "valueC*")');
  });
});

describe('splunk escaping', () => {
  const cases: [string, string, string][] = [
    ['double quote', 'a"b', 'f="a\\"b"'],
    ['backslash', 'C:\\Windows\\x', 'f="C:\\\\Windows\\\\x"'],
    ['trailing backslash', 'trail\\', 'f="trail\\\\"'],
    ['lone backslash', '\\', 'f="\\\\"'],
    ['quote then backslash', '\\"', 'f="\\\\\\""'],
    ['pipe', 'a | b', 'f="a | b"'],
    ['brackets', '[search x]', 'f="[search x]"'],
    ['equals and parens', 'a=(b)', 'f="a=(b)"'],
    ['keywords as values', 'AND', 'f="AND"'],
    ['NOT as a value', 'NOT x OR y', 'f="NOT x OR y"'],
    ['single quote', "it's", 'f="it\'s"'],
    ['empty', '', 'f=""'],
    ['unicode', 'ß İ \u212A', 'f="ß İ \u212A"'],
  ];
  for (const [name, value, expected] of cases)
    it(`escapes ${name}`, () => {
      expect(body(s('f', value))).toBe(expected);
    });

  const hostile: [string, string, string][] = [
    ['backtick', 'a`b', 'f="a*b"\n| where match(f, "(?i)^a\\\\x60b$")'],
    ['macro call', '`whoami`', 'f="*whoami*"\n| where match(f, "(?i)^\\\\x60whoami\\\\x60$")'],
    ['newline', 'a\nb', 'f="a*b"\n| where match(f, "(?i)^a\\\\x0ab$")'],
    ['carriage return and NUL', 'a\r\u0000b', 'f="a*b"\n| where match(f, "(?i)^a\\\\x0d\\\\x00b$")'],
    ['line separator', 'a\u2028b', 'f="a*b"\n| where match(f, "(?i)^a\\\\x{2028}b$")'],
    ['backslash before pipe', 'a\\|b', 'f="a*|b"\n| where match(f, "(?i)^a\\\\\\\\\\\\|b$")'],
  ];
  for (const [name, value, expected] of hostile)
    it(`never emits a raw ${name}`, () => {
      const query = body(s('f', value));
      expect(query).toBe(expected);
      expect(query).not.toMatch(/[`\r\u0000\u2028]/);
      expect(query.split('\n')).toHaveLength(2);
    });

  it('quotes field names outside [A-Za-z0-9_.{}] and keyword-like names', () => {
    expect(body(s('Parameters{}.Name', 'x'))).toBe('Parameters{}.Name="x"');
    expect(body(s('field name', 'x'))).toBe('"field name"="x"');
    expect(body(s('field-with-dash', 'x'))).toBe('"field-with-dash"="x"');
    expect(body(s('a"b', 'x'))).toBe('"a\\"b"="x"');
    expect(body(s('OR', 'x'))).toBe('"OR"="x"');
  });

  it('single-quotes field names in where and refuses unwritable ones', () => {
    const re = (field: string) => b.regexMatch(field, 'x', flags);
    expect(body(b.or([re('Parameters{}.Name'), s('a', 'b')]))).toBe(
      `| where match('Parameters{}.Name', "x") OR match(a, "(?i)^b$")`,
    );
    const result = compile(b.or([re("it's"), s('a', 'b')]), M365);
    expect(result.status).toBe('refused');
    expect(codes(result)).toContain('SP302');
    const control = compile(s('a\nb', 'x'), M365);
    expect(control.status).toBe('refused');
    expect(codes(control)).toContain('SP302');
  });
});

describe('splunk precedence', () => {
  it('parenthesises AND inside OR', () => {
    expect(body(b.or([b.and([s('f1', 'a'), s('f2', 'b')]), s('f3', 'c')]))).toBe('((f1="a" f2="b") OR f3="c")');
  });

  it('parenthesises OR inside AND', () => {
    expect(body(b.and([b.or([s('f1', 'a'), s('f2', 'b')]), s('f3', 'c')]))).toBe('(f1="a" OR f2="b") f3="c"');
  });

  it('a top-level OR is grouped away from the destination', () => {
    expect(spl(b.or([s('f1', 'a'), s('f2', 'b')]))).toBe(`${PREFIX} (f1="a" OR f2="b")`);
  });

  it('NOT over groups', () => {
    expect(body(b.and([s('f1', 'a'), b.not(b.or([s('f2', 'b'), s('f3', 'c')]))]))).toBe(
      'f1="a" NOT (f2="b" OR f3="c")',
    );
    expect(body(b.not(b.and([s('f2', 'b'), s('f3', 'c')])))).toBe('NOT (f2="b" f3="c")');
  });

  it('list of maps', () => {
    const node = b.or([
      b.and([b.stringMatch('Image', pattern([ANY_CHARS, literalPart('\\net.exe')])), s('OriginalFileName', 'net.exe')]),
      b.stringMatch('CommandLine', pattern([ANY_CHARS, literalPart(' localgroup'), ANY_CHARS])),
    ]);
    expect(body(node)).toBe('((Image="*\\\\net.exe" OriginalFileName="net.exe") OR CommandLine="* localgroup*")');
  });

  it('deep nesting keeps every group', () => {
    const node = b.and([
      b.or([s('a', '1'), b.and([s('b', '2'), b.or([s('c', '3'), b.not(s('d', '4'))])])]),
      s('e', '5'),
    ]);
    expect(body(node)).toBe('(a="1" OR (b="2" (c="3" OR NOT d="4"))) e="5"');
  });
});

describe('splunk deferred parts', () => {
  it('a regex under AND becomes | regex after the base search', () => {
    const node = b.and([b.regexMatch('fieldA', 'foo.*bar', flags), s('fieldB', 'foo'), s('fieldC', 'bar')]);
    expect(body(node)).toBe('fieldB="foo" fieldC="bar"\n| regex fieldA="foo.*bar"');
  });

  it('regex flags go inline and the string layer doubles backslashes', () => {
    const node = b.regexMatch('p', 'C:\\\\Windows\\\\.*"x', { ignoreCase: true, multiline: true, dotAll: true });
    expect(body(node)).toBe('| regex p="(?ims)C:\\\\\\\\Windows\\\\\\\\.*\\"x"');
  });

  it('a regex under OR moves the whole OR into one | where', () => {
    const node = b.and([s('fieldB', 'foo'), b.or([b.regexMatch('fieldA', '^a.*', flags), s('fieldC', 'bar')])]);
    const result = compile(node, M365);
    expect(result.compiled!.query.query).toBe(
      `${PREFIX} fieldB="foo"\n| where match(fieldA, "^a.*") OR match(fieldC, "(?i)^bar$")`,
    );
    expect(codes(result)).toEqual(expect.arrayContaining(['SP101', 'SP102']));
  });

  it('an OR of widenable tests keeps an OR prefilter', () => {
    const node = b.or([s('a', 'x*y'), s('b', 'z')]);
    expect(body(node)).toBe('(a="x*y" OR b="z")\n| where match(a, "(?i)^x\\\\*y$") OR match(b, "(?i)^z$")');
  });

  it('several where conjuncts are ANDed with their ORs grouped', () => {
    const node = b.and([b.or([b.regexMatch('a', 'x', flags), s('b', 'y')]), b.not(b.regexMatch('c', 'z', flags))]);
    expect(body(node)).toBe('| where (match(a, "x") OR match(b, "(?i)^y$")) AND NOT (isnotnull(c) AND match(c, "z"))');
  });

  it('a negated lowered test has no prefilter and is total over missing fields', () => {
    expect(body(b.not(b.regexMatch('f', 'x', flags)))).toBe('| where NOT (isnotnull(f) AND match(f, "x"))');
    expect(body(b.not(s('f', 'a?', true)))).toBe('| where NOT (isnotnull(f) AND match(f, "^a\\\\?$"))');
  });

  it('cased values keep a case-insensitive prefilter and a case-sensitive check', () => {
    expect(body(s('f', 'Abc', true))).toBe('f="Abc"\n| where match(f, "^Abc$")');
    expect(body(b.stringMatch('f', pattern([literalPart('Ab'), ANY_CHARS]), true))).toBe(
      'f="Ab*"\n| where match(f, "(?s)^Ab.*$")',
    );
  });

  it('a regex with a backtick or newline is rewritten as code-point escapes', () => {
    expect(body(b.regexMatch('f', 'a`b\n[`]\\`', flags))).toBe('| regex f="a\\\\x60b\\\\x0a[\\\\x60]\\\\x60"');
    const inQuote = compile(b.regexMatch('f', '\\Qa`\\E', flags), M365);
    expect(inQuote.status).toBe('refused');
    expect(codes(inQuote)).toContain('SP304');
  });

  it('fieldref compares lower-cased values, or exact values when cased', () => {
    expect(body(b.fieldRef('a', 'b'))).toBe('| where lower(a)=lower(b)');
    expect(body(b.fieldRef('a', 'b.c', true))).toBe("| where a='b.c'");
    expect(body(b.not(b.fieldRef('a', 'b')))).toBe('| where NOT (isnotnull(a) AND isnotnull(b) AND lower(a)=lower(b))');
  });

  it('time parts: _time in the search time zone, other fields refused', () => {
    const ok = compile(b.timePart('_time', 'hour', 3), M365);
    expect(ok.compiled!.query.query).toBe(`${PREFIX}\n| where tonumber(strftime(_time, "%H"))=3`);
    expect(codes(ok)).toContain('SP202');
    const refused = compile(b.timePart('CreationTime', 'hour', 3), M365);
    expect(refused.status).toBe('refused');
    expect(codes(refused)).toContain('SP301');
  });

  it('regex and where parts together, regex first', () => {
    const node = b.and([b.regexMatch('a', 'x', flags), s('b', 'y?', true), s('c', 'z')]);
    // A literal `?` is no wildcard in Splunk, so the case-insensitive prefilter keeps it.
    expect(body(node)).toBe('b="y?" c="z"\n| regex a="x"\n| where match(b, "^y\\\\?$")');
  });

  it('keywords that search cannot say go to _raw, unanchored', () => {
    expect(body(b.keyword(pattern([literalPart('ab'), ONE_CHAR])))).toBe('"ab*"\n| where match(_raw, "(?is)ab.")');
  });

  it('a where-only rule without destination starts from *', () => {
    expect(spl(b.regexMatch('f', 'x', flags), { logsource: { product: 'nothing' } })).toBe('*\n| regex f="x"');
  });

  it('no line of the query ends with a backslash (.conf continuation)', () => {
    const node = b.and([s('a', 'x\\'), b.or([b.regexMatch('b', 'y\\\\', flags), s('c', '\\')])]);
    for (const line of spl(node).split('\n')) expect(line.endsWith('\\')).toBe(false);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import * as b from '../../../src/ir/build.js';
import type { IrNode } from '../../../src/ir/nodes.js';
import { ANY_CHARS, literalPart, literalPattern, ONE_CHAR, pattern } from '../../../src/ir/pattern.js';
import type { PatternPart } from '../../../src/ir/pattern.js';
import { createKustoChecker, tablesFromPipeline } from '../../../backends/sentinel/kusto-check.js';
import type { KustoChecker } from '../../../backends/sentinel/kusto-check.js';
import { KustoGenerator } from '../../../backends/sentinel/dialect.js';
import { collector, kusto as sharedKusto, mappedFor, pipeline, render, TEST_TABLE, TEST_TYPES } from './helpers.js';

const NO_FLAGS = { ignoreCase: false, multiline: false, dotAll: false };
const lit = literalPart;
const s = (field: string, ...parts: PatternPart[]): IrNode => b.stringMatch(field, pattern(parts));
const sc = (field: string, ...parts: PatternPart[]): IrNode => b.stringMatch(field, pattern(parts), true);
const eq = (field: string, value: string): IrNode => b.stringMatch(field, literalPattern(value));

let kusto: KustoChecker;
beforeAll(() => {
  // `Untyped` exists in the table but not in the pipeline's types: the dialect must pick forms that bind
  // whatever its real type is (here bool).
  kusto = createKustoChecker({ ...tablesFromPipeline(pipeline), [TEST_TABLE]: { ...TEST_TYPES, Untyped: 'bool' } });
});

/** [description, detection, expected where-expression, expected warning codes] */
type Case = readonly [string, IrNode, string, readonly string[]];

function check(cases: readonly Case[]): void {
  it.each(cases.map((c) => [c[0], c] as const))('%s', (_name, [, node, expected, warnings]) => {
    const out = render(node);
    expect(out.refusals).toEqual([]);
    expect(out.where).toBe(expected);
    expect(out.warnings.map((w) => w.code)).toEqual(warnings);
    expect(kusto.errors(out.query)).toEqual([]);
  });
}

describe('string matches by wildcard shape', () => {
  check([
    ['exact, case-insensitive', s('Name', lit('x')), 'Name =~ "x"', []],
    ['exact, cased', sc('Name', lit('x')), 'Name == "x"', []],
    ['suffix *x', s('Name', ANY_CHARS, lit('.exe')), 'Name endswith ".exe"', []],
    ['suffix cased', sc('Name', ANY_CHARS, lit('.exe')), 'Name endswith_cs ".exe"', []],
    ['prefix x*', s('Name', lit('C:\\'), ANY_CHARS), 'Name startswith "C:\\\\"', []],
    ['prefix cased', sc('Name', lit('a'), ANY_CHARS), 'Name startswith_cs "a"', []],
    ['contains *x*', s('Name', ANY_CHARS, lit('evil'), ANY_CHARS), 'Name contains "evil"', []],
    ['contains cased', sc('Name', ANY_CHARS, lit('evil'), ANY_CHARS), 'Name contains_cs "evil"', []],
    ['inner * → regex', s('Name', lit('a'), ANY_CHARS, lit('b')), 'Name matches regex @"(?is)^a.*b$"', []],
    ['inner * cased → no (?i)', sc('Name', lit('a'), ANY_CHARS, lit('b')), 'Name matches regex @"(?s)^a.*b$"', []],
    [
      '*a*b* → regex',
      s('Name', ANY_CHARS, lit('a'), ANY_CHARS, lit('b'), ANY_CHARS),
      'Name matches regex @"(?is)^.*a.*b.*$"',
      [],
    ],
    ['leading ?', s('Name', ONE_CHAR, lit('a')), 'Name matches regex @"(?is)^.a$"', []],
    ['trailing ?', s('Name', lit('a'), ONE_CHAR), 'Name matches regex @"(?is)^a.$"', []],
    ['inner ?', s('Name', lit('a'), ONE_CHAR, lit('b')), 'Name matches regex @"(?is)^a.b$"', []],
    ['lone ?', s('Name', ONE_CHAR), 'Name matches regex @"(?is)^.$"', []],
    ['? with *', s('Name', ANY_CHARS, ONE_CHAR), 'Name matches regex @"(?is)^.*.$"', []],
    [
      'regex metacharacters in literal parts are escaped',
      s('Name', lit('a.b(c)[d]{e}|f^g$h+i\\j/'), ANY_CHARS, lit('"q"')),
      'Name matches regex @"(?is)^a\\.b\\(c\\)\\[d\\]\\{e\\}\\|f\\^g\\$h\\+i\\\\j\\/.*""q""$"',
      [],
    ],
    ['a newline in a plain value is escaped', s('Name', lit('a\nb'), ANY_CHARS), 'Name startswith "a\\nb"', []],
    [
      'a newline in a wildcard regex becomes \\x{A}, so the verbatim form stays usable',
      s('Name', lit('a\nb'), ONE_CHAR),
      'Name matches regex @"(?is)^a\\x{A}b.$"',
      [],
    ],
    [
      'control char in a regex literal part',
      s('Name', lit('a\tb'), ONE_CHAR),
      'Name matches regex @"(?is)^a\\x{9}b.$"',
      [],
    ],
    ['literal * and ? are plain text', s('Name', lit('a*b?c')), 'Name =~ "a*b?c"', []],
    ['literal * next to a wildcard', s('Name', lit('*'), ANY_CHARS), 'Name startswith "*"', []],
    ['only * → presence', s('Name', ANY_CHARS), 'isnotempty(Name)', ['SN002']],
    ['empty value', eq('Name', ''), 'Name =~ ""', ['SN002']],
    ['string value on a long column', eq('Count', '5'), 'tostring(Count) =~ "5"', []],
    ['string value on a dynamic column', s('Bag', ANY_CHARS, lit('x'), ANY_CHARS), 'tostring(Bag) contains "x"', []],
  ]);
});

describe('value lists', () => {
  check([
    ['exact values → in~', b.or([eq('Name', 'a'), eq('Name', 'b'), eq('Name', 'c')]), 'Name in~ ("a", "b", "c")', []],
    ['cased values → in', b.or([sc('Name', lit('a')), sc('Name', lit('b'))]), 'Name in ("a", "b")', []],
    [
      'a wildcard value keeps the plain OR',
      b.or([eq('Name', 'a'), s('Name', lit('b'), ANY_CHARS)]),
      'Name =~ "a" or Name startswith "b"',
      [],
    ],
    [
      'mixed case modes are not merged',
      b.or([eq('Name', 'a'), sc('Name', lit('b'))]),
      'Name =~ "a" or Name == "b"',
      [],
    ],
    ['negated list', b.not(b.or([eq('Name', 'a'), eq('Name', 'b')])), 'not(Name in~ ("a", "b"))', []],
    [
      'list inside and',
      b.and([eq('Other', 'x'), b.or([eq('Name', 'a'), eq('Name', 'b')])]),
      'Other =~ "x" and Name in~ ("a", "b")',
      [],
    ],
    ['list on a typed column', b.or([eq('Count', '1'), eq('Count', '2')]), 'tostring(Count) in~ ("1", "2")', []],
  ]);
});

describe('boolean structure', () => {
  const a = eq('Name', 'a');
  const c = eq('Other', 'c');
  const n = b.numberMatch('Count', 1);
  check([
    ['and', b.and([a, c]), 'Name =~ "a" and Other =~ "c"', []],
    ['or', b.or([a, c]), 'Name =~ "a" or Other =~ "c"', []],
    ['or inside and is grouped', b.and([a, b.or([c, n])]), 'Name =~ "a" and (Other =~ "c" or Count == 1)', []],
    [
      'and inside or needs no group (and binds tighter)',
      b.or([b.and([a, c]), n]),
      'Name =~ "a" and Other =~ "c" or Count == 1',
      [],
    ],
    ['not of a leaf', b.not(a), 'not(Name =~ "a")', []],
    ['not of an and: one pair of parentheses', b.not(b.and([a, c])), 'not(Name =~ "a" and Other =~ "c")', []],
    ['not of an or', b.not(b.or([a, n])), 'not(Name =~ "a" or Count == 1)', []],
    ['not inside and', b.and([a, b.not(c)]), 'Name =~ "a" and not(Other =~ "c")', []],
    [
      'deep nesting',
      b.or([b.and([a, b.not(b.or([c, b.and([n, b.not(a)])]))]), b.not(n)]),
      'Name =~ "a" and not(Other =~ "c" or Count == 1 and not(Name =~ "a")) or not(Count == 1)',
      [],
    ],
    ['constant false', b.FALSE, 'false', []],
  ]);

  it('a detection that is always true queries the table alone', () => {
    const out = render(b.TRUE);
    expect(out.query).toBe(TEST_TABLE);
    expect(kusto.errors(out.query)).toEqual([]);
  });
});

describe('numbers, booleans, comparisons', () => {
  check([
    ['number on a long column', b.numberMatch('Count', 4688), 'Count == 4688', []],
    ['negative number', b.numberMatch('Count', -3), 'Count == -3', []],
    ['real on a real column', b.numberMatch('Ratio', 2.5), 'Ratio == 2.5', []],
    ['integer on a string column → tolong', b.numberMatch('Name', 4688), 'tolong(Name) == 4688', []],
    ['real on a string column → toreal', b.numberMatch('Name', 0.5), 'toreal(Name) == 0.5', []],
    ['number on a dynamic column', b.numberMatch('Bag', 7), 'tolong(Bag) == 7', []],
    ['number on an untyped column', b.numberMatch('Untyped', 1), 'tolong(Untyped) == 1', []],
    ['gt', b.compare('Count', 'gt', 5), 'isnotnull(Count) and Count > 5', []],
    ['gte', b.compare('Count', 'gte', 5), 'isnotnull(Count) and Count >= 5', []],
    ['lt real', b.compare('Ratio', 'lt', 0.25), 'isnotnull(Ratio) and Ratio < 0.25', []],
    [
      'lte on a string column → toreal',
      b.compare('Name', 'lte', 10),
      'isnotnull(toreal(Name)) and toreal(Name) <= 10',
      [],
    ],
    [
      'negated compare keeps rows without a number (two-valued)',
      b.not(b.compare('Name', 'lt', 15)),
      'not(isnotnull(toreal(Name)) and toreal(Name) < 15)',
      [],
    ],
    [
      'compare under or is grouped for the reader',
      b.or([eq('Other', 'x'), b.compare('Count', 'gt', 5)]),
      'Other =~ "x" or (isnotnull(Count) and Count > 5)',
      [],
    ],
    ['bool on a bool column', b.boolMatch('Flag', true), 'Flag == true', []],
    ['bool on a string column', b.boolMatch('Name', false), 'Name =~ "false"', []],
    [
      'bool on an untyped column binds whatever its type',
      b.boolMatch('Untyped', true),
      'tostring(Untyped) =~ "true"',
      [],
    ],
  ]);

  it.each([
    ['number vs bool column', b.numberMatch('Flag', 1)],
    ['number vs datetime column', b.numberMatch('When', 1)],
    ['compare on a datetime column', b.compare('When', 'gt', 1)],
    ['bool vs long column', b.boolMatch('Count', true)],
    ['time part of a bool column', b.timePart('Flag', 'hour', 1)],
  ])('refuses a type mismatch: %s', (_name, node) => {
    const out = render(node);
    expect(out.refusals.map((r) => r.code)).toEqual(['SN004']);
  });
});

describe('null, exists, cidr, fieldref, time parts, regex', () => {
  check([
    ['null on a string column → isempty', b.nullMatch('Name'), 'isempty(Name)', ['SN002']],
    ['null on a long column → isnull', b.nullMatch('Count'), 'isnull(Count)', []],
    ['exists on a string column → isnotempty', b.exists('Name'), 'isnotempty(Name)', ['SN002']],
    ['exists on a datetime column → isnotnull', b.exists('When'), 'isnotnull(When)', []],
    ['exists: false', b.not(b.exists('Count')), 'not(isnotnull(Count))', []],
    ['cidr v4', b.cidrMatch('Ip', '10.0.0.0', 8, 4), 'ipv4_is_in_any_range(Ip, "10.0.0.0/8") == true', []],
    [
      'negated cidr keeps rows with an empty or invalid address (two-valued)',
      b.not(b.cidrMatch('Ip', '10.0.0.0', 8, 4)),
      'not(ipv4_is_in_any_range(Ip, "10.0.0.0/8") == true)',
      [],
    ],
    ['cidr v6', b.cidrMatch('Ip', 'fe80::', 10, 6), 'ipv6_is_in_any_range(Ip, "fe80::/10") == true', []],
    [
      'cidr v4 on a column with ports',
      b.cidrMatch('IpPort', '192.0.2.0', 24, 4),
      'ipv4_is_in_any_range(tostring(split(IpPort, ":")[0]), "192.0.2.0/24") == true',
      [],
    ],
    [
      'cidr v6 on a column with ports',
      b.cidrMatch('IpPort', '2001:db8::', 32, 6),
      'ipv6_is_in_any_range(trim_start(@"\\[", tostring(split(IpPort, "]")[0])), "2001:db8::/32") == true',
      [],
    ],
    // A missing field equals nothing: the left column must hold a value (issue 13, cause 3).
    ['fieldref', b.fieldRef('Name', 'Other'), 'isnotempty(Name) and Name =~ Other', ['SN002']],
    ['fieldref cased', b.fieldRef('Name', 'Other', true), 'isnotempty(Name) and Name == Other', ['SN002']],
    ['fieldref with a typed column', b.fieldRef('Count', 'Name'), 'isnotnull(Count) and tostring(Count) =~ Name', []],
    ['hour of a datetime', b.timePart('When', 'hour', 3), 'datetime_part("hour", When) == 3', []],
    [
      'week of a string date',
      b.timePart('Name', 'week', 12),
      'datetime_part("week_of_year", todatetime(Name)) == 12',
      [],
    ],
    ['regex', b.regexMatch('Name', '\\d+\\s"x"/y', NO_FLAGS), 'Name matches regex @"\\d+\\s""x""/y"', []],
    [
      'regex flags',
      b.regexMatch('Name', 'abc.*def', { ignoreCase: true, multiline: true, dotAll: true }),
      'Name matches regex @"(?ims)abc.*def"',
      [],
    ],
    [
      'regex with a newline → escaped literal',
      b.regexMatch('Name', 'a\nb\\d', NO_FLAGS),
      'Name matches regex "a\\nb\\\\d"',
      [],
    ],
    [
      'regex groups become non-capturing',
      b.regexMatch('Name', '(a|b)(?<n>c)[(]', NO_FLAGS),
      'Name matches regex @"(?:a|b)(?:c)[(]"',
      [],
    ],
    ['regex on a dynamic column', b.regexMatch('Bag', 'x', NO_FLAGS), 'tostring(Bag) matches regex @"x"', []],
  ]);

  it.each([
    ['backreference', '(a)\\1'],
    ['look-ahead', 'a(?=b)'],
    ['negative look-behind', '(?<!a)b'],
    ['atomic group', '(?>a)'],
    ['possessive quantifier', 'a++'],
  ])('refuses a regex RE2 cannot run: %s', (_name, source) => {
    const out = render(b.regexMatch('Name', source, NO_FLAGS));
    expect(out.refusals.map((r) => r.code)).toEqual(['SN001']);
  });
});

describe('keywords (field-less)', () => {
  const kw = (...parts: PatternPart[]): IrNode => b.keyword(pattern(parts));
  check([
    ['contains keyword', kw(ANY_CHARS, lit('evil thing'), ANY_CHARS), '* contains "evil thing"', ['SN003']],
    ['cased keyword', b.keyword(pattern([ANY_CHARS, lit('Evil'), ANY_CHARS]), true), '* contains_cs "Evil"', ['SN003']],
    // A keyword is searched inside the record (spec: "applied to the full log message"): a plain value is a
    // substring search, not whole-value equality; a trailing `*` adds nothing to a substring search.
    ['plain keyword is a substring search', kw(lit('svc.exe')), '* contains "svc.exe"', ['SN003']],
    ['prefix keyword', kw(lit('svc'), ANY_CHARS), '* contains "svc"', ['SN003']],
    ['complex keyword', kw(lit('a'), ONE_CHAR, lit('b')), '* matches regex @"(?is)^.*a.b.*$"', ['SN003']],
    [
      'keywords or-ed with a field test',
      b.or([kw(ANY_CHARS, lit('x'), ANY_CHARS), eq('Name', 'y')]),
      '* contains "x" or Name =~ "y"',
      ['SN003'],
    ],
  ]);
});

describe('column names', () => {
  check([
    ['space → bracketed', eq('odd name', 'x'), `['odd name'] =~ "x"`, []],
    ['quote and backslash → escaped in brackets', eq("it's\\here", 'x'), `['it\\'s\\\\here'] =~ "x"`, []],
    ['keyword as a column name → bracketed', eq('and', 'x'), `['and'] =~ "x"`, []],
  ]);
});

describe('compact rendering (queries over the length limit)', () => {
  const compact = (node: IrNode) => {
    const report = collector();
    return { where: new KustoGenerator(true).generate(node, mappedFor(node), report), ...report };
  };

  it('joins string tests of one column into one anchored alternation', () => {
    const node = b.or([
      s('Name', ANY_CHARS, lit('.exe')),
      s('Name', lit('C:\\'), ANY_CHARS),
      s('Name', ANY_CHARS, lit('a|b'), ANY_CHARS),
      eq('Name', 'x.y'),
      eq('Other', 'z'),
    ]);
    const out = compact(node);
    expect(out.where).toBe('Name matches regex @"(?i)(?:\\.exe$|^C:\\\\|a\\|b|^x\\.y$)" or Other =~ "z"');
    expect(sharedKusto().errors(`${TEST_TABLE}\n| where ${out.where}`)).toEqual([]);
  });

  it('keeps cased and case-insensitive tests apart, and exact lists as in~', () => {
    const out = compact(
      b.or([sc('Name', ANY_CHARS, lit('A')), sc('Name', ANY_CHARS, lit('B')), s('Name', ANY_CHARS, lit('c'))]),
    );
    expect(out.where).toBe('Name matches regex @"(?:A$|B$)" or Name endswith "c"');
    expect(compact(b.or([eq('Name', 'a'), eq('Name', 'b')])).where).toBe('Name in~ ("a", "b")');
  });

  it('joins CIDR tests of one column and family into one range call', () => {
    const out = compact(
      b.not(
        b.or([
          b.cidrMatch('Ip', '10.0.0.0', 8, 4),
          b.cidrMatch('Ip', '192.168.0.0', 16, 4),
          b.cidrMatch('Ip', 'fe80::', 10, 6),
        ]),
      ),
    );
    expect(out.where).toBe(
      'not(ipv4_is_in_any_range(Ip, "10.0.0.0/8", "192.168.0.0/16") == true or ipv6_is_in_any_range(Ip, "fe80::/10") == true)',
    );
    expect(sharedKusto().errors(`${TEST_TABLE}\n| where ${out.where}`)).toEqual([]);
  });

  it('is used only when the plain query is over the limit', () => {
    const many = (n: number) => b.or(Array.from({ length: n }, (_, i) => s('Name', ANY_CHARS, lit(`\\tool-${i}.exe`))));
    expect(render(many(10)).where).toMatch(/^Name endswith /);
    const long = render(many(500));
    expect(long.refusals).toEqual([]);
    expect(long.where).toMatch(/^Name matches regex @"\(\?i\)\(\?:/);
    expect(long.query.length).toBeLessThanOrEqual(10_000);
  });
});

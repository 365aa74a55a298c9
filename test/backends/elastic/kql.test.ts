/** KQL rendering of every IR kind, the boolean structure, and when the rule must move to EQL. */
import { describe, expect, it } from 'vitest';
import * as b from '../../../src/ir/build.js';
import type { PatternPart } from '../../../src/ir/pattern.js';
import { ANY_CHARS, literalPart, literalPattern, ONE_CHAR, pattern } from '../../../src/ir/pattern.js';
import { render } from './helpers.js';

const p = (...parts: (string | PatternPart)[]) =>
  pattern(parts.map((x) => (typeof x === 'string' ? literalPart(x) : x)));
/** A keyword field whose values are case-exact, so only escaping is under test. */
const exact = { fieldTypes: { f: 'keyword', g: 'keyword' }, caseExact: ['f', 'g'] };
const kql = (node: ReturnType<typeof b.and>, options = exact) => {
  const r = render(node, options);
  expect(r.language).toBe('kuery');
  expect(r.extra).toEqual({ type: 'query' });
  return r;
};

describe('string matches', () => {
  it.each([
    [p('Exchange'), 'f:Exchange'],
    [p(''), 'f:""'],
    [p('a b'), 'f:"a b"'],
    [p('and'), 'f:"and"'],
    [p('say "hi"\n'), 'f:"say \\"hi\\"\\n"'],
    [p(ANY_CHARS), 'f:*'],
    [p(ANY_CHARS, '.exe'), 'f:*.exe'],
    [p('cmd', ANY_CHARS), 'f:cmd*'],
    [p(ANY_CHARS, 'mimikatz', ANY_CHARS), 'f:*mimikatz*'],
    [p('a', ANY_CHARS, 'b', ANY_CHARS, 'c'), 'f:a*b*c'],
    [p(ANY_CHARS, '\\cmd.exe'), 'f:*\\\\cmd.exe'],
    [p('C:\\dir\\', ANY_CHARS), 'f:C\\:\\\\dir\\\\*'],
    [p('lit*star', ANY_CHARS), 'f:lit\\*star*'],
    [p(ANY_CHARS, '(x):<y>{z}"q"'), 'f:*\\(x\\)\\:\\<y\\>\\{z\\}\\"q\\"'],
    [p(ANY_CHARS, 'or'), 'f:*or'],
    [p('and', ANY_CHARS), 'f:and*'],
  ])('%j → %s', (value, expected) => {
    const r = kql(b.stringMatch('f', value));
    expect(r.query).toBe(expected);
    expect(r.codes).toEqual([]);
  });

  it.each([
    ['?', p('a', ONE_CHAR, 'c'), "single-character wildcard '?'"],
    ['whitespace', p(ANY_CHARS, 'a b', ANY_CHARS), 'whitespace'],
    ['a tab', p(ANY_CHARS, 'a\tb'), 'whitespace'],
    ['a control character', p(ANY_CHARS, 'a\u0000b'), 'control'],
    ['a leading not', p('notepad', ANY_CHARS), "starting with 'not'"],
  ])('moves to EQL for a wildcard with %s', (_what, value, reason) => {
    const r = render(b.stringMatch('f', value), exact);
    expect(r.language).toBe('eql');
    expect(r.extra).toEqual({ type: 'eql' });
    expect(r.report.items).toEqual([expect.objectContaining({ code: 'EL101', severity: 'info' })]);
    expect(r.report.items[0]!.message).toContain(reason);
  });
});

describe('case sensitivity', () => {
  const ci = b.stringMatch('f', literalPattern('Exchange'));

  it('keeps KQL on case-exact fields, for cased matches and for values without letters', () => {
    expect(kql(ci).query).toBe('f:Exchange');
    expect(render(b.stringMatch('f', literalPattern('Exchange'), true), { fieldTypes: { f: 'keyword' } }).query).toBe(
      'f:Exchange',
    );
    expect(render(b.stringMatch('f', p(ANY_CHARS, '4688')), { fieldTypes: { f: 'keyword' } }).query).toBe('f:*4688');
    expect(render(b.stringMatch('f', literalPattern('10.1.2.3')), { fieldTypes: { f: 'ip' } }).query).toBe(
      'f:10.1.2.3',
    );
  });

  it('moves a case-insensitive match on a keyword field to EQL (EL101)', () => {
    const r = render(ci, { fieldTypes: { f: 'keyword' } });
    expect(r.language).toBe('eql');
    expect(r.query).toBe('any where f : "Exchange"');
    expect(r.codes).toEqual(['EL101']);
    expect(r.report.items[0]!.message).toContain("case-insensitive match on keyword field 'f'");
  });

  it('treats an untyped field as keyword', () => {
    expect(render(ci).query).toBe('any where ?f : "Exchange"');
  });

  it('keeps KQL with a case warning when the rule pins kuery (EL201)', () => {
    const r = render(ci, { fieldTypes: { f: 'keyword' }, language: 'kuery' });
    expect(r.language).toBe('kuery');
    expect(r.query).toBe('f:Exchange');
    expect(r.codes).toEqual(['EL201']);
  });

  it('refuses a pinned kuery rule that needs EQL for anything else (EL307)', () => {
    const r = render(b.regexMatch('f', 'a.c', { ignoreCase: false, multiline: false, dotAll: false }), {
      language: 'kuery',
    });
    expect(r.codes).toEqual(['EL307']);
  });

  it('skips KQL when the rule pins eql, and refuses an unknown language (EL309)', () => {
    expect(render(ci, { ...exact, language: 'eql' }).query).toBe('any where f : "Exchange"');
    expect(render(ci, { ...exact, language: 'lucene' }).codes).toEqual(['EL309']);
  });

  it('warns that text fields are analysed (EL203)', () => {
    const r = render(ci, { fieldTypes: { f: 'text' } });
    expect(r.query).toBe('f:Exchange');
    expect(r.codes).toEqual(['EL203']);
  });
});

describe('other leaf kinds', () => {
  it('renders numbers, booleans, null, exists and ranges', () => {
    expect(kql(b.numberMatch('f', 4688)).query).toBe('f:4688');
    expect(kql(b.numberMatch('f', -2.5)).query).toBe('f:-2.5');
    expect(kql(b.boolMatch('f', true)).query).toBe('f:true');
    expect(kql(b.nullMatch('f')).query).toBe('not f:*');
    expect(kql(b.not(b.nullMatch('f'))).query).toBe('f:*');
    expect(kql(b.exists('f')).query).toBe('f:*');
    expect(kql(b.not(b.exists('f'))).query).toBe('not f:*');
    expect(kql(b.compare('f', 'gt', 5)).query).toBe('f > 5');
    expect(kql(b.compare('f', 'lte', 3)).query).toBe('f <= 3');
    expect(kql(b.compare('f', 'gte', 0)).query).toBe('f >= 0');
    expect(kql(b.compare('f', 'lt', -1)).query).toBe('f < -1');
  });

  it('warns EL206 for a comparison on a field not typed numeric (a range on keyword compares text)', () => {
    const untyped = render(b.not(b.compare('a', 'lt', 15)));
    expect(untyped.query).toBe('not a < 15');
    expect(untyped.codes).toEqual(['EL206']);
    const keyword = render(b.compare('a', 'gt', 4), { fieldTypes: { a: 'keyword' } });
    expect(keyword.codes).toEqual(['EL206']);
    // Typed numeric: a range compares numbers and must_not keeps a document without the field (two-valued not).
    const typed = render(b.not(b.compare('a', 'lt', 15)), { fieldTypes: { a: 'long' } });
    expect(typed.query).toBe('not a < 15');
    expect(typed.codes).toEqual([]);
    const eqlTyped = render(b.compare('a', 'gte', 1), { fieldTypes: { a: 'double' }, language: 'eql' });
    expect(eqlTyped.codes).not.toContain('EL206');
    expect(render(b.compare('a', 'gte', 1), { language: 'eql' }).codes).toContain('EL206');
  });

  it('refuses a non-finite number (EL308)', () => {
    expect(render(b.numberMatch('f', Infinity), exact).codes).toEqual(['EL308']);
    expect(render(b.compare('f', 'gt', NaN), exact).codes).toEqual(['EL308']);
  });

  it('renders CIDR on ip fields, quoting IPv6', () => {
    const ip = { fieldTypes: { 'source.ip': 'ip' } };
    expect(render(b.cidrMatch('source.ip', '10.0.0.0', 8, 4), ip).query).toBe('source.ip:10.0.0.0/8');
    expect(render(b.cidrMatch('source.ip', '2001:db8::', 48, 6), ip).query).toBe('source.ip:"2001:db8::/48"');
  });

  it('warns for CIDR on an untyped field (EL204) and lowers octet-aligned CIDR on a keyword field', () => {
    const r = render(b.cidrMatch('ip', '10.0.0.0', 8, 4));
    expect([r.query, r.codes]).toEqual(['ip:10.0.0.0/8', ['EL204']]);
    expect(render(b.cidrMatch('ip', '10.1.0.0', 16, 4), { fieldTypes: { ip: 'keyword' } }).query).toBe('ip:10.1.*');
    expect(render(b.cidrMatch('ip', '10.1.2.3', 32, 4), { fieldTypes: { ip: 'keyword' } }).query).toBe('ip:10.1.2.3');
    expect(render(b.cidrMatch('ip', '10.16.0.0', 12, 4), { fieldTypes: { ip: 'keyword' } }).codes).toContain('EL306');
  });

  it('refuses wildcards on ip fields (EL305), field references (EL301) and date parts (EL302)', () => {
    expect(render(b.stringMatch('ip', p('10.', ANY_CHARS)), { fieldTypes: { ip: 'ip' } }).codes).toContain('EL305');
    expect(render(b.fieldRef('f', 'g'), exact).codes).toEqual(['EL301']);
    expect(render(b.timePart('f', 'hour', 3), exact).codes).toEqual(['EL302']);
  });

  it('renders keywords as a free-text substring search with a case warning (EL202)', () => {
    const r = render(b.keyword(literalPattern('sekurlsa::')));
    expect([r.query, r.codes]).toEqual(['*sekurlsa\\:\\:*', ['EL202']]);
    expect(render(b.keyword(p(ANY_CHARS, 'mimi(katz)', ANY_CHARS))).query).toBe('*mimi\\(katz\\)*');
    // No letter with case: nothing lost.
    expect(render(b.keyword(literalPattern('UID=0,'))).codes).toEqual(['EL202']);
    expect(render(b.keyword(literalPattern('=0,'))).codes).toEqual([]);
  });

  it('searches whitespace, quotes and ? of a keyword as * (EL207), a wider search', () => {
    const r = render(b.keyword(literalPattern('evil "thing"')));
    expect([r.query, r.codes]).toEqual(['*evil*\\"thing\\"*', ['EL202', 'EL207']]);
    expect(render(b.keyword(p('a', ONE_CHAR, 'b'))).query).toBe('*a*b*');
  });

  it('keeps a keyword rule in KQL and warns of case losses (EL201) instead of refusing it in EQL', () => {
    const r = render(b.and([b.keyword(p(ANY_CHARS, 'a b', ANY_CHARS)), b.stringMatch('f', literalPattern('X'))]));
    expect([r.query, r.codes]).toEqual(['*a*b* and f:X', ['EL202', 'EL207', 'EL201']]);
  });

  it('refuses a keyword search in a rule that needs EQL (EL304)', () => {
    const r = render(
      b.and([
        b.keyword(literalPattern('x')),
        b.regexMatch('f', 'a.c', { ignoreCase: false, multiline: false, dotAll: false }),
      ]),
    );
    expect(r.codes).toEqual(['EL101', 'EL304']);
  });

  it('moves a regex to EQL', () => {
    const r = render(b.regexMatch('f', 'a.c', { ignoreCase: true, multiline: false, dotAll: true }), exact);
    expect(r.query).toBe('any where f regex~ ".*a.c.*"');
  });
});

describe('boolean structure', () => {
  const a = b.stringMatch('f', literalPattern('a'));
  const c = b.stringMatch('g', literalPattern('c'));
  const d = b.exists('g');

  it('joins with lower-case keywords and parenthesises nested groups', () => {
    expect(kql(b.and([a, c])).query).toBe('f:a and g:c');
    expect(kql(b.or([b.and([a, c]), d])).query).toBe('(f:a and g:c) or g:*');
    expect(kql(b.and([b.or([a, c]), b.not(b.and([c, d]))])).query).toBe('(f:a or g:c) and not (g:c and g:*)');
    expect(kql(b.not(b.or([a, c]))).query).toBe('not (f:a or g:c)');
  });

  it('writes value lists of one field as field:(a or b)', () => {
    const list = b.or([a, b.stringMatch('f', p('b', ANY_CHARS)), b.stringMatch('f', literalPattern('two words'))]);
    expect(kql(list).query).toBe('f:(a or b* or "two words")');
    expect(kql(b.not(list)).query).toBe('not f:(a or b* or "two words")');
    expect(kql(b.and([list, c])).query).toBe('f:(a or b* or "two words") and g:c');
  });

  it('spells constants as match_all, warning when the rule can never match (EL205)', () => {
    expect(kql(b.TRUE).query).toBe('*:*');
    const r = kql(b.FALSE);
    expect([r.query, r.codes]).toEqual(['not *:*', ['EL205']]);
  });
});

import { describe, expect, it } from 'vitest';
import { QueryParseError } from './evaluators/common.js';
import { evaluate, parse } from './evaluators/kql.js';

const run = (query: string, event: Record<string, unknown>, types: Record<string, string> = {}): boolean =>
  evaluate(parse(query), event, types);

describe('KQL reader', () => {
  it('reads the seed query as an AND of four exact matches', () => {
    const q =
      'event.dataset:o365.audit and event.provider:Exchange and event.action:Set-MailboxAuditBypassAssociation and event.outcome:success';
    const ast = parse(q);
    expect(ast.kind).toBe('and');
    const event = {
      'event.dataset': 'o365.audit',
      'event.provider': 'Exchange',
      'event.action': 'Set-MailboxAuditBypassAssociation',
      'event.outcome': 'success',
    };
    expect(evaluate(ast, event)).toBe(true);
    expect(evaluate(ast, { ...event, 'event.outcome': 'failure' })).toBe(false);
  });

  it('treats keywords case-insensitively and needs whitespace around them', () => {
    expect(run('a:1 OR b:2', { b: '2' })).toBe(true);
    expect(run('a:1 And b:2', { a: '1', b: '2' })).toBe(true);
    expect(run('NOT a:1', { a: '2' })).toBe(true);
    // `a:xorb` is one literal, not an `or`.
    expect(run('a:xorb', { a: 'xorb' })).toBe(true);
    // `notepad.exe` is a value, not `not epad.exe` (Kibana needs whitespace after not).
    expect(run('p:notepad.exe', { p: 'notepad.exe' })).toBe(true);
  });

  it('gives not > and > or precedence', () => {
    const q = 'a:1 or b:1 and c:1';
    expect(run(q, { a: '1' })).toBe(true);
    expect(run(q, { b: '1' })).toBe(false);
    expect(run('not a:1 and b:1', { b: '1' })).toBe(true);
    expect(run('not (a:1 and b:1)', { a: '1' })).toBe(true);
  });

  it('decodes escapes in unquoted values', () => {
    expect(run('f:C\\:\\\\Windows\\\\\\(x\\)', { f: 'C:\\Windows\\(x)' })).toBe(true);
    expect(run('f:a\\*b', { f: 'a*b' })).toBe(true);
    expect(run('f:a\\*b', { f: 'axxb' })).toBe(false);
    expect(run('f:\\<\\>\\"\\{\\}', { f: '<>"{}' })).toBe(true);
    expect(run('f:a\\tb\\u0041', { f: 'a\tbA' })).toBe(true);
  });

  it('reads \\not as an escaped newline followed by "ot" (as Kibana does)', () => {
    expect(run('f:x\\not', { f: 'x\not' })).toBe(true);
    expect(() => parse('f:x\\or', { portable: true })).toThrow(QueryParseError);
  });

  it('rejects invalid unquoted escapes with a position', () => {
    try {
      parse('f:a\\ b');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(QueryParseError);
      expect((error as QueryParseError).position).toBe(3);
    }
    expect(() => parse('f:a\\/b')).toThrow(/invalid escape/);
  });

  it('decodes quoted escapes; any other backslash stays literal', () => {
    expect(run('f:"a\\"b"', { f: 'a"b' })).toBe(true);
    expect(run('f:"C:\\\\Windows"', { f: 'C:\\Windows' })).toBe(true);
    expect(run('f:"C:\\Windows"', { f: 'C:\\Windows' })).toBe(true);
    expect(run('f:"a\\nb\\tc\\u0041"', { f: 'a\nb\tcA' })).toBe(true);
    expect(run('f:"\\d"', { f: '\\d' })).toBe(true);
    expect(() => parse('f:"abc\\"')).toThrow(/unterminated/);
  });

  it('has wildcards only in unquoted values; ? is always literal', () => {
    expect(run('f:*.exe', { f: 'cmd.exe' })).toBe(true);
    expect(run('f:"*.exe"', { f: 'cmd.exe' })).toBe(false);
    expect(run('f:"*.exe"', { f: '*.exe' })).toBe(true);
    expect(run('f:a?c', { f: 'abc' })).toBe(false);
    expect(run('f:a?c', { f: 'a?c' })).toBe(true);
    expect(run('f:a*c', { f: 'a\nb\nc' })).toBe(true);
  });

  it('matches keyword values exactly and case-sensitively', () => {
    expect(run('f:"Exchange"', { f: 'exchange' })).toBe(false);
    expect(run('f:Ex*', { f: 'exchange' })).toBe(false);
    expect(run('f:"Exchange"', { f: 'Exchange Online' })).toBe(false);
  });

  it('field:* is existence, true for the empty string, false for null and missing', () => {
    expect(run('f:*', { f: '' })).toBe(true);
    expect(run('f:*', { f: null })).toBe(false);
    expect(run('f:*', {})).toBe(false);
    expect(run('f:*', { f: [] })).toBe(false);
    expect(run('not f:*', {})).toBe(true);
    expect(run('f:""', { f: '' })).toBe(true);
  });

  it('keeps documents lacking the field under not (two-valued, must_not)', () => {
    expect(run('not f:"x"', {})).toBe(true);
  });

  it('matches any element of an array', () => {
    expect(run('f:"b"', { f: ['a', 'b'] })).toBe(true);
    expect(run('f:(a and b)', { f: ['a', 'b'] })).toBe(true);
    expect(run('f:(a and c)', { f: ['a', 'b'] })).toBe(false);
  });

  it('reads value lists with or/and/not, nested', () => {
    expect(run('f:(a or b)', { f: 'b' })).toBe(true);
    expect(run('f:(not a)', { f: 'b' })).toBe(true);
    expect(run('f:(a or (b and not c))', { f: 'b' })).toBe(true);
    expect(run('f:("x y" or z*)', { f: 'x y' })).toBe(true);
  });

  it('compares numbers numerically in ranges and on numeric fields', () => {
    expect(run('n >= 10', { n: 9 })).toBe(false);
    expect(run('n >= 10', { n: 10 })).toBe(true);
    // A keyword field compares terms, lexicographically: "9" sorts after "10".
    expect(run('n < 10', { n: '9' })).toBe(false);
    expect(run('n < 10', { n: '9' }, { n: 'long' })).toBe(true);
    expect(run('n < 10', { n: 'abc' }, { n: 'long' })).toBe(false);
    expect(run('n:5', { n: 5 })).toBe(true);
    expect(run('n:5.0', { n: 5 }, { n: 'long' })).toBe(true);
    expect(run('n:5.0', { n: 5 })).toBe(false);
  });

  it('matches CIDR values on ip fields only', () => {
    const types = { ip: 'ip' };
    expect(run('ip:10.0.0.0/8', { ip: '10.1.2.3' }, types)).toBe(true);
    expect(run('ip:10.0.0.0/8', { ip: '11.1.2.3' }, types)).toBe(false);
    expect(run('ip:"2001:db8::/32"', { ip: '2001:db8::1' }, types)).toBe(true);
    expect(run('ip:10.0.0.0/8', { ip: '10.1.2.3' })).toBe(false);
    expect(run('ip:10.1.2.3', { ip: '10.1.2.3' }, types)).toBe(true);
  });

  it('searches every field for a field-less value', () => {
    expect(run('"needle"', { a: 'x', b: ['needle'] })).toBe(true);
    expect(run('"needle"', { a: 'needles' })).toBe(false);
  });

  it('trims unquoted values but keeps inner whitespace (Kibana), which portable mode rejects', () => {
    expect(run('f: hello world ', { f: 'hello world' })).toBe(true);
    expect(() => parse('f:hello world', { portable: true })).toThrow(/whitespace/);
    expect(() => parse('f:not* and g:x', { portable: true })).toThrow(/not/);
  });

  it('rejects what is outside the subset', () => {
    expect(() => parse('f:{ g:1 }')).toThrow(/nested/);
    expect(() => parse('f*:x')).toThrow(/wildcard field/);
    expect(() => parse('f:(a or b')).toThrow(/\)/);
    expect(() => parse('f:a )')).toThrow(/unexpected/);
    expect(() => parse('f > a*')).toThrow(/range/);
  });

  it('accepts quoted and escaped field names', () => {
    expect(run('"my field":x', { 'my field': 'x' })).toBe(true);
    expect(run('a\\:b:x', { 'a:b': 'x' })).toBe(true);
  });
});

/** KQL literal spelling: every value either stays a plain token or reads back unchanged through Kibana's rules. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  escapeKqlWildcardLiteral,
  isPlainToken,
  kqlExactValue,
  kqlField,
  kqlNumber,
  quoteKql,
  wildcardLiteralProblem,
} from '../../../backends/elastic/kql-escape.js';

/** Kibana's quoted-string reading (grammar.peggy QuotedCharacter): `\\ \" \t \r \n`; any other `\x` is `\x`. */
function readQuoted(text: string): string {
  expect(text.startsWith('"') && text.endsWith('"')).toBe(true);
  const body = text.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '"') throw new Error(`unescaped quote at ${i}: the value broke out of its literal`);
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = body[++i];
    if (n === undefined) throw new Error('dangling backslash escapes the closing quote');
    out += ({ '\\': '\\', '"': '"', t: '\t', r: '\r', n: '\n' } as Record<string, string>)[n] ?? `\\${n}`;
  }
  return out;
}

/** Kibana's unquoted-literal reading: `\` + special is the special; bare specials/whitespace are not allowed. */
function readUnquotedLiteral(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      const n = text[++i];
      expect(n !== undefined && '\\():<>"*{}'.includes(n)).toBe(true);
      out += n;
    } else {
      expect('():<>"*{} \t\r\n'.includes(c)).toBe(false);
      out += c;
    }
  }
  return out;
}

describe('plain tokens', () => {
  it.each([
    'Exchange',
    'Set-MailboxAuditBypassAssociation',
    'o365.audit',
    'success',
    'user@example.com',
    'a/b',
    '4688',
  ])('%s stays bare', (v) => expect(kqlExactValue(v)).toBe(v));

  it.each([
    ['', '""'],
    ['and', '"and"'],
    ['or', '"or"'],
    ['not', '"not"'],
    ['NOT', '"NOT"'],
    ['notepad.exe', '"notepad.exe"'],
    ['orange', '"orange"'],
    ['true', '"true"'],
    ['null', '"null"'],
    ['a b', '"a b"'],
    ['*', '"*"'],
    ['?', '"?"'],
    ['(', '"("'],
    [')', '")"'],
    [':', '":"'],
    ['{', '"{"'],
    ['}', '"}"'],
    ['<', '"<"'],
    ['>', '">"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['C:\\Windows\\', '"C:\\\\Windows\\\\"'],
    ['\\', '"\\\\"'],
    ['line1\nline2', '"line1\\nline2"'],
    ['a\r\tb', '"a\\r\\tb"'],
    ['nul\u0000x', '"nul\u0000x"'],
    ['sep\u2028x', '"sep\u2028x"'],
    ['é', '"é"'],
  ])('%j is quoted as %s', (value, expected) => {
    expect(kqlExactValue(value)).toBe(expected);
    expect(readQuoted(expected)).toBe(value);
  });

  it('never lets a value out of its literal (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const text = kqlExactValue(value);
        if (isPlainToken(value)) {
          expect(text).toBe(value);
          expect(text).toMatch(/^[A-Za-z0-9_.@/-]+$/);
          expect(text).not.toMatch(/^(not|and|or)/i);
        } else {
          expect(text).not.toMatch(/[\r\n]/);
          expect(readQuoted(text)).toBe(value);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('wildcard literal runs', () => {
  it('escapes every Kibana special character', () => {
    expect(escapeKqlWildcardLiteral('a\\b(c)d:e<f>g"h*i{j}k')).toBe('a\\\\b\\(c\\)d\\:e\\<f\\>g\\"h\\*i\\{j\\}k');
  });

  it('escapes a trailing backslash so it cannot swallow the next wildcard', () => {
    expect(escapeKqlWildcardLiteral('C:\\dir\\')).toBe('C\\:\\\\dir\\\\');
  });

  it('reads back unchanged (property)', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        fc.pre(wildcardLiteralProblem(value) === undefined);
        expect(readUnquotedLiteral(escapeKqlWildcardLiteral(value))).toBe(value);
      }),
      { numRuns: 500 },
    );
  });

  it.each([' ', '\t', '\n', '\u00a0', '\u2028', '\u0000', '\u200e'])('rejects %j', (c) => {
    expect(wildcardLiteralProblem(`a${c}b`)).toBeDefined();
  });
});

describe('fields and numbers', () => {
  it('quotes field names that are not plain tokens', () => {
    expect(kqlField('event.action')).toBe('event.action');
    expect(kqlField('notification.type')).toBe('"notification.type"');
    expect(kqlField('my field')).toBe('"my field"');
  });

  it('prints numbers as canonical decimals, quoting exponent forms', () => {
    expect(kqlNumber(4688)).toBe('4688');
    expect(kqlNumber(-1.5)).toBe('-1.5');
    expect(kqlNumber(-0)).toBe('0');
    expect(kqlNumber(1e21)).toBe('"1e+21"');
    expect(quoteKql('x')).toBe('"x"');
  });
});

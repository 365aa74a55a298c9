import { describe, expect, it } from 'vitest';
import { base64OffsetVariants } from '../../src/detection/modifiers/base64offset.js';
import { ANY_CHARS } from '../../src/ir/pattern.js';
import type { Pattern } from '../../src/ir/pattern.js';
import { placeholdersIn } from '../../src/ir/placeholder.js';
import { errorsOf, sel, show } from './helpers.js';

/** The IR of `sel` whose one item is `line`, asserting it had no diagnostics of severity error. */
function ir(line: string): string {
  const r = sel(line);
  expect(errorsOf(r)).toEqual([]);
  return show(r.node);
}

describe('string modifiers', () => {
  it('contains / startswith / endswith add wildcards after escape parsing', () => {
    expect(ir(String.raw`P|contains: '\Desktop\'`)).toBe(String.raw`P="*\\Desktop\\*"`);
    expect(ir(`P|startswith: 'C:\\x'`)).toBe(String.raw`P="C:\\x*"`);
    expect(ir(`P|endswith: '.exe'`)).toBe('P="*.exe"');
    expect(ir(`P|contains: 'a*b'`)).toBe('P="*a*b*"');
    expect(ir(String.raw`P|contains: '/tn \*'`)).toBe(String.raw`P="*/tn \**"`);
  });

  it('all AND-links the values', () => {
    expect(ir(`C|contains|all:\n  - a\n  - b`)).toBe('and(C="*a*", C="*b*")');
  });

  it('all on a single value warns', () => {
    const r = sel(`C|contains|all: a`);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['RC213']);
  });

  it('cased makes the match case-sensitive', () => {
    expect(ir(`C|cased: Abc`)).toBe('C=="Abc"');
    expect(ir(`C|contains|cased: Abc`)).toBe('C=="*Abc*"');
  });

  it('neq negates the OR of the values', () => {
    expect(ir(`C|neq:\n  - a\n  - b`)).toBe('not(or(C="a", C="b"))');
    expect(ir(`C|neq: 5`)).toBe('not(C=#5)');
  });

  it('windash expands a word-start dash or slash into five variants', () => {
    const out = ir(`C|contains|windash: ' -param-name'`);
    expect(out).toBe(
      'or(C="* -param-name*", C="* /param-name*", C="* –param-name*", C="* —param-name*", C="* ―param-name*")',
    );
  });

  it('windash makes every combination of several dashes and leaves text without dashes alone', () => {
    const r = sel(`C|windash: '-a /b'`);
    expect(r.node.kind === 'or' && r.node.children.length).toBe(25);
    expect(ir(`C|windash: 'a-b'`)).toBe('C="a-b"');
  });

  it('utf16le / wide / utf16be / utf16 encode literal parts and keep wildcards', () => {
    expect(ir(`C|wide: 'ab*'`)).toBe('C="a\\u0000b\\u0000*"'.replace(/\\u0000/g, '\u0000'));
    expect(ir(`C|utf16le: 'a'`)).toBe('C="a\u0000"');
    expect(ir(`C|utf16be: 'a'`)).toBe('C="\u0000a"');
    expect(ir(`C|utf16: 'a'`)).toBe('C="\u00ff\u00fea\u0000"');
  });

  it('base64 encodes the UTF-8 bytes; after wide it encodes the UTF-16 bytes', () => {
    expect(ir(`C|base64: 'http'`)).toBe('C="aHR0cA=="');
    expect(ir(`C|wide|base64: 'ab'`)).toBe(`C="${Buffer.from('ab', 'utf16le').toString('base64')}"`);
    expect(ir(`C|base64|contains: 'ab'`)).toBe('C="*YWI=*"');
  });

  it('base64offset yields the three standard trimmed offsets', () => {
    expect(base64OffsetVariants(Buffer.from('http'))).toEqual(['aHR0c', 'h0dH', 'odHRw']);
    expect(ir(`C|base64offset|contains: 'http'`)).toBe('or(C="*aHR0c*", C="*h0dH*", C="*odHRw*")');
  });

  it('wide|base64offset (the common combination) encodes UTF-16LE bytes at three offsets', () => {
    const bytes = Buffer.from('IEX', 'utf16le');
    const expected = base64OffsetVariants(bytes).map((v) => `C="*${v}*"`);
    expect(ir(`C|wide|base64offset|contains: 'IEX'`)).toBe(`or(${expected.join(', ')})`);
    expect(expected).toContain('C="*SQBFAFgA*"');
  });

  it('base64 and base64offset reject wildcards', () => {
    expect(errorsOf(sel(`C|base64: 'a*'`))).toEqual(['RC208']);
    expect(errorsOf(sel(`C|contains|base64offset: 'a'`))).toEqual(['RC208']);
  });

  it('base64offset without contains warns', () => {
    expect(sel(`C|base64offset: 'abc'`).diagnostics.map((d) => d.code)).toEqual(['RC218']);
  });
});

describe('regex modifiers', () => {
  it('re keeps the source, case-sensitive by default', () => {
    expect(ir(String.raw`C|re: '\d+\s"x"/y'`)).toBe(String.raw`C=~/\d+\s"x"/y/`);
  });

  it('re|i, re|m, re|s set flags', () => {
    expect(ir(`C|re|i|m|s: 'abc.*def'`)).toBe('C=~/abc.*def/ims');
    expect(ir(`C|re|ignorecase: 'x'`)).toBe('C=~/x/i');
  });

  it('moves a leading inline flag group into flags', () => {
    expect(ir(`C|re: '(?i)abc'`)).toBe('C=~/abc/i');
    expect(ir(`C|re: '(?ims)abc'`)).toBe('C=~/abc/ims');
    expect(ir(`C|re: '(?s)a.b'`)).toBe('C=~/a.b/s');
  });

  it('rejects inline flags elsewhere and unknown flag letters', () => {
    expect(errorsOf(sel(`C|re: 'a(?i)b'`))).toEqual(['RC205']);
    expect(errorsOf(sel(`C|re: '(?x)ab'`))).toEqual(['RC205']);
  });

  it('ignores (? inside a class or after an escape', () => {
    expect(ir(String.raw`C|re: '[(?i)]\(?i\)'`)).toBe(String.raw`C=~/[(?i)]\(?i\)/`);
  });

  it('rejects a pattern that does not compile', () => {
    expect(errorsOf(sel(`C|re: 'a(b'`))).toEqual(['RC204']);
    expect(errorsOf(sel(`C|re: '(?P<n>x)'`))).toEqual(['RC204']);
  });

  it('keeps a pattern valid only without the u flag, with a warning', () => {
    const r = sel(String.raw`C|re: 'a\-b'`);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['RC214']);
    expect(show(r.node)).toBe(String.raw`C=~/a\-b/`);
  });

  it('contains/startswith/endswith after re anchor the search regex', () => {
    expect(ir(`C|re|contains: 'a|b'`)).toBe('C=~/a|b/');
    expect(ir(`C|re|startswith: 'a|b'`)).toBe('C=~/^(?:a|b)/');
    expect(ir(`C|re|endswith: 'a|b'`)).toBe('C=~/(?:a|b)$/');
    expect(ir(`C|re|endswith: 'ab$'`)).toBe('C=~/ab$/');
    expect(errorsOf(sel(`C|re|m|startswith: 'a'`))).toEqual(['RC202']);
  });

  it('re must be first and i/m/s must follow re', () => {
    expect(errorsOf(sel(`C|contains|re: 'a'`))).toEqual(['RC202']);
    expect(errorsOf(sel(`C|i: 'a'`))).toEqual(['RC202']);
    expect(errorsOf(sel(`C|re|cased: 'a'`))).toEqual(['RC202']);
  });
});

describe('typed modifiers', () => {
  it('exists: true/false, YAML 1.1 yes/no with a warning', () => {
    expect(ir(`C|exists: true`)).toBe('exists(C)');
    expect(ir(`C|exists: false`)).toBe('not(exists(C))');
    const r = sel(`C|exists: 'yes'`);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['RC210']);
    expect(show(r.node)).toBe('exists(C)');
    expect(errorsOf(sel(`C|exists: maybe`))).toEqual(['RC203']);
  });

  it('lt / lte / gt / gte need numbers', () => {
    expect(ir(`A|lt: 1\nB|lte: 2\nC|gt: 3.5\nD|gte: -4`)).toBe('and(A lt 1, B lte 2, C gt 3.5, D gte -4)');
    expect(errorsOf(sel(`A|gt: '5'`))).toEqual(['RC203']);
  });

  it('minute / hour / day / week / month / year → timePart with range checks', () => {
    expect(ir(`T|minute: 5\nT|hour: 23\nT|day: 1\nT|week: 52\nT|month: 12\nT|year: 2024`)).toBe(
      'and(minute(T)=5, hour(T)=23, day(T)=1, week(T)=52, month(T)=12, year(T)=2024)',
    );
    expect(errorsOf(sel(`T|hour: 24`))).toEqual(['RC211']);
    expect(errorsOf(sel(`T|month: 0`))).toEqual(['RC211']);
    expect(errorsOf(sel(`T|day: 'x'`))).toEqual(['RC203']);
  });

  it('cidr normalises IPv4 and IPv6 and rejects host bits', () => {
    expect(ir(`Ip|cidr:\n  - 10.0.0.0/8\n  - 'FE80::/10'\n  - 192.168.1.7`)).toBe(
      'or(Ip in 10.0.0.0/8, Ip in fe80::/10, Ip in 192.168.1.7/32)',
    );
    expect(ir(`Ip|cidr: '2001:db8:0:0:0:0:0:0/32'`)).toBe('Ip in 2001:db8::/32');
    expect(ir(`Ip|cidr: '::ffff:10.0.0.0/104'`)).toBe('Ip in ::ffff:a00:0/104');
    expect(errorsOf(sel(`Ip|cidr: 10.0.0.1/8`))).toEqual(['RC207']);
    expect(errorsOf(sel(`Ip|cidr: 'fe80::1/10'`))).toEqual(['RC207']);
    expect(errorsOf(sel(`Ip|cidr: 10.0.0.256/8`))).toEqual(['RC206']);
    expect(errorsOf(sel(`Ip|cidr: 10.0.0.0/33`))).toEqual(['RC206']);
    expect(errorsOf(sel(`Ip|contains|cidr: 10.0.0.0/8`))).toEqual(['RC202']);
  });

  it('fieldref compares two fields; with neq it is negated; wildcards are rejected', () => {
    expect(ir(`A|fieldref: B`)).toBe('A=@B');
    expect(ir(`A|fieldref|neq: B`)).toBe('not(A=@B)');
    expect(ir(`A|fieldref|cased: B`)).toBe('A==@B');
    expect(errorsOf(sel(`A|fieldref: 'B*'`))).toEqual(['RC208']);
  });

  it('expand: a placeholder is kept as a marked pattern part, resolved per target by the pipeline', () => {
    const r = sel(`A|expand|contains: '%Admins%'`);
    expect(errorsOf(r)).toEqual([]);
    const node = r.node as { pattern: Pattern };
    expect(placeholdersIn(node.pattern)).toEqual(['Admins']);
    expect(node.pattern.parts[0]).toEqual(ANY_CHARS);
  });

  it('field-only modifiers are rejected in keyword searches', () => {
    expect(errorsOf(sel(`'|cidr': 10.0.0.0/8`))).toEqual(['RC220']);
    expect(errorsOf(sel(`'|re': 'a'`))).toEqual(['RC220']);
  });

  it('a repeated modifier warns', () => {
    expect(sel(`A|contains|contains: x`).diagnostics.map((d) => d.code)).toEqual(['RC212']);
  });
});

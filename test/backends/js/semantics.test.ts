/** docs/reference/matching.md §1, rule by rule, on generated modules imported for real. */
import { describe, expect, it } from 'vitest';
import * as b from '../../../src/ir/build.js';
import type { IrNode } from '../../../src/ir/nodes.js';
import { ANY_CHARS, literalPart, literalPattern, ONE_CHAR, pattern } from '../../../src/ir/pattern.js';
import { load } from './load.js';

const lit = literalPart;
const NO_FLAGS = { ignoreCase: false, multiline: false, dotAll: false };

/** Runs `detection` on each event and returns the results in order. */
async function run(detection: IrNode, events: readonly unknown[]): Promise<boolean[]> {
  const { match } = await load(detection);
  return events.map((e) => match(e));
}

describe('case folding', () => {
  it('is case-insensitive by default and exact with cased', async () => {
    const ci = b.stringMatch('F', literalPattern('PowerShell'));
    expect(await run(ci, [{ F: 'powershell' }, { F: 'POWERSHELL' }, { F: 'PowerShel' }])).toEqual([true, true, false]);
    const cased = b.stringMatch('F', literalPattern('PowerShell'), true);
    expect(await run(cased, [{ F: 'PowerShell' }, { F: 'powershell' }])).toEqual([true, false]);
  });

  it('follows toLowerCase on the ß, İ and Kelvin-sign vectors', async () => {
    // No full case folding: 'ß' and 'SS' stay different.
    expect(await run(b.stringMatch('F', literalPattern('straße')), [{ F: 'STRASSE' }, { F: 'STRAßE' }])).toEqual([
      false,
      true,
    ]);
    // 'İ'.toLowerCase() is 'i̇' (i + U+0307): it matches itself and its lower case, not a plain 'i'.
    expect(await run(b.stringMatch('F', literalPattern('İstanbul')), [{ F: 'i̇stanbul' }, { F: 'istanbul' }])).toEqual([
      true,
      false,
    ]);
    // U+212A KELVIN SIGN lower-cases to 'k', in plain and regex (iu) matching alike.
    expect(await run(b.stringMatch('F', literalPattern('kelvin')), [{ F: '\u212Aelvin' }])).toEqual([true]);
    const re = b.regexMatch('F', '^kelvin$', { ...NO_FLAGS, ignoreCase: true });
    expect(await run(re, [{ F: '\u212Aelvin' }, { F: 'KELVIN' }])).toEqual([true, true]);
  });

  it('keeps regexes case-sensitive unless i', async () => {
    const re = b.regexMatch('F', 'Foo\\d+', NO_FLAGS);
    expect(await run(re, [{ F: 'xFoo12' }, { F: 'xfoo12' }])).toEqual([true, false]);
  });

  it('looks for one required character before running the linear-time engine, and matches the same', async () => {
    // SigmaHQ's PowerShell token obfuscation pattern: V8 could backtrack on it, so it runs on the engine.
    const re = b.regexMatch('F', '\\w+`(?:\\w+|-|.)`[\\w+|\\s]', NO_FLAGS);
    const { source } = await load(re);
    expect(source).toContain('.includes("`") && r0.test(');
    const texts = ['IN`V`o`Ke-eXp', 'plain text', 'a`b', 'ab``c ', '`x`y'];
    expect(
      await run(
        re,
        texts.map((F) => ({ F })),
      ),
    ).toEqual(texts.map((t) => /\w+`(?:\w+|-|.)`[\w+|\s]/u.test(t)));
  });
});

describe('wildcards', () => {
  const cases: [string, IrNode, [unknown, boolean][]][] = [
    [
      'prefix',
      b.stringMatch('F', pattern([lit('C:\\Win'), ANY_CHARS])),
      [
        [{ F: 'c:\\windows' }, true],
        [{ F: 'xC:\\Win' }, false],
      ],
    ],
    [
      'suffix',
      b.stringMatch('F', pattern([ANY_CHARS, lit('\\cmd.exe')])),
      [
        [{ F: 'C:\\X\\CMD.EXE' }, true],
        [{ F: 'cmd.exe' }, false],
      ],
    ],
    [
      'contains',
      b.stringMatch('F', pattern([ANY_CHARS, lit('-enc'), ANY_CHARS])),
      [
        [{ F: 'ps -EncodedCommand' }, true],
        [{ F: 'ps' }, false],
      ],
    ],
    [
      'any',
      b.stringMatch('F', pattern([ANY_CHARS])),
      [
        [{ F: '' }, true],
        [{ F: 3 }, true],
        [{ F: null }, false],
        [{}, false],
      ],
    ],
    [
      'interior * spans newlines',
      b.stringMatch('F', pattern([lit('a'), ANY_CHARS, lit('b'), ANY_CHARS, lit('c')])),
      [
        [{ F: 'A\nxB\r\nC' }, true],
        [{ F: 'abcx' }, false],
        [{ F: 'ac' }, false],
      ],
    ],
    [
      '? is exactly one code point',
      b.stringMatch('F', pattern([lit('a'), ONE_CHAR, lit('c')])),
      [
        [{ F: 'abc' }, true],
        [{ F: 'a😀c' }, true],
        [{ F: 'ac' }, false],
        [{ F: 'abbc' }, false],
      ],
    ],
    [
      'literal * is not a wildcard',
      b.stringMatch('F', literalPattern('a*b')),
      [
        [{ F: 'a*b' }, true],
        [{ F: 'axb' }, false],
      ],
    ],
  ];
  for (const [name, node, expectations] of cases) {
    it(name, async () => {
      expect(
        await run(
          node,
          expectations.map(([e]) => e),
        ),
      ).toEqual(expectations.map(([, r]) => r));
    });
  }

  it('uses string methods, not regexes, for simple shapes', async () => {
    const { source } = await load(
      b.and([
        b.stringMatch('A', literalPattern('x')),
        b.stringMatch('B', pattern([lit('x'), ANY_CHARS])),
        b.stringMatch('C', pattern([ANY_CHARS, lit('x')])),
        b.stringMatch('D', pattern([ANY_CHARS, lit('x'), ANY_CHARS])),
      ]),
    );
    expect(source).toContain('=== "x"');
    expect(source).toContain('.startsWith("x")');
    expect(source).toContain('.endsWith("x")');
    expect(source).toContain('.includes("x")');
    expect(source).not.toContain('RegExp');
  });

  it('matches many-star patterns against adversarial text in linear-ish time', async () => {
    const stars = b.stringMatch(
      'F',
      pattern([ANY_CHARS, lit('a'), ANY_CHARS, lit('a'), ANY_CHARS, lit('a'), ANY_CHARS, lit('b')]),
    );
    const { match } = await load(stars);
    const text = 'a'.repeat(200_000);
    const start = performance.now();
    expect(match({ F: text })).toBe(false);
    expect(match({ F: `${text}b` })).toBe(true);
    expect(performance.now() - start).toBeLessThan(500);
  });
});

describe('missing, null, empty and exists', () => {
  const events = [{}, { F: null }, { F: '' }, { F: 'x' }];
  it('null matches missing or null', async () => {
    expect(await run(b.nullMatch('F'), events)).toEqual([true, true, false, false]);
  });
  it("'' matches only the empty string", async () => {
    expect(await run(b.stringMatch('F', literalPattern('')), events)).toEqual([false, false, true, false]);
  });
  it('exists means present and not null', async () => {
    expect(await run(b.exists('F'), events)).toEqual([false, false, true, true]);
  });
  it('not is two-valued: true when the field is missing', async () => {
    expect(await run(b.not(b.stringMatch('F', literalPattern('x'))), events)).toEqual([true, true, true, false]);
  });
  it('never reads Object.prototype for a missing field', async () => {
    expect(await run(b.exists('constructor'), [{}, { constructor: 'x' }])).toEqual([false, true]);
    expect(await run(b.nullMatch('__proto__'), [{}])).toEqual([true]);
    expect(await run(b.stringMatch('toString', pattern([ANY_CHARS])), [{}])).toEqual([false]);
  });
});

describe('arrays, objects and dotted paths', () => {
  it('matches any element of an array', async () => {
    expect(await run(b.stringMatch('F', literalPattern('b')), [{ F: ['a', 'B'] }, { F: ['a'] }, { F: [] }])).toEqual([
      true,
      false,
      false,
    ]);
    expect(await run(b.numberMatch('F', 4), [{ F: [1, '4'] }])).toEqual([true]);
  });

  it('reads the flat key first, then the nested path', async () => {
    const node = b.stringMatch('a.b', literalPattern('x'));
    expect(
      await run(node, [{ 'a.b': 'x' }, { a: { b: 'x' } }, { 'a.b': 'y', a: { b: 'x' } }, { a: { 'b.c': 'x' } }]),
    ).toEqual([true, true, false, false]);
    expect(
      await run(b.stringMatch('a.b.c', literalPattern('x')), [{ a: { 'b.c': 'x' } }, { 'a.b': { c: 'x' } }]),
    ).toEqual([true, true]);
  });

  it('distributes dotted paths over arrays of objects', async () => {
    const node = b.stringMatch('Parameters.Name', literalPattern('forwardingsmtpaddress'));
    const event = {
      Parameters: [
        { Name: 'Identity', Value: 'x' },
        { Name: 'ForwardingSmtpAddress', Value: 'y' },
      ],
    };
    expect(await run(node, [event, { Parameters: [{ Name: 'Identity' }] }])).toEqual([true, false]);
  });

  it('lets a string test on an object match any string leaf (SigmaHQ M365 rules rely on it)', async () => {
    const node = b.stringMatch('Parameters', pattern([ANY_CHARS, lit('ForwardTo'), ANY_CHARS]));
    const event = { Parameters: [{ Name: 'ForwardTo', Value: 'a@b' }] };
    expect(await run(node, [event, { Parameters: [{ Name: 'Identity', Value: 'x' }] }, { Parameters: {} }])).toEqual([
      true,
      false,
      false,
    ]);
  });
});

describe('numbers', () => {
  it('compares numbers as numbers and decimal strings strictly', async () => {
    const events = [
      { F: 4624 },
      { F: '4624' },
      { F: '4624.0' },
      { F: ' 4624' },
      { F: '0x1210' },
      { F: '' },
      { F: null },
    ];
    expect(await run(b.numberMatch('F', 4624), events)).toEqual([true, true, true, false, false, false, false]);
    expect(await run(b.numberMatch('F', 0), [{ F: '' }, { F: '0' }, { F: false }])).toEqual([false, true, false]);
  });

  it('tests numbers as decimal text in string tests', async () => {
    expect(await run(b.stringMatch('F', literalPattern('4624')), [{ F: 4624 }, { F: 46240 }])).toEqual([true, false]);
  });

  it('compares with lt/lte/gt/gte', async () => {
    const events = [{ F: 5 }, { F: '6' }, { F: 4 }, { F: 'six' }, {}];
    expect(await run(b.compare('F', 'gt', 5), events)).toEqual([false, true, false, false, false]);
    expect(await run(b.compare('F', 'gte', 5), events)).toEqual([true, true, false, false, false]);
    expect(await run(b.compare('F', 'lt', 5), events)).toEqual([false, false, true, false, false]);
    expect(await run(b.compare('F', 'lte', 5), events)).toEqual([true, false, true, false, false]);
  });

  it('warns about integers beyond 2^53', async () => {
    const { result } = await load(b.numberMatch('F', 2 ** 60));
    expect(result.diagnostics.map((d) => d.code)).toEqual(['JS004']);
  });

  it('matches booleans and their text', async () => {
    expect(await run(b.boolMatch('F', true), [{ F: true }, { F: 'True' }, { F: false }, { F: 1 }])).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});

describe('cidr', () => {
  it('matches IPv4 networks, including IPv4-mapped IPv6', async () => {
    const node = b.cidrMatch('ip', '10.0.0.0', 8, 4);
    const events = [
      { ip: '10.1.2.3' },
      { ip: '11.0.0.1' },
      { ip: '::ffff:10.9.9.9' },
      { ip: '010.1.2.3' },
      { ip: 'x' },
      { ip: ['1.1.1.1', '10.0.0.1'] },
    ];
    expect(await run(node, events)).toEqual([true, false, true, false, false, true]);
    expect(await run(b.cidrMatch('ip', '0.0.0.0', 0, 4), [{ ip: '255.255.255.255' }])).toEqual([true]);
    expect(
      await run(b.cidrMatch('ip', '192.168.1.128', 25, 4), [{ ip: '192.168.1.200' }, { ip: '192.168.1.127' }]),
    ).toEqual([true, false]);
  });

  it('matches IPv6 networks', async () => {
    const node = b.cidrMatch('ip', '2001:db8::', 32, 6);
    const events = [
      { ip: '2001:DB8:0:1::5' },
      { ip: '2001:db9::1' },
      { ip: 'fe80::1%eth0' },
      { ip: '10.0.0.1' },
      { ip: '2001:db8::1:2:3:4:5:6:7' },
    ];
    expect(await run(node, events)).toEqual([true, false, false, false, false]);
    expect(
      await run(b.cidrMatch('ip', 'fe80::', 10, 6), [{ ip: 'fe80::1%eth0' }, { ip: 'febf::1' }, { ip: 'fec0::1' }]),
    ).toEqual([true, true, false]);
  });

  it('refuses a network the runtime cannot parse', () => {
    return load(b.cidrMatch('ip', '10.0.0', 8, 4)).then(
      () => expect.fail('should refuse'),
      (e: Error) => expect(e.message).toContain('JS006'),
    );
  });
});

describe('fieldref, date parts, keywords', () => {
  it('compares two fields', async () => {
    const events = [{ A: 'Bob', B: 'bob' }, { A: '1', B: 1 }, { A: 'x' }, { A: 'x', B: 'y' }];
    expect(await run(b.fieldRef('A', 'B'), events)).toEqual([true, true, false, false]);
    expect(await run(b.fieldRef('A', 'B', true), events)).toEqual([false, true, false, false]);
  });

  it('reads parts of ISO dates in UTC', async () => {
    const events = [
      { T: '2024-03-14T03:05:00Z' },
      { T: '2024-03-14T05:05:00+02:00' },
      { T: '2024-03-14 03:59:59' },
      { T: '2024-03-14T04:00:00Z' },
      { T: 'yesterday' },
      { T: 1710385500000 },
    ];
    expect(await run(b.timePart('T', 'hour', 3), events)).toEqual([true, true, true, false, false, false]);
    expect(await run(b.timePart('T', 'week', 11), [{ T: '2024-03-14' }, { T: '2021-01-03' }])).toEqual([true, false]);
    expect(await run(b.timePart('T', 'week', 53), [{ T: '2021-01-03' }])).toEqual([true]);
    expect(await run(b.timePart('T', 'month', 3), [{ T: '2024-03-14' }, { T: '2024-02-30' }])).toEqual([true, false]);
  });

  it('searches every string value of the event for keywords', async () => {
    const node = b.keyword(pattern([ANY_CHARS, lit('mimikatz'), ANY_CHARS]));
    const events = [{ a: { b: ['x', 'run MIMIKATZ now'] } }, { mimikatz: 'key, not value' }, { n: 1 }];
    expect(await run(node, events)).toEqual([true, false, false]);
  });
});

describe('boolean structure', () => {
  it('short-circuits: later fields are not read once the result is known', async () => {
    const { match } = await load(
      b.and([b.stringMatch('A', literalPattern('x')), b.stringMatch('B', literalPattern('y'))]),
    );
    const event = {
      A: 'no',
      get B(): string {
        throw new Error('B must not be read');
      },
    };
    expect(match(event)).toBe(false);
  });

  it('evaluates nested and/or/not', async () => {
    const node = b.or([
      b.and([b.stringMatch('A', literalPattern('1')), b.not(b.stringMatch('B', literalPattern('2')))]),
      b.stringMatch('C', literalPattern('3')),
    ]);
    expect(await run(node, [{ A: '1' }, { A: '1', B: '2' }, { C: '3', B: '2' }, {}])).toEqual([
      true,
      false,
      true,
      false,
    ]);
  });

  it('returns false for a non-object event', async () => {
    expect(await run(b.nullMatch('F'), [null, 'text', 3])).toEqual([false, false, false]);
  });
});

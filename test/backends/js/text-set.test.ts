/**
 * The runtime's needle sets (text-set.js) agree with the naive definition (`needles.some(...)`) for every kind, and
 * its CIDR matchers (cidr.js) agree with the previous split-and-regex parser, kept below as the reference.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cidr } from '../../../backends/js/runtime/cidr.js';
import { textSet } from '../../../backends/js/runtime/text-set.js';
import { refCidr } from './reference-cidr.js';

type Kind = 'exact' | 'prefix' | 'suffix' | 'contains';
const KINDS: readonly Kind[] = ['exact', 'prefix', 'suffix', 'contains'];

function naive(needles: readonly string[], kind: Kind, text: string): boolean {
  switch (kind) {
    case 'exact':
      return needles.some((n) => text === n);
    case 'prefix':
      return needles.some((n) => text.startsWith(n));
    case 'suffix':
      return needles.some((n) => text.endsWith(n));
    case 'contains':
      return needles.some((n) => text.includes(n));
  }
}

function expectAgree(needles: readonly string[], texts: readonly string[]): void {
  for (const kind of KINDS) {
    const test = textSet(needles, kind);
    for (const text of texts) {
      if (test(text) !== naive(needles, kind, text)) {
        expect.fail(`${kind} ${JSON.stringify(needles)} on ${JSON.stringify(text)}: expected ${!test(text)}`);
      }
    }
  }
}

// Small alphabets make collisions (shared pairs, shared affixes, equal hash windows) frequent; the wider one has
// enough pairs for the single-scan path (more than a dozen groups), non-ASCII, NUL and lone or paired surrogates.
const SMALL = ['a', 'b'];
const WIDE = ['a', 'b', 'c', 'd', 'e', 'f', 'g', '.', '\\', 'é', '\u0000', '\ud83d', '\ude00', '😀', '日'];

/** An element of `list` for an arbitrary number (spread, as generated numbers are mostly small). */
const pickFrom = <T>(list: readonly T[], k: number): T => list[(Math.imul(k + 1, 0x9e3779b1) >>> 0) % list.length]!;

const word = (alphabet: readonly string[], maxLength: number, minLength = 0): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...alphabet), { minLength, maxLength }).map((units) => units.join(''));

/**
 * A needle set and texts, some built around its needles (so matches and near misses are common). Needles are mostly
 * three units or more (short ones, and the empty one, would make most tests true); a common affix is added to most
 * needles of some sets (like `md5=` + hex, or `\` + name + `.exe`).
 */
const needlesAndTexts = (
  alphabet: readonly string[],
  minNeedles: number,
  maxNeedles: number,
): fc.Arbitrary<[string[], string[]]> =>
  fc
    .tuple(
      fc.array(
        fc.oneof({ weight: 1, arbitrary: word(alphabet, 3, 1) }, { weight: 8, arbitrary: word(alphabet, 12, 3) }),
        { minLength: minNeedles, maxLength: maxNeedles },
      ),
      fc.tuple(fc.nat(3), word(alphabet, 3), word(alphabet, 8), fc.nat(19)),
      fc.array(fc.tuple(fc.nat(), word(alphabet, 6), word(alphabet, 6), fc.nat(), fc.boolean()), { maxLength: 12 }),
      fc.array(word(alphabet, 40), { maxLength: 4 }),
    )
    .map(([tails, [affixes, head, foot, empty], builds, random]) => {
      const needles = tails.map((tail, i) =>
        i % 4 === 0 ? tail : `${affixes & 1 ? head : ''}${tail}${affixes & 2 ? foot : ''}`,
      );
      if (empty === 0) needles.push('');
      const texts = [...random];
      for (const [k, before, after, cut, drop] of builds) {
        const needle = pickFrom(needles, k);
        let text = `${before}${needle}${after}`;
        // Dropping one unit makes a near miss.
        if (drop && text.length > 0) text = text.slice(0, cut % text.length) + text.slice((cut % text.length) + 1);
        texts.push(text, needle);
      }
      return [needles, texts];
    });

describe('textSet', () => {
  it('agrees with needles.some(...) on a two-letter alphabet', () => {
    fc.assert(
      fc.property(needlesAndTexts(SMALL, 1, 20), ([needles, texts]) => expectAgree(needles, texts)),
      { numRuns: 500 },
    );
  });

  it('agrees with needles.some(...) on a wider alphabet with non-ASCII, NUL and surrogates', () => {
    fc.assert(
      fc.property(needlesAndTexts(WIDE, 1, 300), ([needles, texts]) => expectAgree(needles, texts)),
      { numRuns: 300 },
    );
  });

  it('agrees with needles.some(...) on sets with many key pairs', () => {
    fc.assert(
      fc.property(needlesAndTexts(WIDE, 40, 120), ([needles, texts]) => expectAgree(needles, texts)),
      { numRuns: 200 },
    );
  });

  it('agrees on sets too long for one regular expression (the single-scan contains path)', () => {
    // 300 needles of 61 units or more make an alternation source over 16 000 units; shorter needles join some of
    // their groups. One-unit needles come from other units, so that they do not match every text.
    const UNITS = ['x', 'y', 'z', '0', '1', '2', '3', '4'];
    const long = fc.tuple(word(WIDE, 2, 1), word(WIDE, 3), word(WIDE, 60, 60)).map(([a, b, c]) => `${a}${b}${c}`);
    fc.assert(
      fc.property(
        fc.array(long, { minLength: 300, maxLength: 300 }),
        fc.array(word(WIDE, 10, 3), { maxLength: 60 }),
        fc.array(fc.tuple(fc.nat(), fc.boolean(), word([...WIDE, ...UNITS], 4), word(WIDE, 4), fc.nat(70)), {
          maxLength: 10,
        }),
        fc.subarray(UNITS),
        fc.array(word(WIDE, 100), { maxLength: 3 }),
        (longs, shorts, builds, units, random) => {
          const needles = [...longs, ...shorts];
          const texts = [...random];
          for (const [k, short, before, after, cut] of builds) {
            const needle = pickFrom(short && shorts.length > 0 ? shorts : longs, k);
            const text = `${before}${needle}${after}`;
            texts.push(text, text.slice(0, cut) + text.slice(cut + 1));
          }
          expectAgree([...needles, ...units], texts);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('agrees on hash-like sets sharing long prefixes', () => {
    const hexWord = word(['0', '1', 'a', 'f'], 10);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('md5=', 'sha1=', 'sha256=', 'imphash=', 'm'), hexWord), {
          minLength: 1,
          maxLength: 300,
        }),
        fc.array(fc.tuple(fc.nat(), hexWord, fc.nat()), { maxLength: 8 }),
        (pairs, builds) => {
          const needles = pairs.map(([algo, digits]) => `${algo}${digits}`);
          const texts = builds.map(([k, digits, cut]) => {
            const needle = pickFrom(needles, k);
            const text = `sha1=${digits},${needle},imphash=${digits}`;
            return cut % 2 === 0 ? text : text.slice(0, text.length - (cut % 7));
          });
          expectAgree(needles, texts);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('handles hand-picked cases', () => {
    const md5 = 'md5=f741f25ac909ee434e50812d436c73ff';
    const hashes = `sha1=0a1b2c3d4e5f60718293a4b5c6d7e8f901234567,${md5},sha256=${'ab'.repeat(32)},imphash=${'0'.repeat(32)}`;
    const hashNeedles = [md5, `sha256=${'ab'.repeat(32)}`, 'md5=00000000000000000000000000000000'];
    for (let n = 1; n <= 40; n++) hashNeedles.push(`md5=${n.toString(16).padStart(32, '7')}`);
    expectAgree(hashNeedles, [hashes, hashes.toUpperCase(), hashes.replace(md5, 'md5=x'), md5, '', 'md5=']);
    expect(textSet(hashNeedles.slice(3), 'contains')(hashes)).toBe(false);
    expect(textSet(hashNeedles, 'contains')(hashes)).toBe(true);
    // Needles that are prefixes (and suffixes) of each other, a needle equal to the whole text.
    expectAgree(['ab', 'abc', 'abcd', 'bcd', 'cd'], ['abcd', 'ab', 'a', 'xabcx', 'xbcd', 'abx', 'cab', '']);
    // Overlapping occurrences: the match starts inside an earlier partial one.
    expectAgree(
      ['aab', 'aaaaaaaaaaaaaaaaac', 'abab c'],
      ['aaab', 'aaaaaaaaaaaaaaaaaaac', 'ababab c', 'aaaaaaaaaaaaaaaab'],
    );
    // Lone surrogates match inside a pair (code unit semantics, like String.prototype.includes).
    expectAgree(['\ude00', '\ud83dx'], ['😀', 'a😀b', '\ud83dx', 'x']);
    // The empty needle passes every test, the empty text passes only with it.
    expectAgree(['', 'abc'], ['', 'x']);
    expectAgree(['abc'], ['']);
    // Many one-unit needles beside many pairs (the single-scan path's unit table).
    const letters = [...'abcdefghijklmnop'];
    expectAgree(
      [...letters.slice(0, 8), ...letters.map((a) => `${a}z`)],
      ['q', 'zzz', 'xyz', 'qqqqqqqqb', 'h', 'qh', 'hz', 'iz', 'pz', 'pq'],
    );
    // Image suffix lists: one group sharing `.exe`, one short needle sharing it too.
    const exes = ['\\cmd.exe', '\\powershell.exe', '\\pwsh.exe', '\\system32\\cmd.exe', 'xe'];
    expectAgree(exes, ['c:\\windows\\system32\\cmd.exe', 'c:\\x\\notcmd.exe', 'c:\\x\\cmd.exe ', 'e']);
    expectAgree(exes.slice(0, 4), ['c:\\windows\\system32\\cmd.exe', 'c:\\x\\notcmd.exe', 'xe', '.exe']);
    // Command-line fragments, through both contains paths (a few, then many, groups).
    const fragments = ['-enc', 'invoke-', 'downloadstring', '.ps1', '/c ', 'iex(', 'bypass', 'hidden', '-nop'];
    const many = [...fragments, 'rundll32', 'regsvr32', 'mshta', 'certutil', 'bitsadmin', 'vssadmin', 'wmic', 'whoami'];
    const lines = [
      'powershell.exe -nop -w hidden -enc aqbfafgakaa=',
      'cmd.exe /c whoami',
      'c:\\windows\\system32\\svchost.exe -k netsvcs -p',
      'powershell -file c:\\scripts\\inventory.ps',
    ];
    expectAgree(fragments, lines);
    expectAgree(many, lines);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// CIDR: the previous parser (reference-cidr.ts) is the reference.

const NETWORKS: readonly [string, number, 4 | 6][] = [
  ['10.0.0.0', 8, 4],
  ['172.16.0.0', 12, 4],
  ['192.168.1.7', 32, 4],
  ['0.0.0.0', 0, 4],
  ['128.0.0.0', 1, 4],
  ['1.2.3.4', 31, 4],
  ['255.255.255.255', 8.5, 4],
  ['::', 0, 6],
  ['::1', 128, 6],
  ['fc00::', 7, 6],
  ['fe80::', 10, 6],
  ['::ffff:0:0', 96, 6],
  ['1:2:3:4:5:6:7:8', 127, 6],
  ['::ffff:10.0.0.0', 104, 6],
  ['8000::', 1, 6],
];

const TRICKY = [
  '1.2.3.4',
  '01.2.3.4',
  '0.0.0.0',
  '00.0.0.0',
  '1.2.3',
  '1.2.3.4.5',
  '256.1.1.1',
  '255.255.255.255',
  '1.2.3.4.',
  '.1.2.3.4',
  ' 1.2.3.4',
  '1.2.3.4 ',
  '1..3.4',
  '1.2.3.1000',
  '1.2.3.4%eth0',
  '１.2.3.4',
  '10.0.0.1',
  '::ffff:10.0.0.1',
  '::FFFF:10.0.0.1',
  '0:0:0:0:0:ffff:10.0.0.1',
  '::ffff:0a00:0001',
  '::ffff:10.0.0.01',
  '::ffff:1.2.3',
  'fe80::1%eth0',
  'fe80::1%',
  '%eth0',
  'fe80::1%a:b',
  '1:2:3:4:5:6:7:8',
  '1:2:3:4:5:6:7:8:9',
  '1:2:3:4:5:6:7',
  '1:2:3:4:5:6:7::',
  '::1:2:3:4:5:6:7',
  '::1:2:3:4:5:6:7:8',
  '1:2:3:4:5:6:1.2.3.4',
  '1:2:3:4:5:1.2.3.4',
  '1.2.3.4::',
  '1:1.2.3.4::5',
  '::',
  ':::',
  '::::',
  '1::2::3',
  ':1::',
  '1:',
  ':1',
  '12345::',
  'g::1',
  '::1',
  '::0.0.0.0',
  'FC00::ABCD',
  '',
  ':',
  '.',
];

const IP_PIECES = [
  '0',
  '1',
  '2',
  '5',
  '9',
  '00',
  '10',
  '255',
  '256',
  'f',
  'F',
  'ffff',
  'g',
  ':',
  '::',
  '.',
  '%',
  'x',
  ' ',
];

describe('cidr', () => {
  it('accepts and refuses the same networks as the reference parser', () => {
    const check = (network: string, prefix: number, family: 4 | 6): void => {
      const accepted = refCidr(network, prefix, family) !== undefined;
      if (accepted) expect(() => cidr(network, prefix, family)).not.toThrow();
      else expect(() => cidr(network, prefix, family)).toThrow(`bad IPv${family} network`);
    };
    for (const text of TRICKY)
      for (const [prefix, family] of [
        [8, 4],
        [33, 4],
        [-1, 4],
        [16, 6],
        [129, 6],
      ] as const) {
        check(text, prefix, family);
      }
    fc.assert(
      fc.property(word(IP_PIECES, 14), fc.integer({ min: -1, max: 130 }), fc.constantFrom<4 | 6>(4, 6), check),
      { numRuns: 2000 },
    );
  });

  it('matches the tricky texts like the reference', () => {
    for (const [network, prefix, family] of NETWORKS) {
      const test = cidr(network, prefix, family);
      const ref = refCidr(network, prefix, family)!;
      for (const text of TRICKY)
        expect([network, prefix, text, test(text)]).toEqual([network, prefix, text, ref(text)]);
    }
    expect(cidr('10.0.0.0', 8, 4)('::ffff:10.0.0.1')).toBe(true);
    expect(cidr('::ffff:0:0', 96, 6)('::ffff:10.0.0.1')).toBe(true);
    expect(cidr('10.0.0.0', 8, 4)('01.2.3.4')).toBe(false);
    expect(cidr('fe80::', 10, 6)('fe80::1%eth0')).toBe(true);
  });

  const octet = fc.oneof(fc.integer({ min: 0, max: 255 }).map(String), fc.constantFrom('256', '01', '000', '999', ''));
  const v4 = fc.array(octet, { minLength: 3, maxLength: 5 }).map((parts) => parts.join('.'));
  const group = fc.oneof(
    fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16)),
    fc.constantFrom('0', 'ffff', 'FFFF', '0000', '10000', ''),
  );
  const v6 = fc
    .tuple(
      fc.array(group, { maxLength: 9 }),
      fc.option(fc.nat(9)),
      fc.option(v4),
      fc.option(fc.constantFrom('%eth0', '%')),
    )
    .map(([groups, gap, tail, zone]) => {
      const parts = [...groups];
      if (tail !== null) parts.push(tail);
      let text = parts.join(':');
      if (gap !== null) {
        const at = Math.min(gap, parts.length);
        text = [...parts.slice(0, at), ''].join(':') + ':' + parts.slice(at).join(':');
      }
      return zone === null ? text : text + zone;
    });

  it('matches random addresses and near-addresses like the reference, with one parse shared by every network', () => {
    const tests = NETWORKS.map(([network, prefix, family]) => [
      cidr(network, prefix, family),
      refCidr(network, prefix, family)!,
    ]);
    fc.assert(
      fc.property(fc.array(fc.oneof(v4, v6, word(IP_PIECES, 12)), { minLength: 1, maxLength: 6 }), (texts) => {
        // Interleaved: every text through every network, then the first text again (a repeated parse).
        for (const text of [...texts, texts[0]!]) {
          for (const [test, ref] of tests) {
            if (test!(text) !== ref!(text)) expect.fail(`${JSON.stringify(text)}: expected ${ref!(text)}`);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });
});

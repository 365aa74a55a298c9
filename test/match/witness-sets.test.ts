/**
 * Witness sets (src/match/witness.ts) and their soundness: for any event, every rule a brute-force run of all
 * predicates matches must be among the rules the router evaluates. Checked on random rules over tricky text
 * (case, Unicode case mappings that change length, final sigma, numbers, lists, objects) and on the SigmaHQ corpus
 * with events built from the rules' own values (when ../shared is present).
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as b from '../../src/ir/build.js';
import type { IrNode } from '../../src/ir/nodes.js';
import { ANY_CHARS, literalPart, literalPattern, ONE_CHAR, pattern } from '../../src/ir/pattern.js';
import { loadRules } from '../../src/match/load-rules.js';
import { eventLogsource, logsourceAdmits } from '../../src/match/logsource.js';
import { prepareRules, RuleRouter } from '../../src/match/router.js';
import {
  findClauses,
  findWitness,
  GRAM_LENGTHS,
  gramCode,
  gramCost,
  gramTexts,
  regexLiterals,
} from '../../src/match/witness.js';
import { irTreeArb } from '../helpers/ir-tree-arb.js';
import { makeRule } from '../helpers/make-rule.js';
import { factory } from './factory.js';
import { referenceFactory } from './reference-predicate.js';

const eq = (field: string, text: string): IrNode => b.stringMatch(field, literalPattern(text));
const contains = (field: string, text: string, cased = false): IrNode =>
  b.stringMatch(field, pattern([ANY_CHARS, literalPart(text), ANY_CHARS]), cased);
const endsWith = (field: string, text: string): IrNode => b.stringMatch(field, pattern([ANY_CHARS, literalPart(text)]));

const noFlags = { ignoreCase: false, multiline: false, dotAll: false };

describe('witness sets', () => {
  it('indexes contains needles by one of their grams, lower-cased', () => {
    const w = findWitness(contains('CommandLine', 'Invoke-Mimikatz'));
    expect(w).toHaveLength(1);
    expect(w![0]!.kind).toBe('gram');
    expect('invoke-mimikatz').toContain(w![0]!.keys[0]);
    // Long needles by an 8-unit gram, the most selective.
    expect(w![0]!.keys[0]).toHaveLength(8);
    // Short ones by a shorter gram rather than no witness (evaluated on every event).
    expect(findWitness(contains('CommandLine', '-nop'))![0]!.keys[0]).toHaveLength(4);
    expect(findWitness(contains('CommandLine', '^^x'))).toEqual([
      { field: 'CommandLine', kind: 'gram', keys: ['^^x'] },
    ]);
    expect(findWitness(contains('CommandLine', '^^'))).toEqual([{ field: 'CommandLine', kind: 'gram', keys: ['^^'] }]);
    expect(findWitness(contains('CommandLine', '^'))).toBeUndefined();
  });

  it('finds a match whose only witness is a short needle, whatever the gram lengths around it', () => {
    const rules = [
      makeRule(contains('CommandLine', '^^')),
      makeRule(b.and([contains('CommandLine', ' /c'), eq('User', 'x')])),
      makeRule(contains('CommandLine', 'invoke-mimikatz')),
      makeRule(b.or([contains('CommandLine', 'ab'), contains('Image', 'Ωx')])),
    ];
    const router = new RuleRouter(prepareRules(rules, factory).rules, { routing: false });
    const hits = (event: Record<string, unknown>): readonly number[] => router.match(event);
    expect(hits({ CommandLine: 'cmd ^^ x' })).toEqual([0]);
    // At the start and the end of the value, upper case, after a non-ASCII unit (the folded path).
    expect(hits({ CommandLine: '^^' })).toEqual([0]);
    expect(hits({ CommandLine: 'CMD.EXE /C', User: 'X' })).toEqual([1]);
    expect(hits({ CommandLine: 'é /c whoami', User: 'x' })).toEqual([1]);
    expect(hits({ CommandLine: 'PS> Invoke-Mimikatz' })).toEqual([2]);
    expect(hits({ CommandLine: ['no', 'xAB'] })).toEqual([3]);
    expect(hits({ Image: 'c:\\ωX.exe' })).toEqual([3]);
    // Values that hold none of the needles are not candidates at all.
    expect(router.candidates({ CommandLine: 'cmd /d ^ x', Image: 'a' })).toEqual([]);
  });

  it('indexes an OR over different fields under each of them', () => {
    const w = findWitness(
      b.or([endsWith('Image', '\\7z.exe'), eq('OriginalFileName', '7z.exe'), contains('Description', '7-Zip')]),
    );
    expect(w?.map((t) => [t.field, t.kind])).toEqual([
      ['Image', 'basename'],
      ['OriginalFileName', 'exact'],
      ['Description', 'gram'],
    ]);
    // One branch without a witness leaves the OR without one.
    expect(findWitness(b.or([eq('A', 'x'), b.not(eq('B', 'y'))]))).toBeUndefined();
  });

  it('picks the most selective conjunct of an AND', () => {
    const w = findWitness(
      b.and([b.numberMatch('EventID', 1), contains('CommandLine', ' -enc '), endsWith('Image', '\\psexec64.exe')]),
    );
    expect(w).toEqual([{ field: 'Image', kind: 'basename', keys: ['psexec64.exe'] }]);
    // A program that starts a large share of all processes is no better than a command-line gram.
    const shell = findWitness(
      b.and([b.numberMatch('EventID', 1), contains('CommandLine', ' -enc '), endsWith('Image', '\\powershell.exe')]),
    );
    expect(shell).toEqual([{ field: 'CommandLine', kind: 'gram', keys: [expect.any(String)] }]);
  });

  it('prefers a list of uncommon destination ports to Initiated: true, not a common port', () => {
    const initiated = eq('Initiated', 'true');
    const callback = findWitness(
      b.and([initiated, b.or([4444, 8080, 2525].map((n) => b.numberMatch('DestinationPort', n)))]),
    );
    expect(callback).toEqual([{ field: 'DestinationPort', kind: 'exact', keys: ['4444', '8080', '2525'] }]);
    const web = findWitness(b.and([initiated, b.or([443, 4444].map((n) => b.numberMatch('DestinationPort', n)))]));
    expect(web).toEqual([{ field: 'Initiated', kind: 'exact', keys: ['true'] }]);
  });

  it('takes gram keys of case-sensitive needles only from ASCII text', () => {
    expect(findWitness(contains('A', 'ΣΣΣΣ', true))).toBeUndefined();
    expect(findWitness(contains('A', 'ΣΣΣΣ'))).toEqual([{ field: 'A', kind: 'gram', keys: ['ΣΣΣΣ'.toLowerCase()] }]);
    expect(findWitness(contains('A', 'ΣAbcd', true))).toEqual([{ field: 'A', kind: 'gram', keys: ['abcd'] }]);
  });

  it('finds the literal runs every match of a regular expression holds', () => {
    expect(regexLiterals('cmd.{0,5}(?:/c|/r).+clip(?:\\.exe)?&&', false)).toEqual(['cmd', 'clip', '&&']);
    expect(regexLiterals('\\$PSHome\\[\\s*\\d{1,3}', false)).toEqual(['$PSHome[']);
    expect(regexLiterals('\\$PSHome\\[', true)).toEqual(['$P', 'Home[']);
    expect(regexLiterals('ab?cdef+gh{0,2}ij', false)).toEqual(['a', 'cdef', 'g', 'ij']);
    expect(regexLiterals('abcd|efgh', false)).toEqual([]);
    // For the index's lower-cased keys, a class of one letter in both cases is that letter; not for raw text.
    expect(regexLiterals('[Rr][Uu][Nn][Dd][Ll][Ll]32(\\.[Ee]x)? \\S+', false, true)).toEqual(['rundll32', ' ']);
    expect(regexLiterals('[Rr][Uu]n[ab]', false)).toEqual(['n']);
    expect(regexLiterals('[Kk][Ee][Yy]', true, true)).toEqual(['ey']);
    const ads = makeRule(b.regexMatch('CommandLine', '[Rr][Uu][Nn][Dd][Ll][Ll]32 \\S+:', noFlags));
    const key = findWitness(ads.detection)![0]!.keys[0]!;
    expect(key).toHaveLength(8);
    expect('rundll32 ').toContain(key);
    const router = new RuleRouter(prepareRules([ads], factory).rules, { routing: false });
    expect(router.match({ CommandLine: 'RunDLL32 c:\\x:y' })).toEqual([0]);
    // Under /iu, `s` also matches U+017F and `k` U+212A, which lower-casing leaves apart: no key from them.
    expect(regexLiterals('strasse', true)).toEqual(['tra', 'e']);
    const rule = makeRule(b.regexMatch('A', 'strasse', { ignoreCase: true, multiline: false, dotAll: false }));
    const prepared = prepareRules([rule], factory);
    const event = { A: '\u017Ftra\u017F\u017Fe' };
    expect(prepared.rules[0]!.predicate(event)).toBe(true);
    expect(new RuleRouter(prepared.rules, { routing: false }).candidates(event)).toEqual([0]);
    expect(
      findWitness(
        b.regexMatch('CommandLine', 'invoke-.*mimikatz', { ignoreCase: true, multiline: false, dotAll: false }),
      ),
    ).toEqual([{ field: 'CommandLine', kind: 'gram', keys: [expect.any(String)] }]);
  });

  it('keys a needle by its cheapest gram, the first of equal cost (the skipping of grams that cannot win)', () => {
    // Every gram in order, priced by gramCost: what witness.ts `bestKey` chooses, found without its shortcut.
    const naive = (text: string, cased: boolean): string | undefined => {
      let best: string | undefined;
      let bestCost = Infinity;
      const folded = cased ? text : text.toLowerCase();
      if (!cased)
        for (const unit of folded)
          if (unit.charCodeAt(0) >= 0x80 && 6 < bestCost) {
            best = unit[0];
            bestCost = 6;
          }
      for (const length of GRAM_LENGTHS) {
        for (let i = 0; i + length <= folded.length; i++) {
          const gram = folded.slice(i, i + length);
          if (cased && !/^[\x20-\x7e]*$/.test(gram)) continue;
          const c = gramCost(gram.toLowerCase());
          if (c < bestCost) [best, bestCost] = [gram.toLowerCase(), c];
        }
      }
      return best;
    };
    const unit = fc.constantFrom(
      ...'aEt xZ\\.:-_"QkK01İΣ\u212a\u0007é'.split(''),
      'exe',
      'windows',
      'system32',
      'http://',
    );
    fc.assert(
      fc.property(fc.array(unit, { minLength: 2, maxLength: 12 }), fc.boolean(), (parts, cased) => {
        const text = parts.join('');
        const key = findWitness(contains('A', text, cased))?.[0]?.keys[0];
        expect(key).toBe(naive(text, cased));
      }),
      { numRuns: 500 },
    );
  });

  it('evaluates a rule only for events holding a key of each of its clauses', () => {
    const detection = b.and([
      b.or([endsWith('Image', '\\regsvr32.exe'), eq('OriginalFileName', 'REGSVR32.EXE')]),
      contains('CommandLine', 'scrobj'),
      b.not(eq('User', 'x')),
      b.numberMatch('EventID', 1),
    ]);
    // The sharpest clause (a command-line gram) is indexed; the image clause joins it; EventID is broad.
    expect(findClauses(detection)).toEqual([
      findWitness(detection),
      [
        { field: 'Image', kind: 'basename', keys: ['regsvr32.exe'] },
        { field: 'OriginalFileName', kind: 'exact', keys: ['regsvr32.exe'] },
      ],
    ]);
    const other = makeRule(contains('Image', 'regsvr32'));
    const router = new RuleRouter(prepareRules([makeRule(detection), other], factory).rules, { routing: false });
    const line = '/s /i:http://x scrobj.dll';
    expect(router.candidates({ Image: 'C:\\x\\cmd.exe', CommandLine: line })).toEqual([]);
    expect(router.candidates({ Image: 'C:\\x\\regsvr32.exe', CommandLine: 'other' })).toEqual([1]);
    expect(router.candidates({ Image: 'C:\\x\\REGSVR32.exe', CommandLine: line })).toEqual([0, 1]);
    expect(router.candidates({ OriginalFileName: 'RegSvr32.exe', CommandLine: line })).toEqual([0]);
    // Matching goes through the same clause bits, whichever list an event reaches first.
    expect(router.match({ Image: 'C:\\x\\cmd.exe', CommandLine: line, EventID: 1 })).toEqual([]);
    expect(router.match({ Image: 'C:\\x\\regsvr32.exe', CommandLine: line, EventID: 1 })).toEqual([0, 1]);
    expect(router.match({ CommandLine: line, OriginalFileName: 'regsvr32.EXE', EventID: 1 })).toEqual([0]);
    expect(router.evaluated).toBe(3);
  });

  it('maps event values to the texts the predicate sees', () => {
    expect(gramTexts('AbCdE')).toEqual(['abcde']);
    expect(gramTexts('')).toEqual([]);
    expect(gramTexts([12345, true, 'XYZW'])).toEqual(['12345', 'true', 'xyzw']);
    expect(gramTexts([{ a: 'x' }])).toBe('unknown');
    expect(gramCode('abcd')).toBe(0x61626364);
  });
});

/** Rules the router evaluates ⊇ rules that match: brute force over every rule. */
function checkSound(
  router: RuleRouter,
  predicates: readonly ((e: unknown) => boolean)[],
  event: Record<string, unknown>,
) {
  const candidates = new Set(router.candidates(event));
  const missed = predicates.flatMap((p, i) => (p(event) && !candidates.has(i) ? [i] : []));
  expect(missed).toEqual([]);
}

describe('router soundness (random rules, tricky text)', () => {
  const fields = ['A', 'B', 'C.d'];
  const words = [
    '\u017Ftra\u017F\u017Fe',
    '\u212Aelvin',
    'x\u212As\u017Fx',
    'kelvin',
    'ſtrasse',
    'KS-KELVIN',
    'abcd.efgh',
    'ab\\cd',
    'abcd',
    'ABCD',
    'xabcdy',
    'İabc',
    'i̇abc',
    'ΑΣ ΑΣ',
    'ας ας',
    'σσσσ',
    'KELVIN',
    'kelvin',
    '12345',
    '1234.5',
    'true',
    'TRUE',
    'c:\\x\\Tool.EXE',
    '\\tool.exe',
    'ab\\cd\\ef',
    '',
    'ßtraße',
    'STRASSE',
  ];
  const text = fc.oneof(
    fc.constantFrom(...words),
    fc.string({ maxLength: 8 }),
    fc.string({ unit: 'grapheme', maxLength: 6 }),
  );
  const pat = fc
    .array(
      fc.oneof(
        { weight: 4, arbitrary: text.map((t) => literalPart(t)) },
        { weight: 2, arbitrary: fc.constant(ANY_CHARS) },
        { weight: 1, arbitrary: fc.constant(ONE_CHAR) },
      ),
      { minLength: 1, maxLength: 4 },
    )
    .map((parts) => pattern(parts));
  const leaf: fc.Arbitrary<IrNode> = fc.oneof(
    fc.tuple(fc.constantFrom(...fields), pat, fc.boolean()).map(([f, p, c]) => b.stringMatch(f, p, c)),
    fc.tuple(fc.constantFrom(...fields), fc.constantFrom(12345, 1, 1234.5)).map(([f, n]) => b.numberMatch(f, n)),
    fc
      .tuple(
        fc.constantFrom(...fields),
        fc.constantFrom(
          'abcd',
          'ab?cdx',
          'x(?:abcd|efgh)yzzy',
          '(?:abcd)+efgh',
          'abcd|efgh',
          'ks[a-z]kelvin',
          'ABCD\\.EFGH',
          'a.{0,3}bcde',
          'tru?e',
          '123(?:4)5',
          'strasse',
          'ß',
          'σσ',
          'ab\\\\cd',
        ),
        fc.boolean(),
      )
      .map(([f, source, ignoreCase]) => b.regexMatch(f, source, { ignoreCase, multiline: false, dotAll: false })),
  );
  // Keywords (no witness: evaluated on every event). Only with the JS target: the reference interpreter runs
  // wildcard patterns as /…/iu regexes, where `ſ` matches `S`, while the JS target and the index fold with
  // toLowerCase; keywords search every string, which finds that divergence at once (it exists for field tests
  // too: `A: 'ſtraſſe?*'` matches `STRASSEX` in the reference only).
  const keywordLeaf: fc.Arbitrary<IrNode> = fc.tuple(pat, fc.boolean()).map(([p, c]) => b.keyword(p, c));
  const makeTree = (leaves: fc.Arbitrary<IrNode>) => irTreeArb(leaves, 1);
  // Values: rule-like words glued to random text, in random case, as strings, numbers, booleans, lists, objects.
  const glued = fc
    .tuple(text, fc.constantFrom(...words), text, fc.constantFrom('upper', 'lower', 'same'))
    .map(([x, w, y, c]) => {
      const s = x + w + y;
      return c === 'upper' ? s.toUpperCase() : c === 'lower' ? s.toLowerCase() : s;
    });
  const scalar = fc.oneof(glued, fc.constantFrom(12345, 1, 1234.5, true), fc.constant(null));
  const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 2 }), fc.record({ x: scalar }));
  const event = fc.record(
    {
      A: value,
      B: value,
      C: fc.oneof(fc.record({ d: value }), fc.array(fc.record({ d: value }), { maxLength: 2 })),
      'C.d': value,
    },
    { requiredKeys: [] },
  );

  for (const [name, make, tree] of [
    ['JS target', factory, makeTree(fc.oneof(leaf, keywordLeaf))],
    ['reference interpreter', referenceFactory, makeTree(leaf)],
  ] as const) {
    it(`never skips a rule that matches (${name})`, () => {
      fc.assert(
        fc.property(
          fc.array(tree, { minLength: 1, maxLength: 6 }),
          fc.array(event, { minLength: 1, maxLength: 6 }),
          (trees, events) => {
            const prepared = prepareRules(
              trees.map((t) => makeRule(t)),
              make,
            );
            const router = new RuleRouter(prepared.rules, { routing: false });
            for (const e of events)
              checkSound(
                router,
                prepared.rules.map((r) => r.predicate),
                e as Record<string, unknown>,
              );
          },
        ),
        { numRuns: 300 },
      );
    });
  }
});

const SIGMA = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data/sigma/rules');

describe.runIf(existsSync(SIGMA))('router soundness on the SigmaHQ corpus', () => {
  const rules = loadRules([SIGMA]).rules;
  const prepared = prepareRules(rules, factory);
  const predicates = prepared.rules.map((r) => r.predicate);
  // Per field, the literal texts rules test it with: events are built from these so that many rules match.
  const byField = new Map<string, string[]>();
  const walk = (n: IrNode): void => {
    if (n.kind === 'and' || n.kind === 'or') n.children.forEach(walk);
    else if (n.kind === 'not') walk(n.child);
    else if (n.kind === 'stringMatch' || n.kind === 'keyword') {
      const texts = n.pattern.parts.flatMap((p) => (p.kind === 'literal' ? [p.text] : []));
      // Keyword texts go into a field no rule names: keywords search every string of the event.
      const field = n.kind === 'keyword' ? 'KeywordText' : n.field;
      if (texts.length > 0) {
        let list = byField.get(field);
        if (!list) byField.set(field, (list = []));
        list.push(texts.join(''), ...texts);
      }
    }
  };
  for (const r of prepared.rules) walk(r.rule.detection);
  const fieldNames = [...byField.keys()];

  it('every matching rule is a candidate (events built from rule values)', () => {
    const routerAll = new RuleRouter(prepared.rules, { routing: false });
    const routed = new RuleRouter(prepared.rules);
    const channels = [
      ['Microsoft-Windows-Sysmon/Operational', 1],
      ['Microsoft-Windows-Sysmon/Operational', 13],
      ['Security', 4688],
      ['Microsoft-Windows-PowerShell/Operational', 4104],
      ['Application', 1000],
    ] as const;
    let matches = 0;
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom(...fieldNames),
            fc.nat(),
            fc.nat(),
            fc.constantFrom('', 'X ', 'C:\\a\\', ' 1'),
            fc.boolean(),
          ),
          { minLength: 1, maxLength: 12 },
        ),
        fc.constantFrom(...channels),
        (picks, [channel, id]) => {
          const event: Record<string, unknown> = { Channel: channel, EventID: id };
          for (const [field, i, j, glue, upper] of picks) {
            const pool = byField.get(field)!;
            const s = glue + pool[i % pool.length]! + glue + pool[j % pool.length]!;
            event[field] = upper ? s.toUpperCase() : s;
          }
          checkSound(routerAll, predicates, event);
          const source = eventLogsource(event);
          const candidates = new Set(routed.candidates(event));
          prepared.rules.forEach((r, k) => {
            if (!predicates[k]!(event)) return;
            matches++;
            if (logsourceAdmits(r.rule.logsource, source)) expect(candidates.has(k)).toBe(true);
          });
        },
      ),
      { numRuns: 400 },
    );
    expect(matches).toBeGreaterThan(50);
  }, 120_000);
});

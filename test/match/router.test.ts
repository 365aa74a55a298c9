import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as b from '../../src/ir/build.js';
import type { IrNode } from '../../src/ir/nodes.js';
import { ANY_CHARS, literalPart, literalPattern, pattern } from '../../src/ir/pattern.js';
import { makeNormalizer, makeRouteView } from '../../src/match/formats.js';
import { eventLogsource, logsourceAdmits } from '../../src/match/logsource.js';
import { prepareRules, RuleRouter } from '../../src/match/router.js';
import { basenameKeys, findWitness, valueKeys } from '../../src/match/witness.js';
import { irTreeArb } from '../helpers/ir-tree-arb.js';
import { makeRule } from '../helpers/make-rule.js';
import { referenceFactory } from './reference-predicate.js';

const eq = (field: string, text: string): IrNode => b.stringMatch(field, literalPattern(text));
const contains = (field: string, text: string): IrNode =>
  b.stringMatch(field, pattern([ANY_CHARS, literalPart(text), ANY_CHARS]));

describe('findWitness', () => {
  it('takes an exact match, lower-cased, and adds the canonical form of numeric text', () => {
    expect(findWitness(eq('Operation', 'Set-Mailbox'))).toEqual([
      { field: 'Operation', kind: 'exact', keys: ['set-mailbox'] },
    ]);
    expect(findWitness(eq('Port', '0443'))).toEqual([{ field: 'Port', kind: 'exact', keys: ['0443', '443'] }]);
    expect(findWitness(b.numberMatch('EventID', 4688))).toEqual([{ field: 'EventID', kind: 'exact', keys: ['4688'] }]);
  });

  it('prefers a selective conjunct over a broad one and needs every OR branch', () => {
    const rule = b.and([b.numberMatch('EventID', 1), eq('OriginalFileName', 'psexec.c'), contains('CommandLine', 'x')]);
    expect(findWitness(rule)).toEqual([{ field: 'OriginalFileName', kind: 'exact', keys: ['psexec.c'] }]);
    expect(findWitness(b.or([eq('A', 'x'), eq('A', 'y'), eq('B', 'z')]))).toEqual([
      { field: 'A', kind: 'exact', keys: ['x', 'y'] },
      { field: 'B', kind: 'exact', keys: ['z'] },
    ]);
    expect(findWitness(b.or([eq('A', 'x'), contains('A', 'y')]))).toBeUndefined();
    expect(findWitness(b.not(eq('A', 'x')))).toBeUndefined();
    // Needles shorter than the shortest gram (2 units) give no witness.
    expect(findWitness(contains('A', 'x'))).toBeUndefined();
  });

  it("indexes endswith on a backslash path segment by the value's last segment", () => {
    const suffix = (text: string): IrNode => b.stringMatch('Image', pattern([ANY_CHARS, literalPart(text)]));
    expect(findWitness(b.or([suffix('\\CMD.exe'), suffix('\\pwsh.exe')]))).toEqual([
      { field: 'Image', kind: 'basename', keys: ['cmd.exe', 'pwsh.exe'] },
    ]);
    expect(findWitness(suffix('\\System32\\CMD.exe'))).toEqual([
      { field: 'Image', kind: 'basename', keys: ['cmd.exe'] },
    ]);
    expect(findWitness(suffix('cmd.exe'))).toEqual([{ field: 'Image', kind: 'gram', keys: [expect.any(String)] }]);
    expect(basenameKeys('C:\\Windows\\CMD.EXE')).toEqual(['cmd.exe']);
    expect(basenameKeys('cmd.exe')).toEqual([]);
    expect(basenameKeys(['a\\B', 1])).toEqual(['b']);
  });

  it('maps event values to keys: any element of lists, unknown for objects', () => {
    expect(valueKeys('ABC')).toEqual(['abc']);
    expect(valueKeys(4688)).toEqual(['4688']);
    expect(valueKeys(['A', 2])).toEqual(['a', '2']);
    expect(valueKeys([{ Name: 'x' }])).toBe('unknown');
    expect(valueKeys({ Name: 'x' })).toBe('unknown');
    expect(valueKeys(null)).toEqual([]);
  });
});

describe('logsource routing', () => {
  const sysmon1 = eventLogsource({ Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1 });
  const security4624 = eventLogsource({ Channel: 'Security', EventID: '4624' });
  const o365 = eventLogsource({ Workload: 'Exchange', Operation: 'Set-Mailbox', RecordType: 1 });

  it('routes Windows rules by product, service and category', () => {
    expect(logsourceAdmits({ product: 'windows', category: 'process_creation' }, sysmon1)).toBe(true);
    expect(logsourceAdmits({ product: 'windows', category: 'process_creation' }, security4624)).toBe(false);
    expect(
      logsourceAdmits(
        { product: 'windows', category: 'process_creation' },
        eventLogsource({ Channel: 'Security', EventID: 4688 }),
      ),
    ).toBe(true);
    expect(logsourceAdmits({ product: 'windows', service: 'security' }, security4624)).toBe(true);
    expect(logsourceAdmits({ product: 'windows', service: 'security' }, sysmon1)).toBe(false);
    expect(
      logsourceAdmits(
        { product: 'windows', category: 'registry_event' },
        eventLogsource({ Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 13 }),
      ),
    ).toBe(true);
    expect(logsourceAdmits({ product: 'm365', service: 'audit' }, sysmon1)).toBe(false);
  });

  it('keeps rules whose logsource it does not know, and routes nothing for unknown events', () => {
    expect(logsourceAdmits({ product: 'windows', category: 'antivirus' }, security4624)).toBe(true);
    expect(logsourceAdmits({ product: 'windows', service: 'some-new-channel' }, sysmon1)).toBe(true);
    expect(logsourceAdmits({ product: 'linux' }, eventLogsource({ message: 'x' }))).toBe(true);
    expect(logsourceAdmits({ product: 'm365', service: 'audit' }, o365)).toBe(true);
    expect(logsourceAdmits({ product: 'windows' }, o365)).toBe(false);
  });
});

describe('RuleRouter', () => {
  const rules = [
    makeRule(
      b.and([
        eq('Workload', 'Exchange'),
        eq('Operation', 'Set-MailboxAuditBypassAssociation'),
        eq('ResultStatus', 'True'),
      ]),
      {
        logsource: { product: 'm365', service: 'audit' },
      },
    ),
    makeRule(b.and([b.numberMatch('EventID', 1), contains('CommandLine', 'whoami')]), {
      logsource: { product: 'windows', category: 'process_creation' },
    }),
    makeRule(contains('CommandLine', 'mimikatz'), { logsource: { product: 'windows', category: 'process_creation' } }),
  ];
  const prepared = prepareRules(rules, referenceFactory);

  it('evaluates only candidates and matches like running every rule', () => {
    const router = new RuleRouter(prepared.rules);
    const bypass = {
      Workload: 'Exchange',
      Operation: 'set-mailboxauditbypassassociation',
      ResultStatus: 'True',
      RecordType: 1,
    };
    expect(router.candidates(bypass)).toEqual([0]);
    expect(router.match(bypass)).toEqual([0]);
    expect(router.match({ ...bypass, Operation: 'Set-Mailbox' })).toEqual([]);
    const proc = { Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, CommandLine: 'whoami && mimikatz' };
    expect(router.candidates(proc)).toEqual([1, 2]);
    expect(router.match(proc)).toEqual([1, 2]);
    expect(router.evaluatedFraction).toBeCloseTo((1 + 0 + 2) / (3 * 3));
  });

  it('matchRecord routes evtx records before flattening and agrees with match', () => {
    const router = new RuleRouter(prepared.rules);
    const normalize = makeNormalizer('auto');
    const view = makeRouteView('auto');
    const records = [
      {
        Event: {
          System: { EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational' },
          EventData: { CommandLine: 'mimikatz' },
        },
      },
      { Event: { System: { EventID: 4624, Channel: 'Security' }, EventData: { CommandLine: 'mimikatz' } } },
      { Workload: 'Exchange', Operation: 'Set-MailboxAuditBypassAssociation', ResultStatus: 'True', RecordType: 1 },
    ];
    for (const r of records) expect(router.matchRecord(r, normalize, view)).toEqual(router.match(normalize(r)));
    expect(records.map((r) => router.matchRecord(r, normalize, view))).toEqual([[2], [], [0]]);
  });

  it('counts a predicate that throws as no match and records it', () => {
    const router = new RuleRouter(
      [
        {
          rule: rules[0]!,
          predicate: () => {
            throw new Error('boom');
          },
        },
        { rule: rules[2]!, predicate: () => true },
      ],
      { routing: false },
    );
    expect(router.match({ Operation: 'Set-MailboxAuditBypassAssociation', CommandLine: 'mimikatz' })).toEqual([1]);
    expect(router.errors.get(0)).toEqual({ count: 1, first: 'boom' });
  });

  it('builds lazily compiled predicates only for candidates, once, and sets aside rules it cannot build', () => {
    const built: number[] = [];
    const lazy = rules.map((rule, i) => ({
      rule,
      compile: () => {
        built.push(i);
        if (i === 2) throw new Error('no such modifier');
        return referenceFactory(rule);
      },
    }));
    const router = new RuleRouter(lazy);
    const proc = { Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, CommandLine: 'whoami && mimikatz' };
    expect(built).toEqual([]);
    expect(router.match(proc)).toEqual([1]);
    expect(router.match(proc)).toEqual([1]);
    // The O365 rule was never a candidate: never built. Rule 2 was tried once and is now set aside.
    expect(built).toEqual([1, 2]);
    expect(router.skipped).toEqual([{ rule: rules[2], reason: 'no such modifier' }]);
    expect(router.errors.size).toBe(0);
  });

  it('takes back the rules set aside and the errors counted since a mark, which matching again finds again', () => {
    const built: number[] = [];
    let calls = 0;
    const lazy = rules.map((rule, i) => ({
      rule,
      compile: () => {
        built.push(i);
        if (i === 2) throw new Error('no such modifier');
        return i === 1
          ? () => {
              throw new Error(`boom ${++calls}`);
            }
          : referenceFactory(rule);
      },
    }));
    const router = new RuleRouter(lazy);
    const proc = { Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, CommandLine: 'whoami && mimikatz' };
    const mark = router.mark();
    router.match(proc);
    router.match(proc);
    expect(router.skipped).toEqual([{ rule: rules[2], reason: 'no such modifier' }]);
    expect(router.errors.get(1)).toEqual({ count: 2, first: 'boom 1' });
    router.rewind(mark);
    expect(router.skipped).toEqual([]);
    expect(router.errors.size).toBe(0);
    // The rule set aside is built (and set aside) again; the predicate that threw is kept.
    const again = router.mark();
    router.match(proc);
    expect(built).toEqual([1, 2, 2]);
    expect(router.skipped).toEqual([{ rule: rules[2], reason: 'no such modifier' }]);
    expect(router.errors.get(1)).toEqual({ count: 1, first: 'boom 3' });
    router.match(proc);
    router.rewind(again);
    expect(router.errors.size).toBe(0);
  });

  it('keeps Azure activity-log rules off O365 audit records, and Entra ID ones on', () => {
    const o365 = eventLogsource({ Workload: 'AzureActiveDirectory', Operation: 'UserLoggedIn', RecordType: 15 });
    expect(logsourceAdmits({ product: 'azure', service: 'activitylogs' }, o365)).toBe(false);
    expect(logsourceAdmits({ product: 'azure', service: 'signinlogs' }, o365)).toBe(true);
    expect(logsourceAdmits({ product: 'azure', service: 'auditlogs' }, o365)).toBe(true);
    expect(logsourceAdmits({ product: 'azure' }, o365)).toBe(true);
  });

  it('never misses a match the predicates find (random rules and events)', () => {
    const fields = ['A', 'B', 'C.d'];
    const words = ['x', 'X', 'y', '1', '01', '', 'a\\x', '\\x', 'b\\a\\X'];
    const leaf: fc.Arbitrary<IrNode> = fc.oneof(
      fc.tuple(fc.constantFrom(...fields), fc.constantFrom(...words)).map(([f, w]) => eq(f, w)),
      fc.tuple(fc.constantFrom(...fields), fc.constantFrom(...words)).map(([f, w]) => contains(f, w)),
      fc.tuple(fc.constantFrom(...fields), fc.constantFrom(1, 2)).map(([f, n]) => b.numberMatch(f, n)),
      fc.constantFrom(...fields).map((f) => b.nullMatch(f)),
      fc
        .tuple(fc.constantFrom(...fields), fc.constantFrom('\\x', '\\X', '\\', 'a\\x'))
        .map(([f, w]) => b.stringMatch(f, pattern([ANY_CHARS, literalPart(w)]))),
    );
    const tree = irTreeArb(leaf, 1);
    const value = fc.oneof(
      fc.constantFrom(...words),
      fc.constantFrom(1, 2, 1.0),
      fc.constant(null),
      fc.array(fc.constantFrom(...words), { maxLength: 2 }),
    );
    const event = fc.record(
      {
        A: value,
        B: value,
        C: fc.oneof(fc.record({ d: value }), fc.array(fc.record({ d: value }), { maxLength: 2 })),
        'C.d': value,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.array(tree, { minLength: 1, maxLength: 8 }),
        fc.array(event, { minLength: 1, maxLength: 8 }),
        (trees, events) => {
          const prepared = prepareRules(
            trees.map((t) => makeRule(t)),
            referenceFactory,
          );
          const router = new RuleRouter(prepared.rules);
          for (const e of events) {
            const expected = prepared.rules.flatMap((r, i) => (r.predicate(e) ? [i] : []));
            expect(router.match(e)).toEqual(expected);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('with routing, matches like every rule whose logsource admits the event', () => {
    const router = new RuleRouter(prepared.rules);
    const events = [
      { Channel: 'Security', EventID: 4624, CommandLine: 'mimikatz' },
      { Channel: 'Security', EventID: 4688, CommandLine: 'mimikatz' },
      { CommandLine: 'mimikatz whoami', EventID: '1' },
    ];
    for (const e of events) {
      const source = eventLogsource(e);
      const expected = prepared.rules.flatMap((r, i) =>
        logsourceAdmits(r.rule.logsource, source) && r.predicate(e) ? [i] : [],
      );
      expect(router.match(e)).toEqual(expected);
    }
    expect(router.match(events[0]!)).toEqual([]);
    expect(router.match(events[1]!)).toEqual([2]);
    expect(router.match(events[2]!)).toEqual([1, 2]);
  });
});

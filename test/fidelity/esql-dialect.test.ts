/**
 * Differential fidelity of the ES|QL WHERE dialect (backends/elastic/esql-dialect.ts), which Elastic's ES|QL
 * correlation rules use for their referenced rules: random detection trees (hostile characters, wildcards, case,
 * regexes, CIDR, numbers, null/exists, nested and/or/not) rendered as `FROM x | WHERE …`, read back by the test-only
 * ES|QL reader and run on events built to hit and miss, against the JS predicate. Events holding an array are left
 * out: ES|QL reads a multi-valued field as null, the loss EL505 names on every ES|QL correlation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import { EsqlGenerator } from '../../backends/elastic/esql-dialect.js';
import type { MappedRule, Reporter } from '../../src/backend/types.js';
import { compileRule } from '../../src/compile.js';
import * as b from '../../src/ir/build.js';
import type { IrNode } from '../../src/ir/nodes.js';
import { ANY_CHARS, literalPart, ONE_CHAR, pattern, type Pattern } from '../../src/ir/pattern.js';
import { loadPipeline } from '../../src/pipeline/load.js';
import { makeRule } from '../helpers/make-rule.js';
import { irTreeArb } from '../helpers/ir-tree-arb.js';
import { prng } from '../helpers/prng.js';
import { leaves } from './rule-events.js';
import { parseEsql, runEsql } from './evaluators/esql.js';
import { importPredicate } from './js-module.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 150);
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261206);
const EVENTS_PER_RULE = 10;

const FIELDS = ['a', 'B', 'c.d', 'e_f'];
/** `a` and `e_f` typed keyword, the others unknown to the pipeline (both renderings are exercised). */
const FIELD_TYPES = { a: 'keyword', e_f: 'keyword' };
// prettier-ignore
const ALPHABET = ['a', 'A', 'b', 'B', 'é', 'É', '1', '0', ' ', '*', '?', '\\', '"', "'", '(', ')', ':', '|', '`', '\n',
  '\t', '=', '%', '_', '.', '-', '/', '[', ']', '$', '^', '~', '@', '#', '&', ','];
const REGEXES: readonly { source: string; samples: readonly string[] }[] = [
  { source: 'ab+c', samples: ['xabbcx', 'ABC', 'ac'] },
  { source: '^a.b$', samples: ['a-b', 'a\nb', 'xa-b'] },
  { source: '\\d{2,3}', samples: ['x12', '1', 'abc'] },
  { source: '[a-c]"q', samples: ['b"q', 'd"q'] },
  { source: 'x\\\\y', samples: ['x\\y', 'xy'] },
];
const CIDRS = [
  { network: '10.0.0.0', prefix: 8, family: 4 as const, inside: '10.20.30.40', outside: '11.0.0.1' },
  { network: '2001:db8::', prefix: 32, family: 6 as const, inside: '2001:db8::5', outside: '2001:db9::1' },
];

const field = fc.constantFrom(...FIELDS);
const literalText = fc.array(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: 4 }).map((a) => a.join(''));
const patternArb: fc.Arbitrary<Pattern> = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: literalText.map((t) => literalPart(t)) },
      { weight: 1, arbitrary: fc.constant(ANY_CHARS) },
      { weight: 1, arbitrary: fc.constant(ONE_CHAR) },
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((parts) => pattern(parts));

const leafArb: fc.Arbitrary<IrNode> = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(field, patternArb, fc.boolean()).map(([f, p, c]) => b.stringMatch(f, p, c)) },
  { weight: 1, arbitrary: fc.tuple(field, fc.integer({ min: -3, max: 40 })).map(([f, n]) => b.numberMatch(f, n)) },
  { weight: 1, arbitrary: field.map((f) => b.exists(f)) },
  { weight: 1, arbitrary: field.map((f) => b.nullMatch(f)) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(field, fc.constantFrom(...REGEXES), fc.boolean())
      .map(([f, r, s]) => b.regexMatch(f, r.source, { ignoreCase: false, multiline: false, dotAll: s })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(field, fc.constantFrom(...CIDRS))
      .map(([f, c]) => b.cidrMatch(f, c.network, c.prefix, c.family)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        field,
        fc.constantFrom('lt' as const, 'lte' as const, 'gt' as const, 'gte' as const),
        fc.integer({ min: 0, max: 20 }),
      )
      .map(([f, op, n]) => b.compare(f, op, n)),
  },
);

const treeArb: fc.Arbitrary<IrNode> = irTreeArb(leafArb);

function instantiate(p: Pattern, rnd: () => number): string {
  const pick = (): string => ALPHABET[Math.floor(rnd() * ALPHABET.length)]!;
  let text = '';
  for (const part of p.parts) {
    if (part.kind === 'literal') text += rnd() < 0.3 ? part.text.toUpperCase() : part.text;
    else if (part.kind === 'anyChars') text += rnd() < 0.4 ? '' : pick() + pick();
    else text += pick();
  }
  return rnd() < 0.1 ? text + pick() : text;
}

/** Events whose values are what a keyword field holds: strings (numbers as their decimal text), null or missing. */
function makeEvent(tree: IrNode, seed: number): Record<string, unknown> {
  const rnd = prng(seed);
  const pool = new Map<string, string[]>(FIELDS.map((f) => [f, ['', 'zz', '7']]));
  for (const node of leaves(tree)) {
    const add = (...values: string[]): void => void pool.get((node as { field: string }).field)?.push(...values);
    if (node.kind === 'stringMatch') add(instantiate(node.pattern, rnd), instantiate(node.pattern, rnd));
    else if (node.kind === 'numberMatch') add(String(node.value), String(node.value + 1));
    else if (node.kind === 'compare') add(String(node.value - 1), String(node.value), String(node.value + 1));
    else if (node.kind === 'regexMatch') add(...(REGEXES.find((r) => r.source === node.source)?.samples ?? []));
    else if (node.kind === 'cidrMatch') {
      const c = CIDRS.find((x) => x.network === node.network)!;
      add(c.inside, c.outside);
    }
  }
  const event: Record<string, unknown> = {};
  for (const f of FIELDS) {
    const values = pool.get(f)!;
    const r = rnd();
    if (r < 0.15) continue;
    event[f] = r < 0.22 ? null : values[Math.floor(rnd() * values.length)];
  }
  return event;
}

const js = BACKENDS.find((x) => x.id === 'js')!;
const jsTarget = { backend: js, pipeline: loadPipeline(js.root, js.id) };

describe('ES|QL WHERE dialect versus the JS predicate', () => {
  it(`agrees on ${RUNS} random rules × ${EVENTS_PER_RULE} events (seed ${SEED})`, async () => {
    const trees = fc.sample(treeArb, { numRuns: RUNS, seed: SEED });
    const stats = { rules: 0, refused: 0, events: 0, matched: 0 };
    const refusals = new Map<string, number>();
    for (const [n, tree] of trees.entries()) {
      const rule = makeRule(tree);
      const jsResult = compileRule(rule, jsTarget);
      if (!jsResult.compiled) continue;
      const reference = await importPredicate(jsResult.compiled.query.query);
      const codes: string[] = [];
      const report: Reporter = {
        warn() {},
        info() {},
        refuse: (code) => void codes.push(code),
      };
      const mapped: MappedRule = { rule, detection: tree, destination: {}, fieldTypes: FIELD_TYPES };
      const condition = new EsqlGenerator().generate(tree, mapped, report);
      if (codes.length > 0) {
        stats.refused++;
        for (const c of codes) refusals.set(c, (refusals.get(c) ?? 0) + 1);
        continue;
      }
      stats.rules++;
      const query = parseEsql(`FROM x | WHERE ${condition}`);
      for (let k = 0; k < EVENTS_PER_RULE; k++) {
        const event = makeEvent(tree, SEED + n * 100 + k);
        const want = reference(event);
        const got = runEsql(query, [event]).length === 1;
        stats.events++;
        if (want) stats.matched++;
        expect(got, `rule ${condition}\nevent ${JSON.stringify(event)}`).toBe(want);
      }
    }
    console.log(
      `esql dialect fuzz: ${stats.rules} rules, ${stats.refused} refused (${[...refusals].map(([c, k]) => `${c}×${k}`).join(', ')}), ${stats.events} events, ${stats.matched} matched`,
    );
    expect(stats.rules).toBeGreaterThan(RUNS / 2);
    expect(stats.matched).toBeGreaterThan(stats.events / 10);
  });
});

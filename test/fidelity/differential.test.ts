/**
 * Differential fidelity: random detection trees (hostile characters, wildcards anywhere, modifiers, nested
 * and/or/not) are compiled by every target; each query is read back by the test-only evaluator of its language and
 * run on random events built to hit and miss, against the JS predicate (the rule's executable meaning). A
 * disagreement counts unless the rule's diagnostics hold a loss warning of that target that fits the event
 * (loss-codes.ts: the code's kind of loss, on a field the event touches); a query the evaluator cannot read is a
 * failure (the output left the language subset, or broke out of a literal). Sentinel queries also go through
 * Microsoft's Kusto parser.
 *
 * Fixed seed in `npm test`; `FUZZ_RUNS=<n>` (and optionally `FUZZ_SEED`) for longer runs.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import type { Backend } from '../../src/backend/types.js';
import { compileRule, type TargetResult } from '../../src/compile.js';
import * as b from '../../src/ir/build.js';
import type { IrNode } from '../../src/ir/nodes.js';
import { ANY_CHARS, literalPart, ONE_CHAR, pattern, type Pattern, patternToSigma } from '../../src/ir/pattern.js';
import { loadPipeline } from '../../src/pipeline/load.js';
import { makeRule } from '../helpers/make-rule.js';
import type * as kusto from './evaluators/kusto.js';
import { kustoErrors } from './kusto-syntax.js';
import { excusingCodes } from './loss-codes.js';
import { irTreeArb } from '../helpers/ir-tree-arb.js';
import { prng } from '../helpers/prng.js';
import { leaves } from './rule-events.js';
import { importPredicate } from './js-module.js';
import { type Evaluator, readQuery } from './readers.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 60);
const SEED = Number(process.env['FUZZ_SEED'] ?? 20260917);
const EVENTS_PER_RULE = 8;
const TABLE = 'Events';

// ---- random IR -------------------------------------------------------------------------------------------------

const FIELDS = ['a', 'B', 'c.d', 'e_f'];
const ALPHABET = [
  'a',
  'A',
  'b',
  'B',
  'z',
  'é',
  'É',
  '1',
  '0',
  ' ',
  '*',
  '?',
  '\\',
  '"',
  "'",
  '(',
  ')',
  ':',
  '|',
  '`',
  '\n',
  '\t',
  '=',
  '<',
  '>',
  '%',
  '_',
  '.',
  '-',
  '/',
  '{',
  '}',
  '[',
  ']',
  '$',
  '^',
  '~',
  '@',
  '#',
  '&',
  ',',
  ';',
  '!',
];
/** Regexes with example texts that match and miss (search semantics). */
const REGEXES: readonly { source: string; samples: readonly string[] }[] = [
  { source: 'ab+c', samples: ['xabbcx', 'ABC', 'ac'] },
  { source: '^a.b$', samples: ['a-b', 'a\nb', 'A-B', 'xa-b'] },
  { source: '\\d{2,3}', samples: ['x12', '1', 'abc'] },
  { source: '(foo|bar)\\.exe', samples: ['c:\\bar.exe', 'FOO.EXE', 'fooXexe'] },
  { source: '[a-c]"q', samples: ['b"q', 'B"Q', 'd"q'] },
  { source: 'x\\\\y', samples: ['x\\y', 'xy'] },
];
const CIDRS: readonly { network: string; prefix: number; family: 4 | 6; inside: string; outside: string }[] = [
  { network: '10.0.0.0', prefix: 8, family: 4, inside: '10.20.30.40', outside: '11.0.0.1' },
  { network: '192.168.1.0', prefix: 24, family: 4, inside: '192.168.1.77', outside: '192.168.2.1' },
  { network: '2001:db8::', prefix: 32, family: 6, inside: '2001:db8::5', outside: '2001:db9::1' },
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

const leafArb = (casedOnly: boolean): fc.Arbitrary<IrNode> =>
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc.tuple(field, patternArb, fc.boolean()).map(([f, p, c]) => b.stringMatch(f, p, casedOnly || c)),
    },
    { weight: 1, arbitrary: fc.tuple(field, fc.integer({ min: -3, max: 40 })).map(([f, n]) => b.numberMatch(f, n)) },
    { weight: 1, arbitrary: field.map((f) => b.exists(f)) },
    { weight: 1, arbitrary: field.map((f) => b.nullMatch(f)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(field, fc.constantFrom(...REGEXES), fc.boolean(), fc.boolean())
        .map(([f, r, i, s]) => b.regexMatch(f, r.source, { ignoreCase: i, multiline: false, dotAll: s })),
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
    { weight: 1, arbitrary: patternArb.map((p) => b.keyword(p)) },
  );

const treeArb = (casedOnly: boolean): fc.Arbitrary<IrNode> => irTreeArb(leafArb(casedOnly));

// ---- events built from the tree ------------------------------------------------------------------------------------

/** A text the pattern matches (often), with case flips and wildcard fillers; sometimes a near miss. */
function instantiate(p: Pattern, rnd: () => number): string {
  const pick = (): string => ALPHABET[Math.floor(rnd() * ALPHABET.length)]!;
  let text = '';
  for (const part of p.parts) {
    if (part.kind === 'literal') text += rnd() < 0.3 ? flipCase(part.text) : part.text;
    else if (part.kind === 'anyChars') text += rnd() < 0.4 ? '' : pick() + (rnd() < 0.5 ? pick() : '');
    else text += pick();
  }
  const r = rnd();
  if (r < 0.1) return text + pick();
  if (r < 0.15) return pick() + text;
  return text;
}

function flipCase(text: string): string {
  return [...text].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
}

function candidates(tree: IrNode, rnd: () => number): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>(FIELDS.map((f) => [f, ['', 'zz', 7]]));
  const add = (f: string, ...values: unknown[]): void => void out.get(f)?.push(...values);
  for (const node of leaves(tree)) {
    switch (node.kind) {
      case 'stringMatch':
        add(node.field, instantiate(node.pattern, rnd), instantiate(node.pattern, rnd));
        break;
      case 'keyword':
        add(FIELDS[Math.floor(rnd() * FIELDS.length)]!, instantiate(node.pattern, rnd));
        break;
      case 'numberMatch':
        add(node.field, node.value, String(node.value), node.value + 1);
        break;
      case 'compare':
        add(node.field, node.value - 1, node.value, String(node.value + 1));
        break;
      case 'regexMatch':
        add(node.field, ...(REGEXES.find((r) => r.source === node.source)?.samples ?? []));
        break;
      case 'cidrMatch': {
        const c = CIDRS.find((x) => x.network === node.network);
        if (c) add(node.field, c.inside, c.outside, `${c.inside}:443`);
        break;
      }
      default:
        break;
    }
  }
  return out;
}

function makeEvent(tree: IrNode, seed: number): Record<string, unknown> {
  const rnd = prng(seed);
  const pool = candidates(tree, rnd);
  const event: Record<string, unknown> = {};
  for (const f of FIELDS) {
    const values = pool.get(f)!;
    const choose = (): unknown => values[Math.floor(rnd() * values.length)];
    const r = rnd();
    if (r < 0.15) continue;
    if (r < 0.2) event[f] = null;
    else if (r < 0.3) event[f] = [choose(), choose()];
    else event[f] = choose();
  }
  return event;
}

// ---- compiling and evaluating ----------------------------------------------------------------------------------

const targets = BACKENDS.map((backend) => ({ backend, pipeline: loadPipeline(backend.root, backend.id) }));
const jsTarget = targets.find((t) => t.backend.id === 'js')!;
const queryTargets = targets.filter((t) => t.backend.id !== 'js');

/** `pinKql` pins Elastic to KQL, so case-sensitive string matches are rendered as KQL rather than EQL. */
function rule(detection: IrNode, pinKql: boolean) {
  return makeRule(detection, {
    deploy: {
      interval: '5m',
      lookback: '6m',
      maxAlerts: 100,
      riskScore: 47,
      enabled: true,
      version: 1,
      targets: { sentinel: { table: TABLE }, ...(pinKql ? { elastic: { language: 'kuery' } } : {}) },
    },
  });
}

async function jsPredicate(result: TargetResult): Promise<(event: unknown) => boolean> {
  return importPredicate(result.compiled!.query.query);
}

/** Sentinel's table for the fuzz: every field a string column (as the fallback mapping gives no types). */
const KUSTO_SCHEMA: Readonly<Record<string, kusto.KustoType>> = Object.fromEntries(
  FIELDS.map((f) => [f, 'string' as const]),
);

/**
 * A Kusto string column holds one text, never a list: an event with an array value has no faithful Sentinel row,
 * so such events are not compared for Sentinel (multivalue data lives in `dynamic` columns, a different rule).
 */
function applicable(target: string, event: Record<string, unknown>): boolean {
  return target !== 'sentinel' || !Object.values(event).some((v) => Array.isArray(v));
}

/** Reads the query with the evaluator of its language; throws QueryParseError when it is outside the subset. */
function reader(_backend: Backend, result: TargetResult): Evaluator {
  // The columns are the string columns the query was validated against (see KUSTO_SCHEMA).
  return readQuery(result, { kustoColumns: KUSTO_SCHEMA });
}

interface Finding {
  readonly target: string;
  readonly kind: 'unreadable' | 'disagreement' | 'kusto-syntax' | 'evaluator-error';
  readonly rule: string;
  readonly query: string;
  readonly detail: string;
}

const stats = {
  rules: 0,
  jsRefused: 0,
  perTarget: Object.fromEntries(
    queryTargets.map((t) => [t.backend.id, { compiled: 0, refused: 0, events: 0, agree: 0, excused: 0 }]),
  ) as Record<string, { compiled: number; refused: number; events: number; agree: number; excused: number }>,
  excusedCodes: new Map<string, number>(),
  languages: new Map<string, number>(),
  refusalCodes: new Map<string, number>(),
};
const findings: Finding[] = [];

function describeTree(node: IrNode): string {
  switch (node.kind) {
    case 'and':
    case 'or':
      return `${node.kind}(${node.children.map(describeTree).join(', ')})`;
    case 'not':
      return `not(${describeTree(node.child)})`;
    case 'stringMatch':
      return `${node.field}${node.cased ? '|cased' : ''}=${JSON.stringify(patternToSigma(node.pattern))}`;
    case 'keyword':
      return `keyword ${JSON.stringify(patternToSigma(node.pattern))}`;
    default: {
      const { origin: _origin, ...rest } = node as IrNode & { origin?: unknown };
      return JSON.stringify(rest);
    }
  }
}

async function check(tree: IrNode, eventSeeds: readonly number[], pinKql: boolean): Promise<void> {
  stats.rules++;
  const r = rule(tree, pinKql);
  const jsResult = compileRule(r, jsTarget);
  if (jsResult.status === 'refused') {
    stats.jsRefused++;
    return;
  }
  const reference = await jsPredicate(jsResult);
  const events = eventSeeds.map((s) => makeEvent(tree, s));
  for (const target of queryTargets) {
    const id = target.backend.id;
    const s = stats.perTarget[id]!;
    const result = compileRule(r, target);
    if (result.status === 'refused' || !result.compiled) {
      s.refused++;
      for (const d of result.diagnostics.filter((x) => x.severity === 'error'))
        stats.refusalCodes.set(`${id} ${d.code}`, (stats.refusalCodes.get(`${id} ${d.code}`) ?? 0) + 1);
      continue;
    }
    s.compiled++;
    const language = result.compiled.query.language;
    stats.languages.set(language, (stats.languages.get(language) ?? 0) + 1);
    const query = result.compiled.query.query;
    const ruleText = describeTree(tree);
    if (id === 'sentinel') {
      const errors = kustoErrors(query, TABLE, KUSTO_SCHEMA);
      if (errors.length > 0)
        findings.push({
          target: id,
          kind: 'kusto-syntax',
          rule: ruleText,
          query,
          detail: errors.map((e) => `${e.code} ${e.message}`).join('; '),
        });
    }
    let evaluate: Evaluator;
    try {
      evaluate = reader(target.backend, result);
    } catch (error) {
      findings.push({ target: id, kind: 'unreadable', rule: ruleText, query, detail: String(error) });
      continue;
    }
    // The JS reference's own approximations (JS003, JS004) excuse a disagreement too (loss-codes.ts).
    const diagnostics = [...result.diagnostics, ...jsResult.diagnostics.map((d) => ({ ...d, target: 'js' }))];
    for (const event of events) {
      if (!applicable(id, event)) continue;
      s.events++;
      let got: boolean;
      try {
        got = evaluate(event);
      } catch (error) {
        findings.push({
          target: id,
          kind: 'evaluator-error',
          rule: ruleText,
          query,
          detail: `${String(error)} on ${JSON.stringify(event)}`,
        });
        break;
      }
      const want = reference(event);
      if (got === want) {
        s.agree++;
        continue;
      }
      // Events here use the rule's field names, which are the target's (fallback mapping, RC401).
      const excuses = excusingCodes(id, diagnostics, [event]);
      if (excuses.length > 0) {
        s.excused++;
        const key = `${id} ${excuses.join('+')}`;
        stats.excusedCodes.set(key, (stats.excusedCodes.get(key) ?? 0) + 1);
        continue;
      }
      findings.push({
        target: id,
        kind: 'disagreement',
        rule: ruleText,
        query,
        detail: `event ${JSON.stringify(event)}: JS ${want}, ${id} ${got}`,
      });
      break;
    }
  }
}

describe('differential fidelity of the four targets', () => {
  afterAll(() => {
    const lines = [
      `fidelity fuzz: seed ${SEED}, ${stats.rules} rules (${stats.jsRefused} refused by js), ${EVENTS_PER_RULE} events each`,
      ...Object.entries(stats.perTarget).map(
        ([id, s]) =>
          `  ${id}: compiled ${s.compiled}, refused ${s.refused}, events ${s.events}, agree ${s.agree}, excused by loss warnings ${s.excused}`,
      ),
      `  languages: ${[...stats.languages].map(([l, n]) => `${l}×${n}`).join(', ')}`,
      `  refusals: ${[...stats.refusalCodes].map(([c, n]) => `${c}×${n}`).join(', ') || 'none'}`,
      `  excused codes: ${[...stats.excusedCodes].map(([c, n]) => `${c}×${n}`).join(', ') || 'none'}`,
      `  findings: ${findings.length}`,
    ];
    console.log(lines.join('\n'));
  });

  const property = (casedOnly: boolean, runs: number) =>
    fc.assert(
      fc.asyncProperty(
        treeArb(casedOnly),
        fc.array(fc.integer(), { minLength: EVENTS_PER_RULE, maxLength: EVENTS_PER_RULE }),
        async (tree, seeds) => {
          await check(tree, seeds, casedOnly);
        },
      ),
      { seed: casedOnly ? SEED + 1 : SEED, numRuns: runs },
    );

  it('generates, compiles and compares rules (default Sigma semantics, Elastic free to pick KQL or EQL)', async () => {
    await property(false, RUNS);
  }, 600_000);

  it('generates, compiles and compares case-sensitive rules with Elastic pinned to KQL', async () => {
    await property(true, Math.ceil(RUNS / 2));
  }, 600_000);

  it('finds every compiled query readable, valid, and meaning what the JS predicate means', () => {
    // A few examples per target and kind: one systematic loss should not hide the others.
    const seen = new Map<string, number>();
    const sample = findings.filter((f) => {
      const key = `${f.target} ${f.kind}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      return seen.get(key)! <= 3;
    });
    const counts = [...seen].map(([k, n]) => `${k}: ${n}`).join(', ');
    const shown = sample.map(
      (f) => `[${f.target} ${f.kind}] ${f.rule}\n    query: ${JSON.stringify(f.query)}\n    ${f.detail}`,
    );
    expect(findings.length, `findings (${counts}):\n${shown.join('\n')}`).toBe(0);
  });
});

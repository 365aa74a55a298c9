/**
 * The in-process predicate (backends/js/interpret.ts, what `rulec match` and `rulec test` run) against the generated
 * module's own `match` (generate.ts, the JS target's artifact): the same verdict on every event, the same error
 * when one throws, and the same refusals and warnings, on the SigmaHQ corpus over its regression events and
 * generated events (skipped, saying so, when ../shared is missing), and on random detections over tricky events.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generatedPredicate } from '../../../backends/js/index.js';
import { interpretPredicate } from '../../../backends/js/interpret.js';
import type { EventPredicate, Reporter } from '../../../src/backend/types.js';
import * as b from '../../../src/ir/build.js';
import type { IrNode } from '../../../src/ir/nodes.js';
import { ANY_CHARS, literalPart, literalPattern, ONE_CHAR, pattern } from '../../../src/ir/pattern.js';
import { makeNormalizer } from '../../../src/match/formats.js';
import { loadRules } from '../../../src/match/load-rules.js';
import { readEvents } from '../../../src/match/read-events.js';
import { applyPipeline } from '../../../src/pipeline/apply.js';
import { generateEvents } from '../../../scripts/gen-events.js';
import { irTreeArb } from '../../helpers/ir-tree-arb.js';
import { target } from './load.js';

const SIGMA = resolve(import.meta.dirname, '../../../../shared/data/sigma');
const available = existsSync(join(SIGMA, 'rules')) && existsSync(join(SIGMA, 'regression_data'));
if (!available)
  console.warn(`interpreter corpus differential skipped: ${SIGMA} is missing (the shared reference data)`);

interface Pair {
  readonly generated: EventPredicate;
  readonly interpreted: EventPredicate;
  /** What each side reported, in order: [kind, code, message]. */
  readonly reports: [string[], string[]];
}

function recorder(into: string[]): Reporter {
  return {
    warn: (code, message) => into.push(`warn ${code} ${message}`),
    refuse: (code, message) => into.push(`refuse ${code} ${message}`),
    info: (code, message) => into.push(`info ${code} ${message}`),
  };
}

function pair(detection: IrNode): Pair {
  const g: string[] = [];
  const i: string[] = [];
  return {
    generated: generatedPredicate(detection, recorder(g)),
    interpreted: interpretPredicate(detection, recorder(i)),
    reports: [g, i],
  };
}

/** The verdict, or the error thrown (its class and message). */
function outcome(predicate: EventPredicate, event: unknown, memo: Record<string, unknown> | undefined): string {
  try {
    return String(predicate(event, memo));
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

/** Indexes of the events on which the two sides differ (with a fresh memo per event, and without one). */
function differences(p: Pair, events: readonly unknown[]): number[] {
  const out: number[] = [];
  events.forEach((event, k) => {
    const same =
      outcome(p.generated, event, {}) === outcome(p.interpreted, event, {}) &&
      outcome(p.generated, event, undefined) === outcome(p.interpreted, event, undefined);
    if (!same) out.push(k);
  });
  return out;
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

describe.skipIf(!available)('interpreter = generated module on the SigmaHQ corpus', () => {
  it('gives the same verdicts, errors and reports for every rule on regression and generated events', async () => {
    const normalize = makeNormalizer('auto');
    const regression: unknown[] = [];
    // evtx_dump output: pretty-printed documents back to back, read as `rulec match` reads them.
    for (const file of jsonFiles(join(SIGMA, 'regression_data'))) {
      for await (const { event } of readEvents(file)) regression.push(normalize(event as Record<string, unknown>));
    }
    expect(regression.length).toBeGreaterThan(150);
    // Every regression event, and generated events normalised and as read.
    const events: unknown[] = [...regression];
    for (const e of generateEvents(400, 7)) events.push(normalize(e as Record<string, unknown>), e);
    const rules = loadRules([join(SIGMA, 'rules')]).rules;
    expect(rules.length).toBeGreaterThan(3000);
    const bad: string[] = [];
    let matches = 0;
    for (const rule of rules) {
      const mapped = applyPipeline(rule, target.pipeline, recorder([]));
      const p = pair(mapped.detection);
      if (p.reports[0].join('\n') !== p.reports[1].join('\n')) bad.push(`${rule.title}: reports differ`);
      const differ = differences(p, events);
      if (differ.length > 0) bad.push(`${rule.title}: ${differ.length} events differ, first ${differ[0]}`);
      for (const e of events) if (p.interpreted(e, {}) === true) matches++;
    }
    expect(bad).toEqual([]);
    // The events reach rules: a differential over events nothing matches would prove little.
    expect(matches).toBeGreaterThan(100);
  }, 120_000);
});

// Random detections over values that probe each runtime path: case folding (Kelvin sign, dotted I, final sigma),
// wildcards, numbers as text, booleans, null and missing fields, arrays, nested objects, dotted paths, keys of
// Object.prototype, CIDR, regular expressions (V8's and the linear-time engine's), keywords.
const FIELDS = ['A', 'B', 'C.d', 'constructor'];
const WORDS = ['abc', 'ABC', 'Kelvin', '\u212aelvin', 'İx', 'σς', 'ΑΣ', '1.5', '10', 'true', '*', '?', '', 'a\\b'];
const word = fc.constantFrom(...WORDS);
const part = fc.oneof(
  word.map((w) => literalPart(w)),
  fc.constant(ANY_CHARS),
  fc.constant(ONE_CHAR),
);
const patternArb = fc.oneof(
  fc.array(part, { minLength: 0, maxLength: 4 }).map((parts) => pattern(parts)),
  // The shapes the fast paths test: exact, prefix, suffix, contains.
  fc
    .tuple(word, fc.boolean(), fc.boolean())
    .map(([w, lead, trail]) => pattern([...(lead ? [ANY_CHARS] : []), literalPart(w), ...(trail ? [ANY_CHARS] : [])])),
);
const field = fc.constantFrom(...FIELDS);
const REGEXES = [
  '(?:a|ab)*abc',
  '(?:x+x+)+Kelvin',
  '^abc',
  'a.c$',
  '(a|b)+c',
  '(a*)*b',
  'k',
  '\\d{2}',
  '[a-z]+\\\\b',
  'x*y*z*$',
  '.*elvin',
  '(?:ab|a)*c',
];
const NETWORKS: [string, number, 4 | 6][] = [
  ['10.0.0.0', 8, 4],
  ['192.168.1.0', 24, 4],
  ['fe80::', 10, 6],
  ['::ffff:0:0', 96, 6],
  ['300.1.1.1', 8, 4],
];
const leaf: fc.Arbitrary<IrNode> = fc.oneof(
  fc.tuple(field, patternArb, fc.boolean()).map(([f, p, cased]) => b.stringMatch(f, p, cased)),
  // An OR of 8 or more literal tests of one kind on one field: a needle set.
  fc.tuple(field, fc.constantFrom('exact', 'prefix', 'suffix', 'contains'), fc.boolean()).map(([f, kind, cased]) =>
    b.or(
      WORDS.slice(0, 9).map((w) => {
        const lit = literalPart(w);
        const parts =
          kind === 'exact'
            ? [lit]
            : kind === 'prefix'
              ? [lit, ANY_CHARS]
              : kind === 'suffix'
                ? [ANY_CHARS, lit]
                : [ANY_CHARS, lit, ANY_CHARS];
        return b.stringMatch(f, pattern(parts), cased);
      }),
    ),
  ),
  fc.tuple(field, fc.constantFrom(10, 1.5, -0, 2 ** 60, Infinity)).map(([f, n]) => b.numberMatch(f, n)),
  fc.tuple(field, fc.boolean()).map(([f, v]) => b.boolMatch(f, v)),
  field.map((f) => b.nullMatch(f)),
  field.map((f) => b.exists(f)),
  fc
    .tuple(field, fc.constantFrom(...REGEXES), fc.boolean(), fc.boolean())
    .map(([f, source, ignoreCase, dotAll]) => b.regexMatch(f, source, { ignoreCase, multiline: false, dotAll })),
  fc.tuple(field, fc.constantFrom(...NETWORKS)).map(([f, [net, len, fam]]) => b.cidrMatch(f, net, len, fam)),
  fc
    .tuple(
      field,
      fc.constantFrom('lt', 'lte', 'gt', 'gte') as fc.Arbitrary<'lt' | 'lte' | 'gt' | 'gte'>,
      fc.constantFrom(5, 10.5, NaN),
    )
    .map(([f, op, n]) => b.compare(f, op, n)),
  fc.tuple(field, field, fc.boolean()).map(([f, g, cased]) => b.fieldRef(f, g, cased)),
  fc.tuple(field, fc.constantFrom(2024, 5, 13)).map(([f, n]) => b.timePart(f, n > 100 ? 'year' : 'hour', n)),
  fc.tuple(patternArb, fc.boolean()).map(([p, cased]) => b.keyword(p, cased)),
  fc.array(word, { minLength: 2, maxLength: 3 }).map((ws) => b.or(ws.map((w) => b.keyword(literalPattern(w))))),
  fc
    .tuple(field, fc.option(fc.array(word, { maxLength: 3 }), { nil: undefined }))
    .map(([f, values]) => b.inList(f, 'p', { kind: 'lookup', name: 'l' }, values, false)),
);

const scalar = fc.oneof(
  word,
  fc.array(word, { minLength: 2, maxLength: 3 }).map((ws) => ws.join('')),
  fc.constantFrom('10.1.2.3', '192.168.1.77', 'fe80::1%eth0', '::ffff:10.0.0.1', '2024-05-13T13:45:00Z', 'TRUE'),
  fc.constantFrom(10, 1.5, -0, 5, 2 ** 60, NaN),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('d', 'e'), scalar, { maxKeys: 2 }) },
  {
    weight: 1,
    arbitrary: fc.array(fc.dictionary(fc.constantFrom('d', 'e'), scalar, { maxKeys: 2 }), { maxLength: 2 }),
  },
);
const eventArb = fc.dictionary(fc.constantFrom('A', 'B', 'C', 'C.d', 'constructor', 'E'), value, {
  minKeys: 2,
  maxKeys: 6,
});

/** A leaf's field and the texts it tests (literal parts of its pattern, its number, its list values). */
function leafTexts(node: IrNode, out: [string | undefined, string][]): void {
  switch (node.kind) {
    case 'and':
    case 'or':
      for (const c of node.children) leafTexts(c, out);
      return;
    case 'not':
      leafTexts(node.child, out);
      return;
    case 'stringMatch':
    case 'keyword': {
      const text = node.pattern.parts
        .map((p) => (p.kind === 'literal' ? p.text : p.kind === 'oneChar' ? 'Q' : ''))
        .join('');
      out.push([node.kind === 'keyword' ? undefined : node.field, text]);
      return;
    }
    case 'numberMatch':
    case 'compare':
    case 'timePart':
      out.push([node.field, String(node.value)]);
      return;
    case 'inList':
      for (const v of node.values ?? []) out.push([node.field, v]);
      return;
    case 'regexMatch':
      out.push([node.field, node.source.replace(/[^A-Za-z]/g, '')]);
      return;
    default:
      return;
  }
}

/**
 * Events built from the detection's own values, so that its tests meet texts that pass them and texts one step
 * away: the text alone, with text around it (a contains passes, an equality or affix test may not), in upper
 * case, as a number, inside a list or an object, and every value at once.
 */
function ownValues(detection: IrNode): unknown[] {
  const texts: [string | undefined, string][] = [];
  leafTexts(detection, texts);
  const events: Record<string, unknown>[] = [];
  const all: Record<string, unknown> = {};
  for (const [field, text] of texts) {
    const key = field ?? 'K';
    const variants: unknown[] = [text, `x${text}`, `${text}x`, `x${text}x`, text.toUpperCase(), [1, text], { d: text }];
    if (text !== '' && Number.isFinite(Number(text))) variants.push(Number(text));
    for (const v of variants) events.push({ [key]: v });
    all[key] = text;
  }
  events.push(all);
  return events;
}

describe('interpreter = generated module on random detections', () => {
  it('agrees on every event, and reports the same', () => {
    let held = 0;
    fc.assert(
      fc.property(irTreeArb(leaf, 1), fc.array(eventArb, { minLength: 1, maxLength: 24 }), (detection, events) => {
        const p = pair(detection);
        expect(p.reports[1]).toEqual(p.reports[0]);
        const all = [...events, ...ownValues(detection), null, 'text', 7, [], {}];
        expect(differences(p, all).map((k) => all[k])).toEqual([]);
        for (const e of all) if (p.interpreted(e, {}) === true) held++;
      }),
      { numRuns: 1000 },
    );
    // Enough detections hold on some event for the agreement to mean something.
    expect(held).toBeGreaterThan(2000);
  });

  it('keeps rule values as data', () => {
    const hostile = '"); globalThis.pwned = true; ("';
    const p = pair(b.or([b.stringMatch(hostile, literalPattern(hostile)), b.keyword(literalPattern(hostile))]));
    expect(p.interpreted({ [hostile]: hostile }, {})).toBe(true);
    expect(p.generated({ [hostile]: hostile }, {})).toBe(true);
    expect((globalThis as Record<string, unknown>)['pwned']).toBeUndefined();
  });

  it('runs a pattern V8 could backtrack on through the linear-time engine', () => {
    const p = pair(b.regexMatch('A', '(a*)*b', { ignoreCase: false, multiline: false, dotAll: false }));
    const event = { A: `${'a'.repeat(5000)}c` };
    expect(p.interpreted(event, {})).toBe(false);
    expect(p.generated(event, {})).toBe(false);
  });
});

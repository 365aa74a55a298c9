/**
 * Fuzzed rule files never produce a stack trace or a hang: mutations of real rules (truncation, wrong types,
 * deep nesting, huge values, invalid UTF-8, random byte damage) always come back as diagnostics, and whatever
 * still loads compiles for every target without throwing. A fixed seed runs in `npm test`; `npm run fuzz`
 * sets FUZZ_RUNS for a longer run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import { loadTargets } from '../../src/cli/targets.js';
import { compileRule } from '../../src/compile.js';
import { collectRuleFiles, readRuleFile } from '../../src/frontend.js';
import { prng } from '../helpers/prng.js';

const CORPUS = '../shared/data/sigma/rules';
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 20261128);

const seeds: Buffer[] = existsSync(CORPUS)
  ? collectRuleFiles([CORPUS])
      .filter((_, i) => i % 37 === 0)
      .map((f) => readFileSync(f))
  : [
      readFileSync('rules/m365/o365_mailbox_audit_logging_bypass.yml'),
      ...collectRuleFiles(['test/golden']).map((f) => readFileSync(f)),
    ];

type Mutation = (input: Buffer, rnd: () => number) => Buffer;
const pick = <T>(xs: readonly T[], rnd: () => number): T => xs[Math.floor(rnd() * xs.length)]!;

const MUTATIONS: Record<string, Mutation> = {
  truncate: (b, rnd) => b.subarray(0, Math.floor(rnd() * b.length)),
  flipBytes: (b, rnd) => {
    const out = Buffer.from(b);
    for (let i = 0; i < 1 + Math.floor(rnd() * 8); i++) out[Math.floor(rnd() * out.length)] = Math.floor(rnd() * 256);
    return out;
  },
  invalidUtf8: (b, rnd) => {
    const at = Math.floor(rnd() * b.length);
    return Buffer.concat([b.subarray(0, at), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), b.subarray(at)]);
  },
  wrongTypes: (b, rnd) => {
    const text = b.toString('utf8');
    const replacement = pick(['[1, 2]', '{a: b}', 'null', '12345', 'true', "''", '- x', '*anchor'], rnd);
    return Buffer.from(text.replace(/: (.+)$/m, `: ${replacement}`));
  },
  deepNesting: (b, rnd) => {
    const depth = 50 + Math.floor(rnd() * 5000);
    return Buffer.from(`${b.toString('utf8')}\nextra: ${'['.repeat(depth)}${']'.repeat(depth)}\n`);
  },
  deepBlockNesting: (b, rnd) => {
    const depth = 70 + Math.floor(rnd() * 60);
    let y = '';
    for (let i = 0; i < depth; i++) y += `${' '.repeat(i)}k${i}:\n`;
    return Buffer.from(`${b.toString('utf8')}\nnest:\n${y.replace(/^/gm, ' ')}`);
  },
  hugeValue: (b, rnd) =>
    Buffer.from(
      b.toString('utf8').replace(/(\|contains: )(.+)$/m, `$1'${'A\\*'.repeat(20000 + Math.floor(rnd() * 20000))}'`),
    ),
  hostileCondition: (b, rnd) =>
    Buffer.from(
      b
        .toString('utf8')
        .replace(
          /condition: .+$/m,
          `condition: ${pick(['(((((', 'not not not', '1 of', 'all of them |', 'a and', ')', '2 of x*'], rnd)}`,
        ),
    ),
  binary: (_b, rnd) => Buffer.from(Array.from({ length: 64 + Math.floor(rnd() * 512) }, () => Math.floor(rnd() * 256))),
};

describe('fuzzed rule files', () => {
  it(
    `${RUNS} mutations never throw, always locate their errors, and finish quickly (seed ${SEED})`,
    () => {
      const rnd = prng(SEED);
      const targets = loadTargets(BACKENDS);
      const names = Object.keys(MUTATIONS);
      const counts: Record<string, number> = {};
      let slowest = 0;
      for (let run = 0; run < RUNS; run++) {
        const name = pick(names, rnd);
        const input = MUTATIONS[name]!(pick(seeds, rnd), rnd);
        const started = performance.now();
        const result = readRuleFile(`fuzz/${name}-${run}.yml`, input);
        for (const rule of result.rules) for (const target of targets) compileRule(rule, target);
        slowest = Math.max(slowest, performance.now() - started);
        for (const d of result.diagnostics) {
          expect(d.code).toMatch(/^RC\d{3}$/);
          expect(d.message).not.toMatch(/\n\s+at /); // no stack trace in a message
          if (d.severity === 'error') expect(d.file).toBe(`fuzz/${name}-${run}.yml`);
        }
        if (result.rules.length === 0) expect(result.diagnostics.some((d) => d.severity === 'error')).toBe(true);
        counts[name] = (counts[name] ?? 0) + 1;
      }
      console.log(`fuzzed ${RUNS} rule files, slowest ${slowest.toFixed(0)} ms:`, counts);
      expect(slowest).toBeLessThan(5000);
    },
    60_000 + RUNS * 200,
  );
});

/**
 * The raw-text gates (src/match/raw-gate.ts) on the SigmaHQ rules that have one (keyword rules: Mimikatz, Exchange,
 * web and network keyword lists): every generated event, and events holding the rules' needles in other cases, with
 * `\uXXXX` escapes and JSON escapes around them, match the same rules with and without the JSON text; and
 * `rulec match --jobs 1` and `--jobs 2` write the same bytes. Needs ../shared (skipped with a message otherwise).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rule } from '../../src/model/rule.js';
import { generateEvents } from '../../scripts/gen-events.js';
import { makeNormalizer, makeRouteView, normalizerTexts } from '../../src/match/formats.js';
import { rawGate, requiredNeedles } from '../../src/match/raw-gate.js';
import { lazyRules, RuleRouter } from '../../src/match/router.js';
import { runRulec } from '../helpers/run-rulec.js';
import { corpusRules, SIGMA_CORPUS, sigmaCorpusPresent } from '../helpers/sigma-corpus.js';
import { factory } from './factory.js';

const available = sigmaCorpusPresent('raw-gate corpus tests');
const texts = normalizerTexts('auto');

/** Every `every`th letter of the text's strings written as a `\uXXXX` escape (keys and values alike). */
const escapeLetters = (json: string, every: number): string => {
  let n = 0;
  return json.replace(/"(?:[^"\\]|\\.)*"/g, (string) =>
    string.replace(/(?<!\\)[a-z]/gi, (c) =>
      ++n % every === 0 ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c,
    ),
  );
};

/** Events holding the needles, in upper, lower and mixed case, inside other text and JSON escapes. */
function* needleEvents(needles: readonly string[]): Generator<Record<string, unknown>> {
  let k = 0;
  for (const needle of needles) {
    const cases = [needle, needle.toUpperCase(), [...needle].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join('')];
    for (const text of cases) {
      const value = `"x\\${text}\n/${k++}`;
      yield {
        Event: {
          System: { Channel: k % 2 ? 'Security' : 'Microsoft-Windows-Sysmon/Operational', EventID: k % 2 ? 4688 : 1 },
          EventData: { CommandLine: value, Image: `C:\\Users\\${text}.exe` },
        },
      };
      yield { 'cs-uri-query': `a=${text}`, message: value, Workload: 'Exchange', Operation: text };
    }
  }
}

describe.skipIf(!available)('raw-text gates on the SigmaHQ keyword rules', () => {
  // Read when a test runs, not when the file is collected: a skipped describe is still collected without ../shared.
  let rules: Rule[] = [];
  let needles: string[] = [];
  beforeAll(() => {
    rules = [...corpusRules()].filter((rule) => rawGate(rule.detection, texts) !== undefined);
    needles = rules.flatMap((rule) => requiredNeedles(rule.detection, texts) ?? []);
  });

  it('drop no match of any event', () => {
    expect(rules.length).toBeGreaterThan(50);
    const plain = new RuleRouter(lazyRules(rules, factory));
    const gated = new RuleRouter(lazyRules(rules, factory), { rawText: texts });
    const normalize = makeNormalizer('auto');
    const view = makeRouteView('auto');
    let matches = 0;
    let k = 0;
    for (const event of [...generateEvents(3000, 11), ...needleEvents(needles)]) {
      const json = JSON.stringify(event);
      const expected = plain.matchRecord(JSON.parse(json) as Record<string, unknown>, normalize, view);
      matches += expected.length;
      for (const text of [json, escapeLetters(json, 3 + (k++ % 5))]) {
        const record = JSON.parse(text) as Record<string, unknown>;
        expect(gated.matchRecord(record, normalize, view, text)).toEqual(expected);
      }
    }
    expect(matches).toBeGreaterThan(needles.length);
    // The gates did skip rules (the gated router saw each event twice).
    expect(gated.evaluated).toBeLessThan(2 * plain.evaluated);
  });

  describe('rulec match', () => {
    let dir = '';
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'rulec-raw-gate-'));
    });
    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('writes the same bytes with --jobs 1 and --jobs 2', () => {
      const input = join(dir, 'events.ndjson');
      const lines: string[] = [];
      let k = 0;
      for (const event of [...generateEvents(6000, 12), ...needleEvents(needles)]) {
        const json = JSON.stringify(event);
        lines.push(k++ % 4 === 0 ? escapeLetters(json, 4) : json);
      }
      writeFileSync(input, `${lines.join('\n')}\n`);
      const run = (jobs: number) =>
        runRulec(
          [
            'match',
            '--jobs',
            String(jobs),
            '--rules',
            join(SIGMA_CORPUS, 'windows/builtin'),
            '--rules',
            join(SIGMA_CORPUS, 'web'),
            input,
          ],
          { timeoutMs: 240_000 },
        );
      const one = run(1);
      const two = run(2);
      expect(one.stdout.split('\n').length).toBeGreaterThan(100);
      expect(two.status).toBe(one.status);
      expect(two.stdout).toBe(one.stdout);
    }, 480_000);
  });
});

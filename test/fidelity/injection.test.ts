/**
 * Injection: any string a rule can hold compiles, in every target, into a literal that the target's reader takes
 * back as exactly that string (the query matches an event holding the string and nothing longer or shorter), or
 * is refused with a diagnostic. The same strings in the rule's metadata come back unchanged from every artifact
 * (JSON, NDJSON, YAML, ARM JSON, .conf), and the JS predicate never runs code from a rule.
 */
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { BACKENDS } from '../../backends/index.js';
import { compileRule, type TargetResult } from '../../src/compile.js';
import * as b from '../../src/ir/build.js';
import { literalPattern } from '../../src/ir/pattern.js';
import { loadPipeline } from '../../src/pipeline/load.js';
import { makeRule } from '../helpers/make-rule.js';
import { readConf } from '../backends/splunk/helpers.js';
import { kustoErrors } from './kusto-syntax.js';
import { importPredicate } from './js-module.js';
import { readQuery } from './readers.js';

const HOSTILE: readonly string[] = [
  '"',
  "'",
  '`',
  '\\',
  'ends with a backslash\\',
  '\\\\server\\share\\',
  'say "hi" \\" \'there\'',
  'line\nbreak',
  'carriage\rreturn',
  'tab\there',
  'nul\u0000byte',
  'unicode\u2028line\u2029separators',
  '|',
  'a | delete',
  '$(whoami)',
  '${process.exit(1)}',
  '{{constructor}}',
  '}}',
  '*',
  '?',
  'a*b?c',
  '(',
  ')',
  ':',
  'a:b',
  'and',
  'or',
  'not',
  'not notepad',
  'AND OR NOT',
  '"]);process.exit(1);//',
  "'); DROP TABLE x; --",
  '</script><script>alert(1)</script>',
  '[subsearch]',
  '@"verbatim"',
  '# comment',
  'é ß İ K',
  'x'.repeat(5000),
];

const targets = BACKENDS.map((backend) => ({ backend, pipeline: loadPipeline(backend.root, backend.id) }));
const FIELD = 'Field';

function hostileRule(value: string) {
  return makeRule(b.stringMatch(FIELD, literalPattern(value), true), {
    title: `Title ${value.slice(0, 200)}`,
    description: `Description ${value}`,
    author: `Author ${value.slice(0, 100)}`,
    authors: [`Author ${value.slice(0, 100)}`],
    deploy: {
      interval: '5m',
      lookback: '6m',
      maxAlerts: 100,
      riskScore: 47,
      enabled: true,
      version: 1,
      targets: { sentinel: { table: 'Events' }, elastic: { language: 'kuery' } },
    },
  });
}

async function evaluator(result: TargetResult): Promise<(event: Record<string, unknown>) => boolean> {
  const { query, language } = result.compiled!.query;
  if (language === 'js') return importPredicate(query);
  if (language === 'kql') expect(kustoErrors(query, 'Events', { [FIELD]: 'string' })).toEqual([]);
  return readQuery(result, { kustoColumns: { [FIELD]: 'string' } });
}

/** The artifact fields that carry the rule's title, per target, read back from the parsed artifact. */
function titlesInArtifacts(result: TargetResult): string[] {
  const out: string[] = [];
  for (const file of result.artifacts) {
    if (file.path.endsWith('.json')) {
      const doc = JSON.parse(file.content) as Record<string, unknown>;
      if (typeof doc['name'] === 'string') out.push(doc['name']);
      const resources = doc['resources'] as { properties?: { displayName?: string } }[] | undefined;
      for (const r of resources ?? []) if (r.properties?.displayName) out.push(r.properties.displayName);
    } else if (file.path.endsWith('.yaml')) {
      const doc = parseYaml(file.content) as Record<string, unknown>;
      out.push(String(doc['name']));
      expect(doc['query']).toBe(result.compiled!.query.query);
    } else if (file.path.endsWith('.conf')) {
      for (const [, keys] of readConf(file.content)) {
        expect(keys.get('search')).toBe(result.compiled!.query.query);
      }
    } else if (file.path.endsWith('.js')) {
      out.push('(js module: checked by import)');
    }
  }
  return out;
}

describe('no rule string breaks out of its literal', () => {
  for (const target of targets) {
    it(`${target.backend.id}: ${HOSTILE.length} hostile values match exactly themselves, or are refused with a code`, async () => {
      let compiled = 0;
      const refused: string[] = [];
      for (const value of HOSTILE) {
        const result = compileRule(hostileRule(value), target);
        if (!result.compiled) {
          expect(result.diagnostics.some((d) => d.severity === 'error' && /^[A-Z]{2}\d{3}$/.test(d.code))).toBe(true);
          refused.push(JSON.stringify(value.slice(0, 20)));
          continue;
        }
        compiled++;
        const matches = await evaluator(result);
        expect(matches({ [FIELD]: value }), `${JSON.stringify(value)} should match itself`).toBe(true);
        expect(matches({ [FIELD]: `${value}x` }), `${JSON.stringify(value)} + x`).toBe(false);
        expect(matches({ [FIELD]: `x${value}` }), `x + ${JSON.stringify(value)}`).toBe(false);
        expect(matches({ Other: value }), `${JSON.stringify(value)} in another field`).toBe(false);
        const titles = titlesInArtifacts(result).filter((t) => !t.startsWith('(js'));
        for (const t of titles) expect(t.startsWith('Title ')).toBe(true);
        for (const t of titles)
          expect(value.slice(0, 200).startsWith(t.slice('Title '.length).slice(0, 20)) || t.includes('…')).toBe(true);
      }
      console.log(`${target.backend.id}: ${compiled} compiled, ${refused.length} refused ${refused.join(' ')}`);
      expect(compiled).toBeGreaterThan(HOSTILE.length / 2);
    });
  }

  it('the JS predicate does not run code from field names', async () => {
    const js = targets.find((t) => t.backend.id === 'js')!;
    for (const field of ['"]);process.exit(1);//', '__proto__', 'constructor', '${x}', 'a`b', 'a\u2028b']) {
      const result = compileRule(makeRule(b.stringMatch(field, literalPattern('v'), false)), js);
      const match = await importPredicate(result.compiled!.query.query);
      expect(match({ [field]: 'V' })).toBe(true);
      expect(match({ [field]: 'w' })).toBe(false);
      expect(match({})).toBe(false);
    }
  });
});

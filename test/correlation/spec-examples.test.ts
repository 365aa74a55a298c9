/**
 * Every example document of the Sigma specification's correlation and filter folders (and the complete examples of
 * its two specification texts) loads as its kind without error. Uses ../shared when present, else the copies in
 * fixtures/spec/ (README there).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRuleFile } from '../../src/frontend.js';

const SPEC = '/work/shared/data/sigma-specification';
const FIXTURES = new URL('./fixtures/spec/', import.meta.url).pathname;

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => join(dir, f));
}

/** Fenced YAML blocks of a specification text that are whole meta-rule documents (a title and the kind's key). */
function markdownExamples(file: string): { name: string; text: string }[] {
  const text = readFileSync(file, 'utf8');
  const blocks = [...text.matchAll(/```ya?ml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .filter((b) => /^title: /m.test(b) && /^(correlation|filter):/m.test(b))
    .map((b, i) => ({ name: `${file.split('/').pop()} block ${i + 1}`, text: b }));
}

const shared = existsSync(SPEC);
if (!shared) console.log(`spec-examples: ${SPEC} is absent; loading the in-repo copies in ${FIXTURES} only`);

const cases: { name: string; text: string }[] = [
  ...yamlFiles(FIXTURES).map((f) => ({ name: `fixture ${f.split('/').pop()}`, text: readFileSync(f, 'utf8') })),
  ...(shared
    ? [...yamlFiles(join(SPEC, 'tests/schema/correlation')), ...yamlFiles(join(SPEC, 'tests/schema/filter'))].map(
        (f) => ({ name: f.slice(SPEC.length + 1), text: readFileSync(f, 'utf8') }),
      )
    : []),
  ...(shared
    ? [
        ...markdownExamples(join(SPEC, 'specification/sigma-correlation-rules-specification.md')),
        ...markdownExamples(join(SPEC, 'specification/sigma-filters-specification.md')),
      ]
        // The aliases example writes `title: —` and `id: —` as placeholders; an id of "—" is not a UUID under the
        // specification's own schema either.
        .filter((e) => !/^id: —$/m.test(e.text))
        // The "Related rules" section shows only `rules:` under `correlation:`: a fragment, not a document.
        .filter((e) => /^filter:/m.test(e.text) || /^\s+type: /m.test(e.text))
    : []),
];

describe('Sigma specification examples', () => {
  it('has examples to load', () => {
    expect(cases.length).toBeGreaterThanOrEqual(shared ? 14 : 5);
  });
  it.each(cases)('$name loads as a correlation rule or a filter without error', ({ name, text }) => {
    const result = readRuleFile(`${name}.yml`, text);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const kinds = /^filter:/m.test(text) ? result.filters.length : result.correlations.length;
    expect(kinds).toBeGreaterThan(0);
  });
});

/**
 * Detection scalars read as their author wrote them (issue 13, cause 6): a plain scalar the YAML 1.2 core schema
 * reads as a number keeps its text when the text is not the number's canonical spelling (`00000429` stays
 * '00000429', as PyYAML's YAML 1.1 resolver reads it too). Both loading paths (js-yaml fast path and the careful
 * `yaml` path) agree. The corpus part checks every detection scalar of SigmaHQ's rules against its source text.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import { fastLoad } from '../../src/source/fast-load.js';
import { parseSource } from '../../src/source/load.js';

function bothPaths(text: string): { fast: unknown; careful: unknown } {
  const fast = fastLoad('r.yml', text);
  const careful = parseSource('r.yml', text);
  expect(careful.diagnostics).toEqual([]);
  return { fast: fast?.[0]?.data, careful: careful.documents[0]?.data };
}

const rule = (values: string): string =>
  `title: t\nrisk_score: 050\ndetection:\n  selection:\n    Details|contains:\n${values}  condition: selection\n`;

describe('detection numbers keep their text unless spelled canonically', () => {
  it('keeps leading zeros, signs, fractions, exponents, hex and octal looks as strings', () => {
    const forms = ['00000429', '0427', '+1', '.5', '1.0', '1e3', '0x1F', '0o17', '.inf', '-0', '12345678901234567890'];
    const { fast, careful } = bothPaths(rule(forms.map((f) => `      - ${f}\n`).join('')));
    // Hex, octal and `.inf` looks send the file to the careful path (undefined), never a different reading.
    expect(fast).toBeUndefined();
    expect(careful).toMatchObject({ detection: { selection: { 'Details|contains': forms } } });
    // Outside the detection the core schema's reading is unchanged (the schema judges metadata).
    expect(careful).toMatchObject({ risk_score: 50 });
  });

  it('reads them the fast way too when nothing else needs the careful path, keys included', () => {
    const forms = ['00000429', '0427', '+1', '.5', '1.0', '1e3', '-0', '12345678901234567890'];
    const text = `${rule(forms.map((f) => `      - ${f}\n`).join(''))}  other:\n    0012: 1.50\n`;
    const { fast, careful } = bothPaths(text);
    expect(fast).toBeDefined();
    expect(fast).toEqual(careful);
    expect(fast).toMatchObject({ risk_score: 50, detection: { other: { '0012': '1.50' } } });
  });

  it('keeps canonical numbers, booleans, nulls and quoted text as they are, on both paths', () => {
    const text = rule(`      - 4688\n      - -1\n      - 0.5\n      - true\n      - null\n      - '0429'\n`);
    const { fast, careful } = bothPaths(text.replace('risk_score: 050\n', ''));
    const expected = { detection: { selection: { 'Details|contains': [4688, -1, 0.5, true, null, '0429'] } } };
    expect(fast).toMatchObject(expected);
    expect(careful).toMatchObject(expected);
  });

  it('keeps an explicitly tagged number a number', () => {
    expect(bothPaths(rule(`      - !!int 0429\n`)).careful).toMatchObject({
      detection: { selection: { 'Details|contains': [429] } },
    });
  });
});

// ---- the corpus ------------------------------------------------------------------------------------------------

const SIGMA = '../shared/data/sigma';
const FOLDERS = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-compliance', 'deprecated'];
const available = existsSync(join(SIGMA, 'rules'));
if (!available) console.warn('YAML scalar corpus test skipped: ../shared/data/sigma is missing next to the repository');

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...yamlFiles(full));
    else if (/\.ya?ml$/.test(entry.name)) out.push(full);
  }
  return out.sort();
}

const NULL_TEXT = /^(?:~|null|Null|NULL|)$/;
const BOOL_TEXT: Readonly<Record<string, boolean>> = {
  true: true,
  True: true,
  TRUE: true,
  false: false,
  False: false,
  FALSE: false,
};

/** What the author of a scalar meant, from its source text alone. */
function meant(node: YamlNode): unknown {
  if (!isScalar(node)) return undefined;
  if (node.type !== 'PLAIN') return node.value;
  const text = node.source ?? '';
  if (NULL_TEXT.test(text)) return null;
  if (text in BOOL_TEXT) return BOOL_TEXT[text];
  const n = Number(text);
  return text.trim() !== '' && String(n) === text ? n : text;
}

/** Whether the YAML 1.2 core schema alone reads `node` as a number that its text does not spell. */
function coreNumberKeptAsText(node: YamlNode): boolean {
  return isScalar(node) && node.type === 'PLAIN' && typeof node.value === 'number' && typeof meant(node) === 'string';
}

/** Every scalar of the detection with the value its author meant, keyed by its path. */
function scalars(
  node: YamlNode | null,
  path: (string | number)[],
  out: [(string | number)[], unknown, boolean][],
): void {
  if (node === null) return;
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '?';
      scalars(pair.value as YamlNode | null, [...path, key], out);
    }
  } else if (isSeq(node)) node.items.forEach((item, i) => scalars(item as YamlNode, [...path, i], out));
  else if (isScalar(node) && !node.tag) out.push([path, meant(node), coreNumberKeptAsText(node)]);
}

function at(data: unknown, path: readonly (string | number)[]): unknown {
  let cur = data;
  for (const p of path) cur = (cur as Record<string | number, unknown> | undefined)?.[p];
  return cur;
}

describe.skipIf(!available)('every detection scalar of the SigmaHQ corpus reads as its source text means', () => {
  it('fast and careful loading give each scalar its author-meant value', () => {
    let checked = 0;
    const kept: string[] = [];
    const wrong: string[] = [];
    for (const file of FOLDERS.flatMap((f) => yamlFiles(join(SIGMA, f)))) {
      const text = readFileSync(file, 'utf8');
      const docs = parseAllDocuments(text, { schema: 'core' });
      if (!Array.isArray(docs)) continue;
      const loaded = fastLoad(file, text) ?? parseSource(file, text).documents;
      docs.forEach((doc, index) => {
        const contents = doc.contents;
        if (!isMap(contents)) return;
        const detection = contents.items.find((p) => isScalar(p.key) && p.key.value === 'detection');
        const found: [(string | number)[], unknown, boolean][] = [];
        scalars((detection?.value ?? null) as YamlNode | null, ['detection'], found);
        const data = loaded.find((d) => d.index === index)?.data;
        for (const [path, value, keptAsText] of found) {
          checked++;
          const got = at(data, path);
          if (!Object.is(got, value)) wrong.push(`${file} ${path.join('.')}: ${JSON.stringify(got)}`);
          if (keptAsText) kept.push(`${file.replace(/^.*\//, '')}: ${String(value)}`);
        }
      });
    }
    console.log(`YAML scalar corpus: ${checked} detection scalars checked; kept as text: ${kept.join(', ')}`);
    expect(checked).toBeGreaterThan(20_000);
    expect(wrong).toEqual([]);
    expect(kept.some((k) => k.endsWith('registry_set_susp_keyboard_layout_load.yml: 00000429'))).toBe(true);
  });
});

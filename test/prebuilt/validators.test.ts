import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packageRoot } from '../../src/backend/root.js';
import { standaloneValidator } from '../../src/prebuilt/validators-generate.js';
import { newAjv } from '../../src/schema/ajv.js';

const require = createRequire(join(packageRoot(), 'src', 'prebuilt', 'validators-generate.ts'));
const root = packageRoot();

/** Loads standalone CommonJS source the way `require` would, resolving its imports from the package. */
function load(code: string): ValidateFunction {
  const module = { exports: {} as unknown };
  new Function('require', 'module', 'exports', code)(require, module, module.exports);
  return module.exports as ValidateFunction;
}

/** Valid and broken documents of every kind: rulec's rules, pipelines and profiles, and hand-made mistakes. */
function documents(): unknown[] {
  const out: unknown[] = [
    {},
    null,
    [],
    'text',
    { title: 1, logsource: 'x', detection: [] },
    { title: 'T', id: 'not-a-uuid', status: 'nope', level: 'bad', logsource: {}, detection: { condition: 5 } },
    { title: 'T', logsource: { product: 1 }, detection: { sel: { a: [{}] }, condition: 'sel' }, tags: 'x' },
    { title: 'T', correlation: { type: 'bogus', rules: 'a', timespan: '1x' } },
    { title: 'T', logsource: {}, filter: { rules: 5 } },
    { fields: { a: 1 }, logsources: [{ id: 1, when: 'x' }], unknown: true },
    { rules: 5, targets: ['x', 1], out: {} },
  ];
  for (const dir of ['rules', 'backends/elastic/profiles', 'backends/sentinel/profiles']) {
    const walk = (d: string): void => {
      for (const e of readdirSync(join(root, d), { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (e.name.endsWith('.yml')) out.push(parse(readFileSync(join(root, d, e.name), 'utf8')));
      }
    };
    walk(dir);
  }
  // The same documents with one key broken, so every schema reports errors deep inside too.
  for (const doc of out.slice()) {
    if (doc && typeof doc === 'object' && !Array.isArray(doc))
      for (const key of Object.keys(doc)) out.push({ ...doc, [key]: [{ broken: key }] });
  }
  return out;
}

describe('validators compiled when the package is built', () => {
  const docs = documents();
  for (const name of readdirSync(join(root, 'schema')).filter((f) => f.endsWith('.json'))) {
    it(`${name}: the standalone validator gives exactly the errors of ajv at run time`, () => {
      const schema = JSON.parse(readFileSync(join(root, 'schema', name), 'utf8')) as Record<string, unknown>;
      const prebuilt = load(standaloneValidator(schema));
      const runtime = newAjv().compile(schema);
      let failures = 0;
      for (const doc of docs) {
        const a = prebuilt(doc);
        const b = runtime(doc);
        expect(a).toBe(b);
        if (!b) failures++;
        expect(prebuilt.errors ?? null).toStrictEqual(runtime.errors ?? null);
      }
      expect(failures).toBeGreaterThan(10);
    });
  }
});

/** Generates the snapshot of rulec's own YAML data (see ./yaml-snapshot.ts); run by ./main.ts. */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import { packageRoot } from '../backend/root.js';
import { newAjv, schemaKey } from '../schema/ajv.js';
import { loadSource } from '../source/load.js';
import { sha1, SNAPSHOT_DIR, snapshotFile, snapshotKey } from './yaml-snapshot.js';
import type { SnapshotEntry } from './yaml-snapshot.js';

/** rulec's own YAML data read at run time through `readPackageYaml`. */
function packageYamlFiles(root: string): string[] {
  const files: string[] = [];
  const backends = join(root, 'backends');
  for (const target of readdirSync(backends, { withFileTypes: true })) {
    if (!target.isDirectory()) continue;
    const dir = join(backends, target.name);
    for (const name of readdirSync(dir)) if (/\.ya?ml$/.test(name)) files.push(join(dir, name));
    for (const sub of ['pipeline', 'profiles']) {
      try {
        for (const name of readdirSync(join(dir, sub))) if (/\.ya?ml$/.test(name)) files.push(join(dir, sub, name));
      } catch {
        // a target without pipeline data or profiles
      }
    }
  }
  return files.sort();
}

/** rulec's JSON Schemas (schema/*.json), each as a check of data, by its key. */
function schemaChecks(root: string): [string, (data: unknown) => boolean][] {
  let names: string[];
  try {
    names = readdirSync(join(root, 'schema')).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const ajv = newAjv();
  return names.sort().map((name) => {
    const schema = JSON.parse(readFileSync(join(root, 'schema', name), 'utf8')) as Record<string, unknown>;
    const validate = ajv.compile(schema);
    return [schemaKey(schema), (data: unknown) => validate(data)];
  });
}

export function generateYamlSnapshot(root = packageRoot()): Record<string, SnapshotEntry> {
  const out: Record<string, SnapshotEntry> = {};
  const checks = schemaChecks(root);
  for (const file of packageYamlFiles(root)) {
    const text = readFileSync(file, 'utf8');
    const data = parse(text) as unknown;
    const json = JSON.stringify(data);
    // Only data JSON carries exactly (no Infinity, NaN, undefined or -0 in it)…
    if (json === undefined || !isDeepStrictEqual(JSON.parse(json), data)) continue;
    // …and that the careful reader of settings files (profiles) reads the same, without a diagnostic.
    const careful = loadSource(file, text);
    const [only, more] = careful.documents;
    if (careful.diagnostics.length > 0 || !only?.ok || more || !isDeepStrictEqual(only.data, data)) continue;
    const valid = checks.filter(([, check]) => check(JSON.parse(json))).map(([key]) => key);
    out[snapshotKey(file)] = { sha1: sha1(text), json, ...(valid.length > 0 ? { valid } : {}) };
  }
  return out;
}

/** Writes the snapshot into lib/ (see SNAPSHOT_DIR), replacing the previous one. */
export function writeYamlSnapshot(root = packageRoot()): void {
  rmSync(join(root, SNAPSHOT_DIR), { recursive: true, force: true });
  for (const [key, entry] of Object.entries(generateYamlSnapshot(root))) {
    const target = snapshotFile(key, root);
    if (target === undefined) continue;
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, `${JSON.stringify(entry)}\n`);
  }
}

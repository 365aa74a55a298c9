/** Generates the snapshot of rulec's own YAML data (see ./yaml-snapshot.ts); run by ./main.ts. */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import { packageRoot } from '../backend/root.js';
import { loadSource } from '../source/load.js';
import { sha1, SNAPSHOT_FILE, snapshotKey } from './yaml-snapshot.js';
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

export function generateYamlSnapshot(root = packageRoot()): Record<string, SnapshotEntry> {
  const out: Record<string, SnapshotEntry> = {};
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
    out[snapshotKey(file)] = { sha1: sha1(text), json };
  }
  return out;
}

/** Writes the snapshot into lib/ (see SNAPSHOT_FILE). */
export function writeYamlSnapshot(root = packageRoot()): void {
  const target = join(root, SNAPSHOT_FILE);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, `${JSON.stringify(generateYamlSnapshot(root))}\n`);
}

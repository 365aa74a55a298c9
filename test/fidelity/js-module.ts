/**
 * Imports a generated JS predicate module for real: written beside a copy of the runtime files (the module imports
 * ./runtime.js, which imports its siblings), then loaded with `import()`.
 */
import { copyFileSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { backendRoot } from '../../src/backend/root.js';

let moduleDir: string | undefined;
let counter = 0;

export async function importPredicate(source: string): Promise<(event: unknown) => boolean> {
  if (moduleDir === undefined) {
    moduleDir = mkdtempSync(join(tmpdir(), 'rulec-predicates-'));
    const runtimeDir = join(backendRoot('js'), 'runtime');
    for (const file of readdirSync(runtimeDir).filter((f) => f.endsWith('.js')))
      copyFileSync(join(runtimeDir, file), join(moduleDir, file));
  }
  const file = join(moduleDir, `m${counter++}.js`);
  writeFileSync(file, `${source}\n`);
  return ((await import(/* @vite-ignore */ pathToFileURL(file).href)) as { match: (event: unknown) => boolean }).match;
}

/**
 * Property tests run with a fixed seed in `npm test`, so CI is reproducible; `FC_SEED` picks another seed and
 * `npm run fuzz` raises the number of runs.
 *
 * Builds run by the tests keep their caches (src/build/cache.ts) in a temporary folder of each test file, removed
 * after it: the tests build hundreds of temporary output folders, each with its own cache files, which would
 * otherwise pile up in node_modules/.cache. Child processes inherit the variable.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll } from 'vitest';

fc.configureGlobal({
  seed: Number(process.env.FC_SEED ?? 20261128),
  ...(process.env.FC_RUNS ? { numRuns: Number(process.env.FC_RUNS) } : {}),
});

const cacheDir = mkdtempSync(join(tmpdir(), 'rulec-test-cache-'));
process.env.RULEC_CACHE_DIR = cacheDir;
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));
